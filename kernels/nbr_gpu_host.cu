// nbr_gpu_host.cu — device copies of a host-packed neighbour list (kernels/nbr_gpu_host.h).
#include "cuda_check.h"

extern "C" {
#include "nbr_gpu_host.h"
}

static md_status upload_ints(int **dst, const int *src, size_t n) {
  CUDA_CHECK(cudaMalloc((void **)dst, (n > 0 ? n : 1) * sizeof(int)));
  if (n > 0) CUDA_CHECK(cudaMemcpy(*dst, src, n * sizeof(int), cudaMemcpyHostToDevice));
  return MD_OK;
}

extern "C" void nbr_gpu_host_free_device(nbr_list_gpu *d) {
  cudaFree(d->d_num);
  cudaFree(d->d_j);
  cudaFree(d->d_img);
  d->d_num = d->d_j = d->d_img = nullptr;
}

extern "C" md_status nbr_gpu_host_upload(const nbr_gpu_host *h, nbr_list_gpu *d) {
  memset(d, 0, sizeof *d);
  nbr_gpu_host_view(h, d);
  d->d_num = d->d_j = d->d_img = nullptr;
  const size_t n = (size_t)h->ntot, cap = (size_t)h->maxnbr * n;
  md_status st = upload_ints(&d->d_num, h->num, n);
  if (st == MD_OK) st = upload_ints(&d->d_j, h->j, cap);
  if (st == MD_OK) st = upload_ints(&d->d_img, h->img, cap);
  if (st != MD_OK) nbr_gpu_host_free_device(d);
  return st;
}
