// The order-n MSD accumulator against a direct all-origins computation on the same origin set, exact
// checkpointing, and merging of replicas.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "test_util.h"

extern "C" {
#include "diffusion.h"
#include "msd.h"
}

namespace {

struct Traj {
  int n, nf;
  std::vector<double> x, y, z;  // [frame * n + i]
};

// Random walk with drift-free Gaussian steps, plus a common component so the charge MSD is non-trivial.
Traj make_traj(int n, int nf, unsigned seed) {
  Traj t{n, nf, {}, {}, {}};
  std::mt19937_64 g(seed);
  std::normal_distribution<double> N(0.0, 0.3);
  t.x.resize((size_t)n * nf);
  t.y.resize((size_t)n * nf);
  t.z.resize((size_t)n * nf);
  std::vector<double> r(3 * n);
  for (int i = 0; i < 3 * n; i++) r[i] = 10.0 * N(g);
  for (int f = 0; f < nf; f++) {
    double c[3] = {0.5 * N(g), 0.5 * N(g), 0.2 * N(g)};
    for (int i = 0; i < n; i++) {
      r[3 * i] += N(g) + c[0];
      r[3 * i + 1] += N(g) + c[1];
      r[3 * i + 2] += 0.5 * N(g) + c[2];
      t.x[(size_t)f * n + i] = r[3 * i];
      t.y[(size_t)f * n + i] = r[3 * i + 1];
      t.z[(size_t)f * n + i] = r[3 * i + 2];
    }
  }
  return t;
}

void feed(msd_accum *a, const Traj &t, int f0 = 0, int f1 = -1) {
  if (f1 < 0) f1 = t.nf;
  for (int f = f0; f < f1; f++)
    REQUIRE(msd_add_frame(a, &t.x[(size_t)f * t.n], &t.y[(size_t)f * t.n], &t.z[(size_t)f * t.n]) == MD_OK);
}

// Direct: trajectory subsampled at stride s, all origins m with m + j <= last, sums of the six quantities.
void direct(const Traj &t, long stride, int j, double out[6], long *count) {
  long M = (t.nf - 1) / stride;  // last sample index
  for (int q = 0; q < 6; q++) out[q] = 0;
  *count = 0;
  for (long m = 0; m + j <= M; m++) {
    size_t a = (size_t)(m * stride) * t.n, b = (size_t)((m + j) * stride) * t.n;
    double tx = 0, ty = 0, tz = 0, sx = 0, sy = 0, sz = 0;
    for (int i = 0; i < t.n; i++) {
      double dx = t.x[b + i] - t.x[a + i], dy = t.y[b + i] - t.y[a + i], dz = t.z[b + i] - t.z[a + i];
      tx += dx * dx;
      ty += dy * dy;
      tz += dz * dz;
      sx += dx;
      sy += dy;
      sz += dz;
    }
    out[0] += tx;
    out[1] += ty;
    out[2] += tz;
    out[3] += sx * sx;
    out[4] += sy * sy;
    out[5] += sz * sz;
    (*count)++;
  }
}

void check_against_direct(int n, int nf, int B) {
  Traj t = make_traj(n, nf, 1234u + B);
  msd_accum *a = nullptr;
  REQUIRE(msd_create(&a, n, B, 0) == MD_OK);
  feed(a, t);
  int L = msd_max_levels(a), checked = 0;
  double maxrel = 0;
  for (int k = 0; k < L; k++) {
    long stride = 1;
    for (int q = 0; q < k; q++) stride *= B;
    for (int j = 1; j < B; j++) {
      int slot = k * B + j;
      REQUIRE(msd_slot_lag(a, slot) == (int64_t)j * stride);
      double ref[6];
      long cnt;
      if (stride > nf) {
        cnt = 0;
      } else {
        direct(t, stride, j, ref, &cnt);
      }
      INFO("level " << k << " j " << j);
      REQUIRE(msd_counts(a)[slot] == cnt);
      if (cnt == 0) continue;
      for (int q = 0; q < 6; q++) {
        double got = msd_sums(a)[(size_t)slot * MSD_NSUM + q];
        double rel = std::fabs(got - ref[q]) / std::fabs(ref[q]);
        maxrel = std::max(maxrel, rel);
        REQUIRE(rel < 1e-12);
      }
      checked++;
    }
  }
  // every lag up to the run length that the grid has was covered
  REQUIRE(checked > B);
  WARN("B=" << B << ": " << checked << " lags, max relative difference " << maxrel);
  msd_destroy(&a);
}

}  // namespace

TEST_CASE("msd order-n equals direct all-origins on each level's subsampled trajectory", "[msd]") {
  check_against_direct(7, 700, 4);   // five levels (strides 1 4 16 64 256)
  check_against_direct(5, 401, 5);   // B not a power of two, odd frame count
  check_against_direct(3, 1000, 2);  // smallest block: lags 1, 2, 4, 8, ...
  check_against_direct(50, 600, 256);  // default block: level 0 = ordinary all-origins MSD to 255 frames
}

TEST_CASE("msd pack unpack is exact and continuing gives bit-identical sums", "[msd]") {
  Traj t = make_traj(11, 500, 99u);
  msd_accum *a = nullptr, *b = nullptr;
  REQUIRE(msd_create(&a, 11, 6, 0) == MD_OK);
  feed(a, t, 0, 237);
  std::vector<unsigned char> buf(msd_packed_size(a)), buf2;
  REQUIRE(msd_pack(a, buf.data(), buf.size()) == MD_OK);
  REQUIRE(msd_unpack(&b, buf.data(), buf.size(), "test") == MD_OK);
  buf2.resize(msd_packed_size(b));
  REQUIRE(buf2.size() == buf.size());
  REQUIRE(msd_pack(b, buf2.data(), buf2.size()) == MD_OK);
  REQUIRE(std::memcmp(buf.data(), buf2.data(), buf.size()) == 0);
  feed(a, t, 237, 500);
  feed(b, t, 237, 500);
  size_t ns = (size_t)msd_nslots(a);
  REQUIRE(std::memcmp(msd_sums(a), msd_sums(b), ns * MSD_NSUM * sizeof(double)) == 0);
  REQUIRE(std::memcmp(msd_counts(a), msd_counts(b), ns * sizeof(int64_t)) == 0);
  REQUIRE(msd_frames(b) == 500);
  // corrupted states are refused with a message
  msd_accum *c = nullptr;
  REQUIRE(msd_unpack(&c, buf.data(), buf.size() - 8, "ckpt") == MD_ERR_PARSE);
  REQUIRE(std::string(md_errmsg()).find("ckpt") != std::string::npos);
  buf[8] = 99;  // version
  REQUIRE(msd_unpack(&c, buf.data(), buf.size(), "ckpt") == MD_ERR_UNSUPPORTED);
  REQUIRE(c == nullptr);
  msd_destroy(&a);
  msd_destroy(&b);
}

TEST_CASE("msd merge equals one accumulator fed both replicas", "[msd]") {
  Traj t1 = make_traj(9, 300, 1u), t2 = make_traj(9, 420, 2u);
  msd_accum *a = nullptr, *b = nullptr, *c = nullptr;
  REQUIRE(msd_create(&a, 9, 8, 0) == MD_OK);
  REQUIRE(msd_create(&b, 9, 8, 0) == MD_OK);
  REQUIRE(msd_create(&c, 9, 8, 0) == MD_OK);
  feed(a, t1);
  feed(b, t2);
  feed(c, t1);
  msd_new_trajectory(c);  // no displacement across the seam
  feed(c, t2);
  REQUIRE(msd_merge(a, b) == MD_OK);
  REQUIRE(msd_trajectories(a) == 2);
  REQUIRE(msd_trajectories(c) == 2);
  REQUIRE(msd_frames_total(a) == 720);
  for (int s = 0; s < msd_nslots(a); s++) {
    REQUIRE(msd_counts(a)[s] == msd_counts(c)[s]);
    for (int q = 0; q < MSD_NSUM; q++) {
      double x = msd_sums(a)[(size_t)s * MSD_NSUM + q], y = msd_sums(c)[(size_t)s * MSD_NSUM + q];
      REQUIRE(std::fabs(x - y) <= 1e-13 * std::fabs(y));
    }
  }
  msd_accum *d = nullptr;
  REQUIRE(msd_create(&d, 8, 8, 0) == MD_OK);
  REQUIRE(msd_merge(a, d) == MD_ERR_VALUE);
  msd_destroy(&a);
  msd_destroy(&b);
  msd_destroy(&c);
  msd_destroy(&d);
}

TEST_CASE("diffusion tracker pack unpack mid-run with time segments continues identically", "[msd]") {
  Traj t = make_traj(20, 401, 7u);
  diff_options o;
  diff_options_default(&o);
  o.block = 16;
  o.segment_frames = 100;
  std::vector<int> type(20, 0);
  type[3] = 1;  // one atom of another species: not tracked
  int mask[2] = {1, 0};
  diffusion_tracker *a = nullptr, *b = nullptr;
  REQUIRE(diffusion_tracker_create(&a, 20, type.data(), mask, 2, 0.1, &o) == MD_OK);
  REQUIRE(diffusion_tracker_nions(a) == 19);
  for (int f = 0; f < 250; f++)
    REQUIRE(diffusion_tracker_add_frame(a, &t.x[(size_t)f * 20], &t.y[(size_t)f * 20], &t.z[(size_t)f * 20], 5.0 + 0.1 * f) == MD_OK);
  std::vector<unsigned char> buf(diffusion_tracker_packed_size(a));
  REQUIRE(diffusion_tracker_pack(a, buf.data(), buf.size()) == MD_OK);
  REQUIRE(diffusion_tracker_unpack(&b, buf.data(), buf.size(), "ckpt") == MD_OK);
  for (int f = 250; f < 401; f++) {
    REQUIRE(diffusion_tracker_add_frame(a, &t.x[(size_t)f * 20], &t.y[(size_t)f * 20], &t.z[(size_t)f * 20], 5.0 + 0.1 * f) == MD_OK);
    REQUIRE(diffusion_tracker_add_frame(b, &t.x[(size_t)f * 20], &t.y[(size_t)f * 20], &t.z[(size_t)f * 20], 5.0 + 0.1 * f) == MD_OK);
  }
  REQUIRE(diffusion_tracker_segments(a) == 4);
  std::vector<unsigned char> pa(diffusion_tracker_packed_size(a)), pb(diffusion_tracker_packed_size(b));
  REQUIRE(pa.size() == pb.size());
  REQUIRE(diffusion_tracker_pack(a, pa.data(), pa.size()) == MD_OK);
  REQUIRE(diffusion_tracker_pack(b, pb.data(), pb.size()) == MD_OK);
  REQUIRE(std::memcmp(pa.data(), pb.data(), pa.size()) == 0);
  // a missing frame is an error
  REQUIRE(diffusion_tracker_add_frame(a, &t.x[0], &t.y[0], &t.z[0], 5.0 + 0.1 * 402) == MD_ERR_VALUE);
  diffusion_tracker_destroy(&a);
  diffusion_tracker_destroy(&b);
  REQUIRE(a == nullptr);
}
