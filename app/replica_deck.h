/* replica_deck.h — internal to the deck parser: the word helpers of host/deck.c and the parsers of the
 * ensemble keywords in host/replica_deck.c (`replicas`, `diffusion`, `sweep`). Messages name deck:line. */
#ifndef ESNAP_REPLICA_DECK_H
#define ESNAP_REPLICA_DECK_H

#include <stdint.h>

#include "deck.h"
#include "textfile.h"

MD_EXTERN_C_BEGIN

/* word k exists (else "missing value (usage: ...)") */
md_status deck_need(const textfile *t, int k, const char *usage);
md_status deck_get_real(const textfile *t, int k, const char *what, const char *usage, real_t *out);
md_status deck_get_long(const textfile *t, int k, const char *what, const char *usage, long *out);
md_status deck_get_positive_long(const textfile *t, int k, const char *what, const char *usage, long *out);
md_status deck_get_seed(const textfile *t, int k, uint64_t *out);
md_status deck_extra_word(const textfile *t, int k);
/* an output file name (relative to the output directory) */
md_status deck_out_name(const textfile *t, int k, char *dst, const char *usage);

md_status deck_parse_replicas(const textfile *t, md_deck *d);
md_status deck_parse_diffusion(const textfile *t, md_deck *d);
md_status deck_parse_sweep(const textfile *t, md_deck *d);

MD_EXTERN_C_END

#endif
