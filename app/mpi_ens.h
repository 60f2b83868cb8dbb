/* mpi_ens.h — the MPI layer of replica ensembles: ranks, agreement on errors, gathers of byte buffers. Compiled
 * with or without MPI (ESNAP_HAVE_MPI); without it, or when the process was not started by an MPI launcher,
 * there is one rank and every call is a no-op or a copy.
 *
 * MPI is started (MPI_Init_thread, MPI_THREAD_FUNNELED: only the main thread calls MPI) by ens_init when a
 * launcher's environment is present (OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK, MV2_COMM_WORLD_SIZE,
 * ESNAPMD_MPI=1; ESNAPMD_MPI=0 disables it). Launched as P > 1 processes by an mpirun whose MPI library is not the
 * one esnapmd was built with (every process would think it is alone and they would overwrite each other's
 * files), or by any mpirun with a build without MPI, ens_init fails with a message saying so.
 *
 * Collectives: every rank must make the same calls in the same order. Errors are made collective with
 * ens_agree: each rank passes its status; if any failed, every rank gets the status and the one-line message
 * of the lowest failing rank, so all stop together and rank 0 can print the reason once. */
#ifndef ESNAP_MPI_ENS_H
#define ESNAP_MPI_ENS_H

#include <stddef.h>

#include "status.h"

MD_EXTERN_C_BEGIN

/* Start MPI when launched by mpirun (see above). Idempotent. */
md_status ens_init(int *argc, char ***argv);
/* Finalize MPI if ens_init started it. */
void ens_finalize(void);
/* 1 when MPI is running with more than one rank. */
int ens_active(void);
int ens_rank(void);        /* 0 without MPI */
int ens_size(void);        /* 1 without MPI */
int ens_local_rank(void);  /* rank among the processes of this node (GPU choice: local rank mod devices) */
int ens_local_size(void);  /* processes of this node (1 without MPI) */

/* Collective: MD_OK everywhere when every rank passes MD_OK; else every rank returns the status and message
 * of the lowest failing rank ("rank K: " prepended on the others when there is more than one rank). */
md_status ens_agree(md_status st);
/* Collective element-wise maximum / sum over ranks, in place. */
md_status ens_max(double *v, int n);
md_status ens_sum(double *v, int n);
/* Collective: byte buffers of every rank concatenated in rank order on rank 0: *all (malloc'ed, on rank 0
 * only, NULL elsewhere) and lens[r] (malloc'ed, ens_size() entries, rank 0 only). */
md_status ens_gather_bytes(const void *data, size_t len, unsigned char **all, size_t **lens);
/* Collective: broadcast len bytes from root. */
/* Collective, for per-replica analysis states: every rank but 0 packs its nloc states with pack(ctx, k, &data, &len)
 * (data malloc'ed) and rank 0 receives them, in rank order, as records (u64 length, bytes) in *all (malloc'ed, rank
 * 0 only; rank 0's own states are not in it). Read them with ens_next_record. A failed pack anywhere fails all ranks. */
md_status ens_gather_packed(int nloc, md_status (*pack)(void *ctx, int k, void **data, size_t *len), void *ctx, unsigned char **all);
/* The record at *off of a buffer from ens_gather_packed: its bytes and length; *off moves past it. */
const unsigned char *ens_next_record(const unsigned char *all, size_t *off, size_t *len);
md_status ens_bcast_bytes(void *data, size_t len, int root);
void ens_barrier(void);
/* Collective, for an error every rank agrees on (ens_agree) at the end of a run over several ranks: rank 0 prints
 * "esnapmd: MESSAGE" and flushes, then every rank waits for it, so that no rank's exit can end the job before the
 * message is out. Without MPI, or on one rank, it does nothing and main() prints. */
void ens_report_error(md_status st);
/* 1 when ens_report_error has printed this process's error. */
int ens_error_reported(void);

/* GPU runs (CUDA builds): bind this rank to device (local rank mod devices of the node); *device receives it. */
md_status ens_select_gpu(int *device);
/* MD_OK when `local_ranks` processes of a node can each have a device of their own among `ndev`; else
 * MD_ERR_DEVICE with a message naming both counts (NCCL cannot put two ranks of a communicator on one device). */
md_status ens_check_devices(int local_ranks, int ndev);
/* Collective: an NCCL communicator over every rank, this rank on `device` (kernels/replica_nccl.h): rank 0 makes
 * the unique id, MPI broadcasts it. Fails on every rank (ens_check_devices) when a node runs more ranks than it
 * has devices. MD_ERR_UNSUPPORTED on every rank in builds without CUDA + MPI + NCCL. */
struct replica_nccl;
md_status ens_nccl_create(struct replica_nccl **out, int device);

MD_EXTERN_C_END

#endif
