#!/usr/bin/env bash
# soak.sh - run the whole of make test again and again beside CPU hogs:
# the tests must give the same verdict on a busy machine as on an idle one.
#
# Usage: tools/soak.sh [RUNS] [HOGS]          (make test-soak RUNS=5 HOGS=2)
#
# Starts HOGS busy loops (default 2), runs `make test` RUNS times (default
# 5) one after another, and stops the hogs.  Each run's output goes to
# build/soak/run-N.log.  The last line is "soak: P of N runs passed with K
# hogs"; the exit status is 0 only if every run passed.
set -uo pipefail

runs=${1:-5}
hogs=${2:-2}
for n in "$runs" "$hogs"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "soak: RUNS and HOGS must be numbers, not '$n'" >&2; exit 2; }
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build/soak

hog_pids=()
stop_hogs() {
    for pid in "${hog_pids[@]}"; do
        kill "$pid" 2>/dev/null
    done
    wait 2>/dev/null
}
trap stop_hogs EXIT
for ((i = 0; i < hogs; i++)); do
    (while :; do :; done) &
    hog_pids+=($!)
done

passed=0
for ((n = 1; n <= runs; n++)); do
    log=build/soak/run-$n.log
    start=$SECONDS
    if make --no-print-directory test >"$log" 2>&1; then
        passed=$((passed + 1))
        verdict=passed
    else
        verdict=FAILED
    fi
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed|killed, [0-9]+ survived|^run_test: ' "$log" | tr '\n' ';')
    echo "soak: run $n of $runs $verdict in $((SECONDS - start)) s: ${summary:-no summary} ($log)"
done
echo "soak: $passed of $runs runs passed with $hogs hogs"
[ "$passed" -eq "$runs" ]
