#!/usr/bin/env bash
# gpu_check.sh — one command for a lent GPU machine (H100/H200: nvcc 13, cmake, ninja, compute-sanitizer,
# cuobjdump, python3; no Debian packages, no internet): configure for sm_90, build with what tools/gpu_carry.sh
# put in .gpucarry/, run the [gpu] tests first, then the CPU tests (not the [slow] ones: CI runs those), a
# probe that the CUDA runtime sees the GPU, compute-sanitizer memcheck and
# racecheck on `esnapmd eval` of a reference file and on a 200-step `esnapmd run`, then the benchmark
# (`esnapmd bench`), and write a summary table (test pass/skip/fail counts, sanitizer error counts, atom-steps/s
# per size with the per-stage breakdown, device, date, commit) to $OUT/gpu_check.md with the logs beside it.
#
# How to run it (the device tool; whole script well under the 10-minute limit of one command):
#   1. here, once per session:   bash tools/gpu_carry.sh        (fills the git-ignored .gpucarry/)
#   2. device tool call:         run(kind="nvidia-h100-x1", carry=[".gpucarry"], timeout_s=600,
#                                    command="bash tools/gpu_check.sh")
#      The reply's output_tail ends with the summary; $OUT/ holds gpu_check.md, build.log, ctest.log,
#      sanitizer.log, bench.md, resources.txt, probe.txt and (with a GPU) replicas.log.
#   Options: --quick (skip the [slow] GPU tests and the 40^3 size), --no-bench, --no-sanitize, --jobs N.
#   Stages that no longer fit the budget (GPU_CHECK_BUDGET, 540 s) are skipped and say so in the summary.
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
    -h|--help) sed -n '2,/^set -uo/{/^set -uo/d;p}' "$0"; exit 0 ;;
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
# 0 when a stage that needs `need` seconds (and leaves `reserve` for later ones) still fits before the
# deadline; later stages are skipped (and say so) rather than the whole script being killed at 600 s
fits() { [ $(( $(left) - $2 )) -ge "$1" ]; }
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

# ---- does the CUDA runtime see the GPU nvidia-smi lists? (a driver older than the CUDA 13 runtime would turn
# every GPU test into a silent SKIP) ----
esnap=$root/$B/esnapmd
drv_cuda=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
runtime="not probed"
if [ $build_ok = 1 ]; then
  if "$esnap" eval tests/data/unitcell.xyz --device gpu > "$OUT/probe.txt" 2>&1; then
    runtime="ok: $(sed -n 's/^# device: //p' "$OUT/probe.txt" | head -1)"
  elif grep -q "no CUDA device" "$OUT/probe.txt"; then
    runtime="no device visible to the CUDA runtime"
    if [ $have_gpu = 1 ]; then
      runtime+=" although nvidia-smi lists one (driver CUDA ${drv_cuda:-?} vs nvcc $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')): GPU tests will SKIP"
      status=1
      echo "gpu_check: WARNING: $runtime"
    fi
  else
    runtime="probe failed: $(tail -1 "$OUT/probe.txt")"
  fi
fi

# ---- tests ----
# The [gpu] tests first (what this machine is for), then the CPU tests without [slow]; ctest's --stop-time ends a pass cleanly at
# its budget (the summary says so; tests not yet started are not counted), the outer timeout is only a backstop.
pass=0 fail=0 skip=0 total=0 failed_list="" skipped_list="" ctest_note=""
if [ $build_ok = 1 ]; then
  : > "$OUT/ctest.log"
  for pass_no in 1 2; do
    if [ $pass_no = 1 ]; then sel=(-L gpu); [ $quick = 1 ] && sel+=(-LE slow); reserve=200
    else sel=(-LE "gpu|slow"); reserve=150; fi  # CPU [slow] tests (minutes each) are CI's, not worth device time
    if ! fits 20 "$reserve"; then
      ctest_note+="pass $pass_no (${sel[*]}) skipped: time budget; "
      echo "gpu_check: ctest ${sel[*]} skipped (time budget)"; continue
    fi
    t=$(budget 260 "$reserve")
    stop=$(date -d "@$(( $(date +%s) + t - 5 ))" +%H:%M:%S 2>/dev/null)
    echo "gpu_check: ctest ${sel[*]} (budget $t s)"
    echo "===== ctest ${sel[*]} (budget $t s)" >> "$OUT/ctest.log"
    # tests run side by side: two OpenMP threads each, passive waiting (no oversubscription spin)
    (cd "$B" && OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive timeout -k 10 "$((t + 15))" ctest -j "$jobs" --output-on-failure \
       ${stop:+--stop-time "$stop"} "${sel[@]}") > "$OUT/ctest.part" 2>&1
    cat "$OUT/ctest.part" >> "$OUT/ctest.log"
    n=$(grep -E "tests passed, .* tests failed out of" "$OUT/ctest.part" | sed -E 's/.*out of ([0-9]+).*/\1/' | tail -1)
    if [ -z "$n" ]; then
      grep -q "No tests were found" "$OUT/ctest.part" && n=0 || { status=1; ctest_note+="pass $pass_no did not finish; "; n=0; }
    fi
    grep -q "stop time has been passed" "$OUT/ctest.part" &&
      { status=1; ctest_note+="pass $pass_no stopped at its time budget (the tests not yet started are not counted); "; }
    total=$((total + n))
  done
  rm -f "$OUT/ctest.part"
  pass=$(grep -c -E "Test +#[0-9]+: .* Passed" "$OUT/ctest.log" || true)
  fail=$(grep -c -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|\*\*\*Not Run|Not Run)" "$OUT/ctest.log" || true)
  skip=$(grep -c -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/ctest.log" || true)
  failed_list=$(grep -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)" "$OUT/ctest.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -40)
  skipped_list=$(grep -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/ctest.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -60)
  [ "$fail" != 0 ] && status=1
  [ -n "$ctest_note" ] && { status=1; echo "gpu_check: ctest: $ctest_note(see ctest.log)"; }
fi

# ---- compute-sanitizer ----
san_rows=""
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
        if ! fits 30 60; then
          san_rows+="| $tool | $what | - | skipped: time budget |"$'\n'
          echo "gpu_check: compute-sanitizer --tool $tool: $what skipped (time budget)"
          continue
        fi
        t=$(budget 90 60)
        if [ "$what" = eval ]; then
          cmd=("$esnap" eval tests/data/snap333_1000K.xyz --device gpu "${margs[@]}" -o "$sdir/eval.xyz")
        else
          cmd=("$esnap" run "$sdir/deck.in" --device gpu --quiet)
        fi
        echo "gpu_check: compute-sanitizer --tool $tool: $what (budget $t s)"
        echo "===== $tool $what: ${cmd[*]}" >> "$OUT/sanitizer.log"
        rm -rf "$sdir/out"
        timeout -k 10 "$t" compute-sanitizer --tool "$tool" --print-limit 20 "${cmd[@]}" > "$sdir/san.part" 2>&1
        rc=$?
        cat "$sdir/san.part" >> "$OUT/sanitizer.log"
        # this run's own summary (a run that timed out has none: "?", never the previous run's count)
        n=$(grep -E "ERROR SUMMARY: [0-9]+" "$sdir/san.part" | tail -1 | sed -E 's/.*ERROR SUMMARY: ([0-9]+).*/\1/')
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
bench_note=""
if [ $bench = 1 ] && [ $build_ok = 1 ] && ! fits 30 10; then
  bench_note="skipped: time budget ($(left) s left)"
  echo "gpu_check: benchmark $bench_note"
elif [ $bench = 1 ] && [ $build_ok = 1 ]; then
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
  timeout -k 10 "$t" "$esnap" bench "${bargs[@]}" --out "$OUT/bench.md" > "$OUT/bench.stdout" 2>&1 || {
    echo "gpu_check: benchmark failed or timed out"; tail -5 "$OUT/bench.stdout"; }
  if [ -f "$root/$B/nosnap.model" ] && [ $have_gpu = 1 ] && fits 20 5; then
    { echo; echo "## Coulomb + ZBL only (no SNAP GPU kernels in this build)"; echo; } >> "$OUT/bench.md"
    timeout -k 10 "$(budget 120 5)" "$esnap" bench --sizes 5,10,20,40 --device gpu --seconds 2 --lammps no \
      --model "$root/$B/nosnap.model" >> "$OUT/bench.md" 2>> "$OUT/bench.stdout" || true
  fi
  cat "$OUT/bench.stdout" >> "$OUT/build.log"; rm -f "$OUT/bench.stdout"
fi

# ---- replica-ensemble throughput (issue 5): 100 replicas x 500 atoms with on-the-fly diffusion ----
rep_note="not run (needs a GPU)"
rep_line=""
if [ $bench = 1 ] && [ $build_ok = 1 ] && [ $have_gpu = 1 ]; then
  if fits 40 5; then
    t=$(budget 150 5)
    echo "gpu_check: replica throughput: esnapmd run inputs/li3n_replica_bench.in --device gpu (budget $t s)"
    if timeout -k 10 "$t" "$esnap" run inputs/li3n_replica_bench.in --device gpu > "$OUT/replicas.log" 2>&1; then
      rep_line=$(grep '^# throughput:' "$OUT/replicas.log" | tail -1 | sed 's/^# //')
      rep_note="ok"
    else
      rep_note="failed or timed out (replicas.log)"
      status=1
      tail -5 "$OUT/replicas.log"
    fi
  else
    rep_note="skipped: time budget ($(left) s left)"
  fi
fi

# ---- summary ----
{
  echo "# gpu_check — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- commit: $commit${dirty:+ (working tree modified)}"
  echo "- device: $gpu_name${drv_cuda:+ (driver supports CUDA $drv_cuda)}"
  echo "- CUDA runtime: $runtime"
  echo "- host: $(uname -n), $(nproc) CPUs; nvcc $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  echo "- build: $([ $build_ok = 1 ] && echo ok || echo FAILED), $warnings warning lines (build.log)"
  echo "- wall time: $(( $(date +%s) - start )) s"
  echo
  echo "## Tests (ctest)"
  echo
  echo "| passed | skipped | failed | total |"
  echo "|---:|---:|---:|---:|"
  echo "| $pass | $skip | $fail | ${total:-0} |"
  [ -n "$ctest_note" ] && { echo; echo "Note: $ctest_note"; }
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
  [ -f "$OUT/bench.md" ] && sed 's/^# /### /' "$OUT/bench.md" || echo "not run${bench_note:+ ($bench_note)}"
  echo
  echo "## Replica ensemble (inputs/li3n_replica_bench.in: 100 x 500 atoms, PME 1e-5, NVT, diffusion on the fly)"
  echo
  [ -n "$rep_line" ] && echo "$rep_line" || echo "$rep_note"
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
