// Initial velocities and the project's RNG: xoshiro256** / splitmix64 against their published reference
// outputs, Box–Muller moments, and velocity creation (zero net momentum, exact temperature, reproducible
// from the seed, different for another seed).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "test_util.h"

extern "C" {
#include "math/nhc.h"
#include "math/xoshiro.h"
#include "system.h"
#include "velocity.h"
}

TEST_CASE("rng reference outputs", "[md][rng]") {
  // splitmix64 from seed 1234567 (the reference implementation's first outputs)
  uint64_t x = 1234567;
  CHECK(md_splitmix64(&x) == 6457827717110365317ULL);
  CHECK(md_splitmix64(&x) == 3203168211198807973ULL);
  CHECK(md_splitmix64(&x) == 9817491932198370423ULL);
  // xoshiro256** from state {1, 2, 3, 4}
  md_rng r;
  std::memset(&r, 0, sizeof r);
  r.s[0] = 1;
  r.s[1] = 2;
  r.s[2] = 3;
  r.s[3] = 4;
  const uint64_t want[6] = {11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL, 1216172134540287360ULL,
                            607988272756665600ULL};
  for (int k = 0; k < 6; k++) CHECK(md_rng_next(&r) == want[k]);
}

TEST_CASE("rng normal moments", "[md][rng]") {
  md_rng r;
  md_rng_seed(&r, 2024, 0);
  const int n = 400000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int k = 0; k < n; k++) {
    double g = md_rng_normal(&r);
    s1 += g;
    s2 += g * g;
    s4 += g * g * g * g;
  }
  double mean = s1 / n, var = s2 / n - mean * mean, kurt = s4 / n;
  CHECK(std::fabs(mean) < 5.0 / std::sqrt((double)n));
  CHECK(std::fabs(var - 1.0) < 0.01);
  CHECK(std::fabs(kurt - 3.0) < 0.05);
  // streams for different replicas differ
  md_rng a, b;
  md_rng_seed(&a, 42, 0);
  md_rng_seed(&b, 42, 1);
  CHECK(md_rng_next(&a) != md_rng_next(&b));
  double u = md_rng_uniform(&a);
  CHECK(u >= 0.0);
  CHECK(u < 1.0);
}

namespace {

md_system *make_system(int n) {
  md_system *s = nullptr;
  REQUIRE(system_create(&s, n) == MD_OK);
  s->nelem = 2;
  std::strcpy(s->elem[0], "Li");
  std::strcpy(s->elem[1], "N");
  for (int i = 0; i < n; i++) s->type[i] = (i % 4 == 3) ? 1 : 0;
  return s;
}

}  // namespace

TEST_CASE("velocity creation", "[md][velocity]") {
  const double mass[2] = {6.941, 14.0067};
  const int n = 500;
  for (int dist = 0; dist < 2; dist++) {
    md_system *s = make_system(n);
    md_rng r;
    md_rng_seed(&r, 42, 0);
    REQUIRE(velocity_create(s, mass, 1000.0, dist, 1, &r) == MD_OK);
    // exact temperature with 3N - 3 degrees of freedom
    double t = velocity_temperature(s, mass);
    CHECK(std::fabs(t - 1000.0) < 1e-9);
    double sum = 0;
    for (int i = 0; i < n; i++) sum += mass[s->type[i]] * (s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i]);
    CHECK(std::fabs(sum * MD_MVV2E / ((3.0 * n - 3.0) * MD_BOLTZ) - 1000.0) < 1e-9);
    // zero net momentum (relative to the typical momentum of one atom)
    double p[3];
    velocity_momentum(s, mass, p);
    double p1 = std::sqrt(3.0 * 1000.0 * MD_BOLTZ / MD_MVV2E * 6.941) * 6.941;
    for (int d = 0; d < 3; d++) CHECK(std::fabs(p[d]) < 1e-12 * p1 * n);
    // equipartition between species: <m v^2> the same for Li and N within sampling noise
    double e[2] = {0, 0};
    int cnt[2] = {0, 0};
    for (int i = 0; i < n; i++) {
      e[s->type[i]] += mass[s->type[i]] * (s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i]);
      cnt[s->type[i]]++;
    }
    CHECK(std::fabs(e[0] / cnt[0] / (e[1] / cnt[1]) - 1.0) < 0.35);
    // reproducible from the seed, different for another seed
    md_system *s2 = make_system(n), *s3 = make_system(n);
    md_rng r2, r3;
    md_rng_seed(&r2, 42, 0);
    md_rng_seed(&r3, 43, 0);
    REQUIRE(velocity_create(s2, mass, 1000.0, dist, 1, &r2) == MD_OK);
    REQUIRE(velocity_create(s3, mass, 1000.0, dist, 1, &r3) == MD_OK);
    CHECK(std::memcmp(s->vx, s2->vx, 3 * n * sizeof(double)) == 0);
    CHECK(std::memcmp(&r, &r2, sizeof r) == 0);
    CHECK(std::memcmp(s->vx, s3->vx, 3 * n * sizeof(double)) != 0);
    system_destroy(&s);
    system_destroy(&s2);
    system_destroy(&s3);
  }
  // mom no keeps the net momentum; T is still exact
  md_system *s = make_system(n);
  md_rng r;
  md_rng_seed(&r, 7, 0);
  REQUIRE(velocity_create(s, mass, 600.0, VELOCITY_GAUSSIAN, 0, &r) == MD_OK);
  CHECK(std::fabs(velocity_temperature(s, mass) - 600.0) < 1e-9);
  double p[3];
  velocity_momentum(s, mass, p);
  CHECK(std::fabs(p[0]) + std::fabs(p[1]) + std::fabs(p[2]) > 1e-6);
  // zero temperature: zero velocities
  REQUIRE(velocity_create(s, mass, 0.0, VELOCITY_GAUSSIAN, 1, &r) == MD_OK);
  for (int i = 0; i < n; i++) CHECK(s->vx[i] == 0.0);
  CHECK(velocity_create(s, mass, -1.0, VELOCITY_GAUSSIAN, 1, &r) != MD_OK);
  system_destroy(&s);
}
