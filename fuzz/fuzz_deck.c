/* fuzz_deck.c — libFuzzer harness of the `esnapmd run` deck parser (app/deck.c): parse only, never run. The
 * deck's directory holds empty files s.xyz, s.data and m.model for its structure and model lines to name. */
#include <stdint.h>
#include <stdlib.h>

#include "backend.h"
#include "deck.h"
#include "fuzz_util.h"

static md_deck g_deck;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fz_init("deck");
  char path[MD_PATH_LEN];
  fz_write("s.xyz", (const uint8_t *)"", 0, path);
  fz_write("s.data", (const uint8_t *)"", 0, path);
  fz_write("m.model", (const uint8_t *)"", 0, path);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[MD_PATH_LEN];
  if (!fz_take("in.deck", data, size, path)) return 0;
  if (deck_read(&g_deck, path) == MD_OK) {
    int nrep = deck_replicas(&g_deck);
    for (int k = 0; k < nrep && k < DECK_MAX_TEMPS; k++) (void)deck_replica_temperature(&g_deck, k);
    (void)deck_ensemble_seed(&g_deck);
    md_backend_options o;
    deck_backend_options(&g_deck, 300.0, &o);
    (void)deck_set_output(&g_deck, "out");
  }
  return 0;
}
