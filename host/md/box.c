#include "box.h"

#include <math.h>
#include <string.h>

md_status box_update(md_box *b, const char *where) {
  const real_t *h = b->h;
  for (int k = 0; k < 9; k++)
    if (!isfinite(h[k])) return md_error(MD_ERR_VALUE, "%s: cell vector component is not a finite number", where);
  /* cofactors: rows of H⁻¹ᵀ scaled by det */
  real_t c00 = h[4] * h[8] - h[5] * h[7];
  real_t c01 = h[5] * h[6] - h[3] * h[8];
  real_t c02 = h[3] * h[7] - h[4] * h[6];
  real_t det = h[0] * c00 + h[1] * c01 + h[2] * c02;
  real_t scale = 0.0;
  for (int k = 0; k < 9; k++) scale = fmax(scale, fabs(h[k]));
  if (!(fabs(det) > 1e-12 * scale * scale * scale) || scale == 0.0)
    return md_error(MD_ERR_VALUE, "%s: cell is degenerate (volume %g Å^3)", where, det);
  real_t inv = 1.0 / det;
  real_t *m = b->hinv;
  /* hinv = H⁻¹ (row-major) */
  m[0] = c00 * inv;
  m[3] = c01 * inv;
  m[6] = c02 * inv;
  m[1] = (h[2] * h[7] - h[1] * h[8]) * inv;
  m[4] = (h[0] * h[8] - h[2] * h[6]) * inv;
  m[7] = (h[1] * h[6] - h[0] * h[7]) * inv;
  m[2] = (h[1] * h[5] - h[2] * h[4]) * inv;
  m[5] = (h[2] * h[3] - h[0] * h[5]) * inv;
  m[8] = (h[0] * h[4] - h[1] * h[3]) * inv;
  b->volume = fabs(det);
  /* width along k = V / |area of the face spanned by the other two vectors| = 1/|column k of H⁻¹| */
  for (int k = 0; k < 3; k++) {
    real_t n2 = m[k] * m[k] + m[3 + k] * m[3 + k] + m[6 + k] * m[6 + k];
    b->width[k] = 1.0 / sqrt(n2);
  }
  return MD_OK;
}

md_status box_set_lammps(md_box *b, real_t lx, real_t ly, real_t lz, real_t xy, real_t xz, real_t yz,
                         const char *where) {
  memset(b, 0, sizeof *b);
  b->h[0] = lx;
  b->h[3] = xy;
  b->h[4] = ly;
  b->h[6] = xz;
  b->h[7] = yz;
  b->h[8] = lz;
  return box_update(b, where);
}

void box_strain(const md_box *in, const real_t eps[9], md_box *out) {
  md_box t = *in;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++) {
      real_t v = in->h[3 * r + c];
      for (int k = 0; k < 3; k++) v += in->h[3 * r + k] * eps[3 * k + c];
      t.h[3 * r + c] = v;
    }
  box_update(&t, "strained cell");
  *out = t;
}
