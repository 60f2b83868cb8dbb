#!/usr/bin/env bash
# tools/bench_analyses.sh [BUILD] [ROUNDS] — the cost of the on-the-fly analyses on the CPU backend: runs
# inputs/li3n_analysis_bench.in (500 atoms, 2000 steps, every analysis of the superionic study) and the same deck
# with the analysis lines removed, interleaved ROUNDS times (default 3), and prints a Markdown table of wall
# times, atom-steps/s and the analysis share the run itself reports, with machine, date and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}" ROUNDS="${2:-3}"
EXE="$BUILD/esnapmd"
[ -x "$EXE" ] || { echo "bench_analyses: $EXE not built" >&2; exit 2; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp inputs/li3n_analysis_bench.in "$TMP/with.in"
grep -vE '^(heatcap|diffusion|sites|density|rdf|spectra)([[:space:]]|$)' inputs/li3n_analysis_bench.in > "$TMP/without.in"
sed -i "s#^model .*#model $(pwd)/potentials/li3n_esnap.model#; s#^output .*#output $TMP/out#" "$TMP/with.in" "$TMP/without.in"
echo "# on-the-fly analysis cost, CPU backend: $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# date $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
echo
echo "| round | deck | wall s | atom-steps/s | analysis share reported by the run |"
echo "|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for k in without with; do
    rm -rf "$TMP/out"
    t0=$(date +%s.%N)
    "$EXE" run "$TMP/$k.in" --device cpu > "$TMP/$k.log" 2>&1 || { cat "$TMP/$k.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    rate=$(awk -v w="$wall" 'BEGIN { print 500 * 2000 / w }')
    share=$(grep -o 'on-the-fly analysis[^;]*' "$TMP/$k.log" | tail -1 || true)
    printf '| %d | %s | %.2f | %.3g | %s |\n' "$r" "$k" "$wall" "$rate" "${share:--}"
  done
done
