// zbl_gpu.cu — ZBL on the device (see zbl_gpu.h; body zbl_body in pair_kern.h).
#include "gpu_launch.cuh"
#include "pair_kern.h"

extern "C" {
#include "zbl_gpu.h"
}

struct zbl_gpu {
  int ne;
  real_t outer;
  zbl_pair *d_pairs;  // [ne ne]
};

__global__ void k_zbl(pair_args A, const zbl_pair *__restrict__ pairs, int ne, real_t rc2) {
  long i = GPU_INDEX();
  if (i < A.ntot) zbl_body((int)i, &A, pairs, ne, rc2);
}

extern "C" md_status zbl_gpu_create(zbl_gpu **out, const md_model *m) {
  *out = nullptr;
  if (!m->has_zbl) return md_error(MD_ERR_INTERNAL, "zbl_gpu_create: the model has no ZBL term");
  if (!(m->zbl_inner > 0.0 && m->zbl_outer > m->zbl_inner))
    return md_error(MD_ERR_VALUE, "%s: ZBL switching region %g … %g Å is invalid", m->path, m->zbl_inner, m->zbl_outer);
  const int ne = m->nelem;
  zbl_pair pairs[MD_MAX_ELEM * MD_MAX_ELEM];
  for (int a = 0; a < ne; a++)
    for (int b = 0; b < ne; b++) zbl_pair_init(&pairs[a * ne + b], m->zbl_z[a], m->zbl_z[b], m->zbl_inner, m->zbl_outer);
  zbl_gpu *z = new zbl_gpu();
  z->ne = ne;
  z->outer = m->zbl_outer;
  md_status st = gpu_alloc(&z->d_pairs, (size_t)ne * ne, "ZBL pair table");
  if (st == MD_OK && cudaMemcpy(z->d_pairs, pairs, (size_t)ne * ne * sizeof(zbl_pair), cudaMemcpyHostToDevice) != cudaSuccess)
    st = md_error(MD_ERR_DEVICE, "CUDA: cannot upload the ZBL table");
  if (st != MD_OK) {
    zbl_gpu_destroy(&z);
    return st;
  }
  *out = z;
  return MD_OK;
}

extern "C" void zbl_gpu_destroy(zbl_gpu **pz) {
  if (!pz || !*pz) return;
  gpu_free(&(*pz)->d_pairs);
  delete *pz;
  *pz = nullptr;
}

extern "C" real_t zbl_gpu_cutoff(const zbl_gpu *z) { return z->outer; }

extern "C" md_status zbl_gpu_compute(zbl_gpu *z, const gpu_atoms *a, const nbr_list_gpu *nl, real_t *d_acc, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  if (nl->half) return md_error(MD_ERR_INTERNAL, "zbl_gpu: needs a full neighbour list");
  if (nl->cutoff + nl->skin < z->outer)
    return md_error(MD_ERR_INTERNAL, "zbl_gpu: list range %g Å is below the ZBL outer cutoff %g Å", nl->cutoff + nl->skin, z->outer);
  const pair_args A = pair_args_of(a, nl, d_acc);
  k_zbl<<<gpu_blocks_for(a->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(A, z->d_pairs, z->ne, z->outer * z->outer);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}
