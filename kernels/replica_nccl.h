/* replica_nccl.h — collectives on DEVICE buffers across the MPI ranks of a replica run (one GPU per rank): the
 * ensemble accumulators of a GPU run (e.g. MSD sums kept on the device) reduced or gathered without a trip
 * through the host. NCCL when esnapmd is built with CUDA, MPI and NCCL (ESNAP_HAVE_NCCL); otherwise every call
 * returns MD_ERR_UNSUPPORTED and the CPU MPI path (app/mpi_ens.h: packed trackers gathered to rank 0) is used.
 *
 * Setup (collective, app/mpi_ens.c ens_nccl_create does it): rank 0 makes a unique id
 * (replica_nccl_unique_id), MPI broadcasts its REPLICA_NCCL_ID_BYTES bytes, every rank calls
 * replica_nccl_create with its rank and device (ens_nccl_create first fails on every rank when a node runs
 * more ranks than it has devices: NCCL needs one device per rank). Each call below is collective over the
 * communicator, runs on the communicator's own stream and returns after that stream has finished (results
 * ready on return). Before each collective the communicator's stream waits on an event recorded on the
 * compute stream (replica_nccl_order_after; default the legacy default stream, which follows every blocking
 * stream), so a reduction never reads device buffers that kernels queued before the call are still writing.
 *
 * Device choice (run --device logic): replica_gpu_select(local rank) binds rank k of a node to device
 * k mod (devices of the node). */
#ifndef ESNAP_REPLICA_NCCL_H
#define ESNAP_REPLICA_NCCL_H

#include <stddef.h>

#include "status.h"

MD_EXTERN_C_BEGIN

#define REPLICA_NCCL_ID_BYTES 128 /* sizeof(ncclUniqueId) */

typedef struct replica_nccl replica_nccl;

/* 1 when this build has NCCL. */
int replica_nccl_available(void);
/* Bind this process to device local_rank mod (device count); *device receives it. */
md_status replica_gpu_select(int local_rank, int *device);
/* Rank 0: a new unique id (REPLICA_NCCL_ID_BYTES bytes at id). */
md_status replica_nccl_unique_id(void *id);
/* Collective: the communicator of nranks ranks; this one is `rank`, on `device`. */
md_status replica_nccl_create(replica_nccl **out, const void *id, int nranks, int rank, int device);
void replica_nccl_destroy(replica_nccl **c);
/* The stream (a cudaStream_t, e.g. backend_cuda_stream) whose queued work every later collective waits for;
 * NULL: the legacy default stream. */
void replica_nccl_order_after(replica_nccl *c, void *stream);
int replica_nccl_size(const replica_nccl *c);
int replica_nccl_rank(const replica_nccl *c);
/* d_recv[i] = Σ_ranks d_send[i], i < count, on every rank (in place allowed: d_send == d_recv). */
md_status replica_nccl_allreduce_sum(replica_nccl *c, const double *d_send, double *d_recv, size_t count);
/* int64 counters (per-lag origin counts) likewise. */
md_status replica_nccl_allreduce_sum_i64(replica_nccl *c, const long long *d_send, long long *d_recv, size_t count);
/* Every rank's `bytes` bytes, concatenated in rank order on every rank (d_recv holds nranks × bytes). */
md_status replica_nccl_allgather(replica_nccl *c, const void *d_send, void *d_recv, size_t bytes);
/* Rank 0 receives counts[r] bytes from rank r at d_recv + displs[r] (each rank passes its own count in
 * `bytes`; counts/displs/d_recv are used on rank 0 only): the per-replica curves the bootstrap needs. */
md_status replica_nccl_gatherv(replica_nccl *c, const void *d_send, size_t bytes, void *d_recv, const size_t *counts,
                               const size_t *displs);

MD_EXTERN_C_END

#endif
