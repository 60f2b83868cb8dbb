// gpu_atoms.cu — allocation and host<->device copies for the replica layout of gpu_types.h.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cuda_check.h"

extern "C" {
#include "gpu_atoms.h"
}

extern "C" md_status gpu_device_count(int *n) {
  *n = 0;
  int c = 0;
  cudaError_t e = cudaGetDeviceCount(&c);
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear: "no device" / "no driver" is not an error here
    return MD_OK;
  }
  *n = c;
  return MD_OK;
}

extern "C" const char *gpu_device_name(void) {
  static char buf[256];
  int n = 0;
  gpu_device_count(&n);
  if (n == 0) {
    snprintf(buf, sizeof buf, "no CUDA device");
    return buf;
  }
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) {
    snprintf(buf, sizeof buf, "CUDA device 0 (properties unavailable)");
    return buf;
  }
  snprintf(buf, sizeof buf, "%s (sm_%d%d, %d SMs, %.1f GiB)", p.name, p.major, p.minor, p.multiProcessorCount,
           p.totalGlobalMem / 1073741824.0);
  return buf;
}

extern "C" void gpu_atoms_destroy(gpu_atoms **pa) {
  if (!pa || !*pa) return;
  gpu_atoms *a = *pa;
  cudaFree(a->d_sys_offset);
  cudaFree(a->d_atom_sys);
  cudaFree(a->d_type);
  cudaFree(a->d_box);
  cudaFree(a->d_pos);
  cudaFree(a->d_img);
  cudaFree(a->d_vel);
  cudaFree(a->d_force);
  free(a);
  *pa = nullptr;
}

static md_status alloc_all(gpu_atoms *a) {
  size_t n = (size_t)a->ntot;
  CUDA_CHECK(cudaMalloc(&a->d_sys_offset, (a->nsys + 1) * sizeof(int)));
  CUDA_CHECK(cudaMalloc(&a->d_atom_sys, n * sizeof(int)));
  CUDA_CHECK(cudaMalloc(&a->d_type, n * sizeof(int)));
  CUDA_CHECK(cudaMalloc(&a->d_box, 18 * (size_t)a->nsys * sizeof(real_t)));
  CUDA_CHECK(cudaMalloc(&a->d_pos, 3 * n * sizeof(real_t)));
  CUDA_CHECK(cudaMalloc(&a->d_img, 3 * n * sizeof(int)));
  CUDA_CHECK(cudaMalloc(&a->d_vel, 3 * n * sizeof(real_t)));
  CUDA_CHECK(cudaMalloc(&a->d_force, 3 * n * sizeof(real_t)));
  CUDA_CHECK(cudaMemset(a->d_force, 0, 3 * n * sizeof(real_t)));
  CUDA_CHECK(cudaMemset(a->d_vel, 0, 3 * n * sizeof(real_t)));
  return MD_OK;
}

extern "C" md_status gpu_atoms_create(gpu_atoms **out, md_system *const *sys, int nsys) {
  *out = nullptr;
  if (nsys < 1) return md_error(MD_ERR_VALUE, "gpu_atoms_create: no systems");
  long total = 0;
  for (int s = 0; s < nsys; s++) {
    if (sys[s]->n < 1) return md_error(MD_ERR_VALUE, "gpu_atoms_create: system %d has no atoms", s);
    total += sys[s]->n;
  }
  if (total > 2000000000L) return md_error(MD_ERR_VALUE, "gpu_atoms_create: %ld atoms is too many", total);
  gpu_atoms *a = (gpu_atoms *)calloc(1, sizeof *a);
  if (!a) return md_error(MD_ERR_MEMORY, "out of memory");
  a->nsys = nsys;
  a->ntot = (int)total;
  md_status st = alloc_all(a);
  if (st == MD_OK) {
    std::vector<int> off(nsys + 1), asys(total), type(total);
    off[0] = 0;
    for (int s = 0; s < nsys; s++) {
      off[s + 1] = off[s] + sys[s]->n;
      for (int i = 0; i < sys[s]->n; i++) {
        asys[off[s] + i] = s;
        type[off[s] + i] = sys[s]->type[i];
      }
    }
    cudaError_t e = cudaMemcpy(a->d_sys_offset, off.data(), (nsys + 1) * sizeof(int), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(a->d_atom_sys, asys.data(), total * sizeof(int), cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(a->d_type, type.data(), total * sizeof(int), cudaMemcpyHostToDevice);
    if (e != cudaSuccess)
      st = md_error(MD_ERR_DEVICE, "CUDA error at %s:%d: %s", __FILE__, __LINE__, cudaGetErrorString(e));
  }
  if (st == MD_OK) st = gpu_atoms_upload(a, sys, nsys, MD_GPU_POS | MD_GPU_VEL | MD_GPU_BOX);
  if (st != MD_OK) {
    gpu_atoms_destroy(&a);
    return st;
  }
  *out = a;
  return MD_OK;
}

extern "C" md_status gpu_atoms_upload(gpu_atoms *a, md_system *const *sys, int nsys, unsigned what) {
  if (nsys != a->nsys) return md_error(MD_ERR_INTERNAL, "gpu_atoms_upload: %d systems, device has %d", nsys, a->nsys);
  size_t n = (size_t)a->ntot;
  if (what & MD_GPU_BOX) {
    std::vector<real_t> box(18 * (size_t)nsys);
    for (int s = 0; s < nsys; s++) {
      memcpy(&box[18 * s], sys[s]->box.h, 9 * sizeof(real_t));
      memcpy(&box[18 * s + 9], sys[s]->box.hinv, 9 * sizeof(real_t));
    }
    CUDA_CHECK(cudaMemcpy(a->d_box, box.data(), box.size() * sizeof(real_t), cudaMemcpyHostToDevice));
  }
  size_t off = 0;
  for (int s = 0; s < nsys; s++) {
    const md_system *m = sys[s];
    size_t b = (size_t)m->n;
    if (what & MD_GPU_POS) {
      CUDA_CHECK(cudaMemcpy(a->d_pos + off, m->x, b * sizeof(real_t), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_pos + n + off, m->y, b * sizeof(real_t), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_pos + 2 * n + off, m->z, b * sizeof(real_t), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_img + off, m->ix, b * sizeof(int), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_img + n + off, m->iy, b * sizeof(int), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_img + 2 * n + off, m->iz, b * sizeof(int), cudaMemcpyHostToDevice));
    }
    if (what & MD_GPU_VEL) {
      CUDA_CHECK(cudaMemcpy(a->d_vel + off, m->vx, b * sizeof(real_t), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_vel + n + off, m->vy, b * sizeof(real_t), cudaMemcpyHostToDevice));
      CUDA_CHECK(cudaMemcpy(a->d_vel + 2 * n + off, m->vz, b * sizeof(real_t), cudaMemcpyHostToDevice));
    }
    off += b;
  }
  return MD_OK;
}

extern "C" md_status gpu_atoms_download(const gpu_atoms *a, md_system *const *sys, int nsys, unsigned what,
                                        real_t *const *fx, real_t *const *fy, real_t *const *fz) {
  if (nsys != a->nsys)
    return md_error(MD_ERR_INTERNAL, "gpu_atoms_download: %d systems, device has %d", nsys, a->nsys);
  size_t n = (size_t)a->ntot, off = 0;
  for (int s = 0; s < nsys; s++) {
    md_system *m = sys[s];
    size_t b = (size_t)m->n;
    if (what & MD_GPU_POS) {
      CUDA_CHECK(cudaMemcpy(m->x, a->d_pos + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->y, a->d_pos + n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->z, a->d_pos + 2 * n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->ix, a->d_img + off, b * sizeof(int), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->iy, a->d_img + n + off, b * sizeof(int), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->iz, a->d_img + 2 * n + off, b * sizeof(int), cudaMemcpyDeviceToHost));
    }
    if (what & MD_GPU_VEL) {
      CUDA_CHECK(cudaMemcpy(m->vx, a->d_vel + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->vy, a->d_vel + n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(m->vz, a->d_vel + 2 * n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
    }
    if ((what & MD_GPU_FORCE) && fx && fy && fz) {
      CUDA_CHECK(cudaMemcpy(fx[s], a->d_force + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(fy[s], a->d_force + n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
      CUDA_CHECK(cudaMemcpy(fz[s], a->d_force + 2 * n + off, b * sizeof(real_t), cudaMemcpyDeviceToHost));
    }
    off += b;
  }
  return MD_OK;
}

extern "C" md_status gpu_atoms_zero_forces(gpu_atoms *a, void *stream) {
  CUDA_CHECK(cudaMemsetAsync(a->d_force, 0, 3 * (size_t)a->ntot * sizeof(real_t), (cudaStream_t)stream));
  return MD_OK;
}
