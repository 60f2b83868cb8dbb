#!/usr/bin/env bash
# gpu_check.sh — one command for a lent GPU machine (H100/H200: nvcc 13, cmake, ninja, compute-sanitizer,
# cuobjdump, python3; no Debian packages, no internet): configure for sm_90, build with what tools/gpu_carry.sh
# put in .gpucarry/, run every test (GPU tests included, CPU tests too), compute-sanitizer memcheck and
# racecheck on `esnapmd eval` of a reference file and on a 200-step `esnapmd run`, then the benchmark
# (`esnapmd bench`), and write a summary table (test pass/skip/fail counts, sanitizer error counts, atom-steps/s
# per size with the per-stage breakdown, device, date, commit) to $OUT/gpu_check.md with the logs beside it.
#
# How to run it (the device tool; whole script well under the 10-minute limit of one command):
#   1. here, once per session:   bash tools/gpu_carry.sh        (fills the git-ignored .gpucarry/)
#   2. device tool call:         run(kind="nvidia-h100-x1", carry=[".gpucarry"], timeout_s=600,
#                                    command="bash tools/gpu_check.sh")
#      The reply's output_tail ends with the summary; $OUT/ holds gpu_check.md, build.log, ctest.log,
#      sanitizer.log, bench.md and resources.txt (6 files).
#   Options: --quick (skip [slow] tests and the 40^3 size), --no-bench, --no-sanitize, --jobs N.
#
# On a machine without a GPU (or without compute-sanitizer) the flow still runs: it builds, runs the CPU
# tests, reports the GPU tests as skipped and the sanitizer steps as skipped, and benchmarks the CPU briefly.
# Exit status: 0 when the build, every test that ran and both sanitizers are clean; 1 otherwise.
set -uo pipefail

start=$(date +%s)
deadline=$((start + ${GPU_CHECK_BUDGET:-540}))   # seconds; the tool's limit is 600
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
OUT=${OUT:-$root/gpu_check_out}
mkdir -p "$OUT"
jobs=$(nproc 2>/dev/null || echo 4)
quick=0 bench=1 sanitize=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-bench) bench=0 ;;
    --no-sanitize) sanitize=0 ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
left() { echo $((deadline - $(date +%s))); }
budget() { # min(wanted, time left minus a reserve for the later stages)
  local want=$1 reserve=$2 l
  l=$(( $(left) - reserve ))
  [ "$l" -lt 10 ] && l=10
  [ "$want" -lt "$l" ] && echo "$want" || echo "$l"
}
status=0
summary="$OUT/gpu_check.md"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | head -1)
gpu_name=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
have_gpu=0
[ -n "$gpu_name" ] && have_gpu=1
[ -z "$gpu_name" ] && gpu_name="none (nvidia-smi found no GPU)"
export CUDA_MODULE_LOADING=EAGER   # load kernels up front: sanitizers and timings see no lazy loading

# ---- configure and build ----
B=build-gpu
gen=()
command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
args=(-S . -B "$B" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DESNAP_MPI=OFF)
if [ -d .gpucarry ]; then
  c=$root/.gpucarry
  args+=(-DCATCH2_INCLUDE_DIR="$c/include" -DFFTW3_INCLUDE_DIR="$c/include" -DFFTW3_LIBRARY="$c/lib/libfftw3.a"
         -DZLIB_INCLUDE_DIR="$c/include" -DZLIB_LIBRARY="$c/lib/libz.a")
fi
echo "gpu_check: configure + build ($jobs jobs, budget $(budget 300 200) s)"
build_ok=1
{
  echo "\$ cmake ${args[*]}"
  timeout "$(budget 60 260)" cmake "${args[@]}" &&
    timeout "$(budget 300 200)" cmake --build "$B" -j "$jobs"
} > "$OUT/build.log" 2>&1 || build_ok=0
warnings=$(grep -c -E "warning[: ]" "$OUT/build.log" || true)
if [ $build_ok = 0 ]; then
  status=1
  echo "gpu_check: BUILD FAILED (see build.log)"; tail -30 "$OUT/build.log"
fi

# registers / stack / spills per kernel (cuobjdump on the CUDA objects)
if [ $build_ok = 1 ] && command -v cuobjdump >/dev/null 2>&1; then
  for o in $(find "$B" -path '*esnapgpu.dir*' -name '*.cu.o' | sort); do
    cuobjdump --dump-resource-usage "$o" 2>/dev/null | awk -v f="$(basename "$o")" '
      /Function/ { fn = $2; sub(/:$/, "", fn) }
      /REG:/ { print f ": " fn " " $0 }' | grep -v -E "_ZN(3cub|6thrust|4cuda)" || true
  done > "$OUT/resources.txt"
  command -v c++filt >/dev/null 2>&1 && { c++filt < "$OUT/resources.txt" > "$OUT/resources.tmp" && mv "$OUT/resources.tmp" "$OUT/resources.txt"; }
fi

# ---- tests ----
pass=0 fail=0 skip=0 total=0 failed_list="" skipped_list=""
if [ $build_ok = 1 ]; then
  excl=()
  [ $quick = 1 ] && excl=(-LE slow)
  echo "gpu_check: ctest (budget $(budget 260 150) s)"
  # tests run side by side: two OpenMP threads each, passive waiting (no oversubscription spin)
  (cd "$B" && OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive timeout "$(budget 260 150)" ctest -j "$jobs" --output-on-failure \
     --timeout 240 "${excl[@]}") \
    > "$OUT/ctest.log" 2>&1
  pass=$(grep -c -E "Test +#[0-9]+: .* Passed" "$OUT/ctest.log" || true)
  fail=$(grep -c -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|\*\*\*Not Run|Not Run)" "$OUT/ctest.log" || true)
  skip=$(grep -c -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/ctest.log" || true)
  total=$(grep -E "tests passed, .* tests failed out of" "$OUT/ctest.log" | sed -E 's/.*out of ([0-9]+).*/\1/' | tail -1)
  failed_list=$(grep -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)" "$OUT/ctest.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -40)
  skipped_list=$(grep -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/ctest.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -60)
  [ "$fail" != 0 ] && status=1
  [ -z "$total" ] && { total="?"; status=1; echo "gpu_check: ctest did not finish (see ctest.log)"; }
fi

# ---- compute-sanitizer ----
san_rows=""
esnap=$root/$B/esnapmd
if [ $sanitize = 1 ] && [ $build_ok = 1 ]; then
  : > "$OUT/sanitizer.log"
  if [ $have_gpu = 0 ] || ! command -v compute-sanitizer >/dev/null 2>&1; then
    san_rows="| all | - | - | skipped: $([ $have_gpu = 0 ] && echo 'no GPU' || echo 'no compute-sanitizer') |"
  else
    sdir=$root/$B/sanitize
    rm -rf "$sdir" && mkdir -p "$sdir"
    model=""
    # without the SNAP GPU kernels the full model cannot run on the GPU: check the other kernels with a model
    # without its SNAP line (Coulomb + ZBL)
    if ! "$esnap" eval tests/data/unitcell.xyz --device gpu > "$sdir/probe.txt" 2>&1; then
      if grep -q "SNAP GPU" "$sdir/probe.txt"; then
        grep -v -E '^[[:space:]]*snap[[:space:]]' potentials/li3n_esnap.model > "$sdir/nosnap.model"
        model="$sdir/nosnap.model"
      fi
    fi
    margs=()
    [ -n "$model" ] && margs=(--model "$model")
    {
      echo "structure li3n 2 2 2"
      [ -n "$model" ] && echo "model $model"
      echo "coulomb pme 1e-5"
      echo "velocity 1000 seed 7"
      echo "ensemble nvt 1000 0.1"
      echo "neighbor 0.3"
      echo "thermo 50"
      echo "dump 100 li.xyz species Li"
      echo "checkpoint 100 run.chk"
      echo "progress 0"
      echo "output $sdir/out"
      echo "run 200"
    } > "$sdir/deck.in"
    for tool in memcheck racecheck; do
      for what in eval run; do
        t=$(budget 90 80)
        if [ "$what" = eval ]; then
          cmd=("$esnap" eval tests/data/snap333_1000K.xyz --device gpu "${margs[@]}" -o "$sdir/eval.xyz")
        else
          cmd=("$esnap" run "$sdir/deck.in" --device gpu --quiet)
        fi
        echo "gpu_check: compute-sanitizer --tool $tool: $what (budget $t s)"
        echo "===== $tool $what: ${cmd[*]}" >> "$OUT/sanitizer.log"
        rm -rf "$sdir/out"
        timeout "$t" compute-sanitizer --tool "$tool" --print-limit 20 "${cmd[@]}" >> "$OUT/sanitizer.log" 2>&1
        rc=$?
        n=$(grep -E "ERROR SUMMARY: [0-9]+" "$OUT/sanitizer.log" | tail -1 | sed -E 's/.*ERROR SUMMARY: ([0-9]+).*/\1/')
        note=""
        [ $rc = 124 ] && note="timed out"
        [ $rc != 0 ] && [ $rc != 124 ] && note="exit $rc"
        [ -z "$n" ] && n="?"
        { [ "$n" != 0 ] || [ -n "$note" ]; } && status=1
        san_rows+="| $tool | $what${model:+ (no-SNAP model)} | $n | $note |"$'\n'
        echo "===== (exit $rc, errors $n)" >> "$OUT/sanitizer.log"
      done
    done
  fi
fi

# ---- benchmark ----
if [ $bench = 1 ] && [ $build_ok = 1 ]; then
  t=$(budget 200 15)
  if [ $have_gpu = 1 ]; then
    sizes=5,10,20,40
    [ $quick = 1 ] && sizes=5,10,20
    bargs=(--sizes $sizes --device both --threads "$jobs" --cpu-max-atoms 40000 --seconds 3 --lammps auto)
    if ! "$esnap" eval tests/data/unitcell.xyz --device gpu > /dev/null 2>&1; then
      grep -v -E '^[[:space:]]*snap[[:space:]]' potentials/li3n_esnap.model > "$root/$B/nosnap.model"
      echo "gpu_check: no SNAP GPU kernels: benchmarking the full model on the CPU and Coulomb+ZBL on the GPU" >> "$OUT/build.log"
    fi
  else
    bargs=(--sizes 3 --device cpu --threads 1 --seconds 1 --lammps no)   # the flow only
  fi
  echo "gpu_check: esnapmd bench ${bargs[*]} (budget $t s)"
  timeout "$t" "$esnap" bench "${bargs[@]}" --out "$OUT/bench.md" > "$OUT/bench.stdout" 2>&1 || {
    echo "gpu_check: benchmark failed or timed out"; tail -5 "$OUT/bench.stdout"; }
  if [ -f "$root/$B/nosnap.model" ] && [ $have_gpu = 1 ]; then
    { echo; echo "## Coulomb + ZBL only (no SNAP GPU kernels in this build)"; echo; } >> "$OUT/bench.md"
    timeout "$(budget 120 5)" "$esnap" bench --sizes 5,10,20,40 --device gpu --seconds 2 --lammps no \
      --model "$root/$B/nosnap.model" >> "$OUT/bench.md" 2>> "$OUT/bench.stdout" || true
  fi
  cat "$OUT/bench.stdout" >> "$OUT/build.log"; rm -f "$OUT/bench.stdout"
fi

# ---- summary ----
{
  echo "# gpu_check — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- commit: $commit${dirty:+ (working tree modified)}"
  echo "- device: $gpu_name"
  echo "- host: $(uname -n), $(nproc) CPUs; nvcc $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  echo "- build: $([ $build_ok = 1 ] && echo ok || echo FAILED), $warnings warning lines (build.log)"
  echo "- wall time: $(( $(date +%s) - start )) s"
  echo
  echo "## Tests (ctest)"
  echo
  echo "| passed | skipped | failed | total |"
  echo "|---:|---:|---:|---:|"
  echo "| $pass | $skip | $fail | ${total:-0} |"
  if [ -n "$failed_list" ]; then echo; echo "Failed:"; echo "$failed_list" | sed 's/^/- /'; fi
  if [ -n "$skipped_list" ]; then echo; echo "Skipped:"; echo "$skipped_list" | sed 's/^/- /'; fi
  echo
  echo "## compute-sanitizer"
  echo
  echo "| tool | program | errors | note |"
  echo "|---|---|---:|---|"
  [ -n "$san_rows" ] && printf '%s\n' "$san_rows" | sed '/^$/d' || echo "| - | not run | - | |"
  echo
  echo "## Benchmark"
  echo
  [ -f "$OUT/bench.md" ] && sed 's/^# /### /' "$OUT/bench.md" || echo "not run"
  if [ -s "$OUT/resources.txt" ]; then
    echo
    echo "## Kernel resources (cuobjdump; registers, stack, shared, local per kernel)"
    echo
    echo '```'
    sed -E 's/ +/ /g' "$OUT/resources.txt" | head -80
    echo '```'
  fi
} > "$summary"
cat "$summary"
echo
echo "gpu_check: $( [ $status = 0 ] && echo OK || echo 'PROBLEMS (see above)'); files in $OUT"
exit $status
