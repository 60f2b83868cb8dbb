/* nbr_gpu_host.h — CPU-built neighbour lists (host/ff/neighbor.h) of R systems in the device layout of
 * nbr_list_gpu (kernels/gpu_types.h): padded, column-major (entry k of atom i at [k * ntot + i]), global atom
 * indices (atom i of system s is sys_offset[s] + i), packed image shifts unchanged. For tests and for feeding
 * a GPU kernel a list built on the host.
 *
 * The packing is host-only C (inline here, so CPU-only builds and the CPU emulation tests have it);
 * nbr_gpu_host_upload / nbr_gpu_host_free_device (kernels/nbr_gpu_host.cu, CUDA builds) copy it to the device. */
#ifndef ESNAP_NBR_GPU_HOST_H
#define ESNAP_NBR_GPU_HOST_H

#include <stdlib.h>
#include <string.h>

#include "neighbor.h"
#include "math/pbc.h"
#include "status.h"
#include "gpu_types.h"

MD_EXTERN_C_BEGIN

/* Host arrays in the nbr_list_gpu layout. */
typedef struct nbr_gpu_host {
  int ntot, maxnbr, half;
  real_t cutoff, skin; /* Å */
  int *num;            /* [ntot] */
  int *j;              /* [maxnbr * ntot] */
  int *img;            /* [maxnbr * ntot] */
} nbr_gpu_host;

static inline void nbr_gpu_host_free(nbr_gpu_host *h) {
  free(h->num);
  free(h->j);
  free(h->img);
  memset(h, 0, sizeof *h);
}

/* Pack the lists of nsys systems (lists[s] built for natoms[s] atoms; all full or all half, same cutoff and
 * skin). maxnbr: column capacity, 0 for the largest count; a count above a given maxnbr is an error. Unused
 * entries are padded with the atom itself and the zero image. */
static inline md_status nbr_gpu_host_pack(nbr_gpu_host *out, const nbr_list *const *lists, const int *natoms, int nsys,
                                          int maxnbr) {
  memset(out, 0, sizeof *out);
  if (nsys < 1) return md_error(MD_ERR_VALUE, "nbr_gpu_host_pack: no systems");
  long ntot = 0;
  int mx = 0;
  for (int s = 0; s < nsys; s++) {
    const nbr_list *l = lists[s];
    if (l->n != natoms[s])
      return md_error(MD_ERR_VALUE, "nbr_gpu_host_pack: list %d was built for %d atoms, system has %d", s, l->n,
                      natoms[s]);
    if (l->half != lists[0]->half || l->cutoff != lists[0]->cutoff || l->skin != lists[0]->skin)
      return md_error(MD_ERR_VALUE, "nbr_gpu_host_pack: list %d differs in kind, cutoff or skin from list 0", s);
    for (int i = 0; i < l->n; i++) {
      const int c = l->offset[i + 1] - l->offset[i];
      if (c > mx) mx = c;
    }
    ntot += l->n;
  }
  if (maxnbr <= 0) maxnbr = mx;
  if (mx > maxnbr) return md_error(MD_ERR_VALUE, "nbr_gpu_host_pack: an atom has %d neighbours, capacity %d", mx, maxnbr);
  const size_t n = (size_t)ntot, cap = (size_t)maxnbr * n;
  out->ntot = (int)ntot;
  out->maxnbr = maxnbr;
  out->half = lists[0]->half;
  out->cutoff = lists[0]->cutoff;
  out->skin = lists[0]->skin;
  out->num = (int *)malloc(sizeof(int) * (n > 0 ? n : 1));
  out->j = (int *)malloc(sizeof(int) * (cap > 0 ? cap : 1));
  out->img = (int *)malloc(sizeof(int) * (cap > 0 ? cap : 1));
  if (!out->num || !out->j || !out->img) {
    nbr_gpu_host_free(out);
    return md_error(MD_ERR_MEMORY, "nbr_gpu_host_pack: out of memory for %zu entries", cap);
  }
  size_t off = 0;
  for (int s = 0; s < nsys; s++) {
    const nbr_list *l = lists[s];
    for (int i = 0; i < l->n; i++) {
      const size_t g = off + (size_t)i;
      const int c = l->offset[i + 1] - l->offset[i];
      out->num[g] = c;
      for (int k = 0; k < maxnbr; k++) {
        const int e = l->offset[i] + k;
        out->j[(size_t)k * n + g] = k < c ? (int)(off + (size_t)l->j[e]) : (int)g;
        out->img[(size_t)k * n + g] = k < c ? l->img[e] : PBC_IMG_ZERO;
      }
    }
    off += (size_t)l->n;
  }
  return MD_OK;
}

/* A view with host pointers (CPU emulation of the kernels). */
static inline void nbr_gpu_host_view(const nbr_gpu_host *h, nbr_list_gpu *v) {
  v->ntot = h->ntot;
  v->maxnbr = h->maxnbr;
  v->half = h->half;
  v->cutoff = h->cutoff;
  v->skin = h->skin;
  v->d_num = h->num;
  v->d_j = h->j;
  v->d_img = h->img;
}

/* Device copies (CUDA builds): allocates d->d_num, d_j, d_img; free with nbr_gpu_host_free_device. */
md_status nbr_gpu_host_upload(const nbr_gpu_host *h, nbr_list_gpu *d);
void nbr_gpu_host_free_device(nbr_list_gpu *d);

MD_EXTERN_C_END

#endif
