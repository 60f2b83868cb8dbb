/* fuzz_util.h — glue shared by the libFuzzer harnesses (fuzz/fuzz_*.c): the readers take file paths, so each
 * input is written to a file in a private scratch directory; inputs of several files are split at separator
 * lines; inputs matching a known-finding pattern (fuzz/known/HARNESS.skip) are skipped.
 *
 * Scratch directory: $ESNAP_FUZZ_TMP, else /dev/shm, else /tmp; one sub-directory per process, removed at a
 * normal exit (the scripts point ESNAP_FUZZ_TMP at a directory they remove, for crashed runs). */
#ifndef ESNAP_FUZZ_UTIL_H
#define ESNAP_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Separator line between the files of a multi-file input (model + .snapcoeff + .snapparam). */
#define FZ_SEPARATOR "\n%%%%\n"

/* Once, from LLVMFuzzerInitialize: make the scratch directory and load fuzz/known/HARNESS.skip. */
void fz_init(const char *harness);
/* Write bytes to `name` in the scratch directory; out[MD_PATH_LEN] receives its path. Aborts on an I/O error (the harness
 * cannot test anything without its file). */
void fz_write(const char *name, const uint8_t *data, size_t size, char *out);
/* 1 when the input matches a pattern of the harness's known list (a finding that another change fixes). */
int fz_known(const uint8_t *data, size_t size);
/* The usual start of a harness: 0 when the input is known (skip it), else 1 with the input written to `name`
 * in the scratch directory and its path in out[MD_PATH_LEN]. */
int fz_take(const char *name, const uint8_t *data, size_t size, char *out);
/* Split at FZ_SEPARATOR into at most maxparts parts (the last keeps any further separators); returns the count. */
int fz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len, int maxparts);
/* Whole contents of a file of the source tree (ESNAP_SOURCE_DIR/rel), malloc'ed, for fixed companion files. */
uint8_t *fz_slurp(const char *rel, size_t *size);

#ifdef __cplusplus
}
#endif

#endif
