/* deck_words.h — internal to the deck parser (deck.c, replica_deck.c): the value of word k of the current deck
 * line as a number, seed or file name, with messages that name deck:line and the keyword's usage. */
#ifndef ESNAP_DECK_WORDS_H
#define ESNAP_DECK_WORDS_H

#include <stdint.h>

#include "status.h"
#include "textfile.h"
#include "types.h"

MD_EXTERN_C_BEGIN

/* word k exists (else "missing value (usage: ...)") */
md_status deck_need(const textfile *t, int k, const char *usage);
md_status deck_get_real(const textfile *t, int k, const char *what, const char *usage, real_t *out);
md_status deck_get_long(const textfile *t, int k, const char *what, const char *usage, long *out);
md_status deck_get_positive_long(const textfile *t, int k, const char *what, const char *usage, long *out);
md_status deck_get_seed(const textfile *t, int k, uint64_t *out);
md_status deck_extra_word(const textfile *t, int k);
/* value (already read from word k) in [lo, hi] (unit: for the message, e.g. "K"; "" for none); out of range is
 * refused naming the range, so that values outside any physically meaningful range never reach a search or a loop */
md_status deck_check_range(const textfile *t, int k, const char *what, real_t lo, real_t hi, const char *unit,
                           real_t value);
/* an output file name (relative to the output directory) */
md_status deck_out_name(const textfile *t, int k, char *dst, const char *usage);

MD_EXTERN_C_END

#endif
