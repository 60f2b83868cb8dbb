#include "replica_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_ens.h"
#include "replica.h"

static md_status name_of(const char *name, int ensemble, int g, int R, char *out) {
  if (replica_file_name(name, g, R, ensemble, out, MD_PATH_LEN) != 0)
    return md_error(MD_ERR_VALUE, "output name '%.80s' is too long", name);
  return MD_OK;
}

static md_status rio_open_files(rep_out *o, const md_deck *d, int ensemble, int g, int R, const md_system *s,
                                const md_checkpoint *ck, const char *header, FILE *screen);

md_status rio_open(rep_out *o, const md_deck *d, int ensemble, int g, int R, const md_system *s, const md_checkpoint *ck,
                   const char *header, FILE *screen) {
  memset(o, 0, sizeof *o);
  o->thermo.fd = -1;
  /* every dump line is checked before any file is created */
  for (int k = 0; k < d->ndump; k++) {
    char where[MD_PATH_LEN + 16];
    int mask[MD_MAX_ELEM];
    snprintf(where, sizeof where, "%s:%d", d->path, d->dump[k].line);
    MD_TRY(dump_spec_check(&d->dump[k], s, where, mask));
  }
  md_status st = rio_open_files(o, d, ensemble, g, R, s, ck, header, screen);
  if (st != MD_OK) rio_close(o);
  return st;
}

static md_status rio_open_files(rep_out *o, const md_deck *d, int ensemble, int g, int R, const md_system *s,
                                const md_checkpoint *ck, const char *header, FILE *screen) {
  int restart = ck != NULL;
  char path[MD_PATH_LEN], file[MD_PATH_LEN];
  long long keep = 0;
  int rs = restart;
  if (d->thermo_file[0]) {
    MD_TRY(name_of(d->thermo_file, ensemble, g, R, file));
    MD_TRY(name_of(d->thermo_path, ensemble, g, R, path));
    char tmp[MD_PATH_LEN + 16];
    snprintf(tmp, sizeof tmp, "thermo %s", file);
    snprintf(o->thermo_key, sizeof o->thermo_key, "%.*s", MD_PATH_LEN - 1, tmp);
    if (restart) {
      keep = ckpt_file_bytes(ck, o->thermo_key);
      if (keep < 0) rs = 0; /* this deck adds a thermo file: start it fresh */
    }
  }
  MD_TRY(thermo_open(&o->thermo, d->thermo_file[0] ? path : NULL, rs, keep, header, screen));
  for (int k = 0; k < d->ndump; k++) {
    dump_spec spec = d->dump[k];
    MD_TRY(name_of(d->dump[k].file, ensemble, g, R, spec.file));
    MD_TRY(name_of(d->dump[k].path, ensemble, g, R, spec.path));
    snprintf(o->dump_key[k], MD_PATH_LEN, "%s", spec.file);
    char where[MD_PATH_LEN + 16];
    snprintf(where, sizeof where, "%s:%d", d->path, d->dump[k].line);
    keep = 0;
    rs = restart;
    if (restart) {
      keep = ckpt_file_bytes(ck, spec.file);
      if (keep < 0) rs = 0;
    }
    o->ndump = k + 1; /* closed by rio_close even when the open fails half-way */
    MD_TRY(dump_writer_open(&o->dump[k], &spec, s, rs, keep, where));
  }
  return MD_OK;
}

md_status rio_sync(rep_out *o, md_checkpoint *ck) {
  if (o->thermo.fd >= 0) {
    MD_TRY(thermo_sync(&o->thermo));
    MD_TRY(ckpt_add_file(ck, o->thermo_key, o->thermo.bytes));
  }
  for (int k = 0; k < o->ndump; k++) {
    MD_TRY(dump_writer_sync(&o->dump[k]));
    MD_TRY(ckpt_add_file(ck, o->dump_key[k], o->dump[k].bytes));
  }
  return MD_OK;
}

void rio_close(rep_out *o) {
  thermo_close(&o->thermo);
  for (int k = 0; k < o->ndump; k++) dump_writer_close(&o->dump[k]);
  o->ndump = 0;
}

md_status rio_checkpoint_write(const char *path, const md_checkpoint *head, int nrep_total, const md_checkpoint *part) {
  unsigned char *body = NULL;
  size_t len = 0;
  md_status st = ckpt_body(part, &body, &len);
  st = ens_agree(st);
  if (st != MD_OK) {
    free(body);
    return st;
  }
  unsigned char *all = NULL;
  size_t *lens = NULL;
  st = ens_gather_bytes(body, len, &all, &lens);
  free(body);
  if (st == MD_OK && ens_rank() == 0) {
    size_t total = 0;
    for (int r = 0; r < ens_size(); r++) total += lens[r];
    st = ckpt_write_assembled(path, head, nrep_total, all, total);
  }
  free(all);
  free(lens);
  return ens_agree(st);
}

/* Check a checkpoint belongs to this deck's system, settings and replica set. */
md_status rio_check_checkpoint(const md_deck *d, const md_system *s, int ensemble, int R, int nrun, const int *gidx,
                               const unsigned long long *seed, const real_t *temp, const md_checkpoint *ck, const char *path) {
  if (!ensemble && (ck->nrep != 1 || ck->rset_total > 0))
    return md_error(MD_ERR_VALUE, "%s: holds %d replica(s) of a replica set, the deck describes 1 system (no replicas line)", path,
                    ck->rset_total > 0 ? ck->rset_total : ck->nrep);
  if (ensemble) {
    if (ck->rset_total <= 0)
      return md_error(MD_ERR_VALUE, "%s: written by a run without a replicas line; this deck has one (line %d)", path, d->replicas_line);
    if (ck->rset_total != R)
      return md_error(MD_ERR_VALUE, "%s: written by a run of %d replicas, the deck has %d", path, ck->rset_total, R);
    if (ck->rset_seed != deck_ensemble_seed(d))
      return md_error(MD_ERR_VALUE, "%s: written with ensemble seed %llu, the deck's is %llu", path, ck->rset_seed,
                      (unsigned long long)deck_ensemble_seed(d));
    if (ck->rset_first > gidx[0] || ck->rset_first + ck->nrep < gidx[0] + nrun)
      return md_error(MD_ERR_VALUE, "%s: holds replicas %d..%d, this run needs %d..%d", path, ck->rset_first,
                      ck->rset_first + ck->nrep - 1, gidx[0], gidx[0] + nrun - 1);
    for (int j = 0; j < nrun; j++) {
      int k = gidx[j] - ck->rset_first;
      if (ck->rep_seed[k] != seed[j] || ck->rep_temp[k] != temp[j])
        return md_error(MD_ERR_VALUE, "%s: replica %d has seed %llu and %g K there, the deck gives %llu and %g K", path, gidx[j],
                        ck->rep_seed[k], ck->rep_temp[k], (unsigned long long)seed[j], temp[j]);
    }
  }
  for (int k = 0; k < ck->nrep; k++) {
    const md_system *t = ck->rep[k].sys;
    if (t->n != s->n)
      return md_error(MD_ERR_VALUE, "%s: checkpoint has %d atoms but the deck's structure has %d: it belongs to another system", path,
                      t->n, s->n);
    for (int i = 0; i < s->n; i++)
      if (t->id[i] != s->id[i] || t->type[i] != s->type[i])
        return md_error(MD_ERR_VALUE, "%s: atom %d differs from the deck's structure (id %d type %d vs id %d type %d)", path, i + 1,
                        t->id[i], t->type[i], s->id[i], s->type[i]);
    for (int e = 0; e < s->nelem; e++)
      if (e >= t->nelem || strcmp(t->elem[e], s->elem[e]) != 0)
        return md_error(MD_ERR_VALUE, "%s: element list differs from the deck's structure", path);
    for (int q = 0; q < 9; q++)
      if (fabs(t->box.h[q] - s->box.h[q]) > 1e-9 * (1.0 + fabs(s->box.h[q])))
        return md_error(MD_ERR_VALUE, "%s: the cell differs from the deck's structure", path);
    if (t->step != ck->rep[0].sys->step)
      return md_error(MD_ERR_VALUE, "%s: corrupted checkpoint (replicas at different steps)", path);
  }
  if (ck->dt != d->dt) return md_error(MD_ERR_VALUE, "%s: written with timestep %g ps, the deck has %g ps", path, ck->dt, d->dt);
  if (ck->ensemble != d->ensemble)
    return md_error(MD_ERR_VALUE, "%s: written by an %s run, the deck asks for %s", path, ck->ensemble == MD_ENS_NVT ? "nvt" : "nve",
                    d->ensemble == MD_ENS_NVT ? "nvt" : "nve");
  if (d->ensemble == MD_ENS_NVT && ck->chain != d->chain)
    return md_error(MD_ERR_VALUE, "%s: thermostat chain length %d, the deck has %d", path, ck->chain, d->chain);
  for (int k = 0; k < ck->nrep; k++)
    if (d->ensemble == MD_ENS_NVT && ck->rep[k].nhc.nchain != d->chain)
      return md_error(MD_ERR_VALUE, "%s: thermostat chain length %d, the deck has %d", path, ck->rep[k].nhc.nchain, d->chain);
  if (ck->rep[0].sys->step > d->nsteps)
    return md_error(MD_ERR_VALUE, "%s: checkpoint is at step %ld, beyond the deck's run of %ld steps", path, ck->rep[0].sys->step,
                    d->nsteps);
  return MD_OK;
}
