#!/usr/bin/env bash
# gpu_check_stub_test.sh — the logic of tools/gpu_check.sh without a GPU: stub nvidia-smi, compute-sanitizer,
# esnapmd, cmake and ctest first on PATH (GPU_CHECK_ESNAPMD / GPU_CHECK_BUILD_DIR / GPU_CHECK_CARRY point the
# script at them, GPU_CHECK_T_* give it short stage limits), one run per case, and the summary it writes
# ($OUT/gpu_check.md) checked:
#   clean        every stage ok, summary OK, every stage row present, racecheck's own summary format read as clean
#   racy         racecheck reports hazards -> the racecheck row FAILED, PROBLEMS; commit read from the carry
#                folder when git is unavailable
#   hanging      a stage that sleeps past its limit is killed (TIMED OUT) and the later stages still run
#   budget       the same hang under a small total budget: the later stages are named as skipped
#   killed       the whole script killed during a hanging stage: the partial summary holds what came before
#   killed bench the bench killed mid-way: its rows printed so far are kept, the stage is TIMED OUT
#   no CUDA      nvidia-smi lists a GPU but the build has no CUDA backend: build FAILED, no GPU stage runs
# Registered in ctest (CMakeLists.txt: gpu_check_stub); about 15 s. Usage: gpu_check_stub_test.sh [SOURCE_DIR]
set -u
src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
script=$src/tools/gpu_check.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu_check_stub.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
bin=$work/bin
mkdir -p "$bin" "$work/carry"
failures=0

# ---- stubs (behaviour set by STUB_* variables of each case) ----
cat > "$bin/nvidia-smi" <<'EOF'
#!/usr/bin/env bash
case "${1:-}" in
  --query-gpu=*) echo "NVIDIA H200 (stub), 570.00, 143771 MiB" ;;
  *) echo "| NVIDIA-SMI 570.00    Driver Version: 570.00    CUDA Version: 13.0 |" ;;
esac
EOF
cat > "$bin/cmake" <<'EOF'
#!/usr/bin/env bash
echo "stub cmake $*"
EOF
cat > "$bin/ctest" <<'EOF'
#!/usr/bin/env bash
echo "$*" >> "$STUB_LOG/ctest.args"
cat <<'OUT'
Test project /stub/build
1/3 Test #1: gpu forces equal the CPU backend ............   Passed    0.10 sec
2/3 Test #2: gpu graphs equal direct launches ............   Passed    0.10 sec
3/3 Test #3: NCCL collectives on device buffers on one rank ...***Skipped   0.01 sec

100% tests passed, 0 tests failed out of 3
OUT
EOF
cat > "$bin/esnapmd" <<'EOF'
#!/usr/bin/env bash
echo "esnapmd $*" >> "$STUB_LOG/esnapmd.calls"
case "$1" in
  version) printf 'esnapmd 0.1.0\ncommit stub\ncuda %s\nmpi no\n' "${STUB_CUDA:-yes}" ;;
  eval) echo "# device: NVIDIA H200 (stub)" ;;
  bench)
    out=""
    while [ $# -gt 0 ]; do [ "$1" = --out ] && out=$2; shift; done
    emit() { echo "$1"; [ -n "$out" ] && echo "$1" >> "$out"; }
    [ -n "$out" ] && : > "$out"
    emit "# esnapmd bench: stub"
    emit ""
    emit "| cell | atoms | code | steps | ms/step | atom-steps/s | T end (K) | notes |"
    emit "|---|---:|---|---:|---:|---:|---:|---|"
    emit "| 5x5x5 | 500 | esnapmd gpu | 1000 | 0.2 | 2.5e+06 | 1001.0 | CUDA graphs on |"
    emit "| 10x10x10 | 4000 | esnapmd gpu | 1000 | 0.4 | 1e+07 | 999.0 | CUDA graphs on |"
    [ "${STUB_BENCH:-ok}" = kill ] && sleep 30
    emit "| 20x20x20 | 32000 | esnapmd gpu | 300 | 2.0 | 1.6e+07 | 1000.0 | CUDA graphs on |"
    ;;
  run)
    if [ "$2" = inputs/li3n_replica_bench.in ]; then
      [ "${STUB_HANG:-}" = replicas ] && sleep 30
      echo "# throughput: 100 replica(s) x 500 atoms = 1.2e+07 atom-steps/s aggregate (stub)"
    fi ;;
esac
exit 0
EOF
cat > "$bin/compute-sanitizer" <<'EOF'
#!/usr/bin/env bash
tool=memcheck
while [ $# -gt 0 ]; do
  case "$1" in
    --tool) tool=$2; shift 2 ;;
    --*) shift 2 ;;
    *) break ;;
  esac
done
"$@"
rc=$?
if [ "$tool" = racecheck ]; then
  if [ "${STUB_RACY:-0}" = 1 ]; then
    echo "========= Error: Race reported between Write access at k_sys+0x1a0 and Read access at k_sys+0x2b0"
    echo "========= RACECHECK SUMMARY: 3 hazards displayed (2 errors, 1 warnings)"
  else
    echo "========= RACECHECK SUMMARY: 0 hazards displayed (0 errors, 0 warnings)"
  fi
else
  echo "========= ERROR SUMMARY: 0 errors"
fi
exit $rc
EOF
chmod +x "$bin"/*
printf '0123456789ab\nworking tree modified\n' > "$work/carry/commit"

# run_case NAME [VAR=value ...]: gpu_check.sh with the stubs; sets $out (its OUT folder), $sum, $rc
run_case() {
  local name=$1
  shift
  out=$work/$name
  mkdir -p "$out/log"
  env PATH="$bin:$PATH" OUT="$out" STUB_LOG="$out/log" GPU_CHECK_BUILD_DIR="$out/build" GPU_CHECK_ESNAPMD="$bin/esnapmd" \
    GPU_CHECK_CARRY="$work/carry" GPU_CHECK_BUDGET=120 GPU_CHECK_MIN_STAGE=1 GPU_CHECK_T_PROBE=5 "$@" \
    bash "$script" > "$out/stdout" 2>&1
  rc=$?
  sum=$out/gpu_check.md
  echo "---- case $name: exit $rc"
}
fail() {
  echo "FAIL [$case]: $*"
  failures=$((failures + 1))
}
has() { grep -qF -- "$1" "$sum" || fail "summary lacks: $1"; }
hasnt() { ! grep -qF -- "$1" "$sum" || fail "summary has: $1"; }
row() { grep -qE "^\| $1 \| $2 \|" "$sum" || fail "stage $1 is not '$2': $(grep -E "^\| $1 \|" "$sum")"; }
exit_is() { [ "$rc" = "$1" ] || fail "exit $rc, expected $1"; }
summary_present() { [ -s "$sum" ] || { fail "no gpu_check.md"; return 1; }; }

case=clean
run_case $case
if summary_present; then
  exit_is 0
  has "- result: OK"
  for s in gpu_probe build cuda_probe gpu_tests bench replicas memcheck racecheck; do row $s ok; done
  has "| racecheck | eval snap333_1000K.xyz | 0 hazards (0 errors, 0 warnings) |"
  has "| memcheck | run (30 steps) | 0 |"
  has "| 20x20x20 | 32000 | esnapmd gpu |"
  has "throughput: 100 replica(s) x 500 atoms"
  has "| 2 | 1 | 0 | 3 |"
  has "- device: NVIDIA H200 (stub)"
  git -C "$src" rev-parse HEAD > /dev/null 2>&1 && hasnt "(from .gpucarry/commit)"  # git first, when there is one
  grep -q "gpu_check: OK" "$out/stdout" || fail "stdout does not end in OK"
  [ "$(wc -l < "$out/log/ctest.args")" = 1 ] || fail "ctest ran more than once (a CPU test pass?)"
  grep -qF -- "-L ^gpu$" "$out/log/ctest.args" || fail "ctest not run with -L '^gpu\$': $(cat "$out/log/ctest.args")"
  ! grep -q "CUDA_MODULE_LOADING" "$script" || fail "gpu_check.sh sets CUDA_MODULE_LOADING"
fi

case=racy
run_case $case STUB_RACY=1 GIT_DIR=/nonexistent
if summary_present; then
  exit_is 1
  has "- result: PROBLEMS"
  row racecheck FAILED
  row memcheck ok
  has "3 hazards (2 errors, 1 warnings)"
  has "- commit: 0123456789ab (from .gpucarry/commit) (working tree modified)"
fi

case=hanging
run_case $case STUB_HANG=replicas GPU_CHECK_T_REPLICAS=2
if summary_present; then
  exit_is 1
  row replicas "TIMED OUT"
  row memcheck ok
  row racecheck ok
  row bench ok
  has "- result: PROBLEMS"
fi

case=budget
run_case $case STUB_HANG=replicas GPU_CHECK_BUDGET=4 GPU_CHECK_T_REPLICAS=60 GPU_CHECK_MIN_STAGE=2
if summary_present; then
  exit_is 1
  row replicas "TIMED OUT"
  row memcheck skipped
  row racecheck skipped
  has "| memcheck | skipped | - | time budget |"
  has "- result: PROBLEMS"
fi

case=killed
run_case $case STUB_HANG=replicas GPU_CHECK_T_REPLICAS=60 timeout -s KILL 6
if summary_present; then
  [ "$rc" = 137 ] || fail "the outer kill did not happen (exit $rc)"
  has "- result: INCOMPLETE (next stage: replicas)"
  row bench ok
  row gpu_tests ok
  row replicas pending
  row racecheck pending
  has "| 10x10x10 | 4000 | esnapmd gpu |"
fi

case=killed_bench
run_case $case STUB_BENCH=kill GPU_CHECK_T_BENCH=2
if summary_present; then
  exit_is 1
  row bench "TIMED OUT"
  has "the 2 rows measured before are kept"
  has "| 5x5x5 | 500 | esnapmd gpu |"
  has "| 10x10x10 | 4000 | esnapmd gpu |"
  hasnt "| 20x20x20 | 32000 |"
  row replicas ok
  row racecheck ok
  has "- result: PROBLEMS"
fi

case=no_cuda
run_case $case STUB_CUDA=no
if summary_present; then
  exit_is 1
  row build FAILED
  has "no CUDA backend"
  for s in cuda_probe gpu_tests bench replicas memcheck racecheck; do row $s skipped; done
  [ ! -e "$out/log/ctest.args" ] || fail "ctest ran on a build without CUDA"
  has "- result: PROBLEMS"
fi

if [ $failures != 0 ]; then
  echo "gpu_check_stub_test: $failures check(s) failed; summaries:"
  for f in "$work"/*/gpu_check.md; do echo "==== $f"; cat "$f"; done
  exit 1
fi
echo "gpu_check_stub_test: all cases passed"
