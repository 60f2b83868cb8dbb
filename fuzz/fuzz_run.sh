#!/usr/bin/env bash
# fuzz/fuzz_run.sh — run every libFuzzer harness (fuzz/fuzz_*.c, one per fuzz/corpus/HARNESS) for a fixed time,
# JOBS at a time, and report each harness's findings; the CI smoke test (ctest label `fuzz`) and
# tools/fuzz_campaign.sh both run it.
#
#   fuzz/fuzz_run.sh --bin DIR --seconds S [--jobs J] [--work DIR] [--corpus DIR] [--report FILE.md] [--only H]
#
#   --bin DIR      the harness executables (fuzz_xyz, ...; the fuzz/ CMake project's build directory)
#   --seconds S    wall-clock seconds per harness (libFuzzer -max_total_time)
#   --jobs J       harnesses run at once (default 1); each is one process on one core
#   --work DIR     logs, artifacts and scratch files (default DIR/run of --bin); emptied first
#   --corpus DIR   grown corpora kept across runs in DIR/HARNESS (default: a fresh copy under --work); the
#                  committed seeds of fuzz/corpus/HARNESS are read every time and never written
#   --report FILE  also write a Markdown results table (harness, executions, exec/s, corpus, coverage, features,
#                  findings, peak RSS) with the machine, date and commit
#   --only H       run harness H only (repeatable)
#   --replay DIR   instead of fuzzing, run each file of DIR/HARNESS/ once through its harness (the regression
#                  inputs of tests/data/fuzz) and fail on any sanitizer report
#
# A finding is anything libFuzzer stops on: a crash or sanitizer report (AddressSanitizer, LeakSanitizer,
# UndefinedBehaviorSanitizer with every check fatal), an input running longer than 10 s (-timeout=10), or more
# than 2048 MB of memory (-rss_limit_mb, -malloc_limit_mb). Each harness stops at its first finding; the
# script prints the reproducer (artifact) path and the command that replays it, and exits 1 when any harness
# found something.
set -uo pipefail
{ # the whole script is one compound command, read before it runs: editing the file cannot disturb a run

SRC="$(cd "$(dirname "$0")/.." && pwd)"
BIN="" SECONDS_EACH="" JOBS=1 WORK="" CORPUS="" REPORT="" ONLY=() REPLAY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) BIN="$2"; shift 2 ;;
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --corpus) CORPUS="$2"; shift 2 ;;
    --report) REPORT="$2"; shift 2 ;;
    --only) ONLY+=("$2"); shift 2 ;;
    --replay) REPLAY="$2"; shift 2 ;;
    *) echo "fuzz_run: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -n "$REPLAY" ] && [ -z "$SECONDS_EACH" ]; then SECONDS_EACH=1; fi
if [ -z "$BIN" ] || [ -z "$SECONDS_EACH" ]; then
  echo "usage: fuzz/fuzz_run.sh --bin DIR --seconds S [--jobs J] [--work DIR] [--corpus DIR] [--report FILE.md] [--only H]" >&2
  exit 2
fi
case "$SECONDS_EACH$JOBS" in *[!0-9]*) echo "fuzz_run: --seconds and --jobs take positive integers" >&2; exit 2 ;; esac
[ "$SECONDS_EACH" -ge 1 ] && [ "$JOBS" -ge 1 ] || { echo "fuzz_run: --seconds and --jobs must be >= 1" >&2; exit 2; }
BIN="$(cd "$BIN" && pwd)" || exit 2
WORK="${WORK:-$BIN/run}"
rm -rf "$WORK"
mkdir -p "$WORK" || exit 2
WORK="$(cd "$WORK" && pwd)"
# the harnesses write each input to a file: in memory (/dev/shm) when there is one
SCRATCH="$(mktemp -d /dev/shm/esnapfuzz.XXXXXX 2>/dev/null || mktemp -d "$WORK/tmp.XXXXXX")" || exit 2
trap 'rm -rf "$SCRATCH"' EXIT

HARNESSES=()
if [ ${#ONLY[@]} -gt 0 ]; then
  HARNESSES=("${ONLY[@]}")
else
  for d in "$SRC"/fuzz/corpus/*/; do # one harness per seed corpus (fuzz/CMakeLists.txt builds the same list)
    HARNESSES+=("$(basename "$d")")
  done
fi
for h in "${HARNESSES[@]}"; do
  [ -x "$BIN/fuzz_$h" ] || { echo "fuzz_run: $BIN/fuzz_$h not built" >&2; exit 2; }
done

# Sanitizer settings: leaks are findings, UB stops at the first report (the build has -fno-sanitize-recover).
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:handle_abort=1:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ESNAP_FUZZ_TMP="$SCRATCH"

if [ -n "$REPLAY" ]; then
  failed=0
  for h in "${HARNESSES[@]}"; do
    [ -d "$REPLAY/$h" ] || continue
    files=("$REPLAY/$h"/*)
    [ -e "${files[0]}" ] || continue
    if "$BIN/fuzz_$h" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 "${files[@]}" > "$WORK/replay_$h.log" 2>&1; then
      echo "fuzz: $h: ${#files[@]} regression input(s) pass"
    else
      failed=1
      echo "fuzz: $h: FINDING replaying $REPLAY/$h (replay one file with: $BIN/fuzz_$h FILE):"
      grep -v '^#[0-9]' "$WORK/replay_$h.log" | tail -40 | sed 's/^/    /'
    fi
  done
  exit $failed
fi

run_one() {
  local h="$1" dir="$WORK/$1"
  mkdir -p "$dir/artifacts"
  local corpus="$dir/corpus"
  if [ -n "$CORPUS" ]; then corpus="$CORPUS/$h"; fi
  mkdir -p "$corpus"
  local dict=() seeds=()
  [ -f "$SRC/fuzz/$h.dict" ] && dict=(-dict="$SRC/fuzz/$h.dict")
  [ -d "$SRC/fuzz/corpus/$h" ] && seeds=("$SRC/fuzz/corpus/$h")
  # the hard limit only matters when libFuzzer itself hangs: it stops on its own after -max_total_time
  timeout -k 10 $((SECONDS_EACH + 120)) "$BIN/fuzz_$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" "$corpus" "${seeds[@]}" \
    > "$dir/log" 2>&1
  echo $? > "$dir/rc"
}

start=$(date +%s)
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
commit="$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
[ -n "$(git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null | head -1)" ] && commit="$commit (with local changes)"
running=0
for h in "${HARNESSES[@]}"; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$h" &
  running=$((running + 1))
done
wait
elapsed=$(( $(date +%s) - start ))

stat_of() { sed -n "s/^stat::$2: *//p" "$WORK/$1/log" | tail -1; }
last_cov() { grep -o "$2: [0-9]*" "$WORK/$1/log" | tail -1 | awk '{print $2}'; }

failed=0
rows=()
for h in "${HARNESSES[@]}"; do
  dir="$WORK/$h"
  rc="$(cat "$dir/rc" 2>/dev/null || echo 99)"
  artifact="$(ls -1 "$dir/artifacts" 2>/dev/null | grep -v '^slow-unit-' | head -1)"
  finding="none"
  if [ "$rc" != 0 ] || [ -n "$artifact" ]; then
    failed=1
    kind="${artifact%%-*}"
    finding="${kind:-exit $rc}"
    echo "fuzz: $h: FINDING ($finding, exit $rc)"
    if [ -n "$artifact" ]; then
      echo "fuzz: $h: reproducer $dir/artifacts/$artifact"
      echo "fuzz: $h: replay with: $BIN/fuzz_$h $dir/artifacts/$artifact"
    fi
    echo "fuzz: $h: last lines of $dir/log:"
    grep -v '^#[0-9]' "$dir/log" | tail -40 | sed 's/^/    /'
  fi
  corpus="$dir/corpus"
  if [ -n "$CORPUS" ]; then corpus="$CORPUS/$h"; fi
  ncorp="$(find "$corpus" -type f | wc -l)"
  kb="$(du -sk "$corpus" | awk '{print $1}')"
  rows+=("| $h | $(stat_of "$h" number_of_executed_units) | $(stat_of "$h" average_exec_per_sec) | $ncorp files, $kb KB | $(last_cov "$h" cov) | $(last_cov "$h" ft) | $finding | $(stat_of "$h" peak_rss_mb) MB |")
done

table() {
  echo "| harness | executions | exec/s | corpus | coverage (edges) | features | findings | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
}
table
echo "fuzz: ${#HARNESSES[@]} harnesses, ${SECONDS_EACH} s each, $JOBS at a time, ${elapsed} s in all; logs in $WORK"

if [ -n "$REPORT" ]; then
  cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)"
  cc="$(sed -n 's/^CMAKE_C_COMPILER:[^=]*=//p' "$BIN/CMakeCache.txt" 2>/dev/null)"
  ccv="$("${cc:-clang}" --version 2>/dev/null | head -1)"
  {
    echo "# Fuzz campaign $(date -u +%Y-%m-%d)"
    echo
    echo "- started: $started; commit: $commit"
    echo "- machine: $(hostname), ${cpu:-unknown CPU}, $(nproc) cores online; $JOBS harness(es) at a time"
    echo "- compiler: ${ccv:-unknown}; -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all, LeakSanitizer on"
    echo "- limits: ${SECONDS_EACH} s per harness (-max_total_time), -timeout=10 s per input, -rss_limit_mb=2048,"
    echo "  -malloc_limit_mb=2048; each harness stops at its first finding; ${elapsed} s wall clock in all"
    echo "- corpus: grown corpus (files, size) after the run, seeded from fuzz/corpus/HARNESS; coverage and"
    echo "  features are libFuzzer's cov/ft counters at the end"
    echo "- result: $([ $failed = 0 ] && echo "no finding" || echo "FINDINGS (see the table)")"
    echo
    table
    echo
    echo "Command: tools/fuzz_campaign.sh $(( (SECONDS_EACH + 59) / 60 )) $JOBS (fuzz/fuzz_run.sh --seconds $SECONDS_EACH --jobs $JOBS)"
  } > "$REPORT"
  echo "fuzz: report written to $REPORT"
fi
exit $failed
}
