#!/usr/bin/env bash
# tools/fuzz_campaign.sh MINUTES [JOBS] [REPORT.md] — a fuzz campaign: builds the libFuzzer harnesses (fuzz/,
# clang with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer) and runs every harness for MINUTES
# of wall clock, JOBS harnesses at a time (default 2; 8 harnesses on 2 jobs take 4 x MINUTES), each stopping at
# its first finding. Grown corpora are kept outside the repository in build/fuzz-corpus/HARNESS and reused by
# the next campaign; logs and reproducers go to build/fuzz-campaign/. Writes a Markdown results table with
# machine, date and commit to REPORT.md (default bench/results/fuzz_DATE.md) and exits 1 on any finding.
#   Environment: ESNAP_FUZZ_BUILD (build directory of the harnesses, default build/fuzz-campaign-bin),
#   CC (clang to use, default clang).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: tools/fuzz_campaign.sh MINUTES [JOBS] [REPORT.md]" >&2
  exit 2
fi
MINUTES="$1" JOBS="${2:-2}"
REPORT="${3:-bench/results/fuzz_$(date -u +%Y-%m-%d).md}"
case "$MINUTES$JOBS" in *[!0-9]*) echo "fuzz_campaign: MINUTES and JOBS are positive integers" >&2; exit 2 ;; esac
BUILD="${ESNAP_FUZZ_BUILD:-build/fuzz-campaign-bin}"

cmake -S fuzz -B "$BUILD" -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DESNAP_FUZZ_COMMIT="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" >/dev/null
cmake --build "$BUILD" -j "$JOBS" >/dev/null
mkdir -p build/fuzz-corpus "$(dirname "$REPORT")"
exec bash fuzz/fuzz_run.sh --bin "$BUILD" --seconds $((MINUTES * 60)) --jobs "$JOBS" --work build/fuzz-campaign \
  --corpus build/fuzz-corpus --report "$REPORT"
