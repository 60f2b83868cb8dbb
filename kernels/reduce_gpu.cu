// reduce_gpu.cu — deterministic per-system sums of per-atom values (gpu_kern.h describes the order).
#include <vector>

#include "gpu_launch.cuh"

// Pass 1: block k sums chunk k, every component; thread 0 adds the thread partials in thread order.
__global__ void k_reduce_chunks(const int *__restrict__ first, const int *__restrict__ end, const real_t *__restrict__ vals,
                                long stride, int ncomp, real_t *__restrict__ partial) {
  __shared__ real_t part[KERN_RED_THREADS];
  const int k = blockIdx.x, t = threadIdx.x;
  const int f = first[k], e = end[k];
  for (int c = 0; c < ncomp; c++) {
    part[t] = kern_chunk_partial(vals, stride, c, f, e, t, KERN_RED_THREADS);
    __syncthreads();
    if (t == 0) partial[(long)k * ncomp + c] = kern_sum_in_order(part, KERN_RED_THREADS);
    __syncthreads();
  }
}

// Pass 2: thread (s, c) adds system s's chunk sums in chunk order.
__global__ void k_reduce_systems(const int *__restrict__ sys_first, int nsys, int ncomp, const real_t *__restrict__ partial,
                                 real_t *__restrict__ out, int add) {
  long idx = GPU_INDEX();
  if (idx >= (long)nsys * ncomp) return;
  int s = (int)(idx / ncomp), c = (int)(idx % ncomp);
  real_t sum = 0.0;
  for (int k = sys_first[s]; k < sys_first[s + 1]; k++) sum += partial[(long)k * ncomp + c];
  out[(long)s * ncomp + c] = add ? out[(long)s * ncomp + c] + sum : sum;
}

md_status gpu_chunks_create(gpu_chunks *c, const int *off, int nsys, int maxcomp) {
  *c = gpu_chunks{};
  std::vector<int> first, end, sf(nsys + 1);
  for (int s = 0; s < nsys; s++) {
    sf[s] = (int)first.size();
    int n = off[s + 1] - off[s], nk = kern_chunks_of(n);
    for (int k = 0; k < nk; k++) {
      int a = off[s] + k * KERN_CHUNK, b = a + KERN_CHUNK;
      first.push_back(a);
      end.push_back(b < off[s + 1] ? b : off[s + 1]);
    }
  }
  sf[nsys] = (int)first.size();
  c->nchunk = (int)first.size();
  c->nsys = nsys;
  c->maxcomp = maxcomp;
  MD_TRY(gpu_alloc(&c->d_first, first.size(), "reduction chunks"));
  MD_TRY(gpu_alloc(&c->d_end, end.size(), "reduction chunks"));
  MD_TRY(gpu_alloc(&c->d_sys_first, sf.size(), "reduction chunks"));
  MD_TRY(gpu_alloc(&c->d_partial, (size_t)c->nchunk * maxcomp, "reduction partial sums"));
  CUDA_CHECK(cudaMemcpy(c->d_first, first.data(), first.size() * sizeof(int), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(c->d_end, end.data(), end.size() * sizeof(int), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(c->d_sys_first, sf.data(), sf.size() * sizeof(int), cudaMemcpyHostToDevice));
  return MD_OK;
}

void gpu_chunks_destroy(gpu_chunks *c) {
  gpu_free(&c->d_first);
  gpu_free(&c->d_end);
  gpu_free(&c->d_sys_first);
  gpu_free(&c->d_partial);
  *c = gpu_chunks{};
}

md_status gpu_reduce_chunks(const gpu_chunks *c, const real_t *vals, long stride, int ncomp, cudaStream_t stream) {
  if (ncomp > c->maxcomp) return md_error(MD_ERR_INTERNAL, "gpu_reduce_chunks: %d components, room for %d", ncomp, c->maxcomp);
  k_reduce_chunks<<<c->nchunk, KERN_RED_THREADS, 0, stream>>>(c->d_first, c->d_end, vals, stride, ncomp, c->d_partial);
  GPU_CHECK_LAUNCH(stream);
  return MD_OK;
}

md_status gpu_reduce_atoms(const gpu_chunks *c, const real_t *vals, long stride, int ncomp, real_t *out, int add,
                           cudaStream_t stream) {
  if (ncomp > c->maxcomp) return md_error(MD_ERR_INTERNAL, "gpu_reduce_atoms: %d components, room for %d", ncomp, c->maxcomp);
  k_reduce_chunks<<<c->nchunk, KERN_RED_THREADS, 0, stream>>>(c->d_first, c->d_end, vals, stride, ncomp, c->d_partial);
  GPU_CHECK_LAUNCH(stream);
  long nt = (long)c->nsys * ncomp;
  k_reduce_systems<<<gpu_blocks_for(nt, 64), 64, 0, stream>>>(c->d_sys_first, c->nsys, ncomp, c->d_partial, out, add);
  GPU_CHECK_LAUNCH(stream);
  return MD_OK;
}
