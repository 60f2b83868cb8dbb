/* replica_deck.h — internal to the deck parser (deck.c): the parsers of the ensemble keywords (`replicas`,
 * `diffusion`, `sweep`). Messages name deck:line. */
#ifndef ESNAP_REPLICA_DECK_H
#define ESNAP_REPLICA_DECK_H

#include "deck.h"
#include "textfile.h"

MD_EXTERN_C_BEGIN

md_status deck_parse_replicas(const textfile *t, md_deck *d);
md_status deck_parse_diffusion(const textfile *t, md_deck *d);
md_status deck_parse_sweep(const textfile *t, md_deck *d);

MD_EXTERN_C_END

#endif
