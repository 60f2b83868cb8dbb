#include "mpi_ens.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if ESNAP_HAVE_MPI
#include <mpi.h>
#endif
#if ESNAP_HAVE_CUDA
#include "gpu_atoms.h"
#include "replica_nccl.h"
#endif

static int g_started = 0; /* ens_init called MPI_Init */
static int g_rank = 0, g_size = 1, g_local = 0, g_local_size = 1;

/* Process count announced by a launcher's environment (0 when none). */
static int launcher_size(const char **which) {
  static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE"};
  for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++) {
    const char *v = getenv(vars[k]);
    if (v && atoi(v) > 0) {
      if (which) *which = vars[k];
      return atoi(v);
    }
  }
  if (getenv("PMIX_RANK") || getenv("PMI_RANK")) {
    if (which) *which = getenv("PMIX_RANK") ? "PMIX_RANK" : "PMI_RANK";
    return 1;
  }
  return 0;
}

md_status ens_init(int *argc, char ***argv) {
  if (g_started) return MD_OK;
  const char *which = NULL;
  int announced = launcher_size(&which);
  const char *force = getenv("ESNAPMD_MPI");
#if ESNAP_HAVE_MPI
  int want = announced > 0;
  if (force) want = atoi(force) != 0;
  if (!want) return MD_OK;
  int inited = 0;
  MPI_Initialized(&inited);
  if (!inited) {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
      return md_error(MD_ERR_MPI, "MPI_Init_thread failed");
    g_started = 1;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm node;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
    MPI_Comm_rank(node, &g_local);
    MPI_Comm_size(node, &g_local_size);
    MPI_Comm_free(&node);
  }
  if (announced > 1 && g_size == 1) {
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    MPI_Get_library_version(lib, &len);
    lib[strcspn(lib, "\n,")] = '\0';
    ens_finalize();
    return md_error(MD_ERR_MPI, "started as one of %d processes (%s) but MPI reports a single rank: the mpirun used belongs to "
                    "another MPI library than the one esnapmd was built with (%.80s): use that library's mpirun", announced,
                    which, lib);
  }
  return MD_OK;
#else
  (void)argc;
  (void)argv;
  if (announced > 1 && !(force && atoi(force) == 0))
    return md_error(MD_ERR_MPI, "started as one of %d processes (%s), but this esnapmd was built without MPI: every process "
                    "would run the whole deck and overwrite the others' files (rebuild with MPI, or run without mpirun)",
                    announced, which);
  return MD_OK;
#endif
}

void ens_finalize(void) {
#if ESNAP_HAVE_MPI
  if (g_started) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
  }
#endif
  g_started = 0;
  g_size = 1;
  g_local_size = 1;
  /* g_rank is kept: main() prints errors on rank 0 only, after the command returned */
}

int ens_active(void) { return g_size > 1; }
int ens_rank(void) { return g_rank; }
int ens_size(void) { return g_size; }
int ens_local_rank(void) { return g_local; }
int ens_local_size(void) { return g_local_size; }

md_status ens_agree(md_status st) {
#if ESNAP_HAVE_MPI
  if (g_size <= 1) return st;
  int mine = st != MD_OK ? g_size - g_rank : 0, worst = 0;
  if (MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
    return md_error(MD_ERR_MPI, "MPI_Allreduce failed");
  if (worst == 0) return MD_OK;
  int from = g_size - worst;
  struct {
    int code;
    char msg[1000];
  } m;
  memset(&m, 0, sizeof m);
  if (g_rank == from) {
    m.code = (int)st;
    snprintf(m.msg, sizeof m.msg, "%s", md_errmsg());
  }
  if (MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, from, MPI_COMM_WORLD) != MPI_SUCCESS)
    return md_error(MD_ERR_MPI, "MPI_Bcast failed");
  if (g_rank == from) return st;
  if (from == 0) return md_error((md_status)m.code, "%s", m.msg);
  return md_error((md_status)m.code, "rank %d: %s", from, m.msg);
#else
  return st;
#endif
}

#if ESNAP_HAVE_MPI
static md_status reduce(double *v, int n, MPI_Op op) {
  if (g_size <= 1 || n <= 0) return MD_OK;
  if (MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, op, MPI_COMM_WORLD) != MPI_SUCCESS)
    return md_error(MD_ERR_MPI, "MPI_Allreduce failed");
  return MD_OK;
}
#endif

md_status ens_max(double *v, int n) {
#if ESNAP_HAVE_MPI
  return reduce(v, n, MPI_MAX);
#else
  (void)v;
  (void)n;
  return MD_OK;
#endif
}

md_status ens_sum(double *v, int n) {
#if ESNAP_HAVE_MPI
  return reduce(v, n, MPI_SUM);
#else
  (void)v;
  (void)n;
  return MD_OK;
#endif
}

md_status ens_gather_packed(int nloc, md_status (*pack)(void *ctx, int k, void **data, size_t *len), void *ctx, unsigned char **all) {
  *all = NULL;
  unsigned char *buf = NULL;
  size_t blen = 0;
  md_status st = MD_OK;
  for (int k = 0; ens_rank() > 0 && k < nloc && st == MD_OK; k++) {
    void *data = NULL;
    size_t len = 0;
    st = pack(ctx, k, &data, &len);
    if (st != MD_OK) break;
    unsigned char *nb = (unsigned char *)realloc(buf, blen + 8 + len);
    if (!nb) {
      free(data);
      st = md_error(MD_ERR_MEMORY, "out of memory");
      break;
    }
    buf = nb;
    uint64_t n = (uint64_t)len;
    memcpy(buf + blen, &n, 8);
    memcpy(buf + blen + 8, data, len);
    blen += 8 + len;
    free(data);
  }
  st = ens_agree(st);
  size_t *lens = NULL;
  if (st == MD_OK) st = ens_gather_bytes(buf, blen, all, &lens);
  free(buf);
  free(lens);
  return st;
}

const unsigned char *ens_next_record(const unsigned char *all, size_t *off, size_t *len) {
  uint64_t n = 0;
  memcpy(&n, all + *off, 8);
  const unsigned char *p = all + *off + 8;
  *off += 8 + (size_t)n;
  *len = (size_t)n;
  return p;
}

md_status ens_gather_bytes(const void *data, size_t len, unsigned char **all, size_t **lens) {
  *all = NULL;
  *lens = NULL;
  if (g_size <= 1) {
    size_t *l = (size_t *)malloc(sizeof *l);
    unsigned char *a = (unsigned char *)malloc(len ? len : 1);
    if (!l || !a) {
      free(l);
      free(a);
      return md_error(MD_ERR_MEMORY, "out of memory (%zu bytes)", len);
    }
    if (len) memcpy(a, data, len);
    l[0] = len;
    *all = a;
    *lens = l;
    return MD_OK;
  }
#if ESNAP_HAVE_MPI
  /* sizes first (as 64-bit), then the bytes; MPI counts are int, so each rank's share must stay below 2 GiB */
  unsigned long long mine = (unsigned long long)len;
  unsigned long long *sizes = g_rank == 0 ? (unsigned long long *)malloc((size_t)g_size * sizeof *sizes) : NULL;
  int bad = (g_rank == 0 && !sizes) || len > (size_t)INT_MAX;
  int anybad = 0;
  MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (anybad) {
    free(sizes);
    return md_error(MD_ERR_MPI, "gather: a rank's share is over 2 GiB or out of memory on rank 0");
  }
  if (MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, sizes, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
    free(sizes);
    return md_error(MD_ERR_MPI, "MPI_Gather failed");
  }
  int *counts = NULL, *displs = NULL;
  unsigned char *buf = NULL;
  bad = 0;
  if (g_rank == 0) {
    unsigned long long total = 0;
    for (int r = 0; r < g_size; r++) total += sizes[r];
    counts = (int *)malloc((size_t)g_size * sizeof *counts);
    displs = (int *)malloc((size_t)g_size * sizeof *displs);
    buf = (unsigned char *)malloc(total ? (size_t)total : 1);
    bad = !counts || !displs || !buf || total > (unsigned long long)INT_MAX;
    if (!bad) {
      unsigned long long off = 0;
      for (int r = 0; r < g_size; r++) {
        counts[r] = (int)sizes[r];
        displs[r] = (int)off;
        off += sizes[r];
      }
    }
  }
  MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (bad) {
    free(sizes);
    free(counts);
    free(displs);
    free(buf);
    return md_error(MD_ERR_MPI, "gather: more than 2 GiB in total, or out of memory on rank 0");
  }
  int rc = MPI_Gatherv(data, (int)len, MPI_BYTE, buf, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
  free(counts);
  free(displs);
  if (rc != MPI_SUCCESS) {
    free(sizes);
    free(buf);
    return md_error(MD_ERR_MPI, "MPI_Gatherv failed");
  }
  if (g_rank == 0) {
    size_t *l = (size_t *)malloc((size_t)g_size * sizeof *l);
    if (!l) {
      free(sizes);
      free(buf);
      return md_error(MD_ERR_MEMORY, "out of memory");
    }
    for (int r = 0; r < g_size; r++) l[r] = (size_t)sizes[r];
    *all = buf;
    *lens = l;
  }
  free(sizes);
  return MD_OK;
#else
  return md_error(MD_ERR_INTERNAL, "gather without MPI");
#endif
}

md_status ens_bcast_bytes(void *data, size_t len, int root) {
#if ESNAP_HAVE_MPI
  if (g_size <= 1) return MD_OK;
  unsigned char *p = (unsigned char *)data;
  while (len > 0) { /* int counts: 1 GiB pieces */
    int n = len > (size_t)(1 << 30) ? (1 << 30) : (int)len;
    if (MPI_Bcast(p, n, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS) return md_error(MD_ERR_MPI, "MPI_Bcast failed");
    p += n;
    len -= (size_t)n;
  }
  return MD_OK;
#else
  (void)data;
  (void)len;
  (void)root;
  return MD_OK;
#endif
}

static int g_error_reported = 0;

void ens_report_error(md_status st) {
#if ESNAP_HAVE_MPI
  if (g_size <= 1) return;
  if (g_rank == 0) {
    const char *msg = md_errmsg();
    fprintf(stderr, "esnapmd: %s\n", msg[0] ? msg : md_status_name(st));
    fflush(stderr);
  }
  g_error_reported = 1;
  MPI_Barrier(MPI_COMM_WORLD);
#else
  (void)st;
#endif
}

int ens_error_reported(void) { return g_error_reported; }

void ens_barrier(void) {
#if ESNAP_HAVE_MPI
  if (g_size > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

md_status ens_select_gpu(int *device) {
#if ESNAP_HAVE_CUDA
  return replica_gpu_select(g_local, device);
#else
  (void)device;
  return md_error(MD_ERR_UNSUPPORTED, "this esnapmd was built without CUDA");
#endif
}

md_status ens_check_devices(int local_ranks, int ndev) {
  if (ndev < 1) return md_error(MD_ERR_DEVICE, "no CUDA device on this node");
  if (local_ranks > ndev)
    return md_error(MD_ERR_DEVICE, "%d MPI ranks on this node but only %d CUDA device%s: NCCL needs a device per rank (start at "
                    "most %d rank%s per node)", local_ranks, ndev, ndev == 1 ? "" : "s", ndev, ndev == 1 ? "" : "s");
  return MD_OK;
}

md_status ens_nccl_create(struct replica_nccl **out, int device) {
  *out = NULL;
#if ESNAP_HAVE_CUDA && ESNAP_HAVE_MPI && ESNAP_HAVE_NCCL
  int ndev = 0;
  md_status dst = gpu_device_count(&ndev);
  if (dst == MD_OK) dst = ens_check_devices(g_local_size, ndev);
  MD_TRY(ens_agree(dst));
  unsigned char id[REPLICA_NCCL_ID_BYTES];
  memset(id, 0, sizeof id);
  md_status st = g_rank == 0 ? replica_nccl_unique_id(id) : MD_OK;
  MD_TRY(ens_agree(st));
  MD_TRY(ens_bcast_bytes(id, sizeof id, 0));
  return ens_agree(replica_nccl_create(out, id, g_size, g_rank, device));
#else
  (void)device;
  return md_error(MD_ERR_UNSUPPORTED, "NCCL collectives need a build with CUDA, MPI and NCCL (this one has CUDA %d, MPI %d, "
                  "NCCL %d)", ESNAP_HAVE_CUDA, ESNAP_HAVE_MPI, ESNAP_HAVE_NCCL);
#endif
}
