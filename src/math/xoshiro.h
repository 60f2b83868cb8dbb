/* xoshiro.h — the project's documented random number generator, usable on the host and in CUDA kernels.
 *
 *   seeding:   splitmix64 (Steele, Lea, Flood 2014) expands one 64-bit seed into the 256-bit state;
 *   generator: xoshiro256** 1.0 (Blackman & Vigna 2018), period 2^256 − 1;
 *   uniform:   (x >> 11) · 2^-53, a double in [0, 1) with 53 random bits;
 *   normal:    Box–Muller, both values of each pair used (the spare is kept in the state, so a stream of
 *              normals is the same whether drawn one by one or in pairs).
 *
 * The whole state (4 words + the spare normal) goes into checkpoints, so a restarted run draws exactly the
 * numbers an uninterrupted one would. Replica r of an ensemble seeds with md_rng_seed(seed, r): the stream
 * index is mixed into the seed through splitmix64, giving independent-looking streams. */
#ifndef ESNAP_MATH_XOSHIRO_H
#define ESNAP_MATH_XOSHIRO_H

#include <math.h>
#include <stdint.h>

#include "../md_hd.h"

MD_EXTERN_C_BEGIN

typedef struct md_rng {
  uint64_t s[4];      /* xoshiro256** state */
  double spare;       /* second Box–Muller normal, valid when has_spare */
  int32_t has_spare;
  int32_t pad_;
} md_rng;

MD_HD uint64_t md_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Output k (k = 0, 1, ...) of the splitmix64 generator started at x, without stepping through the first k. */
MD_HD uint64_t md_splitmix64_at(uint64_t x, uint64_t k) {
  x += k * 0x9E3779B97F4A7C15ULL;
  return md_splitmix64(&x);
}

/* A double in [0, 1) from the top 53 bits of a 64-bit random word. */
MD_HD double md_u64_to_unit(uint64_t w) { return (double)(w >> 11) * 0x1.0p-53; }

MD_HD uint64_t md_rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Seed stream `stream` (0 for a single system, r for replica r) from a user seed. */
MD_HD void md_rng_seed(md_rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed;
  uint64_t mix = md_splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ULL);
  x = mix;
  for (int k = 0; k < 4; k++) r->s[k] = md_splitmix64(&x);
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1; /* all-zero state is a fixed point */
  r->spare = 0.0;
  r->has_spare = 0;
  r->pad_ = 0;
}

MD_HD uint64_t md_rng_next(md_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = md_rotl64(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = md_rotl64(s[3], 45);
  return result;
}

/* uniform double in [0, 1) */
MD_HD double md_rng_uniform(md_rng *r) { return md_u64_to_unit(md_rng_next(r)); }

/* standard normal (mean 0, variance 1), Box–Muller */
MD_HD double md_rng_normal(md_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u1 = 1.0 - md_rng_uniform(r); /* (0, 1]: log is finite */
  double u2 = md_rng_uniform(r);
  double rad = sqrt(-2.0 * log(u1));
  double ang = 6.283185307179586476925 * u2;
  r->spare = rad * sin(ang);
  r->has_spare = 1;
  return rad * cos(ang);
}

MD_EXTERN_C_END

#endif
