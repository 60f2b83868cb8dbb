// neighbor_gpu.cu — device neighbour lists (see neighbor_gpu.h; per-thread bodies in neighbor_kern.h).
#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/execution_policy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "constants.h"
#include "gpu_launch.cuh"
#include "neighbor_kern.h"

extern "C" {
#include "neighbor.h"
#include "neighbor_gpu.h"
}

#define NBR_SCAN_THREADS 1024

struct nbr_gpu {
  int nsys, ntot, nlist;
  real_t cutoff[NBR_MAX_LISTS];
  int half[NBR_MAX_LISTS];
  real_t skin, rl;           // largest cutoff + skin
  int ncells;                // over all systems
  int cellcap;
  std::vector<nbr_geom> geom;
  std::vector<int> natoms;   // atoms per system (the cell-grid cap)
  nbr_geom *d_geom;
  real_t *d_frac;            // [3 ntot]
  int *d_own;                // [3 ntot]
  int *d_key;                // [ntot]
  int *d_key_sorted;         // [ntot] (Thrust path)
  int *d_sorted;             // [ntot]
  int *d_cell_start;         // [ncells + 1]
  int *d_cell_count;         // [ncells]
  int *d_cell_fill;          // [ncells]
  real_t *d_x0;              // [3 ntot]
  nbr_list_gpu list[NBR_MAX_LISTS];
  gpu_status *d_status;
  long direct_builds;
};

// device address of status->need (no host dereference of the device pointer)
static int *need_ptr(gpu_status *d) { return (int *)((char *)d + offsetof(gpu_status, need)); }

// ---- kernels ----

__device__ static inline bool guard_off(const gpu_status *st, int guarded) {
  return st->halt != 0 || (guarded && !st->rebuild);
}

__global__ void k_nbr_wrap(int ntot, const int *__restrict__ atom_sys, const real_t *__restrict__ box, real_t *pos, int *img) {
  long i = GPU_INDEX();
  if (i >= ntot) return;
  const real_t *b = box + 18 * atom_sys[i];
  nbr_wrap_body((int)i, ntot, pos, img, b, b + 9);
}

// wrap (optional), x0, fractional coordinates, cell key, optional count per cell
__global__ void k_nbr_wrap_assign(int ntot, int guarded, int wrap, int count_cells, gpu_status *st,
                                  const int *__restrict__ atom_sys, const real_t *__restrict__ box,
                                  const nbr_geom *__restrict__ geom, real_t *pos, int *img, real_t *__restrict__ x0,
                                  real_t *__restrict__ frac, int *__restrict__ own, int *__restrict__ key,
                                  int *__restrict__ cell_count) {
  long i = GPU_INDEX();
  if (i >= ntot || guard_off(st, guarded)) return;
  const int s = atom_sys[i];
  const real_t *b = box + 18 * s;
  if (wrap) nbr_wrap_body((int)i, ntot, pos, img, b, b + 9);
  x0[i] = pos[i];
  x0[ntot + i] = pos[ntot + i];
  x0[2 * ntot + i] = pos[2 * ntot + i];
  unsigned bad = nbr_assign_body((int)i, ntot, pos, b + 9, &geom[s], frac, own, key);
  if (bad) kern_status_raise(st, bad, s, -1, (int)i, 1);
  if (count_cells) atomicAdd(&cell_count[key[i]], 1);
}

__global__ void k_nbr_zero_cells(int ncells, int guarded, const gpu_status *st, int *count, int *fill) {
  long c = GPU_INDEX();
  if (c >= ncells || guard_off(st, guarded)) return;
  count[c] = 0;
  fill[c] = 0;
}

__global__ void k_nbr_scan(int ncells, int guarded, const gpu_status *st, const int *__restrict__ count, int *__restrict__ start) {
  __shared__ int part[NBR_SCAN_THREADS];
  __shared__ int total;
  if (guard_off(st, guarded)) return;  // uniform over the block
  const int t = threadIdx.x;
  part[t] = nbr_scan_chunk_sum(t, NBR_SCAN_THREADS, ncells, count);
  __syncthreads();
  if (t == 0) total = nbr_scan_partials(part, NBR_SCAN_THREADS);
  __syncthreads();
  nbr_scan_chunk_write(t, NBR_SCAN_THREADS, ncells, count, part[t], start);
  if (t == 0) start[ncells] = total;
}

__global__ void k_nbr_fill(int ntot, int guarded, const gpu_status *st, const int *__restrict__ key,
                           const int *__restrict__ start, int *fill, int *__restrict__ sorted) {
  long i = GPU_INDEX();
  if (i >= ntot || guard_off(st, guarded)) return;
  nbr_fill_body((int)i, key, start, fill, sorted);
}

__global__ void k_nbr_order(int ncells, int guarded, const gpu_status *st, const int *__restrict__ start, int *sorted) {
  long c = GPU_INDEX();
  if (c >= ncells || guard_off(st, guarded)) return;
  nbr_order_body((int)c, start, sorted);
}

__global__ void k_nbr_build(nbr_build_args A, int guarded, gpu_status *st) {
  long i = GPU_INDEX();
  if (i >= A.ntot || guard_off(st, guarded)) return;
  int over = nbr_build_body((int)i, &A);
  // guarded builds run inside the step sequence: stop it, the host grows the lists and resumes
  if (over && guarded) kern_status_raise(st, KERN_STOP_OVERFLOW, A.atom_sys[i], -1, -1, 1);
}

__global__ void k_nbr_done(int guarded, gpu_status *st) {
  if (threadIdx.x != 0 || blockIdx.x != 0) return;
  if (st->halt) return;
  if (guarded && !st->rebuild) return;
  st->rebuild = 0;
  st->builds++;
}

__global__ void k_nbr_check(int ntot, gpu_status *st, const real_t *__restrict__ pos, const real_t *__restrict__ x0,
                            real_t lim2) {
  long i = GPU_INDEX();
  if (i >= ntot || st->halt) return;
  if (nbr_moved_body((int)i, ntot, pos, x0, lim2)) st->rebuild = 1;
}

// ---- host side ----

static void free_lists(nbr_gpu *nb) {
  for (int L = 0; L < NBR_MAX_LISTS; L++) {
    gpu_free(&nb->list[L].d_num);
    gpu_free(&nb->list[L].d_j);
    gpu_free(&nb->list[L].d_img);
  }
}

static md_status alloc_list(nbr_gpu *nb, int L, int maxnbr) {
  nbr_list_gpu *l = &nb->list[L];
  gpu_free(&l->d_j);
  gpu_free(&l->d_img);
  if (!l->d_num) MD_TRY(gpu_alloc(&l->d_num, (size_t)nb->ntot, "neighbour counts"));
  size_t n = (size_t)maxnbr * nb->ntot;
  MD_TRY(gpu_alloc(&l->d_j, n, "neighbour list"));
  MD_TRY(gpu_alloc(&l->d_img, n, "neighbour list images"));
  l->maxnbr = maxnbr;
  return MD_OK;
}

extern "C" void nbr_gpu_destroy(nbr_gpu **p) {
  if (!p || !*p) return;
  nbr_gpu *nb = *p;
  free_lists(nb);
  gpu_free(&nb->d_geom);
  gpu_free(&nb->d_frac);
  gpu_free(&nb->d_own);
  gpu_free(&nb->d_key);
  gpu_free(&nb->d_key_sorted);
  gpu_free(&nb->d_sorted);
  gpu_free(&nb->d_cell_start);
  gpu_free(&nb->d_cell_count);
  gpu_free(&nb->d_cell_fill);
  gpu_free(&nb->d_x0);
  delete nb;
  *p = nullptr;
}

extern "C" md_status nbr_gpu_set_boxes(nbr_gpu *nb, const md_box *const *boxes) {
  int total = 0;
  for (int s = 0; s < nb->nsys; s++) {
    nbr_geom g;
    MD_TRY(nbr_geom_check(boxes[s], nb->rl, nb->natoms[s], &g));
    g.cellbase = total;
    long cells = (long)g.ncell[0] * g.ncell[1] * g.ncell[2];
    if (total + cells > 200000000L) return md_error(MD_ERR_VALUE, "neighbour list: too many cells (%ld)", total + cells);
    total += (int)cells;
    nb->geom[s] = g;
  }
  nb->ncells = total;
  if (total > nb->cellcap) {
    gpu_free(&nb->d_cell_start);
    gpu_free(&nb->d_cell_count);
    gpu_free(&nb->d_cell_fill);
    MD_TRY(gpu_alloc(&nb->d_cell_start, (size_t)total + 1, "cell starts"));
    MD_TRY(gpu_alloc(&nb->d_cell_count, (size_t)total, "cell counts"));
    MD_TRY(gpu_alloc(&nb->d_cell_fill, (size_t)total, "cell fill"));
    nb->cellcap = total;
  }
  CUDA_CHECK(cudaMemcpy(nb->d_geom, nb->geom.data(), nb->nsys * sizeof(nbr_geom), cudaMemcpyHostToDevice));
  return MD_OK;
}

extern "C" md_status nbr_gpu_create(nbr_gpu **out, const gpu_atoms *a, const md_box *const *boxes, int nlist,
                                    const real_t *cutoff, const int *half, real_t skin, int maxnbr0, gpu_status *d_status) {
  *out = nullptr;
  if (nlist < 1 || nlist > NBR_MAX_LISTS) return md_error(MD_ERR_INTERNAL, "nbr_gpu_create: %d lists", nlist);
  if (!(skin >= 0.0)) return md_error(MD_ERR_VALUE, "neighbour list: skin %g must not be negative", skin);
  nbr_gpu *nb = new nbr_gpu();
  nb->nsys = a->nsys;
  nb->ntot = a->ntot;
  nb->nlist = nlist;
  nb->skin = skin;
  nb->rl = 0.0;
  nb->d_status = d_status;
  for (int L = 0; L < nlist; L++) {
    if (!(cutoff[L] > 0.0)) {
      delete nb;
      return md_error(MD_ERR_VALUE, "neighbour list: cutoff %g must be positive", cutoff[L]);
    }
    nb->cutoff[L] = cutoff[L];
    nb->half[L] = half[L];
    nb->rl = fmax(nb->rl, cutoff[L] + skin);
  }
  nb->geom.resize(a->nsys);
  nb->natoms.assign(a->nsys, 0);
  {
    std::vector<int> off(a->nsys + 1);
    if (cudaMemcpy(off.data(), a->d_sys_offset, (a->nsys + 1) * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess) {
      delete nb;
      return md_error(MD_ERR_DEVICE, "CUDA: cannot read the system offsets");
    }
    for (int s = 0; s < a->nsys; s++) nb->natoms[s] = off[s + 1] - off[s];
  }
  size_t n = (size_t)a->ntot;
  md_status st = gpu_alloc(&nb->d_geom, (size_t)a->nsys, "cell geometry");
  if (st == MD_OK) st = gpu_alloc(&nb->d_frac, 3 * n, "fractional coordinates");
  if (st == MD_OK) st = gpu_alloc(&nb->d_own, 3 * n, "image floors");
  if (st == MD_OK) st = gpu_alloc(&nb->d_key, n, "cell keys");
  if (st == MD_OK) st = gpu_alloc(&nb->d_key_sorted, n, "sorted cell keys");
  if (st == MD_OK) st = gpu_alloc(&nb->d_sorted, n, "atoms by cell");
  if (st == MD_OK) st = gpu_alloc(&nb->d_x0, 3 * n, "positions at the last build");
  if (st == MD_OK) st = nbr_gpu_set_boxes(nb, boxes);
  // initial capacity: the density of the densest system times the sphere volume, plus margin
  for (int L = 0; L < nlist && st == MD_OK; L++) {
    int cap = maxnbr0;
    if (cap <= 0) {
      real_t rho = 0.0;
      std::vector<int> off(a->nsys + 1);
      if (cudaMemcpy(off.data(), a->d_sys_offset, (a->nsys + 1) * sizeof(int), cudaMemcpyDeviceToHost) != cudaSuccess) {
        st = md_error(MD_ERR_DEVICE, "CUDA: cannot read the system offsets");
        break;
      }
      for (int s = 0; s < a->nsys; s++) rho = fmax(rho, (off[s + 1] - off[s]) / boxes[s]->volume);
      real_t r = cutoff[L] + skin;
      real_t v = 4.0 / 3.0 * MD_PI * r * r * r * rho * (half[L] ? 0.5 : 1.0);
      const real_t est = 1.3 * v + 16.0, most = 1 << 24; /* clamped before the conversion; builds grow it */
      cap = est < most ? (int)est : (int)most;
    }
    nb->list[L].ntot = a->ntot;
    nb->list[L].half = half[L];
    nb->list[L].cutoff = cutoff[L];
    nb->list[L].skin = skin;
    st = alloc_list(nb, L, cap);
  }
  if (st != MD_OK) {
    nbr_gpu_destroy(&nb);
    return st;
  }
  *out = nb;
  return MD_OK;
}

static nbr_build_args build_args(nbr_gpu *nb, const gpu_atoms *a) {
  nbr_build_args A;
  memset(&A, 0, sizeof A);
  A.ntot = nb->ntot;
  A.nlist = nb->nlist;
  for (int L = 0; L < nb->nlist; L++) {
    real_t r = nb->cutoff[L] + nb->skin;
    A.out[L].rl2 = r * r;
    A.out[L].half = nb->half[L];
    A.out[L].maxnbr = nb->list[L].maxnbr;
    A.out[L].num = nb->list[L].d_num;
    A.out[L].j = nb->list[L].d_j;
    A.out[L].img = nb->list[L].d_img;
  }
  A.atom_sys = a->d_atom_sys;
  A.box = a->d_box;
  A.geom = nb->d_geom;
  A.frac = nb->d_frac;
  A.own = nb->d_own;
  A.cell_start = nb->d_cell_start;
  A.sorted = nb->d_sorted;
  A.need = need_ptr(nb->d_status);
  return A;
}

extern "C" md_status nbr_gpu_wrap(nbr_gpu *nb, gpu_atoms *a, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  k_nbr_wrap<<<gpu_blocks_for(nb->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(nb->ntot, a->d_atom_sys, a->d_box, a->d_pos,
                                                                           a->d_img);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status nbr_gpu_build(nbr_gpu *nb, gpu_atoms *a, int wrap, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  const int n = nb->ntot;
  const unsigned blocks = gpu_blocks_for(n, GPU_THREADS);
  CUDA_CHECK(cudaMemsetAsync(need_ptr(nb->d_status), 0, 2 * sizeof(int), s));
  k_nbr_wrap_assign<<<blocks, GPU_THREADS, 0, s>>>(n, 0, wrap, 0, nb->d_status, a->d_atom_sys, a->d_box, nb->d_geom, a->d_pos,
                                                   a->d_img, nb->d_x0, nb->d_frac, nb->d_own, nb->d_key, nullptr);
  GPU_CHECK_LAUNCH(s);
  // atoms sorted by cell (stable: increasing index within a cell), then each cell's first entry
  try {
    auto pol = thrust::cuda::par.on(s);
    thrust::sequence(pol, nb->d_sorted, nb->d_sorted + n);
    thrust::copy(pol, nb->d_key, nb->d_key + n, nb->d_key_sorted);
    thrust::stable_sort_by_key(pol, nb->d_key_sorted, nb->d_key_sorted + n, nb->d_sorted);
    thrust::lower_bound(pol, nb->d_key_sorted, nb->d_key_sorted + n, thrust::counting_iterator<int>(0),
                        thrust::counting_iterator<int>(nb->ncells + 1), nb->d_cell_start);
  } catch (const std::exception &e) {
    return md_error(MD_ERR_DEVICE, "neighbour list: Thrust failed (%s)", e.what());
  }
  for (int attempt = 0; attempt < 4; attempt++) {
    nbr_build_args A = build_args(nb, a);
    k_nbr_build<<<blocks, GPU_THREADS, 0, s>>>(A, 0, nb->d_status);
    GPU_CHECK_LAUNCH(s);
    gpu_status hs;
    CUDA_CHECK(cudaMemcpyAsync(&hs, nb->d_status, sizeof hs, cudaMemcpyDeviceToHost, s));
    CUDA_CHECK(cudaStreamSynchronize(s));
    if (hs.halt && (hs.flags & KERN_STOP_FAR))
      return md_error(MD_ERR_PHYSICS, "neighbour list: atom %d has a non-finite position or is hundreds of cells away "
                      "from the box (lost atom)", hs.atom + 1);
    int grew = 0;
    const char *me = getenv("ESNAPMD_GPU_NBR_MARGIN");
    for (int L = 0; L < nb->nlist; L++)
      if (hs.need[L] > nb->list[L].maxnbr) {
        int margin = (me && atoi(me) >= 0) ? atoi(me) : hs.need[L] / 8 + 8;
        MD_TRY(alloc_list(nb, L, hs.need[L] + margin));
        grew = 1;
      }
    if (!grew) {
      k_nbr_done<<<1, 1, 0, s>>>(0, nb->d_status);
      GPU_CHECK_LAUNCH(s);
      nb->direct_builds++;
      return MD_OK;
    }
    CUDA_CHECK(cudaMemsetAsync(need_ptr(nb->d_status), 0, 2 * sizeof(int), s));
  }
  return md_error(MD_ERR_INTERNAL, "neighbour list: capacity did not settle");
}

extern "C" md_status nbr_gpu_build_guarded(nbr_gpu *nb, gpu_atoms *a, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  const int n = nb->ntot, nc = nb->ncells;
  const unsigned blocks = gpu_blocks_for(n, GPU_THREADS), cblocks = gpu_blocks_for(nc, GPU_THREADS);
  k_nbr_zero_cells<<<cblocks, GPU_THREADS, 0, s>>>(nc, 1, nb->d_status, nb->d_cell_count, nb->d_cell_fill);
  GPU_CHECK_LAUNCH(s);
  k_nbr_wrap_assign<<<blocks, GPU_THREADS, 0, s>>>(n, 1, 1, 1, nb->d_status, a->d_atom_sys, a->d_box, nb->d_geom, a->d_pos,
                                                   a->d_img, nb->d_x0, nb->d_frac, nb->d_own, nb->d_key, nb->d_cell_count);
  GPU_CHECK_LAUNCH(s);
  k_nbr_scan<<<1, NBR_SCAN_THREADS, 0, s>>>(nc, 1, nb->d_status, nb->d_cell_count, nb->d_cell_start);
  GPU_CHECK_LAUNCH(s);
  k_nbr_fill<<<blocks, GPU_THREADS, 0, s>>>(n, 1, nb->d_status, nb->d_key, nb->d_cell_start, nb->d_cell_fill, nb->d_sorted);
  GPU_CHECK_LAUNCH(s);
  k_nbr_order<<<cblocks, GPU_THREADS, 0, s>>>(nc, 1, nb->d_status, nb->d_cell_start, nb->d_sorted);
  GPU_CHECK_LAUNCH(s);
  nbr_build_args A = build_args(nb, a);
  k_nbr_build<<<blocks, GPU_THREADS, 0, s>>>(A, 1, nb->d_status);
  GPU_CHECK_LAUNCH(s);
  k_nbr_done<<<1, 1, 0, s>>>(1, nb->d_status);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status nbr_gpu_check(nbr_gpu *nb, const gpu_atoms *a, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  k_nbr_check<<<gpu_blocks_for(nb->ntot, GPU_THREADS), GPU_THREADS, 0, s>>>(nb->ntot, nb->d_status, a->d_pos, nb->d_x0,
                                                                            nbr_gpu_moved_limit2(nb));
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

__global__ void k_nbr_request(gpu_status *st) {
  if (threadIdx.x == 0 && blockIdx.x == 0) st->rebuild = 1;
}

extern "C" md_status nbr_gpu_request_rebuild(nbr_gpu *nb, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  k_nbr_request<<<1, 1, 0, s>>>(nb->d_status);
  GPU_CHECK_LAUNCH(s);
  return MD_OK;
}

extern "C" md_status nbr_gpu_download(const nbr_gpu *nb, int which, int *num, int *j, int *img) {
  if (which < 0 || which >= nb->nlist) return md_error(MD_ERR_INTERNAL, "nbr_gpu_download: no list %d", which);
  const nbr_list_gpu *l = &nb->list[which];
  const size_t n = (size_t)nb->ntot, m = (size_t)l->maxnbr * n;
  CUDA_CHECK(cudaDeviceSynchronize());
  CUDA_CHECK(cudaMemcpy(num, l->d_num, n * sizeof(int), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(j, l->d_j, m * sizeof(int), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(img, l->d_img, m * sizeof(int), cudaMemcpyDeviceToHost));
  return MD_OK;
}

extern "C" md_status gpu_status_read(const gpu_status *d, gpu_status *h) {
  CUDA_CHECK(cudaDeviceSynchronize());
  CUDA_CHECK(cudaMemcpy(h, d, sizeof *h, cudaMemcpyDeviceToHost));
  return MD_OK;
}

extern "C" md_status gpu_status_write(gpu_status *d, const gpu_status *h) {
  CUDA_CHECK(cudaDeviceSynchronize());
  CUDA_CHECK(cudaMemcpy(d, h, sizeof *h, cudaMemcpyHostToDevice));
  return MD_OK;
}

extern "C" const nbr_list_gpu *nbr_gpu_list(const nbr_gpu *nb, int which) {
  return (which >= 0 && which < nb->nlist) ? &nb->list[which] : nullptr;
}
extern "C" int nbr_gpu_nlist(const nbr_gpu *nb) { return nb->nlist; }
extern "C" const real_t *nbr_gpu_x0(const nbr_gpu *nb) { return nb->d_x0; }
extern "C" real_t nbr_gpu_moved_limit2(const nbr_gpu *nb) { return nbr_moved_limit2(nb->skin); }
extern "C" long nbr_gpu_direct_builds(const nbr_gpu *nb) { return nb->direct_builds; }
