// test_nbr_util.h — a cell for the neighbour-list tests: sheared into a general triclinic shape with every
// atom moved by a random whole image (-3 … 3 along each cell vector), so lists must handle unwrapped positions.
#ifndef ESNAP_TEST_NBR_UTIL_H
#define ESNAP_TEST_NBR_UTIL_H

#include <random>

extern "C" {
#include "box.h"
#include "math/pbc.h"
#include "types.h"
}

namespace esnap_test {

inline void shear_and_scatter(md_system *s, unsigned seed) {
  double eps[9] = {0.03, 0.05, -0.02, -0.04, 0.01, 0.07, 0.02, -0.06, -0.03};
  md_box nb;
  box_strain(&s->box, eps, &nb);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> im(-3, 3);
  for (int i = 0; i < s->n; i++) {
    double fr[3], r[3], d[3];
    pbc_to_frac(s->box.hinv, s->x[i], s->y[i], s->z[i], fr);
    pbc_to_cart(nb.h, fr[0], fr[1], fr[2], r);
    pbc_to_cart(nb.h, im(rng), im(rng), im(rng), d);
    s->x[i] = r[0] + d[0];
    s->y[i] = r[1] + d[1];
    s->z[i] = r[2] + d[2];
  }
  s->box = nb;
}

}  // namespace esnap_test

#endif
