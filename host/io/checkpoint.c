#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box.h"
#include "integrate.h"
#include "system.h"
#include "textfile.h"

#define HEADER_SIZE 40
#define BOM 0x01020304u
static const char MAGIC[8] = {'E', 'S', 'N', 'A', 'P', 'C', 'K', 'P'};

#define TAG(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define TAG_RUN TAG('R', 'U', 'N', ' ')
#define TAG_REP TAG('R', 'E', 'P', ' ')
#define TAG_RSET TAG('R', 'S', 'E', 'T')
#define TAG_FILE TAG('F', 'I', 'L', 'E')
#define TAG_BLOB TAG('B', 'L', 'O', 'B')
#define TAG_END TAG('E', 'N', 'D', ' ')

/* ---- CRC-32 ---- */

unsigned int ckpt_crc32(const void *data, size_t len) {
  static uint32_t table[256];
  static int ready = 0;
  if (!ready) { /* benign race: every thread computes the same table */
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    ready = 1;
  }
  const unsigned char *p = (const unsigned char *)data;
  uint32_t c = 0xFFFFFFFFu;
  for (size_t k = 0; k < len; k++) c = table[(c ^ p[k]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

/* ---- writing ---- */

typedef struct wbuf {
  unsigned char *p;
  size_t len, cap;
  int failed;
} wbuf;

static void put(wbuf *b, const void *data, size_t n) {
  if (b->failed) return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    unsigned char *q = (unsigned char *)realloc(b->p, cap);
    if (!q) {
      b->failed = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->len, data, n);
  b->len += n;
}
static void put_u32(wbuf *b, uint32_t v) { put(b, &v, 4); }
static void put_i32(wbuf *b, int32_t v) { put(b, &v, 4); }
static void put_i64(wbuf *b, int64_t v) { put(b, &v, 8); }
static void put_u64(wbuf *b, uint64_t v) { put(b, &v, 8); }
static void put_f64(wbuf *b, double v) { put(b, &v, 8); }
static void put_str(wbuf *b, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  put_u32(b, n);
  put(b, s, n);
}
/* open a section: returns the offset of its length field */
static size_t section_begin(wbuf *b, uint32_t tag) {
  put_u32(b, tag);
  size_t at = b->len;
  put_u64(b, 0);
  return at;
}
static void section_end(wbuf *b, size_t at) {
  if (b->failed) return;
  uint64_t n = (uint64_t)(b->len - at - 8);
  memcpy(b->p + at, &n, 8);
}

static void put_replica(wbuf *b, const md_replica *r) {
  const md_system *s = r->sys;
  size_t n = (size_t)s->n;
  put_i32(b, s->n);
  put_i32(b, s->nelem);
  for (int e = 0; e < s->nelem; e++) put_str(b, s->elem[e]);
  put(b, s->box.h, 9 * sizeof(real_t));
  put_i64(b, s->step);
  put_f64(b, s->time);
  put_i64(b, r->step0);
  put_f64(b, r->time0);
  put_i32(b, s->has_velocities);
  put(b, s->id, n * sizeof(int));
  put(b, s->type, n * sizeof(int));
  put(b, s->x, n * sizeof(real_t));
  put(b, s->y, n * sizeof(real_t));
  put(b, s->z, n * sizeof(real_t));
  put(b, s->ix, n * sizeof(int));
  put(b, s->iy, n * sizeof(int));
  put(b, s->iz, n * sizeof(int));
  put(b, s->vx, n * sizeof(real_t));
  put(b, s->vy, n * sizeof(real_t));
  put(b, s->vz, n * sizeof(real_t));
  put(b, r->fx, n * sizeof(real_t));
  put(b, r->fy, n * sizeof(real_t));
  put(b, r->fz, n * sizeof(real_t));
  put_f64(b, r->pe);
  put_f64(b, r->pe_snap);
  put_f64(b, r->pe_coul);
  put_f64(b, r->pe_zbl);
  put(b, r->virial, 9 * sizeof(real_t));
  const nhc_state *h = &r->nhc;
  put_i32(b, h->nchain);
  put_i32(b, NHC_MAX_CHAIN);
  put(b, h->eta, NHC_MAX_CHAIN * sizeof(real_t));
  put(b, h->eta_dot, (NHC_MAX_CHAIN + 1) * sizeof(real_t));
  put(b, h->eta_dotdot, NHC_MAX_CHAIN * sizeof(real_t));
  put(b, h->eta_mass, NHC_MAX_CHAIN * sizeof(real_t));
  put_f64(b, h->t_current);
  put_f64(b, h->t_target);
  put_f64(b, h->ke_target);
  for (int k = 0; k < 4; k++) put_u64(b, r->rng.s[k]);
  put_f64(b, r->rng.spare);
  put_i32(b, r->rng.has_spare);
}

static md_status fsync_dir(const char *path) {
  char dir[MD_PATH_LEN];
  tf_dirname(path, dir, sizeof dir);
  int fd = open(dir, O_RDONLY);
  if (fd < 0) return MD_OK; /* best effort */
  fsync(fd);
  close(fd);
  return MD_OK;
}

md_status ckpt_body(const md_checkpoint *c, unsigned char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  wbuf b = {0};
  size_t at;
  for (int r = 0; r < c->nrep; r++) {
    at = section_begin(&b, TAG_REP);
    put_replica(&b, &c->rep[r]);
    section_end(&b, at);
  }
  at = section_begin(&b, TAG_FILE);
  put_i32(&b, c->nfiles);
  for (int k = 0; k < c->nfiles; k++) {
    put_str(&b, c->file[k].name);
    put_i64(&b, c->file[k].bytes);
  }
  section_end(&b, at);
  for (int k = 0; k < c->nblob; k++) {
    at = section_begin(&b, TAG_BLOB);
    put_str(&b, c->blob[k].name);
    put_u64(&b, (uint64_t)c->blob[k].len);
    put(&b, c->blob[k].data, c->blob[k].len);
    section_end(&b, at);
  }
  if (b.failed) {
    free(b.p);
    return md_error(MD_ERR_MEMORY, "out of memory formatting a checkpoint");
  }
  *buf = b.p;
  *len = b.len;
  return MD_OK;
}

md_status ckpt_write(const char *path, const md_checkpoint *c) {
  unsigned char *body;
  size_t len;
  MD_TRY(ckpt_body(c, &body, &len));
  md_status st = ckpt_write_assembled(path, c, c->nrep, body, len);
  free(body);
  return st;
}

md_status ckpt_write_assembled(const char *path, const md_checkpoint *c, int nrep_total, const unsigned char *body,
                               size_t body_len) {
  wbuf b = {0};
  size_t at = section_begin(&b, TAG_RUN);
  put_i32(&b, nrep_total);
  put_i32(&b, c->ensemble);
  put_f64(&b, c->dt);
  put_i32(&b, c->chain);
  put_i32(&b, c->tloop);
  put_i64(&b, c->nsteps);
  char ver[64];
  snprintf(ver, sizeof ver, "esnapmd %s (commit %s)", ESNAP_VERSION, ESNAP_COMMIT);
  put_str(&b, ver);
  section_end(&b, at);
  if (c->rset_total > 0) {
    at = section_begin(&b, TAG_RSET);
    put_i32(&b, c->rset_total);
    put_i32(&b, c->rset_first);
    put_u64(&b, (uint64_t)c->rset_seed);
    put_i32(&b, nrep_total);
    for (int r = 0; r < nrep_total; r++) {
      put_u64(&b, (uint64_t)c->rep_seed[r]);
      put_f64(&b, c->rep_temp[r]);
    }
    section_end(&b, at);
  }
  /* the bodies of several ranks, merged into the layout of a single process: every REP section, one FILE
   * section with all the entries, every BLOB section (so the file does not depend on the number of ranks) */
  for (int pass = 0; pass < 3; pass++) {
    uint32_t want = pass == 0 ? TAG_REP : pass == 1 ? TAG_FILE : TAG_BLOB;
    int32_t nfiles = 0;
    size_t fat = 0;
    if (pass == 1) {
      fat = section_begin(&b, TAG_FILE);
      put_i32(&b, 0); /* count, patched below */
    }
    for (size_t off = 0; off + 12 <= body_len;) {
      uint32_t tag;
      uint64_t len;
      memcpy(&tag, body + off, 4);
      memcpy(&len, body + off + 4, 8);
      if (len > body_len - off - 12) {
        free(b.p);
        return md_error(MD_ERR_INTERNAL, "%s: malformed checkpoint body", path);
      }
      if (tag == want && pass != 1) {
        put(&b, body + off, 12 + (size_t)len);
      } else if (tag == want && len >= 4) {
        int32_t n;
        memcpy(&n, body + off + 12, 4);
        nfiles += n;
        put(&b, body + off + 16, (size_t)len - 4);
      }
      off += 12 + (size_t)len;
    }
    if (pass == 1 && !b.failed) {
      memcpy(b.p + fat + 8, &nfiles, 4);
      section_end(&b, fat);
    }
  }
  at = section_begin(&b, TAG_END);
  section_end(&b, at);
  if (b.failed) {
    free(b.p);
    return md_error(MD_ERR_MEMORY, "%s: out of memory formatting the checkpoint", path);
  }

  unsigned char head[HEADER_SIZE];
  memset(head, 0, sizeof head);
  memcpy(head, MAGIC, 8);
  uint32_t u;
  u = CKPT_VERSION;
  memcpy(head + 8, &u, 4);
  u = BOM;
  memcpy(head + 12, &u, 4);
  u = (uint32_t)sizeof(real_t);
  memcpy(head + 16, &u, 4);
  u = HEADER_SIZE;
  memcpy(head + 20, &u, 4);
  uint64_t plen = (uint64_t)b.len;
  memcpy(head + 24, &plen, 8);
  u = ckpt_crc32(b.p, b.len);
  memcpy(head + 32, &u, 4);
  u = ckpt_crc32(head, 36);
  memcpy(head + 36, &u, 4);

  char tmp[MD_PATH_LEN + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  md_status st = MD_OK;
  if (fd < 0) {
    st = md_error(MD_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
  } else {
    const unsigned char *parts[2] = {head, b.p};
    size_t lens[2] = {HEADER_SIZE, b.len};
    for (int k = 0; k < 2 && st == MD_OK; k++) {
      size_t off = 0;
      while (off < lens[k]) {
        ssize_t w = write(fd, parts[k] + off, lens[k] - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          st = md_error(MD_ERR_IO, "%s: write failed: %s", tmp, w < 0 ? strerror(errno) : "no space?");
          break;
        }
        off += (size_t)w;
      }
    }
    if (st == MD_OK && fsync(fd) != 0) st = md_error(MD_ERR_IO, "%s: fsync failed: %s", tmp, strerror(errno));
    if (close(fd) != 0 && st == MD_OK) st = md_error(MD_ERR_IO, "%s: close failed: %s", tmp, strerror(errno));
    if (st == MD_OK && rename(tmp, path) != 0)
      st = md_error(MD_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (st != MD_OK) unlink(tmp);
  }
  free(b.p);
  if (st == MD_OK) fsync_dir(path);
  return st;
}

/* ---- reading ---- */

typedef struct rbuf {
  const unsigned char *p;
  size_t len, pos;
  int bad;
} rbuf;

static void get(rbuf *b, void *out, size_t n) {
  if (b->bad || n > b->len - b->pos) {
    b->bad = 1;
    memset(out, 0, n);
    return;
  }
  memcpy(out, b->p + b->pos, n);
  b->pos += n;
}
static uint32_t get_u32(rbuf *b) { uint32_t v; get(b, &v, 4); return v; }
static int32_t get_i32(rbuf *b) { int32_t v; get(b, &v, 4); return v; }
static int64_t get_i64(rbuf *b) { int64_t v; get(b, &v, 8); return v; }
static uint64_t get_u64(rbuf *b) { uint64_t v; get(b, &v, 8); return v; }
static double get_f64(rbuf *b) { double v; get(b, &v, 8); return v; }
static void get_str(rbuf *b, char *out, size_t cap) {
  uint32_t n = get_u32(b);
  if (b->bad || n >= cap || n > b->len - b->pos) {
    b->bad = 1;
    out[0] = '\0';
    return;
  }
  memcpy(out, b->p + b->pos, n);
  out[n] = '\0';
  b->pos += n;
}

static md_status get_replica(rbuf *b, md_replica *r, const char *path) {
  int32_t n = get_i32(b), nelem = get_i32(b);
  if (b->bad || n < 0 || n > 200000000 || nelem < 0 || nelem > MD_MAX_ELEM || (size_t)n * 4 > b->len - b->pos)
    return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (bad atom count)", path);
  md_system *tmp = NULL;
  MD_TRY(system_create(&tmp, n));
  tmp->nelem = nelem;
  for (int e = 0; e < nelem; e++) get_str(b, tmp->elem[e], MD_NAME_LEN);
  get(b, tmp->box.h, 9 * sizeof(real_t));
  tmp->step = (long)get_i64(b);
  tmp->time = get_f64(b);
  md_status st = b->bad ? md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica header)", path) : box_update(&tmp->box, path);
  if (st == MD_OK) st = replica_alloc(r, tmp);
  system_destroy(&tmp);
  MD_TRY(st);
  md_system *s = r->sys;
  size_t m = (size_t)n;
  r->step0 = (long)get_i64(b);
  r->time0 = get_f64(b);
  s->has_velocities = get_i32(b);
  get(b, s->id, m * sizeof(int));
  get(b, s->type, m * sizeof(int));
  get(b, s->x, m * sizeof(real_t));
  get(b, s->y, m * sizeof(real_t));
  get(b, s->z, m * sizeof(real_t));
  get(b, s->ix, m * sizeof(int));
  get(b, s->iy, m * sizeof(int));
  get(b, s->iz, m * sizeof(int));
  get(b, s->vx, m * sizeof(real_t));
  get(b, s->vy, m * sizeof(real_t));
  get(b, s->vz, m * sizeof(real_t));
  get(b, r->fx, m * sizeof(real_t));
  get(b, r->fy, m * sizeof(real_t));
  get(b, r->fz, m * sizeof(real_t));
  r->pe = get_f64(b);
  r->pe_snap = get_f64(b);
  r->pe_coul = get_f64(b);
  r->pe_zbl = get_f64(b);
  get(b, r->virial, 9 * sizeof(real_t));
  nhc_state *h = &r->nhc;
  h->nchain = get_i32(b);
  int32_t maxc = get_i32(b);
  if (maxc != NHC_MAX_CHAIN || h->nchain < 0 || h->nchain > NHC_MAX_CHAIN)
    return md_error(MD_ERR_PARSE, "%s: checkpoint thermostat layout (chain %d of %d) does not match this program (%d)", path,
                    h->nchain, maxc, NHC_MAX_CHAIN);
  get(b, h->eta, NHC_MAX_CHAIN * sizeof(real_t));
  get(b, h->eta_dot, (NHC_MAX_CHAIN + 1) * sizeof(real_t));
  get(b, h->eta_dotdot, NHC_MAX_CHAIN * sizeof(real_t));
  get(b, h->eta_mass, NHC_MAX_CHAIN * sizeof(real_t));
  h->t_current = get_f64(b);
  h->t_target = get_f64(b);
  h->ke_target = get_f64(b);
  for (int k = 0; k < 4; k++) r->rng.s[k] = get_u64(b);
  r->rng.spare = get_f64(b);
  r->rng.has_spare = get_i32(b);
  if (b->bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica section too short)", path);
  for (int i = 0; i < n; i++)
    if (s->type[i] < 0 || s->type[i] >= (nelem > 0 ? nelem : MD_MAX_ELEM))
      return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (atom %d has type %d)", path, s->id[i], s->type[i]);
  return MD_OK;
}

static md_status read_all(const char *path, unsigned char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return md_error(MD_ERR_IO, "%s: cannot open checkpoint: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(fp), &st) != 0) {
    fclose(fp);
    return md_error(MD_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
  }
  size_t n = (size_t)st.st_size;
  unsigned char *p = (unsigned char *)malloc(n ? n : 1);
  if (!p) {
    fclose(fp);
    return md_error(MD_ERR_MEMORY, "%s: out of memory reading %zu bytes", path, n);
  }
  size_t got = fread(p, 1, n, fp);
  fclose(fp);
  if (got != n) {
    free(p);
    return md_error(MD_ERR_IO, "%s: read %zu of %zu bytes", path, got, n);
  }
  *data = p;
  *len = n;
  return MD_OK;
}

static md_status parse(const char *path, const unsigned char *p, size_t len, md_checkpoint *c) {
  if (len < HEADER_SIZE)
    return md_error(MD_ERR_PARSE, "%s: truncated checkpoint (%zu bytes, the header alone has %d)", path, len, HEADER_SIZE);
  if (memcmp(p, MAGIC, 8) != 0) return md_error(MD_ERR_PARSE, "%s: not an esnapmd checkpoint (bad magic)", path);
  uint32_t version, bom, rsize, hsize, pcrc, hcrc;
  uint64_t plen;
  memcpy(&version, p + 8, 4);
  memcpy(&bom, p + 12, 4);
  memcpy(&rsize, p + 16, 4);
  memcpy(&hsize, p + 20, 4);
  memcpy(&plen, p + 24, 8);
  memcpy(&pcrc, p + 32, 4);
  memcpy(&hcrc, p + 36, 4);
  if (bom != BOM) return md_error(MD_ERR_UNSUPPORTED, "%s: checkpoint written on a machine with another byte order", path);
  if (ckpt_crc32(p, 36) != hcrc) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (header checksum mismatch)", path);
  if (version != CKPT_VERSION)
    return md_error(MD_ERR_UNSUPPORTED, "%s: checkpoint format version %u; this esnapmd reads version %d", path, version, CKPT_VERSION);
  if (rsize != sizeof(real_t) || hsize != HEADER_SIZE)
    return md_error(MD_ERR_UNSUPPORTED, "%s: checkpoint written with %u-byte reals; this build uses %zu", path, rsize, sizeof(real_t));
  if (plen != (uint64_t)(len - HEADER_SIZE))
    return md_error(MD_ERR_PARSE, "%s: truncated or padded checkpoint (%zu bytes, the header says %llu)", path, len,
                    (unsigned long long)(plen + HEADER_SIZE));
  if (ckpt_crc32(p + HEADER_SIZE, (size_t)plen) != pcrc)
    return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (payload checksum mismatch)", path);

  rbuf b = {p + HEADER_SIZE, (size_t)plen, 0, 0};
  int have_run = 0, have_end = 0, nrep_read = 0;
  while (b.pos < b.len && !have_end) {
    uint32_t tag = get_u32(&b);
    uint64_t slen = get_u64(&b);
    if (b.bad || slen > b.len - b.pos) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (section length)", path);
    rbuf s = {b.p + b.pos, (size_t)slen, 0, 0};
    b.pos += (size_t)slen;
    if (tag == TAG_RUN) {
      c->nrep = get_i32(&s);
      c->ensemble = get_i32(&s);
      c->dt = get_f64(&s);
      c->chain = get_i32(&s);
      c->tloop = get_i32(&s);
      c->nsteps = (long)get_i64(&s);
      get_str(&s, c->version, sizeof c->version);
      if (s.bad || c->nrep < 1 || c->nrep > 1000000) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (run section)", path);
      c->rep = (md_replica *)calloc((size_t)c->nrep, sizeof(md_replica));
      if (!c->rep) return md_error(MD_ERR_MEMORY, "out of memory");
      c->owns_rep = 1;
      have_run = 1;
    } else if (tag == TAG_REP) {
      if (!have_run || nrep_read >= c->nrep) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (unexpected replica)", path);
      MD_TRY(get_replica(&s, &c->rep[nrep_read], path));
      nrep_read++;
    } else if (tag == TAG_RSET) {
      if (!have_run) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica set before the run section)", path);
      c->rset_total = get_i32(&s);
      c->rset_first = get_i32(&s);
      c->rset_seed = (unsigned long long)get_u64(&s);
      int32_t n = get_i32(&s);
      if (s.bad || n != c->nrep || c->rset_total < 1 || c->rset_first < 0 || c->rset_first + n > c->rset_total)
        return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica set)", path);
      c->rep_seed = (unsigned long long *)calloc((size_t)n, sizeof *c->rep_seed);
      c->rep_temp = (real_t *)calloc((size_t)n, sizeof *c->rep_temp);
      if (!c->rep_seed || !c->rep_temp) return md_error(MD_ERR_MEMORY, "out of memory");
      for (int r = 0; r < n; r++) {
        c->rep_seed[r] = (unsigned long long)get_u64(&s);
        c->rep_temp[r] = get_f64(&s);
      }
      if (s.bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica set)", path);
    } else if (tag == TAG_FILE) {
      int32_t nf = get_i32(&s);
      if (nf < 0 || (size_t)nf > s.len / 12) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (file list)", path);
      for (int k = 0; k < nf; k++) {
        char name[MD_PATH_LEN];
        get_str(&s, name, sizeof name);
        long long bytes = (long long)get_i64(&s);
        if (s.bad) break;
        MD_TRY(ckpt_add_file(c, name, bytes));
      }
      if (s.bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (file list)", path);
    } else if (tag == TAG_BLOB) {
      char name[CKPT_NAME_LEN];
      get_str(&s, name, sizeof name);
      uint64_t bl = get_u64(&s);
      if (s.bad || bl > s.len - s.pos) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (blob)", path);
      MD_TRY(ckpt_set_blob(c, name, s.p + s.pos, (size_t)bl));
    } else if (tag == TAG_END) {
      have_end = 1;
    } /* unknown sections are skipped */
  }
  if (!have_run || !have_end || nrep_read != c->nrep)
    return md_error(MD_ERR_PARSE, "%s: incomplete checkpoint (%d of %d replicas, end marker %s)", path, nrep_read,
                    have_run ? c->nrep : 0, have_end ? "present" : "missing");
  return MD_OK;
}

md_status ckpt_read(const char *path, md_checkpoint *c) {
  memset(c, 0, sizeof *c);
  unsigned char *data;
  size_t len;
  MD_TRY(read_all(path, &data, &len));
  md_status st = parse(path, data, len, c);
  free(data);
  if (st != MD_OK) ckpt_free(c);
  return st;
}

void ckpt_free(md_checkpoint *c) {
  if (c->owns_rep) {
    if (c->rep)
      for (int r = 0; r < c->nrep; r++) replica_free(&c->rep[r]);
    free(c->rep);
    free(c->rep_seed);
    free(c->rep_temp);
  }
  c->rep = NULL;
  c->rep_seed = NULL;
  c->rep_temp = NULL;
  c->owns_rep = 0;
  for (int k = 0; k < c->nblob; k++) free(c->blob[k].data);
  free(c->blob);
  c->blob = NULL;
  c->nblob = 0;
  free(c->file);
  c->file = NULL;
  c->nfiles = 0;
}

md_status ckpt_add_file(md_checkpoint *c, const char *name, long long bytes) {
  if (strlen(name) >= MD_PATH_LEN) return md_error(MD_ERR_VALUE, "checkpoint: output name '%.60s...' is too long", name);
  if ((c->nfiles & (c->nfiles - 1)) == 0) { /* capacity = next power of two */
    size_t cap = c->nfiles ? 2 * (size_t)c->nfiles : 1;
    ckpt_file_len *f = (ckpt_file_len *)realloc(c->file, cap * sizeof *f);
    if (!f) return md_error(MD_ERR_MEMORY, "out of memory (checkpoint file list)");
    c->file = f;
  }
  snprintf(c->file[c->nfiles].name, MD_PATH_LEN, "%s", name);
  c->file[c->nfiles].bytes = bytes;
  c->nfiles++;
  return MD_OK;
}

md_status ckpt_set_blob(md_checkpoint *c, const char *name, const void *data, size_t len) {
  if (strlen(name) >= CKPT_NAME_LEN) return md_error(MD_ERR_VALUE, "checkpoint blob name '%s' is too long", name);
  int k;
  for (k = 0; k < c->nblob; k++)
    if (strcmp(c->blob[k].name, name) == 0) break;
  if (k == c->nblob) {
    if ((c->nblob & (c->nblob - 1)) == 0) {
      size_t cap = c->nblob ? 2 * (size_t)c->nblob : 1;
      ckpt_blob *nb = (ckpt_blob *)realloc(c->blob, cap * sizeof *nb);
      if (!nb) return md_error(MD_ERR_MEMORY, "out of memory (checkpoint blobs)");
      c->blob = nb;
    }
    c->nblob++;
    memset(&c->blob[k], 0, sizeof c->blob[k]);
    snprintf(c->blob[k].name, CKPT_NAME_LEN, "%s", name);
  } else {
    free(c->blob[k].data);
  }
  c->blob[k].data = (unsigned char *)malloc(len ? len : 1);
  if (!c->blob[k].data) return md_error(MD_ERR_MEMORY, "out of memory (checkpoint blob of %zu bytes)", len);
  if (len) memcpy(c->blob[k].data, data, len);
  c->blob[k].len = len;
  return MD_OK;
}

const ckpt_blob *ckpt_get_blob(const md_checkpoint *c, const char *name) {
  for (int k = 0; k < c->nblob; k++)
    if (strcmp(c->blob[k].name, name) == 0) return &c->blob[k];
  return NULL;
}

long long ckpt_file_bytes(const md_checkpoint *c, const char *name) {
  for (int k = 0; k < c->nfiles; k++)
    if (strcmp(c->file[k].name, name) == 0) return c->file[k].bytes;
  return -1;
}
