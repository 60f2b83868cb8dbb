#include "replica_io.h"

#include <stdlib.h>
#include <string.h>

#include "mpi_ens.h"
#include "replica.h"

static md_status name_of(const char *name, int ensemble, int g, int R, char *out) {
  if (replica_file_name(name, g, R, ensemble, out, MD_PATH_LEN) != 0)
    return md_error(MD_ERR_VALUE, "output name '%.80s' is too long", name);
  return MD_OK;
}

md_status rio_open(rep_out *o, const md_deck *d, int ensemble, int g, int R, const md_system *s, const md_checkpoint *ck,
                   const char *header, FILE *screen) {
  memset(o, 0, sizeof *o);
  o->thermo.fd = -1;
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
    deck_dump spec = d->dump[k];
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
    MD_TRY(dump_writer_open(&o->dump[k], &spec, s, rs, keep, where));
    o->ndump = k + 1;
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
