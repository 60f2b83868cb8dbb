#!/usr/bin/env bash
# fault_test.sh ESNAPMD SHIM — deck-level fault injection on a replica run with on-the-fly diffusion and dumps
# (ctest `fault_script`, run in the build directory; about 30 s of CPU):
#   kill -9 at random moments; SIGTERM and SIGINT at random moments; a full disk (ENOSPC after a random number of
#   bytes, through the LD_PRELOAD shim tests/fault_shim.c); a read-only output directory (the shim's EROFS), for a
#   fresh run and for a restart; corrupt checkpoints (truncated, one flipped byte, empty, another file).
# Every case checks: a clear one-line error (runtime events: the step and the checkpoint to restart from), a non-zero
# exit that is not a death by signal (except kill -9), nothing already written lost or half-written (the atomic
# files — checkpoint, diffusion results — are complete; a refused run leaves every file as it was), and where a
# restart applies, that restarting until the run finishes gives every output file byte-identical to an
# uninterrupted run. Random moments come from ESNAP_TEST_SEED (printed; set it to repeat a draw).
set -u
bin=$(readlink -f "$1")
shim=$(readlink -f "$2")
root=$PWD/scratch/fault_script
rm -rf "$root"
mkdir -p "$root"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
seed=${ESNAP_TEST_SEED:-$(( $$ ^ $(date +%s) ))}
RANDOM=$seed
echo "fault_test.sh: ESNAP_TEST_SEED=$seed"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# a random integer in [lo, hi]
rnd() { echo $(( $1 + (RANDOM * 32768 + RANDOM) % ($2 - $1 + 1) )); }
# milliseconds as seconds for sleep
msec() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# deck DIR: the run in DIR, outputs in DIR/out
deck() {
  mkdir -p "$1"
  cat > "$1/deck.in" <<EOF
structure li3n 2 2 2
velocity 900
ensemble nvt 900 0.05
replicas 2 seed 31
thermo 10
dump 20 li.xyz species Li
dump 30 all.dump velocities yes
diffusion Li every 5 fit 0.02 0.1
checkpoint 25 run.chk
progress 0
output $1/out
run 400
EOF
}

# the files under DIR and their bytes, as one text
snapshot() { (cd "$1" && find . -type f | sort | while read -r f; do echo "$f $(cksum < "$f")"; done); }

# same_as_ref DIR CASE: the outputs of DIR/out are those of the uninterrupted run, file for file
same_as_ref() {
  local a b
  a=$(cd "$root/ref/out" && find . -type f | sort)
  b=$(cd "$1/out" && find . -type f | sort)
  [ "$a" = "$b" ] || fail "$2: other files than the uninterrupted run: $(echo $b)"
  for f in $a; do cmp -s "$root/ref/out/$f" "$1/out/$f" || fail "$2: $f differs from the uninterrupted run"; done
}

# atomic_complete DIR CASE: the files written whole (checkpoint, diffusion results) are complete
atomic_complete() {
  local f
  for f in "$1"/out/diffusion/*.json "$1"/out/diffusion/*.dat; do
    [ -e "$f" ] || continue
    [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$2: $f is cut short"
  done
  for f in "$1"/out/diffusion/*.json; do
    [ -e "$f" ] || continue
    [ "$(tail -c 2 "$f" | head -c 1)" = "}" ] || fail "$2: $f is not a complete JSON object"
  done
}

# one_line FILE CASE PATTERN: FILE has exactly one line, of the form "esnapmd: ...", matching PATTERN (grep -E)
one_line() {
  local n
  n=$(wc -l < "$1")
  [ "$n" -eq 1 ] || fail "$2: $n lines of error (one expected): $(cat "$1")"
  grep -qE "^esnapmd: .*$3" "$1" || fail "$2: the message does not match '$3': $(cat "$1")"
}

# finish DIR CASE: continue from DIR/out/run.chk (or start again when there is none) until the run completes
finish() {
  local k rc
  for k in 1 2 3 4 5 6; do
    if [ -e "$1/out/run.chk" ]; then
      "$bin" run "$1/deck.in" --quiet --restart "$1/out/run.chk" > "$1/finish.out" 2>&1
    else
      "$bin" run "$1/deck.in" --quiet > "$1/finish.out" 2>&1
    fi
    rc=$?
    [ $rc -eq 0 ] && return 0
  done
  fail "$2: the continuation did not finish (exit $rc): $(cat "$1/finish.out")"
  return 1
}

# --- the uninterrupted run ---
deck "$root/ref"
t0=$(date +%s%N)
"$bin" run "$root/ref/deck.in" --quiet || { echo "FAIL: the uninterrupted run failed"; exit 1; }
run_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $run_ms -ge 50 ] || run_ms=50
appended=$(cat "$root"/ref/out/thermo_r*.dat "$root"/ref/out/li_r*.xyz "$root"/ref/out/all_r*.dump | wc -c)
echo "uninterrupted run: ${run_ms} ms, $appended bytes of thermo and dumps"

# --- kill -9 at random moments ---
for t in 1 2 3; do
  c=$root/kill$t
  deck "$c"
  "$bin" run "$c/deck.in" --quiet > /dev/null 2>&1 &
  pid=$!
  ms=$(rnd 20 $((run_ms * 9 / 10)))
  sleep "$(msec $ms)"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  echo "kill -9 after ${ms} ms"
  atomic_complete "$c" "kill -9 ($ms ms)"
  finish "$c" "kill -9 ($ms ms)" && same_as_ref "$c" "kill -9 ($ms ms)"
done

# --- SIGTERM / SIGINT at random moments ---
for sig in TERM INT TERM; do
  c=$root/sig$sig$RANDOM
  deck "$c"
  "$bin" run "$c/deck.in" --quiet > "$c/stdout" 2> "$c/stderr" &
  pid=$!
  ms=$(rnd 100 $((run_ms * 9 / 10 > 100 ? run_ms * 9 / 10 : 100)))
  sleep "$(msec $ms)"
  kill -s $sig $pid 2>/dev/null
  wait $pid
  rc=$?
  num=$(kill -l $sig)
  echo "SIG$sig after ${ms} ms: exit $rc"
  if [ $rc -ne 0 ]; then
    [ $rc -lt 128 ] || fail "SIG$sig ($ms ms): died by a signal (exit $rc) instead of stopping"
    one_line "$c/stderr" "SIG$sig ($ms ms)" "interrupted by signal $num at step [0-9]+; checkpoint written: continue with --restart $c/out/run.chk"
  fi
  atomic_complete "$c" "SIG$sig ($ms ms)"
  finish "$c" "SIG$sig ($ms ms)" && same_as_ref "$c" "SIG$sig ($ms ms)"
done

# --- a full disk after a random number of bytes ---
for t in 1 2 3; do
  c=$root/enospc$t
  deck "$c"
  n=$(rnd 1000 $((appended * 9 / 10)))
  env LD_PRELOAD="$shim" ESNAP_FAULT_ENOSPC_AFTER=$n "$bin" run "$c/deck.in" --quiet > "$c/stdout" 2> "$c/stderr"
  rc=$?
  echo "ENOSPC after $n bytes: exit $rc; $(tail -n 1 "$c/stderr")"
  [ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "ENOSPC after $n bytes: exit $rc (a non-zero exit with a message expected)"
  # warnings (checkpoints not written) may come first; the error is the last line and names what to restart from
  grep -qvE '^esnapmd: ' "$c/stderr" && fail "ENOSPC after $n bytes: a line that is not an esnapmd message: $(cat "$c/stderr")"
  tail -n 1 "$c/stderr" | grep -qE '^esnapmd: .*No space left on device.*(last good checkpoint: .*run.chk \(step [0-9]+\)|no checkpoint written|newest good one is|none to restart from)' ||
    fail "ENOSPC after $n bytes: unclear error: $(tail -n 1 "$c/stderr")"
  atomic_complete "$c" "ENOSPC after $n bytes"
  finish "$c" "ENOSPC after $n bytes" && same_as_ref "$c" "ENOSPC after $n bytes"
done

# --- a read-only output directory ---
c=$root/ro_fresh
deck "$c"
mkdir -p "$c/out"
env LD_PRELOAD="$shim" ESNAP_FAULT_READONLY="$c/out" "$bin" run "$c/deck.in" --quiet > "$c/stdout" 2> "$c/stderr"
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "read-only output (fresh run): exit $rc"
one_line "$c/stderr" "read-only output (fresh run)" "Read-only file system"
[ -z "$(ls -A "$c/out")" ] || fail "read-only output (fresh run): files appeared: $(ls -A "$c/out")"
# a run stopped at step 130 (checkpoint of step 125), continued into a directory that became read-only
c=$root/ro_restart
deck "$c"
(ESNAPMD_DEBUG_KILL_AT_STEP=130 "$bin" run "$c/deck.in" --quiet > /dev/null 2>&1) 2> /dev/null
before=$(snapshot "$c/out")
env LD_PRELOAD="$shim" ESNAP_FAULT_READONLY="$c/out" "$bin" run "$c/deck.in" --quiet --restart "$c/out/run.chk" > "$c/stdout" 2> "$c/stderr"
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "read-only output (restart): exit $rc"
one_line "$c/stderr" "read-only output (restart)" "Read-only file system"
[ "$(snapshot "$c/out")" = "$before" ] || fail "read-only output (restart): files changed"
cp -r "$c" "$root/partial"   # the stopped run, for the corrupt checkpoints below
finish "$c" "read-only output (restart)" && same_as_ref "$c" "read-only output (restart)"

# --- corrupt checkpoints: refused with one line, nothing changed ---
size=$(wc -c < "$root/partial/out/run.chk")
for kind in truncated flipped flipped flipped empty other; do
  c=$root/corrupt_$kind$RANDOM
  rm -rf "$c"
  cp -r "$root/partial" "$c"
  sed -i "s#^output .*#output $c/out#" "$c/deck.in"
  chk=$c/out/run.chk
  case $kind in
    truncated) at=$(rnd 1 $((size - 1))); head -c "$at" "$root/partial/out/run.chk" > "$chk"; what="truncated to $at bytes" ;;
    flipped)
      at=$(rnd 0 $((size - 1)))
      byte=$(od -An -tu1 -j "$at" -N 1 "$chk" | tr -d ' ')
      printf "$(printf '\\%03o' $(( byte ^ (1 << $(rnd 0 7)) )))" | dd of="$chk" bs=1 seek="$at" conv=notrunc status=none
      what="a bit flipped in byte $at" ;;
    empty) : > "$chk"; what="empty" ;;
    other) cp "$c/deck.in" "$chk"; what="another file" ;;
  esac
  cmp -s "$chk" "$root/partial/out/run.chk" && fail "corrupt checkpoint ($what): the file did not change"
  before=$(snapshot "$c/out")
  "$bin" run "$c/deck.in" --quiet --restart "$chk" > "$c/stdout" 2> "$c/stderr"
  rc=$?
  echo "corrupt checkpoint ($what): exit $rc; $(cat "$c/stderr")"
  [ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "corrupt checkpoint ($what): exit $rc"
  one_line "$c/stderr" "corrupt checkpoint ($what)" "run.chk: .*(corrupted|truncated|not an esnapmd checkpoint|incomplete)"
  [ "$(snapshot "$c/out")" = "$before" ] || fail "corrupt checkpoint ($what): files changed"
done

if [ $failures -gt 0 ]; then
  echo "fault_test.sh: $failures failure(s) (ESNAP_TEST_SEED=$seed)"
  exit 1
fi
echo "fault_test.sh: all cases passed"
