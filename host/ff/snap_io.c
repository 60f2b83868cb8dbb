#include "snap_io.h"

#include <string.h>

#include "ranges.h"
#include "textfile.h"

int snap_nbispectrum(int twojmax) {
  int count = 0;
  for (int j1 = 0; j1 <= twojmax; j1++)
    for (int j2 = 0; j2 <= j1; j2++)
      for (int j = j1 - j2; j <= (twojmax < j1 + j2 ? twojmax : j1 + j2); j += 2)
        if (j >= j1) count++;
  return count;
}

static md_status read_param(snap_params *p, const char *path) {
  textfile t;
  MD_TRY(tf_open(&t, path));
  md_status st = MD_OK;
  int have_rcutfac = 0, have_twojmax = 0;
  int line_switch = 0, line_bzero = 0, line_rfac0 = 0, line_rmin0 = 0; /* where each was set, for messages */
  while (st == MD_OK && tf_next(&t, &st)) {
    const char *key = t.word[0];
    if (t.nwords != 2) {
      st = md_error(MD_ERR_PARSE, "%s:%d: expected 'keyword value', found %d words", path, t.line, t.nwords);
      break;
    }
    int iv = 0;
    if (strcmp(key, "rcutfac") == 0) {
      st = tf_real_range(&t, 1, "rcutfac", 0.0, MD_RANGE_CUTOFF_MAX, "", &p->rcutfac);
      have_rcutfac = 1;
      if (st == MD_OK && !(p->rcutfac > 0)) st = md_error(MD_ERR_VALUE, "%s:%d: rcutfac must be positive", path, t.line);
    } else if (strcmp(key, "twojmax") == 0) {
      st = tf_int(&t, 1, "twojmax", &p->twojmax);
      have_twojmax = 1;
      if (st == MD_OK && (p->twojmax < 0 || p->twojmax > MD_SNAP_MAX_TWOJ))
        st = md_error(MD_ERR_UNSUPPORTED, "%s:%d: twojmax %d is outside 0..%d", path, t.line, p->twojmax, MD_SNAP_MAX_TWOJ);
    } else if (strcmp(key, "rfac0") == 0) {
      st = tf_real(&t, 1, "rfac0", &p->rfac0);
      line_rfac0 = t.line;
    } else if (strcmp(key, "rmin0") == 0) {
      st = tf_real(&t, 1, "rmin0", &p->rmin0);
      line_rmin0 = t.line;
    } else if (strcmp(key, "switchflag") == 0) {
      st = tf_int(&t, 1, "switchflag", &p->switchflag);
      line_switch = t.line;
    } else if (strcmp(key, "bzeroflag") == 0) {
      st = tf_int(&t, 1, "bzeroflag", &p->bzeroflag);
      line_bzero = t.line;
    } else if (strcmp(key, "wselfallflag") == 0) {
      st = tf_int(&t, 1, "wselfallflag", &p->wselfallflag);
    } else if (strcmp(key, "quadraticflag") == 0 || strcmp(key, "chemflag") == 0 || strcmp(key, "bnormflag") == 0 ||
               strcmp(key, "switchinnerflag") == 0) {
      st = tf_int(&t, 1, key, &iv);
      if (st == MD_OK && iv != 0)
        st = md_error(MD_ERR_UNSUPPORTED, "%s:%d: %s %d is not supported yet (linear, single-density SNAP only)", path,
                      t.line, key, iv);
    } else if (strcmp(key, "sinner") == 0 || strcmp(key, "dinner") == 0) {
      st = md_error(MD_ERR_UNSUPPORTED, "%s:%d: %s (inner switching) is not supported yet", path, t.line, key);
    } else if (strcmp(key, "diagonalstyle") == 0 || strcmp(key, "chunksize") == 0 || strcmp(key, "parallelthresh") == 0) {
      /* obsolete (diagonalstyle) or GPU tuning knobs of LAMMPS: ignored */
    } else {
      st = md_error(MD_ERR_PARSE,
                    "%s:%d: unknown SNAP keyword '%s' (known: rcutfac twojmax rfac0 rmin0 switchflag bzeroflag "
                    "wselfallflag quadraticflag chemflag bnormflag)",
                    path, t.line, key);
    }
  }
  int line = t.line;
  tf_close(&t);
  MD_TRY(st);
  if (!have_rcutfac || !have_twojmax)
    return md_error(MD_ERR_PARSE, "%s:%d: rcutfac and twojmax are required", path, line);
  if (p->switchflag != 0 && p->switchflag != 1)
    return md_error(MD_ERR_VALUE, "%s:%d: switchflag must be 0 or 1", path, line_switch);
  if (p->bzeroflag != 0 && p->bzeroflag != 1)
    return md_error(MD_ERR_VALUE, "%s:%d: bzeroflag must be 0 or 1", path, line_bzero);
  if (!(p->rfac0 > 0 && p->rfac0 <= 1.0)) return md_error(MD_ERR_VALUE, "%s:%d: rfac0 must be in (0, 1]", path, line_rfac0);
  if (p->rmin0 < 0) return md_error(MD_ERR_VALUE, "%s:%d: rmin0 must be non-negative", path, line_rmin0);
  return MD_OK;
}

static md_status read_coeff(snap_params *p, const char *path) {
  textfile t;
  MD_TRY(tf_open(&t, path));
  md_status st = MD_OK;
  int expect = 1 + snap_nbispectrum(p->twojmax);
  int nelem = 0, ncoeff = 0;
  if (!tf_next(&t, &st)) {
    if (st == MD_OK) st = md_error(MD_ERR_PARSE, "%s: no 'nelements ncoeff' line (empty file?)", path);
    goto done;
  }
  if (t.nwords != 2) {
    st = md_error(MD_ERR_PARSE, "%s:%d: expected 'nelements ncoeff'", path, t.line);
    goto done;
  }
  if ((st = tf_int(&t, 0, "number of elements", &nelem)) != MD_OK) goto done;
  if ((st = tf_int(&t, 1, "number of coefficients", &ncoeff)) != MD_OK) goto done;
  if (nelem < 1 || nelem > MD_MAX_ELEM) {
    st = md_error(MD_ERR_VALUE, "%s:%d: %d elements (1..%d supported)", path, t.line, nelem, MD_MAX_ELEM);
    goto done;
  }
  if (ncoeff != expect) {
    st = md_error(MD_ERR_VALUE,
                  "%s:%d: %d coefficients per element, but twojmax %d (linear SNAP) needs %d (beta0 + %d bispectrum)",
                  path, t.line, ncoeff, p->twojmax, expect, expect - 1);
    goto done;
  }
  p->nelem = nelem;
  p->ncoeff = ncoeff;
  for (int e = 0; e < nelem; e++) {
    if (!tf_next(&t, &st)) {
      if (st == MD_OK)
        st = md_error(MD_ERR_PARSE, "%s:%d: file ends before element %d of %d", path, t.line, e + 1, nelem);
      goto done;
    }
    if (t.nwords != 3) {
      st = md_error(MD_ERR_PARSE, "%s:%d: expected 'element radius weight', found %d words", path, t.line, t.nwords);
      goto done;
    }
    if (strlen(t.word[0]) >= MD_NAME_LEN) {
      st = md_error(MD_ERR_VALUE, "%s:%d: element name '%s' is too long", path, t.line, t.word[0]);
      goto done;
    }
    strcpy(p->elem[e], t.word[0]);
    for (int k = 0; k < e; k++)
      if (strcmp(p->elem[k], p->elem[e]) == 0) {
        st = md_error(MD_ERR_VALUE, "%s:%d: element '%s' appears twice", path, t.line, p->elem[e]);
        goto done;
      }
    if ((st = tf_real(&t, 1, "radius", &p->radius[e])) != MD_OK) goto done;
    if ((st = tf_real(&t, 2, "weight", &p->weight[e])) != MD_OK) goto done;
    if (!(p->radius[e] > 0)) {
      st = md_error(MD_ERR_VALUE, "%s:%d: radius must be positive", path, t.line);
      goto done;
    }
    /* the pair cutoffs rcutfac (R_i + R_j) lie between those of the smallest and the largest radius */
    const real_t rc = 2.0 * p->rcutfac * p->radius[e];
    if (!(rc <= MD_RANGE_CUTOFF_MAX)) {
      st = md_error(MD_ERR_VALUE, "%s:%d: radius %s gives the pair cutoff rcutfac x 2R = %g A, beyond %g A", path, t.line,
                    t.word[1], rc, MD_RANGE_CUTOFF_MAX);
      goto done;
    }
    if (!(p->rmin0 < rc)) {
      st = md_error(MD_ERR_VALUE, "%s:%d: radius %s gives the pair cutoff rcutfac x 2R = %g A, not above rmin0 %g A", path,
                    t.line, t.word[1], rc, p->rmin0);
      goto done;
    }
    int k = 0;
    while (k < ncoeff) {
      if (!tf_next(&t, &st)) {
        if (st == MD_OK)
          st = md_error(MD_ERR_PARSE, "%s:%d: file ends after %d of %d coefficients for element %s", path, t.line, k,
                        ncoeff, p->elem[e]);
        goto done;
      }
      if (t.nwords != 1) {
        st = md_error(MD_ERR_PARSE, "%s:%d: expected one coefficient per line (element %s has %d of %d so far)", path,
                      t.line, p->elem[e], k, ncoeff);
        goto done;
      }
      if ((st = tf_real(&t, 0, "coefficient", &p->beta[e * ncoeff + k])) != MD_OK) goto done;
      k++;
    }
  }
  if (tf_next(&t, &st) && st == MD_OK)
    st = md_error(MD_ERR_PARSE, "%s:%d: unexpected extra line after the last coefficient ('%s'); wrong coefficient count?",
                  path, t.line, t.word[0]);
done:
  tf_close(&t);
  return st;
}

md_status snap_read(snap_params *p, const char *coeff_path, const char *param_path) {
  memset(p, 0, sizeof *p);
  p->rfac0 = 0.99363;
  p->rmin0 = 0.0;
  p->switchflag = 1;
  p->bzeroflag = 1;
  MD_TRY(read_param(p, param_path));
  MD_TRY(read_coeff(p, coeff_path));
  snprintf(p->source, sizeof p->source, "%s", coeff_path);
  return MD_OK;
}
