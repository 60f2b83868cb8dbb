// replica_nccl.cu — NCCL collectives on device buffers for replica runs over MPI ranks (replica_nccl.h).
#include "replica_nccl.h"

#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>

#include "cuda_check.h"

#if ESNAP_HAVE_NCCL
#include <nccl.h>

static_assert(sizeof(ncclUniqueId) == REPLICA_NCCL_ID_BYTES, "REPLICA_NCCL_ID_BYTES must equal sizeof(ncclUniqueId)");

#define NCCL_CHECK(call)                                                                                   \
  do {                                                                                                     \
    ncclResult_t esnap_n_ = (call);                                                                        \
    if (esnap_n_ != ncclSuccess)                                                                           \
      return md_error(MD_ERR_DEVICE, "NCCL error at %s:%d: %s (%s)", __FILE__, __LINE__,                  \
                      ncclGetErrorString(esnap_n_), #call);                                                \
  } while (0)

struct replica_nccl {
  ncclComm_t comm;
  cudaStream_t stream;  // the collectives'
  cudaStream_t after;   // the compute stream they wait for (nullptr: the legacy default stream)
  cudaEvent_t ready;    // recorded on `after` before each collective
  int nranks, rank, device;
};

extern "C" int replica_nccl_available(void) { return 1; }

extern "C" md_status replica_nccl_unique_id(void *id) {
  ncclUniqueId u;
  NCCL_CHECK(ncclGetUniqueId(&u));
  std::memcpy(id, &u, sizeof u);
  return MD_OK;
}

extern "C" md_status replica_nccl_create(replica_nccl **out, const void *id, int nranks, int rank, int device) {
  *out = nullptr;
  if (nranks < 1 || rank < 0 || rank >= nranks)
    return md_error(MD_ERR_INTERNAL, "replica_nccl_create: rank %d of %d", rank, nranks);
  CUDA_CHECK(cudaSetDevice(device));
  replica_nccl *c = static_cast<replica_nccl *>(std::calloc(1, sizeof *c));
  if (!c) return md_error(MD_ERR_MEMORY, "out of memory");
  c->nranks = nranks;
  c->rank = rank;
  c->device = device;
  // blocking stream: callers fill/read the device buffers with cudaMemcpy/cudaMemset on the legacy default
  // stream; a cudaStreamNonBlocking stream would not be ordered after them
  cudaError_t e = cudaStreamCreate(&c->stream);
  if (e != cudaSuccess) {
    std::free(c);
    return md_error(MD_ERR_DEVICE, "CUDA error at %s:%d: %s (cudaStreamCreate)", __FILE__, __LINE__,
                    cudaGetErrorString(e));
  }
  e = cudaEventCreateWithFlags(&c->ready, cudaEventDisableTiming);
  if (e != cudaSuccess) {
    cudaStreamDestroy(c->stream);
    std::free(c);
    return md_error(MD_ERR_DEVICE, "CUDA error at %s:%d: %s (cudaEventCreate)", __FILE__, __LINE__, cudaGetErrorString(e));
  }
  ncclUniqueId u;
  std::memcpy(&u, id, sizeof u);
  ncclResult_t r = ncclCommInitRank(&c->comm, nranks, u, rank);
  if (r != ncclSuccess) {
    cudaEventDestroy(c->ready);
    cudaStreamDestroy(c->stream);
    std::free(c);
    return md_error(MD_ERR_DEVICE, "NCCL error at %s:%d: %s (ncclCommInitRank of rank %d of %d on device %d)", __FILE__,
                    __LINE__, ncclGetErrorString(r), rank, nranks, device);
  }
  *out = c;
  return MD_OK;
}

extern "C" void replica_nccl_destroy(replica_nccl **pc) {
  if (!pc || !*pc) return;
  replica_nccl *c = *pc;
  ncclCommDestroy(c->comm);
  cudaEventDestroy(c->ready);
  cudaStreamDestroy(c->stream);
  std::free(c);
  *pc = nullptr;
}

extern "C" int replica_nccl_size(const replica_nccl *c) { return c->nranks; }
extern "C" int replica_nccl_rank(const replica_nccl *c) { return c->rank; }

extern "C" void replica_nccl_order_after(replica_nccl *c, void *stream) { c->after = (cudaStream_t)stream; }

// The communicator's stream after everything queued so far on the compute stream.
static md_status order(replica_nccl *c) {
  CUDA_CHECK(cudaEventRecord(c->ready, c->after));
  CUDA_CHECK(cudaStreamWaitEvent(c->stream, c->ready, 0));
  return MD_OK;
}

static md_status finish(replica_nccl *c) {
  CUDA_CHECK(cudaStreamSynchronize(c->stream));
  return MD_OK;
}

extern "C" md_status replica_nccl_allreduce_sum(replica_nccl *c, const double *d_send, double *d_recv, size_t count) {
  if (count == 0) return MD_OK;
  MD_TRY(order(c));
  NCCL_CHECK(ncclAllReduce(d_send, d_recv, count, ncclDouble, ncclSum, c->comm, c->stream));
  return finish(c);
}

extern "C" md_status replica_nccl_allreduce_sum_i64(replica_nccl *c, const long long *d_send, long long *d_recv,
                                                    size_t count) {
  if (count == 0) return MD_OK;
  MD_TRY(order(c));
  NCCL_CHECK(ncclAllReduce(d_send, d_recv, count, ncclInt64, ncclSum, c->comm, c->stream));
  return finish(c);
}

extern "C" md_status replica_nccl_allgather(replica_nccl *c, const void *d_send, void *d_recv, size_t bytes) {
  if (bytes == 0) return MD_OK;
  MD_TRY(order(c));
  NCCL_CHECK(ncclAllGather(d_send, d_recv, bytes, ncclUint8, c->comm, c->stream));
  return finish(c);
}

extern "C" md_status replica_nccl_gatherv(replica_nccl *c, const void *d_send, size_t bytes, void *d_recv,
                                          const size_t *counts, const size_t *displs) {
  unsigned char *dst = static_cast<unsigned char *>(d_recv);
  MD_TRY(order(c));
  if (c->rank == 0) {
    if (counts[0] != bytes) return md_error(MD_ERR_INTERNAL, "replica_nccl_gatherv: rank 0 sends %zu bytes, counts[0] = %zu",
                                            bytes, counts[0]);
    if (bytes > 0) CUDA_CHECK(cudaMemcpyAsync(dst + displs[0], d_send, bytes, cudaMemcpyDeviceToDevice, c->stream));
  }
  NCCL_CHECK(ncclGroupStart());
  if (c->rank == 0) {
    for (int r = 1; r < c->nranks; r++)
      if (counts[r] > 0) {
        ncclResult_t e = ncclRecv(dst + displs[r], counts[r], ncclUint8, r, c->comm, c->stream);
        if (e != ncclSuccess) {
          ncclGroupEnd();
          return md_error(MD_ERR_DEVICE, "NCCL error at %s:%d: %s (ncclRecv from rank %d)", __FILE__, __LINE__,
                          ncclGetErrorString(e), r);
        }
      }
  } else if (bytes > 0) {
    ncclResult_t e = ncclSend(d_send, bytes, ncclUint8, 0, c->comm, c->stream);
    if (e != ncclSuccess) {
      ncclGroupEnd();
      return md_error(MD_ERR_DEVICE, "NCCL error at %s:%d: %s (ncclSend)", __FILE__, __LINE__, ncclGetErrorString(e));
    }
  }
  NCCL_CHECK(ncclGroupEnd());
  return finish(c);
}

#else /* no NCCL in this build */

struct replica_nccl {
  int nranks, rank;
};

static md_status no_nccl(void) {
  return md_error(MD_ERR_UNSUPPORTED, "this esnapmd was built without NCCL (CUDA, MPI and nccl.h/libnccl are all needed): device "
                  "buffers are reduced through the host MPI path");
}

extern "C" int replica_nccl_available(void) { return 0; }
extern "C" md_status replica_nccl_unique_id(void *) { return no_nccl(); }
extern "C" md_status replica_nccl_create(replica_nccl **out, const void *, int, int, int) {
  *out = nullptr;
  return no_nccl();
}
extern "C" void replica_nccl_destroy(replica_nccl **pc) {
  if (pc) *pc = nullptr;
}
extern "C" void replica_nccl_order_after(replica_nccl *, void *) {}
extern "C" int replica_nccl_size(const replica_nccl *c) { return c ? c->nranks : 1; }
extern "C" int replica_nccl_rank(const replica_nccl *c) { return c ? c->rank : 0; }
extern "C" md_status replica_nccl_allreduce_sum(replica_nccl *, const double *, double *, size_t) { return no_nccl(); }
extern "C" md_status replica_nccl_allreduce_sum_i64(replica_nccl *, const long long *, long long *, size_t) { return no_nccl(); }
extern "C" md_status replica_nccl_allgather(replica_nccl *, const void *, void *, size_t) { return no_nccl(); }
extern "C" md_status replica_nccl_gatherv(replica_nccl *, const void *, size_t, void *, const size_t *, const size_t *) {
  return no_nccl();
}

#endif

extern "C" md_status replica_gpu_select(int local_rank, int *device) {
  int n = 0;
  CUDA_CHECK(cudaGetDeviceCount(&n));
  if (n < 1) return md_error(MD_ERR_DEVICE, "no CUDA device on this node");
  int dev = (local_rank < 0 ? 0 : local_rank) % n;
  CUDA_CHECK(cudaSetDevice(dev));
  if (device) *device = dev;
  return MD_OK;
}
