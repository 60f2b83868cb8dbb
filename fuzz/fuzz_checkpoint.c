/* fuzz_checkpoint.c — libFuzzer harness of the checkpoint reader (host/io/checkpoint.c) and of the saved
 * on-the-fly diffusion state its blobs carry (diffusion_tracker_unpack, host/analysis/diffusion.h; the blob's
 * first 24 bytes are app/replica_diffusion.c's magic, version, Σ T and sample count). An input that starts with
 * the checkpoint magic gets its header's payload length and both CRC-32s recomputed before it is written, so
 * mutations reach the section parser instead of stopping at the checksums; other inputs are read as they are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "diffusion.h"
#include "fuzz_util.h"

#define HEADER_SIZE 40 /* checkpoint.h: magic, version, byte order, real size, header size, length, 2 CRCs */
#define BLOB_HEADER 24 /* diffusion blob: u32 magic, u32 version, f64, i64 */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("checkpoint");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fz_known(data, size)) return 0;
  uint8_t *buf = (uint8_t *)malloc(size ? size : 1);
  if (!buf) abort();
  memcpy(buf, data, size);
  if (size >= HEADER_SIZE && memcmp(buf, "ESNAPCKP", 8) == 0) {
    uint64_t plen = size - HEADER_SIZE;
    uint32_t pcrc = ckpt_crc32(buf + HEADER_SIZE, size - HEADER_SIZE);
    memcpy(buf + 24, &plen, 8);
    memcpy(buf + 32, &pcrc, 4);
    uint32_t hcrc = ckpt_crc32(buf, 36);
    memcpy(buf + 36, &hcrc, 4);
  }
  char path[MD_PATH_LEN];
  fz_write("in.chk", buf, size, path);
  free(buf);
  md_checkpoint c;
  if (ckpt_read(path, &c) == MD_OK) {
    for (int k = 0; k < c.nblob; k++) {
      diffusion_tracker *t = NULL;
      if (c.blob[k].len >= BLOB_HEADER &&
          diffusion_tracker_unpack(&t, c.blob[k].data + BLOB_HEADER, c.blob[k].len - BLOB_HEADER, "blob") == MD_OK)
        diffusion_tracker_destroy(&t);
    }
    (void)ckpt_file_bytes(&c, "thermo");
    ckpt_free(&c);
  }
  return 0;
}
