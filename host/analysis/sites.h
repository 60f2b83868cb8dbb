/* sites.h — site projection (Voronoi cells of crystallographic sites) of one species' ions, per frame: which site
 * each ion belongs to, which sites are vacant and which hold two or more ions (split interstitials).
 *
 * Sites are fixed in fractional coordinates of the cell, so a frame's cell (any triclinic cell) carries them.
 * An ion belongs to its nearest site under periodic boundaries: the Voronoi cell of that site. The search walks
 * a grid of bins over the fractional cell (each bin at least SITES_BIN Å wide along each face normal), visiting
 * the bins within m of the ion's bin with their true periodic images, and widens m until the nearest site found
 * is closer than every unvisited bin — exact in any cell, however skewed or small (images of one site in
 * several bins are different images). Ties go to the lower site index.
 *
 * Site sets
 *  - the built-in α-Li3N lattice (host/md/lattice.h): per unit cell Li1 at (0,0,1/2), Li2 at (1/3,2/3,0) and
 *    (2/3,1/3,0), labels "Li1" and "Li2"; the n1×n2×n3 replication is given or found from the cell and the ion
 *    count (each cell vector divided by its repeat must give |a| = |b|, 120° between a and b, c ⟂ a, b, and c/a
 *    closest to that of α-Li3N). The lattice's origin is the cell's origin (N at 0,0,0), as built by `structure
 *    li3n`.
 *  - a site file (text, '#' comments):
 *        cell ax ay az bx by bz cx cy cz      the cell the sites belong to (Å, rows = cell vectors), required
 *                                             first; it must match the run's cell (1e-3 Å + 1e-6 relative)
 *        frac LABEL f1 f2 f3                  a site in fractional coordinates of that cell
 *        cart LABEL x y z                     a site in Cartesian coordinates (Å)
 *    at most SITES_MAX_LABELS labels (≤ 15 characters); the number of sites must equal the number of ions.
 *    Errors name file:line.
 *
 * Per-frame result (sites_frame_counts): for each label and for all sites together, the fraction of sites with
 * no ion (vacant) and with two or more ions (multiple). */
#ifndef ESNAP_SITES_H
#define ESNAP_SITES_H

#include "binbuf.h"
#include "status.h"
#include "tseries.h"
#include "types.h"

MD_EXTERN_C_BEGIN

#define SITES_MAX_LABELS 8
#define SITES_LABEL_LEN 16
#define SITES_BIN 2.0 /* Å: smallest bin width of the search grid */

typedef struct site_set {
  int n;                                       /* sites */
  int nlabel;
  char label[SITES_MAX_LABELS][SITES_LABEL_LEN];
  int count[SITES_MAX_LABELS];                 /* sites per label */
  int *lab;                                    /* [n] label index */
  double *s;                                   /* [3n] fractional coordinates in [0,1) */
  char source[MD_PATH_LEN];                    /* "α-Li3N lattice 3x3x3" or the file */
} site_set;

/* α-Li3N sites for a cell holding nion Li ions. cells: the repeats n1 n2 n3, or NULL/zeros to find them from
 * the cell; `where` names the input for messages. */
md_status site_set_li3n(site_set **out, const md_box *box, int nion, const int *cells, const char *where);
/* Sites from a file (format above) for the cell `box` and nion ions. */
md_status site_set_read(site_set **out, const char *path, const md_box *box, int nion);
void site_set_destroy(site_set **s);

/* Site search of one set in one cell (bins are rebuilt when the cell changes). */
typedef struct site_finder site_finder;
md_status site_finder_create(site_finder **out, const site_set *set);
void site_finder_destroy(site_finder **f);
/* site[i] = nearest site of ion i at (x[i], y[i], z[i]) (any image) in cell box; occ[k] = ions on site k. */
md_status site_finder_assign(site_finder *f, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z,
                             int *site, int *occ);

/* From the occupations occ[n sites]: vac[l], mult[l] for l < nlabel and, at l = nlabel, for all sites. */
void sites_fractions(const site_set *set, const int *occ, double *vac, double *mult);


/* ---- accumulator: per-frame fractions into a time series (tseries.h) -------------------------------------------
 * Columns of the series: vacant fraction of label 0 .. nlabel-1, of all sites, then multiple fraction of label
 * 0 .. nlabel-1, of all sites. */
typedef struct sites_acc {
  site_set *set;        /* owned */
  site_finder *finder;
  int *site;            /* [nion] scratch: site of each ion in the last frame */
  int *occ;             /* [nsites] scratch: occupation in the last frame */
  tseries ts;
} sites_acc;

#define SITES_SERIES_CAP 4096 /* points kept of the time series */

/* Takes ownership of set (also on failure). */
md_status sites_acc_create(sites_acc **out, site_set *set);
void sites_acc_destroy(sites_acc **a);
/* One frame: positions (Å, wrapped or not) of the nion ions, cell, time (ps). */
md_status sites_acc_add(sites_acc *a, const md_box *box, int n, const real_t *x, const real_t *y, const real_t *z, double time);
void sites_acc_pack(const sites_acc *a, binw *w);
md_status sites_acc_unpack(sites_acc *a, binr *r, const char *where);

/* Write DIR/summary.json and the time series (DIR/sites.dat for one replica, DIR/sites_rK.dat, K = names[k],
 * for several) of nrep replicas with the same site set. species: the ions' element (the key of the all-sites
 * entry); inputs: what was analysed (for the summary). Means over replicas; stderr = √(Σ stderr_k²)/nrep. */
md_status sites_write(const char *dir, sites_acc *const *reps, const int *names, int nrep, const char *species,
                      const char *inputs);

MD_EXTERN_C_END

#endif
