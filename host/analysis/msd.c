/* msd.c — order-n blocking MSD accumulator; see msd.h for the lag grid and the origins each level uses. */
#include "msd.h"

#include <stdlib.h>
#include <string.h>

#include "binbuf.h"

#define MSD_MAGIC 0x444d53504e534500ULL /* "\0ESNPSMD" */
#define MSD_HEADER_WORDS 9

struct msd_accum {
  int n;              /* ions */
  int block;          /* B */
  int max_levels;     /* L */
  int compacted;      /* ring buffers freed: no more frames until msd_new_trajectory */
  int64_t frames;     /* frames of the current trajectory */
  int64_t frames_total;
  int64_t ntraj;      /* trajectories contributing to the sums */
  int64_t *stride;    /* [L] B^k (frames) */
  int64_t *nsamp;     /* [L] samples taken at level k in the current trajectory */
  double **ring;      /* [L] -> [B][3][n] positions (Å), NULL until the level's second sample */
  double *origin0;    /* [3][n] frame 0 of the current trajectory (Å) */
  double *sum;        /* [L*B][MSD_NSUM] (Å², summed over origins; tracer also over ions) */
  int64_t *cnt;       /* [L*B] origins */
};

static int default_levels(int B) {
  /* smallest L with (B-1)·B^(L-1) ≥ 1e9 frames */
  double cover = (double)(B - 1);
  int L = 1;
  while (cover < 1e9 && L < 64) {
    cover *= B;
    L++;
  }
  return L;
}

md_status msd_create(msd_accum **out, int n, int block, int max_levels) {
  *out = NULL;
  if (n < 1) return md_error(MD_ERR_VALUE, "msd: need at least one ion (got %d)", n);
  if (block < 2 || block > (1 << 20)) return md_error(MD_ERR_VALUE, "msd: block length must be 2..%d (got %d)", 1 << 20, block);
  if (max_levels <= 0) max_levels = default_levels(block);
  /* keep B^(L-1) well inside int64 */
  int lmax = 1;
  for (double s = 1.0; s * block < 4.0e18 && lmax < 64; s *= block) lmax++;
  if (max_levels > lmax) max_levels = lmax;
  msd_accum *a = (msd_accum *)calloc(1, sizeof *a);
  if (!a) return md_error(MD_ERR_MEMORY, "msd: out of memory");
  a->n = n;
  a->block = block;
  a->max_levels = max_levels;
  size_t L = (size_t)max_levels, B = (size_t)block;
  a->stride = (int64_t *)calloc(L, sizeof(int64_t));
  a->nsamp = (int64_t *)calloc(L, sizeof(int64_t));
  a->ring = (double **)calloc(L, sizeof(double *));
  a->origin0 = (double *)calloc(3 * (size_t)n, sizeof(double));
  a->sum = (double *)calloc(L * B * MSD_NSUM, sizeof(double));
  a->cnt = (int64_t *)calloc(L * B, sizeof(int64_t));
  if (!a->stride || !a->nsamp || !a->ring || !a->origin0 || !a->sum || !a->cnt) {
    msd_destroy(&a);
    return md_error(MD_ERR_MEMORY, "msd: out of memory");
  }
  a->stride[0] = 1;
  for (size_t k = 1; k < L; k++) a->stride[k] = a->stride[k - 1] * block;
  a->ntraj = 1;
  *out = a;
  return MD_OK;
}

void msd_destroy(msd_accum **pa) {
  if (!pa || !*pa) return;
  msd_accum *a = *pa;
  if (a->ring)
    for (int k = 0; k < a->max_levels; k++) free(a->ring[k]);
  free(a->ring);
  free(a->stride);
  free(a->nsamp);
  free(a->origin0);
  free(a->sum);
  free(a->cnt);
  free(a);
  *pa = NULL;
}

/* Accumulate the displacements of the new level-k sample m against its last min(m, B-1) predecessors. */
static void accumulate_level(msd_accum *a, int k, const real_t *MD_RESTRICT x, const real_t *MD_RESTRICT y,
                             const real_t *MD_RESTRICT z) {
  const int n = a->n, B = a->block;
  const int64_t m = a->nsamp[k];
  const int jmax = (int)(m < B - 1 ? m : B - 1);
  const double *ring = a->ring[k];
  double *sum = a->sum + (size_t)k * B * MSD_NSUM;
  int64_t *cnt = a->cnt + (size_t)k * B;
  /* one lag per iteration: each lag's sums are written by one thread in a fixed order, so results do not
   * depend on the number of threads. Threads only for large systems: 300 ions × 255 lags take ~150 µs
   * serially, less than an OpenMP fork/join costs on a loaded 2-core machine (measured: 2 threads 3.6 ms). */
#pragma omp parallel for schedule(static) if ((long)jmax * n > 2000000)
  for (int j = 1; j <= jmax; j++) {
    const double *old = ring + (size_t)((m - j) % B) * 3 * n;
    const double *ox = old, *oy = old + n, *oz = old + 2 * n;
    double tx = 0, ty = 0, tz = 0, sx = 0, sy = 0, sz = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - ox[i], dy = y[i] - oy[i], dz = z[i] - oz[i];
      tx += dx * dx;
      ty += dy * dy;
      tz += dz * dz;
      sx += dx;
      sy += dy;
      sz += dz;
    }
    double *s = sum + (size_t)j * MSD_NSUM;
    s[0] += tx;
    s[1] += ty;
    s[2] += tz;
    s[3] += sx * sx;
    s[4] += sy * sy;
    s[5] += sz * sz;
    cnt[j] += 1;
  }
}

static void store(double *dst, int n, const real_t *x, const real_t *y, const real_t *z) {
  memcpy(dst, x, (size_t)n * sizeof(double));
  memcpy(dst + n, y, (size_t)n * sizeof(double));
  memcpy(dst + 2 * n, z, (size_t)n * sizeof(double));
}

md_status msd_add_frame(msd_accum *a, const real_t *x, const real_t *y, const real_t *z) {
  if (a->compacted) return md_error(MD_ERR_INTERNAL, "msd: frames added to a compacted accumulator");
  const int n = a->n, B = a->block;
  const int64_t f = a->frames;
  if (f == 0) store(a->origin0, n, x, y, z);
  for (int k = 0; k < a->max_levels; k++) {
    if (f % a->stride[k] != 0) break;
    int64_t m = a->nsamp[k];
    if (m >= 1) {
      if (!a->ring[k]) {
        a->ring[k] = (double *)calloc((size_t)B * 3 * n, sizeof(double)); /* zeroed: packed into checkpoints */
        if (!a->ring[k]) return md_error(MD_ERR_MEMORY, "msd: out of memory (level %d ring buffer)", k);
        memcpy(a->ring[k], a->origin0, 3 * (size_t)n * sizeof(double)); /* sample 0 = frame 0 */
      }
      accumulate_level(a, k, x, y, z);
    }
    if (a->ring[k]) store(a->ring[k] + (size_t)(m % B) * 3 * n, n, x, y, z);
    a->nsamp[k] = m + 1;
  }
  a->frames = f + 1;
  a->frames_total++;
  return MD_OK;
}

void msd_new_trajectory(msd_accum *a) {
  if (a->frames > 0 || a->compacted) a->ntraj++;
  a->frames = 0;
  a->compacted = 0;
  memset(a->nsamp, 0, (size_t)a->max_levels * sizeof(int64_t));
}

void msd_compact(msd_accum *a) {
  for (int k = 0; k < a->max_levels; k++) {
    free(a->ring[k]);
    a->ring[k] = NULL;
  }
  a->compacted = 1;
}

md_status msd_merge(msd_accum *dst, const msd_accum *src) {
  if (dst->n != src->n || dst->block != src->block || dst->max_levels != src->max_levels)
    return md_error(MD_ERR_VALUE, "msd: cannot merge accumulators with different ions/block/levels (%d/%d/%d vs %d/%d/%d)",
                    dst->n, dst->block, dst->max_levels, src->n, src->block, src->max_levels);
  size_t ns = (size_t)dst->max_levels * dst->block;
  for (size_t s = 0; s < ns * MSD_NSUM; s++) dst->sum[s] += src->sum[s];
  for (size_t s = 0; s < ns; s++) dst->cnt[s] += src->cnt[s];
  dst->frames_total += src->frames_total;
  dst->ntraj += src->ntraj;
  return MD_OK;
}

/* ---- checkpoint: a flat array of 8-byte words ---------------------------------------------------------- */

static size_t nwords(const msd_accum *a) {
  size_t L = (size_t)a->max_levels, B = (size_t)a->block, n = (size_t)a->n;
  size_t w = MSD_HEADER_WORDS + 2 * L + L * B * MSD_NSUM + L * B + 3 * n;
  for (size_t k = 0; k < L; k++)
    if (a->ring[k]) w += B * 3 * n;
  return w;
}

size_t msd_packed_size(const msd_accum *a) { return nwords(a) * 8; }

md_status msd_pack(const msd_accum *a, void *buf, size_t size) {
  size_t need = msd_packed_size(a);
  if (size < need) return md_error(MD_ERR_INTERNAL, "msd_pack: buffer of %zu bytes, need %zu", size, need);
  binw w;
  binw_fixed(&w, buf, size);
  size_t L = (size_t)a->max_levels, B = (size_t)a->block, n = (size_t)a->n;
  uint64_t head[MSD_HEADER_WORDS] = {MSD_MAGIC, MSD_PACK_VERSION, (uint64_t)a->n, (uint64_t)a->block,
                                     (uint64_t)a->max_levels, (uint64_t)a->frames, (uint64_t)a->frames_total,
                                     (uint64_t)a->ntraj, (uint64_t)a->compacted};
  binw_put(&w, head, sizeof head);
  binw_put(&w, a->nsamp, L * 8);
  for (size_t k = 0; k < L; k++) binw_i64(&w, a->ring[k] != NULL);
  binw_put(&w, a->sum, L * B * MSD_NSUM * 8);
  binw_put(&w, a->cnt, L * B * 8);
  binw_put(&w, a->origin0, 3 * n * 8);
  for (size_t k = 0; k < L; k++)
    if (a->ring[k]) binw_put(&w, a->ring[k], B * 3 * n * 8);
  return MD_OK;
}

md_status msd_unpack(msd_accum **out, const void *buf, size_t size, const char *where) {
  *out = NULL;
  binr r;
  binr_init(&r, buf, size);
  uint64_t head[MSD_HEADER_WORDS];
  binr_get(&r, head, sizeof head);
  if (r.bad) return md_error(MD_ERR_PARSE, "%s: MSD state truncated (%zu bytes)", where, size);
  if (head[0] != MSD_MAGIC) return md_error(MD_ERR_PARSE, "%s: not an MSD accumulator state", where);
  if (head[1] != MSD_PACK_VERSION)
    return md_error(MD_ERR_UNSUPPORTED, "%s: MSD state version %llu, this program reads version %d", where,
                    (unsigned long long)head[1], MSD_PACK_VERSION);
  if (head[2] < 1 || head[2] > (1u << 30) || head[3] < 2 || head[3] > (1u << 20) || head[4] < 1 || head[4] > 64)
    return md_error(MD_ERR_PARSE, "%s: MSD state has an invalid header", where);
  /* every array but the origin rings has a fixed size: check the buffer holds them before allocating (the
   * bounds above keep this sum far inside 64 bits) */
  uint64_t nl = head[4], nb = head[3], ni = head[2];
  uint64_t need = sizeof head + 2 * nl * 8 + nl * nb * (MSD_NSUM + 1) * 8 + 3 * ni * 8;
  if (need > size)
    return md_error(MD_ERR_PARSE, "%s: MSD state of %llu ions, block %llu, %llu levels needs at least %llu bytes, has %zu",
                    where, (unsigned long long)ni, (unsigned long long)nb, (unsigned long long)nl,
                    (unsigned long long)need, size);
  msd_accum *a = NULL;
  MD_TRY(msd_create(&a, (int)head[2], (int)head[3], (int)head[4]));
  if (a->max_levels != (int)head[4]) {
    msd_destroy(&a);
    return md_error(MD_ERR_PARSE, "%s: MSD state has an invalid level count", where);
  }
  a->frames = (int64_t)head[5];
  a->frames_total = (int64_t)head[6];
  a->ntraj = (int64_t)head[7];
  a->compacted = (int)head[8];
  size_t L = (size_t)a->max_levels, B = (size_t)a->block, n = (size_t)a->n;
  md_status st = MD_OK;
  binr_get(&r, a->nsamp, L * 8);
  int64_t has[64];
  binr_get(&r, has, L * 8);
  binr_get(&r, a->sum, L * B * MSD_NSUM * 8);
  binr_get(&r, a->cnt, L * B * 8);
  binr_get(&r, a->origin0, 3 * n * 8);
  for (size_t k = 0; k < L && !r.bad; k++) {
    if (!has[k]) continue;
    if (B * 3 * n * 8 > binr_left(&r)) {
      r.bad = 1;
      break;
    }
    a->ring[k] = (double *)malloc(B * 3 * n * sizeof(double));
    if (!a->ring[k]) {
      st = md_error(MD_ERR_MEMORY, "msd: out of memory");
      goto fail;
    }
    binr_get(&r, a->ring[k], B * 3 * n * 8);
  }
  if (r.bad) {
    st = md_error(MD_ERR_PARSE, "%s: MSD state truncated (%zu bytes)", where, size);
    goto fail;
  }
  if (binr_left(&r) != 0) {
    st = md_error(MD_ERR_PARSE, "%s: MSD state has %zu trailing bytes", where, binr_left(&r));
    goto fail;
  }
  *out = a;
  return MD_OK;
fail:
  msd_destroy(&a);
  return st;
}

int msd_n(const msd_accum *a) { return a->n; }
int msd_block(const msd_accum *a) { return a->block; }
int msd_max_levels(const msd_accum *a) { return a->max_levels; }
int64_t msd_frames(const msd_accum *a) { return a->frames; }
int64_t msd_frames_total(const msd_accum *a) { return a->frames_total; }
int64_t msd_trajectories(const msd_accum *a) { return a->ntraj; }
int msd_nslots(const msd_accum *a) { return a->max_levels * a->block; }
int64_t msd_slot_lag(const msd_accum *a, int slot) {
  int k = slot / a->block, j = slot % a->block;
  return (int64_t)j * a->stride[k];
}
const double *msd_sums(const msd_accum *a) { return a->sum; }
const int64_t *msd_counts(const msd_accum *a) { return a->cnt; }
