#!/usr/bin/env bash
# gpu_check.sh — the whole first-contact check of a lent GPU machine (H100/H200: nvcc 13, cmake, ninja,
# compute-sanitizer, cuobjdump, python3; no Debian packages, no internet) in ONE command of at most ~7 minutes.
# Stages, in order of value, each with its own time limit and all inside a total budget (GPU_CHECK_BUDGET,
# default 420 s):
#   gpu probe     nvidia-smi (name, driver, memory; the driver's CUDA version)                    timeout 60 s
#   build         configure for sm_90 with what tools/gpu_carry.sh put in .gpucarry/, build      GPU_CHECK_T_BUILD 200
#   cuda probe    `esnapmd eval --device gpu`: does the CUDA runtime see the GPU?                timeout 60 s
#   gpu tests     ctest -L '^gpu$' (--quick: without [slow])                                       GPU_CHECK_T_TESTS 100
#   bench         `esnapmd bench` (rows are written to bench.md as each finishes)                 GPU_CHECK_T_BENCH 90
#   replicas      `esnapmd run inputs/li3n_replica_bench.in` (100 x 500 atoms): throughput        GPU_CHECK_T_REPLICAS 60
#                 then `esnapmd eval` of 256 frames one at a time and as `--batch 256` (30 s each, when 60 s are left)
#   memcheck      compute-sanitizer memcheck on a 30-step `esnapmd run`                           GPU_CHECK_T_MEMCHECK 60
#   racecheck     compute-sanitizer racecheck on `esnapmd eval` (one force evaluation)            GPU_CHECK_T_RACECHECK 45
# A stage gets min(its limit, the budget left); one that no longer fits is skipped and named. No CPU test
# pass (CI runs those). After every stage $OUT/gpu_check.md is rewritten with everything learned so far, so a
# hang or a kill of the whole command still leaves a partial summary. When nvidia-smi lists a GPU, a build
# without the CUDA backend (`esnapmd version`: cuda no) is a failure and the GPU stages are skipped.
#
# How to run it (the device tool):
#   1. here, once per session:   bash tools/gpu_carry.sh        (fills the git-ignored .gpucarry/, commit id too)
#   2. device tool call:         run(carry=[".gpucarry"], timeout_s=480, command="bash tools/gpu_check.sh")
#      The reply's output_tail ends with the summary; $OUT/ holds gpu_check.md, build.log, tests.log,
#      bench.md, replicas.log, sanitizer.log, probe.txt and resources.txt.
#   Options: --quick (no [slow] GPU tests, no 40^3 bench size), --no-bench, --no-sanitize, --jobs N.
#
# Environment: GPU_CHECK_BUDGET; GPU_CHECK_T_<STAGE> (above) and GPU_CHECK_T_PROBE (60) per-stage limits in s;
# GPU_CHECK_MIN_STAGE (10): a stage with less time left is skipped; GPU_CHECK_BUILD_DIR (build-gpu);
# GPU_CHECK_ESNAPMD (the build's esnapmd); GPU_CHECK_CARRY (.gpucarry). tests/gpu_check_stub_test.sh runs this
# script against stub programs with these set.
#
# The commit comes from git, or from .gpucarry/commit (written by gpu_carry.sh) when .git did not travel.
# Exit status: 0 when every stage that ran is clean and none timed out; 1 otherwise.
set -uo pipefail

start=$(date +%s)
budget=${GPU_CHECK_BUDGET:-420}
deadline=$((start + budget))
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
B=${GPU_CHECK_BUILD_DIR:-$root/build-gpu}
esnap=${GPU_CHECK_ESNAPMD:-$B/esnapmd}
carry=${GPU_CHECK_CARRY:-$root/.gpucarry}
t_probe=${GPU_CHECK_T_PROBE:-60}
min_stage=${GPU_CHECK_MIN_STAGE:-10}
summary="$OUT/gpu_check.md"
status=0

# ---- stage bookkeeping ----
stages=(gpu_probe build cuda_probe gpu_tests bench replicas memcheck racecheck)
declare -A res secs note
for s in "${stages[@]}"; do res[$s]=pending; secs[$s]=-; note[$s]=""; done
left() { echo $((deadline - $(date +%s))); }
# seconds for a stage that wants `want`: min(want, time left), or 0 when less than GPU_CHECK_MIN_STAGE is left
stage_time() {
  local want=$1 l
  l=$(left)
  [ "$l" -lt "$min_stage" ] && { echo 0; return; }
  [ "$want" -lt "$l" ] && echo "$want" || echo "$l"
}
# a stage not run; one that did not fit the budget makes the answer incomplete, so it counts as a problem
skip() {
  res[$1]="skipped"; note[$1]=$2; echo "gpu_check: $1 skipped: $2"
  [ "$2" = "time budget" ] && status=1
  write_summary
}
# record a stage's end: begin time, exit code of its command, and what to say
finish() { # name t0 result note
  secs[$1]=$(( $(date +%s) - $2 )); res[$1]=$3; note[$1]=${4//|//}  # no '|' inside a table cell
  case "$3" in ok) ;; *) status=1 ;; esac
  echo "gpu_check: $1: $3${4:+ ($4)} [${secs[$1]} s]"
  write_summary
}
# result word of a command's exit code under `timeout`
rc_word() { case "$1" in 0) echo ok ;; 124|137) echo "TIMED OUT" ;; *) echo FAILED ;; esac; }

# ---- facts ----
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
dirty=""
if [ -n "$commit" ]; then
  [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | head -1)" ] && dirty=" (working tree modified)"
elif [ -f "$carry/commit" ]; then
  commit="$(sed -n 1p "$carry/commit") (from .gpucarry/commit)"
  [ -n "$(sed -n 2p "$carry/commit")" ] && dirty=" ($(sed -n 2p "$carry/commit"))"
else
  commit=unknown
fi
gpu_name="" drv_cuda="" have_gpu=0 cuda_build="?" runtime="not probed"
pass=0 fail=0 skipn=0 total=0 failed_list="" skipped_list=""
san_rows="" rep_line="" batch_lines="" warnings=0

write_summary() {
  local now=$(( $(date +%s) - start )) s
  {
    echo "# gpu_check — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- commit: $commit$dirty"
    echo "- device: ${gpu_name:-none (nvidia-smi found no GPU)}${drv_cuda:+ (driver supports CUDA $drv_cuda)}"
    echo "- CUDA backend in the build: $cuda_build; CUDA runtime: $runtime"
    echo "- host: $(uname -n), $(nproc 2>/dev/null) CPUs; nvcc ${nvcc_ver:-?}; build warnings: $warnings lines (build.log)"
    echo "- wall time so far: $now s of $budget s"
    echo
    echo "## Stages"
    echo
    echo "| stage | result | seconds | note |"
    echo "|---|---|---:|---|"
    for s in "${stages[@]}"; do echo "| $s | ${res[$s]} | ${secs[$s]} | ${note[$s]} |"; done
    echo
    echo "## GPU tests (ctest -L '^gpu\$')"
    echo
    echo "| passed | skipped | failed | total |"
    echo "|---:|---:|---:|---:|"
    echo "| $pass | $skipn | $fail | $total |"
    if [ -n "$failed_list" ]; then echo; echo "Failed:"; echo "$failed_list" | sed 's/^/- /'; fi
    if [ -n "$skipped_list" ]; then echo; echo "Skipped:"; echo "$skipped_list" | sed 's/^/- /'; fi
    echo
    echo "## compute-sanitizer"
    echo
    echo "| tool | program | errors | note |"
    echo "|---|---|---:|---|"
    if [ -n "$san_rows" ]; then printf '%s' "$san_rows"; else echo "| - | not run | - | |"; fi
    echo
    echo "## Benchmark"
    echo
    if [ -s "$OUT/bench.md" ]; then sed 's/^# /### /' "$OUT/bench.md"; else echo "${res[bench]}${note[bench]:+: ${note[bench]}}"; fi
    echo
    echo "## Replica ensemble (inputs/li3n_replica_bench.in: 100 x 500 atoms, PME 1e-5, NVT, diffusion on the fly)"
    echo
    if [ -n "$rep_line" ]; then echo "$rep_line"; else echo "${res[replicas]}${note[replicas]:+: ${note[replicas]}}"; fi
    if [ -n "$batch_lines" ]; then
      echo
      echo "## Batch evaluation (esnapmd eval, tests/data/snap333_1000K.xyz x 256 frames, the model's PME 1e-5)"
      echo
      printf '%s' "$batch_lines"
    fi
    if [ -s "$OUT/resources.txt" ]; then
      echo
      echo "## Kernel resources (cuobjdump; registers, stack, shared, local per kernel)"
      echo
      echo '```'
      sed -E 's/ +/ /g' "$OUT/resources.txt" | head -80
      echo '```'
    fi
    echo
    local next=""
    for s in "${stages[@]}"; do [ -z "$next" ] && [ "${res[$s]}" = pending ] && next=$s; done
    if [ -n "$next" ]; then echo "- result: INCOMPLETE (next stage: $next)"
    else echo "- result: $([ $status = 0 ] && echo OK || echo PROBLEMS)"; fi
  } > "$summary.tmp" && mv "$summary.tmp" "$summary"
}
write_summary
nvcc_ver=$(timeout 20 nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')

# ---- 1. gpu probe (first contact: nvidia-smi can hang on a sick driver) ----
t0=$(date +%s)
gpu_name=$(timeout -k 5 "$t_probe" nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
rc=$?
drv_cuda=$(timeout -k 5 "$t_probe" nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
[ -n "$gpu_name" ] && have_gpu=1
if [ $have_gpu = 1 ]; then finish gpu_probe "$t0" ok "$gpu_name"
elif [ $rc = 124 ] || [ $rc = 137 ]; then finish gpu_probe "$t0" "TIMED OUT" "nvidia-smi did not answer in $t_probe s"
else res[gpu_probe]="no GPU"; secs[gpu_probe]=$(( $(date +%s) - t0 )); note[gpu_probe]="nvidia-smi lists none: GPU stages are skipped"; write_summary
fi

# ---- 2. build ----
t=$(stage_time "${GPU_CHECK_T_BUILD:-200}")
build_ok=0
if [ "$t" = 0 ]; then skip build "time budget"
else
  t0=$(date +%s)
  mkdir -p "$B"
  gen=()
  command -v ninja >/dev/null 2>&1 && gen=(-G Ninja)
  args=(-S "$root" -B "$B" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DESNAP_MPI=OFF)
  if [ -d "$carry/include" ]; then
    args+=(-DCATCH2_INCLUDE_DIR="$carry/include" -DFFTW3_INCLUDE_DIR="$carry/include" -DFFTW3_LIBRARY="$carry/lib/libfftw3.a"
           -DZLIB_INCLUDE_DIR="$carry/include" -DZLIB_LIBRARY="$carry/lib/libz.a")
  fi
  echo "gpu_check: configure + build ($jobs jobs, limit $t s)"
  { echo "\$ cmake ${args[*]}"; timeout -k 5 "$t" bash -c 'j=$1; shift; cmake "$@" && cmake --build "$0" -j "$j"' "$B" "$jobs" "${args[@]}"; } \
    > "$OUT/build.log" 2>&1
  rc=$?
  warnings=$(grep -c -E "warning[: ]" "$OUT/build.log" || true)
  if [ $rc = 0 ] && [ -x "$esnap" ]; then
    build_ok=1
    cuda_build=$(timeout 20 "$esnap" version 2>/dev/null | sed -n 's/^cuda //p' | head -1)
    [ -z "$cuda_build" ] && cuda_build="?"
    if [ $have_gpu = 1 ] && [ "$cuda_build" != yes ]; then
      finish build "$t0" FAILED "nvidia-smi lists a GPU but the build has no CUDA backend (esnapmd version: cuda $cuda_build; see build.log for nvcc)"
      build_ok=0
    else
      finish build "$t0" ok "CUDA backend: $cuda_build"
    fi
  else
    [ $rc = 0 ] && rc=1
    finish build "$t0" "$(rc_word $rc)" "exit $rc; see build.log"
    tail -30 "$OUT/build.log"
  fi
fi
gpu_ready=$(( build_ok && have_gpu ))
why_not=""
[ $have_gpu = 0 ] && why_not="no GPU"
[ $build_ok = 0 ] && why_not="no usable build"

# registers / stack / spills per kernel (cuobjdump on the CUDA objects)
if [ $build_ok = 1 ] && command -v cuobjdump >/dev/null 2>&1; then
  for o in $(find "$B" -path '*esnapgpu.dir*' -name '*.cu.o' 2>/dev/null | sort); do
    timeout 30 cuobjdump --dump-resource-usage "$o" 2>/dev/null | awk -v f="$(basename "$o")" '
      /Function/ { fn = $2; sub(/:$/, "", fn) }
      /REG:/ { print f ": " fn " " $0 }' | grep -v -E "_ZN(3cub|6thrust|4cuda)" || true
  done > "$OUT/resources.txt"
  command -v c++filt >/dev/null 2>&1 && { c++filt < "$OUT/resources.txt" > "$OUT/resources.tmp" && mv "$OUT/resources.tmp" "$OUT/resources.txt"; }
fi

# ---- 3. cuda probe: does the CUDA runtime see the GPU nvidia-smi lists? (a driver older than the CUDA 13
# runtime would turn every GPU test into a silent SKIP) ----
if [ $gpu_ready = 0 ]; then skip cuda_probe "$why_not"
else
  t0=$(date +%s)
  timeout -k 5 "$t_probe" "$esnap" eval tests/data/unitcell.xyz --device gpu > "$OUT/probe.txt" 2>&1
  rc=$?
  if [ $rc = 0 ]; then
    runtime="ok: $(sed -n 's/^# device: //p' "$OUT/probe.txt" | head -1)"
    finish cuda_probe "$t0" ok ""
  elif grep -q "no CUDA device" "$OUT/probe.txt"; then
    runtime="no device visible to the CUDA runtime although nvidia-smi lists one (driver CUDA ${drv_cuda:-?} vs nvcc ${nvcc_ver:-?})"
    finish cuda_probe "$t0" FAILED "$runtime"
    gpu_ready=0; why_not="the CUDA runtime sees no device"
  else
    runtime="probe failed: $(tail -1 "$OUT/probe.txt")"
    finish cuda_probe "$t0" "$(rc_word $rc)" "exit $rc: $(tail -1 "$OUT/probe.txt")"
  fi
fi

# ---- 4. GPU tests ----
if [ $gpu_ready = 0 ]; then skip gpu_tests "$why_not"
elif t=$(stage_time "${GPU_CHECK_T_TESTS:-100}") && [ "$t" = 0 ]; then skip gpu_tests "time budget"
else
  t0=$(date +%s)
  sel=(-L '^gpu$')
  [ $quick = 1 ] && sel+=(-LE slow)
  stop=$(date -d "@$(( $(date +%s) + t - 5 ))" +%H:%M:%S 2>/dev/null)
  echo "gpu_check: ctest ${sel[*]} (limit $t s)"
  # ctest's --stop-time ends the pass cleanly with its summary; the outer timeout is a backstop
  (cd "$B" && OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive timeout -k 5 "$t" ctest -j "$jobs" --output-on-failure \
     ${stop:+--stop-time "$stop"} "${sel[@]}") > "$OUT/tests.log" 2>&1
  rc=$?
  pass=$(grep -c -E "Test +#[0-9]+: .* Passed" "$OUT/tests.log" || true)
  fail=$(grep -c -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)" "$OUT/tests.log" || true)
  skipn=$(grep -c -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/tests.log" || true)
  failed_list=$(grep -E "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|Not Run)" "$OUT/tests.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -40)
  skipped_list=$(grep -E "Test +#[0-9]+: .*\*\*\*Skipped" "$OUT/tests.log" | sed -E 's/.*Test +#[0-9]+: (.*[^ .]) \.+.*/\1/' | head -40)
  total=$(grep -E "tests passed, .* tests failed out of" "$OUT/tests.log" | sed -E 's/.*out of ([0-9]+).*/\1/' | tail -1)
  [ -z "$total" ] && total=$((pass + fail + skipn))
  if [ $rc = 124 ] || [ $rc = 137 ]; then finish gpu_tests "$t0" "TIMED OUT" "$pass passed, $fail failed before the limit"
  elif grep -q "stop time has been passed" "$OUT/tests.log"; then finish gpu_tests "$t0" "TIMED OUT" "stopped at its limit: tests not yet started are not counted"
  elif [ "$fail" != 0 ] || [ $rc != 0 ]; then finish gpu_tests "$t0" FAILED "$fail failed (exit $rc); see tests.log"
  elif [ "$total" = 0 ]; then finish gpu_tests "$t0" FAILED "no GPU tests found"
  elif [ "$pass" = 0 ]; then finish gpu_tests "$t0" FAILED "every GPU test skipped on a GPU machine"
  else finish gpu_tests "$t0" ok "$pass passed, $skipn skipped"
  fi
fi

# ---- 5. benchmark (rows reach bench.md as each finishes: a stopped bench keeps them) ----
rm -f "$OUT/bench.md"
if [ $bench = 0 ]; then skip bench "--no-bench"
elif [ $gpu_ready = 0 ]; then skip bench "$why_not"
elif t=$(stage_time "${GPU_CHECK_T_BENCH:-90}") && [ "$t" = 0 ]; then skip bench "time budget"
else
  t0=$(date +%s)
  sizes=5,10,20,40
  [ $quick = 1 ] && sizes=5,10,20
  bargs=(--sizes $sizes --device both --threads "$jobs" --cpu-max-atoms 40000 --seconds 2 --lammps auto)
  echo "gpu_check: esnapmd bench ${bargs[*]} (limit $t s)"
  timeout -k 5 "$t" "$esnap" bench "${bargs[@]}" --out "$OUT/bench.md" > "$OUT/bench.log" 2>&1
  rc=$?
  rows=$(grep -c -E '^\| [0-9]+x[0-9]+x[0-9]+ ' "$OUT/bench.md" 2>/dev/null || true)
  case $rc in
    0) finish bench "$t0" ok "$rows rows" ;;
    124|137) finish bench "$t0" "TIMED OUT" "killed at $t s; the $rows rows measured before are kept" ;;
    *) finish bench "$t0" FAILED "exit $rc after $rows rows: $(tail -1 "$OUT/bench.log")" ;;
  esac
fi

# ---- 6. replica-ensemble throughput: 100 replicas x 500 atoms with on-the-fly diffusion ----
if [ $bench = 0 ]; then skip replicas "--no-bench"
elif [ $gpu_ready = 0 ]; then skip replicas "$why_not"
elif t=$(stage_time "${GPU_CHECK_T_REPLICAS:-60}") && [ "$t" = 0 ]; then skip replicas "time budget"
else
  t0=$(date +%s)
  echo "gpu_check: esnapmd run inputs/li3n_replica_bench.in --device gpu (limit $t s)"
  timeout -k 5 "$t" "$esnap" run inputs/li3n_replica_bench.in --device gpu > "$OUT/replicas.log" 2>&1
  rc=$?
  rep_line=$(grep '^# throughput:' "$OUT/replicas.log" | tail -1 | sed 's/^# //')
  # the library's batch path (`esnapmd eval --batch`, lib/evaluator.c): 256 frames of 108 atoms one at a time on
  # one device force field, then as one batch of backend replicas; informational (the GPU tests check the values)
  if [ $rc = 0 ] && [ $((deadline - $(date +%s))) -gt 60 ]; then
    bfile="$OUT/batch_frames.xyz"
    for k in $(seq 256); do cat tests/data/snap333_1000K.xyz; done > "$bfile"
    for mode in "" "--batch 256"; do
      line=$(timeout -k 5 30 "$esnap" eval "$bfile" --device gpu $mode 2>&1 | grep '^# timing:' | sed 's/^# //')
      batch_lines+="- eval ${mode:-(one frame at a time)}: ${line:-no timing line}"$'\n'
    done
    rm -f "$bfile"
  fi
  if [ $rc = 0 ] && [ -n "$rep_line" ]; then finish replicas "$t0" ok ""
  else
    [ $rc = 0 ] && rc=1
    finish replicas "$t0" "$(rc_word $rc)" "exit $rc; see replicas.log"
  fi
fi

# ---- 7, 8. compute-sanitizer: memcheck on a 30-step run, racecheck on one force evaluation ----
# this run's own summary: memcheck prints "ERROR SUMMARY: N errors", racecheck "RACECHECK SUMMARY: N hazards
# displayed (E errors, W warnings)"; a run without one (timed out, crashed) counts "?"
san_count() { # file -> "N" (memcheck errors) or "N hazards (E errors, W warnings)" or "?"
  local r
  r=$(grep -E "RACECHECK SUMMARY: [0-9]+ hazard" "$1" | tail -1 | sed -E 's/.*RACECHECK SUMMARY: ([0-9]+) hazards? displayed \(([0-9]+) errors?, ([0-9]+) warnings?\).*/\1 hazards (\2 errors, \3 warnings)/')
  [ -z "$r" ] && r=$(grep -E "ERROR SUMMARY: [0-9]+" "$1" | tail -1 | sed -E 's/.*ERROR SUMMARY: ([0-9]+).*/\1/')
  echo "${r:-?}"
}
sdir=$B/sanitize
: > "$OUT/sanitizer.log"
for tool in memcheck racecheck; do
  if [ $sanitize = 0 ]; then skip $tool "--no-sanitize"; continue; fi
  if [ $gpu_ready = 0 ]; then skip $tool "$why_not"; continue; fi
  if ! command -v compute-sanitizer >/dev/null 2>&1; then skip $tool "no compute-sanitizer"; continue; fi
  lim=${GPU_CHECK_T_MEMCHECK:-60}
  [ $tool = racecheck ] && lim=${GPU_CHECK_T_RACECHECK:-45}
  t=$(stage_time "$lim")
  if [ "$t" = 0 ]; then skip $tool "time budget"; continue; fi
  t0=$(date +%s)
  rm -rf "$sdir" && mkdir -p "$sdir"
  if [ $tool = memcheck ]; then
    what="run (30 steps)"
    printf '%s\n' "structure li3n 2 2 2" "coulomb pme 1e-5" "velocity 1000 seed 7" "ensemble nvt 1000 0.1" "neighbor 0.3" \
      "thermo 10" "dump 15 li.xyz species Li" "checkpoint 30 run.chk" "progress 0" "output $sdir/out" "run 30" > "$sdir/deck.in"
    cmd=("$esnap" run "$sdir/deck.in" --device gpu --quiet)
  else
    what="eval snap333_1000K.xyz"
    cmd=("$esnap" eval tests/data/snap333_1000K.xyz --device gpu -o "$sdir/eval.xyz")
  fi
  echo "gpu_check: compute-sanitizer --tool $tool: $what (limit $t s)"
  echo "===== $tool $what: ${cmd[*]}" >> "$OUT/sanitizer.log"
  timeout -k 5 "$t" compute-sanitizer --tool "$tool" --print-limit 20 "${cmd[@]}" > "$sdir/san.part" 2>&1
  rc=$?
  cat "$sdir/san.part" >> "$OUT/sanitizer.log"
  n=$(san_count "$sdir/san.part")
  echo "===== (exit $rc, $n)" >> "$OUT/sanitizer.log"
  san_rows+="| $tool | $what | $n | $([ $rc != 0 ] && echo "exit $rc") |"$'\n'
  case "$n" in
    0|"0 hazards (0 errors, 0 warnings)") [ $rc = 0 ] && finish $tool "$t0" ok "" || finish $tool "$t0" "$(rc_word $rc)" "exit $rc" ;;
    "?") [ $rc = 0 ] && rc=1; finish $tool "$t0" "$(rc_word $rc)" "no summary (exit $rc); see sanitizer.log" ;;
    *) finish $tool "$t0" FAILED "$n; see sanitizer.log" ;;
  esac
done
rm -rf "$sdir"

write_summary
cat "$summary"
echo
echo "gpu_check: $( [ $status = 0 ] && echo OK || echo 'PROBLEMS (see above)'); files in $OUT"
exit $status
