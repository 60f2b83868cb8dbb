#include "checkpoint.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "binbuf.h"
#include "box.h"
#include "integrate.h"
#include "system.h"

#define HEADER_SIZE 40
#define BOM 0x01020304u
static const char MAGIC[8] = {'E', 'S', 'N', 'A', 'P', 'C', 'K', 'P'};

#define TAG_RUN BIN_TAG('R', 'U', 'N', ' ')
#define TAG_REP BIN_TAG('R', 'E', 'P', ' ')
#define TAG_RSET BIN_TAG('R', 'S', 'E', 'T')
#define TAG_PHYS BIN_TAG('P', 'H', 'Y', 'S')
#define TAG_FILE BIN_TAG('F', 'I', 'L', 'E')
#define TAG_BLOB BIN_TAG('B', 'L', 'O', 'B')
#define TAG_END BIN_TAG('E', 'N', 'D', ' ')

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

static void put_replica(binw *b, const md_replica *r) {
  const md_system *s = r->sys;
  size_t n = (size_t)s->n;
  binw_i32(b, s->n);
  binw_i32(b, s->nelem);
  for (int e = 0; e < s->nelem; e++) binw_str(b, s->elem[e]);
  binw_put(b, s->box.h, 9 * sizeof(real_t));
  binw_i64(b, s->step);
  binw_f64(b, s->time);
  binw_i64(b, r->step0);
  binw_f64(b, r->time0);
  binw_i32(b, s->has_velocities);
  binw_put(b, s->id, n * sizeof(int));
  binw_put(b, s->type, n * sizeof(int));
  binw_put(b, s->x, n * sizeof(real_t));
  binw_put(b, s->y, n * sizeof(real_t));
  binw_put(b, s->z, n * sizeof(real_t));
  binw_put(b, s->ix, n * sizeof(int));
  binw_put(b, s->iy, n * sizeof(int));
  binw_put(b, s->iz, n * sizeof(int));
  binw_put(b, s->vx, n * sizeof(real_t));
  binw_put(b, s->vy, n * sizeof(real_t));
  binw_put(b, s->vz, n * sizeof(real_t));
  binw_put(b, r->fx, n * sizeof(real_t));
  binw_put(b, r->fy, n * sizeof(real_t));
  binw_put(b, r->fz, n * sizeof(real_t));
  binw_f64(b, r->pe);
  binw_f64(b, r->pe_snap);
  binw_f64(b, r->pe_coul);
  binw_f64(b, r->pe_zbl);
  binw_put(b, r->virial, 9 * sizeof(real_t));
  const nhc_state *h = &r->nhc;
  binw_i32(b, h->nchain);
  binw_i32(b, NHC_MAX_CHAIN);
  binw_put(b, h->eta, NHC_MAX_CHAIN * sizeof(real_t));
  binw_put(b, h->eta_dot, (NHC_MAX_CHAIN + 1) * sizeof(real_t));
  binw_put(b, h->eta_dotdot, NHC_MAX_CHAIN * sizeof(real_t));
  binw_put(b, h->eta_mass, NHC_MAX_CHAIN * sizeof(real_t));
  binw_f64(b, h->t_current);
  binw_f64(b, h->t_target);
  binw_f64(b, h->ke_target);
  for (int k = 0; k < 4; k++) binw_u64(b, r->rng.s[k]);
  binw_f64(b, r->rng.spare);
  binw_i32(b, r->rng.has_spare);
  const int nbr = r->nbr_valid && r->nbr_x0;
  binw_i32(b, nbr);
  if (nbr) binw_put(b, r->nbr_x0, 3 * n * sizeof(real_t));
}

md_status ckpt_body(const md_checkpoint *c, unsigned char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  binw b = {0};
  size_t at;
  for (int r = 0; r < c->nrep; r++) {
    at = binw_section_begin(&b, TAG_REP);
    put_replica(&b, &c->rep[r]);
    binw_section_end(&b, at);
  }
  at = binw_section_begin(&b, TAG_FILE);
  binw_i32(&b, c->nfiles);
  for (int k = 0; k < c->nfiles; k++) {
    binw_str(&b, c->file[k].name);
    binw_i64(&b, c->file[k].bytes);
  }
  binw_section_end(&b, at);
  for (int k = 0; k < c->nblob; k++) {
    at = binw_section_begin(&b, TAG_BLOB);
    binw_str(&b, c->blob[k].name);
    binw_u64(&b, (uint64_t)c->blob[k].len);
    binw_put(&b, c->blob[k].data, c->blob[k].len);
    binw_section_end(&b, at);
  }
  if (b.failed) {
    binw_free(&b);
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
  binw b = {0};
  size_t at = binw_section_begin(&b, TAG_RUN);
  binw_i32(&b, nrep_total);
  binw_i32(&b, c->ensemble);
  binw_f64(&b, c->dt);
  binw_i32(&b, c->chain);
  binw_i32(&b, c->tloop);
  binw_i64(&b, c->nsteps);
  char ver[64];
  snprintf(ver, sizeof ver, "esnapmd %s (commit %s)", ESNAP_VERSION, ESNAP_COMMIT);
  binw_str(&b, ver);
  binw_section_end(&b, at);
  if (c->phys.n > 0) {
    at = binw_section_begin(&b, TAG_PHYS);
    binw_i32(&b, c->phys.n);
    for (int k = 0; k < c->phys.n; k++) {
      binw_str(&b, c->phys.key[k]);
      binw_str(&b, c->phys.value[k]);
    }
    binw_section_end(&b, at);
  }
  if (c->rset_total > 0) {
    at = binw_section_begin(&b, TAG_RSET);
    binw_i32(&b, c->rset_total);
    binw_i32(&b, c->rset_first);
    binw_u64(&b, (uint64_t)c->rset_seed);
    binw_i32(&b, nrep_total);
    for (int r = 0; r < nrep_total; r++) {
      binw_u64(&b, (uint64_t)c->rep_seed[r]);
      binw_f64(&b, c->rep_temp[r]);
    }
    binw_section_end(&b, at);
  }
  /* the bodies of several ranks, merged into the layout of a single process: every REP section, one FILE
   * section with all the entries, every BLOB section (so the file does not depend on the number of ranks) */
  for (int pass = 0; pass < 3; pass++) {
    uint32_t want = pass == 0 ? TAG_REP : pass == 1 ? TAG_FILE : TAG_BLOB;
    int32_t nfiles = 0;
    size_t fat = 0;
    if (pass == 1) {
      fat = binw_section_begin(&b, TAG_FILE);
      binw_i32(&b, 0); /* count, patched below */
    }
    binr in, sec;
    binr_init(&in, body, body_len);
    uint32_t tag;
    int more;
    while ((more = binr_section(&in, &tag, &sec)) > 0) {
      if (tag != want || (pass == 1 && sec.len < 4)) continue;
      if (pass == 1) {
        nfiles += binr_i32(&sec);
        binw_put(&b, sec.p + sec.pos, binr_left(&sec));
      } else {
        size_t at2 = binw_section_begin(&b, tag);
        binw_put(&b, sec.p, sec.len);
        binw_section_end(&b, at2);
      }
    }
    if (more < 0) {
      binw_free(&b);
      return md_error(MD_ERR_INTERNAL, "%s: malformed checkpoint body", path);
    }
    if (pass == 1 && !b.failed) {
      memcpy(b.p + fat + 8, &nfiles, 4);
      binw_section_end(&b, fat);
    }
  }
  at = binw_section_begin(&b, TAG_END);
  binw_section_end(&b, at);
  if (b.failed) {
    binw_free(&b);
    return md_error(MD_ERR_MEMORY, "%s: out of memory formatting the checkpoint", path);
  }

  unsigned char head[HEADER_SIZE];
  binw h;
  binw_fixed(&h, head, sizeof head);
  binw_put(&h, MAGIC, 8);
  binw_u32(&h, CKPT_VERSION);
  binw_u32(&h, BOM);
  binw_u32(&h, (uint32_t)sizeof(real_t));
  binw_u32(&h, HEADER_SIZE);
  binw_u64(&h, (uint64_t)b.len);
  binw_u32(&h, ckpt_crc32(b.p, b.len));
  binw_u32(&h, ckpt_crc32(head, 36));

  io_atomic a;
  md_status st = io_atomic_open(&a, path);
  if (st == MD_OK) {
    if (fwrite(head, 1, HEADER_SIZE, a.fp) == HEADER_SIZE && fwrite(b.p, 1, b.len, a.fp) == b.len) {
      st = io_atomic_commit(&a);
    } else {
      st = md_error(MD_ERR_IO, "%s: write failed: %s", a.tmp, strerror(errno));
      io_atomic_abort(&a);
    }
  }
  binw_free(&b);
  return st;
}

/* ---- reading ---- */

static md_status get_replica(binr *b, md_replica *r, const char *path) {
  int32_t n = binr_i32(b), nelem = binr_i32(b);
  if (b->bad || n < 0 || n > 200000000 || nelem < 0 || nelem > MD_MAX_ELEM || (size_t)n * 4 > b->len - b->pos)
    return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (bad atom count)", path);
  md_system *tmp = NULL;
  MD_TRY(system_create(&tmp, n));
  tmp->nelem = nelem;
  for (int e = 0; e < nelem; e++) binr_str(b, tmp->elem[e], MD_NAME_LEN);
  binr_get(b, tmp->box.h, 9 * sizeof(real_t));
  tmp->step = (long)binr_i64(b);
  tmp->time = binr_f64(b);
  md_status st = b->bad ? md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica header)", path) : box_update(&tmp->box, path);
  if (st == MD_OK) st = replica_alloc(r, tmp);
  system_destroy(&tmp);
  MD_TRY(st);
  md_system *s = r->sys;
  size_t m = (size_t)n;
  r->step0 = (long)binr_i64(b);
  r->time0 = binr_f64(b);
  s->has_velocities = binr_i32(b);
  binr_get(b, s->id, m * sizeof(int));
  binr_get(b, s->type, m * sizeof(int));
  binr_get(b, s->x, m * sizeof(real_t));
  binr_get(b, s->y, m * sizeof(real_t));
  binr_get(b, s->z, m * sizeof(real_t));
  binr_get(b, s->ix, m * sizeof(int));
  binr_get(b, s->iy, m * sizeof(int));
  binr_get(b, s->iz, m * sizeof(int));
  binr_get(b, s->vx, m * sizeof(real_t));
  binr_get(b, s->vy, m * sizeof(real_t));
  binr_get(b, s->vz, m * sizeof(real_t));
  binr_get(b, r->fx, m * sizeof(real_t));
  binr_get(b, r->fy, m * sizeof(real_t));
  binr_get(b, r->fz, m * sizeof(real_t));
  r->pe = binr_f64(b);
  r->pe_snap = binr_f64(b);
  r->pe_coul = binr_f64(b);
  r->pe_zbl = binr_f64(b);
  binr_get(b, r->virial, 9 * sizeof(real_t));
  nhc_state *h = &r->nhc;
  h->nchain = binr_i32(b);
  int32_t maxc = binr_i32(b);
  if (maxc != NHC_MAX_CHAIN || h->nchain < 0 || h->nchain > NHC_MAX_CHAIN)
    return md_error(MD_ERR_PARSE, "%s: checkpoint thermostat layout (chain %d of %d) does not match this program (%d)", path,
                    h->nchain, maxc, NHC_MAX_CHAIN);
  binr_get(b, h->eta, NHC_MAX_CHAIN * sizeof(real_t));
  binr_get(b, h->eta_dot, (NHC_MAX_CHAIN + 1) * sizeof(real_t));
  binr_get(b, h->eta_dotdot, NHC_MAX_CHAIN * sizeof(real_t));
  binr_get(b, h->eta_mass, NHC_MAX_CHAIN * sizeof(real_t));
  h->t_current = binr_f64(b);
  h->t_target = binr_f64(b);
  h->ke_target = binr_f64(b);
  for (int k = 0; k < 4; k++) r->rng.s[k] = binr_u64(b);
  r->rng.spare = binr_f64(b);
  r->rng.has_spare = binr_i32(b);
  r->nbr_valid = 0;
  if (!b->bad && binr_left(b) > 0) { /* absent from checkpoints of earlier versions: the lists are built afresh */
    int32_t nbr = binr_i32(b);
    if (nbr != 0 && nbr != 1) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (neighbour-list flag %d)", path, nbr);
    if (nbr) binr_get(b, r->nbr_x0, 3 * m * sizeof(real_t));
    r->nbr_valid = nbr;
  }
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
  binr h;
  binr_init(&h, p + 8, HEADER_SIZE - 8);
  uint32_t version = binr_u32(&h), bom = binr_u32(&h), rsize = binr_u32(&h), hsize = binr_u32(&h);
  uint64_t plen = binr_u64(&h);
  uint32_t pcrc = binr_u32(&h), hcrc = binr_u32(&h);
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

  binr b, s;
  binr_init(&b, p + HEADER_SIZE, (size_t)plen);
  int have_run = 0, have_end = 0, nrep_read = 0;
  while (!have_end) {
    uint32_t tag;
    int more = binr_section(&b, &tag, &s);
    if (more == 0) break;
    if (more < 0) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (section length)", path);
    if (tag == TAG_RUN) {
      if (have_run) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (a second run section)", path);
      c->nrep = binr_i32(&s);
      c->ensemble = binr_i32(&s);
      c->dt = binr_f64(&s);
      c->chain = binr_i32(&s);
      c->tloop = binr_i32(&s);
      c->nsteps = (long)binr_i64(&s);
      binr_str(&s, c->version, sizeof c->version);
      /* each replica has a section of its own (12-byte section header at least) after this one */
      if (s.bad || c->nrep < 1 || c->nrep > 1000000 || (size_t)c->nrep > binr_left(&b) / 12) {
        c->nrep = 0; /* nothing allocated yet: ckpt_free must not walk replicas */
        return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (run section)", path);
      }
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
      if (c->rep_seed) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (a second replica set section)", path);
      c->rset_total = binr_i32(&s);
      c->rset_first = binr_i32(&s);
      c->rset_seed = (unsigned long long)binr_u64(&s);
      int32_t n = binr_i32(&s);
      if (s.bad || n != c->nrep || c->rset_total < 1 || c->rset_first < 0 ||
          (long long)c->rset_first + n > c->rset_total)
        return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica set)", path);
      c->rep_seed = (unsigned long long *)calloc((size_t)n, sizeof *c->rep_seed);
      c->rep_temp = (real_t *)calloc((size_t)n, sizeof *c->rep_temp);
      if (!c->rep_seed || !c->rep_temp) return md_error(MD_ERR_MEMORY, "out of memory");
      for (int r = 0; r < n; r++) {
        c->rep_seed[r] = (unsigned long long)binr_u64(&s);
        c->rep_temp[r] = binr_f64(&s);
      }
      if (s.bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (replica set)", path);
    } else if (tag == TAG_PHYS) {
      int32_t np = binr_i32(&s);
      if (s.bad || np < 1 || np > CKPT_PHYS_MAX) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (physics record)", path);
      for (int k = 0; k < np; k++) {
        binr_str(&s, c->phys.key[k], CKPT_PHYS_KEY);
        binr_str(&s, c->phys.value[k], CKPT_PHYS_VALUE);
      }
      if (s.bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (physics record)", path);
      c->phys.n = np;
    } else if (tag == TAG_FILE) {
      int32_t nf = binr_i32(&s);
      if (nf < 0 || (size_t)nf > s.len / 12) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (file list)", path);
      for (int k = 0; k < nf; k++) {
        char name[MD_PATH_LEN];
        binr_str(&s, name, sizeof name);
        long long bytes = (long long)binr_i64(&s);
        if (s.bad) break;
        MD_TRY(ckpt_add_file(c, name, bytes));
      }
      if (s.bad) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (file list)", path);
    } else if (tag == TAG_BLOB) {
      char name[CKPT_NAME_LEN];
      binr_str(&s, name, sizeof name);
      uint64_t bl = binr_u64(&s);
      const unsigned char *data = (s.bad || bl > binr_left(&s)) ? NULL : binr_take(&s, (size_t)bl);
      if (!data) return md_error(MD_ERR_PARSE, "%s: corrupted checkpoint (blob)", path);
      MD_TRY(ckpt_set_blob(c, name, data, (size_t)bl));
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
