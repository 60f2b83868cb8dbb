#include "replica.h"

#include <stdio.h>
#include <string.h>

#include "math/xoshiro.h"

uint64_t replica_seed(uint64_t S, long k) {
  uint64_t z = md_splitmix64_at(S, (uint64_t)k);
  return z ? z : 1;
}

int replica_file_name(const char *name, int k, int R, int suffix, char *out, size_t n) {
  int width = 1;
  for (int m = R - 1; m >= 10; m /= 10) width++;
  char idx[32];
  snprintf(idx, sizeof idx, "%0*d", width, k);
  const char *ph = strstr(name, "{replica}");
  int w;
  if (ph) {
    w = snprintf(out, n, "%.*s%s%s", (int)(ph - name), name, idx, ph + strlen("{replica}"));
  } else if (suffix) {
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) dot = name + strlen(name); /* no extension (or a dot file): append */
    w = snprintf(out, n, "%.*s_r%s%s", (int)(dot - name), name, idx, dot);
  } else {
    w = snprintf(out, n, "%s", name);
  }
  return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

void replica_block(int R, int nranks, int rank, int *first, int *count) {
  int base = R / nranks, extra = R % nranks;
  *count = base + (rank < extra ? 1 : 0);
  *first = rank * base + (rank < extra ? rank : extra);
}
