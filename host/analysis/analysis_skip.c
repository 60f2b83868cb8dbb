#include "analysis_skip.h"

#include <math.h>

int analysis_skip(double time, double time_first, double skip_ps) {
  if (!(skip_ps > 0.0)) return 0;
  double cut = time_first + skip_ps;
  return time < cut - 1e-9 * fmax(1.0, fabs(cut));
}
