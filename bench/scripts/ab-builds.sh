#!/usr/bin/env bash
# A/B of two ringkv builds on this machine: runs redis-benchmark against a server of another checkout (A, e.g. main's
# build) and one of this tree (B), alternately, and prints throughput and the server's CPU time per request
# (utime+stime from /proc/PID/stat before and after each run), with B/A ratios of the medians over the rounds.
# Made to measure what a change costs on the hot path (e.g. the slow log's one comparison per call).
#
#   bench/scripts/ab-builds.sh --a /path/to/other/checkout [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE] [-d BYTES]
#                              [-t TESTS] [-P "1 16"] [--rounds N] [--b-opts "..."]
#
# The other checkout must have been built (its bin/ringkv build). Both servers listen on free loopback ports.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
A_ROOT=""; N=500000; C=50; R=100000; D=32; TESTS="set,get"; PIPES="1 16"; ROUNDS=5; B_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --a) A_ROOT="$2"; shift 2;; -n) N="$2"; shift 2;; -c) C="$2"; shift 2;; -r) R="$2"; shift 2;;
        -d) D="$2"; shift 2;; -t) TESTS="$2"; shift 2;; -P) PIPES="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        --b-opts) B_OPTS="$2"; shift 2;;
        *) echo "ab-builds: unknown argument '$1'" >&2; exit 2;;
    esac
done
[ -x "$A_ROOT/bin/ringkv" ] || { echo "ab-builds: --a must name another ringkv checkout" >&2; exit 2; }
. "$ROOT/bench/scripts/servers.sh"
TICK=$(getconf CLK_TCK)

"$ROOT/bin/ringkv" build >/dev/null
A_PORT=$(free_port); B_PORT=$(free_port)
"$A_ROOT/bin/ringkv" server --port "$A_PORT" > /tmp/ab-builds-a.log 2>&1 &
A_PID=$!
# shellcheck disable=SC2086
"$ROOT/bin/ringkv" server --port "$B_PORT" $B_OPTS > /tmp/ab-builds-b.log 2>&1 &
B_PID=$!
trap 'kill $A_PID $B_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
await_ping "$A_PORT"; await_ping "$B_PORT"
for port in "$A_PORT" "$B_PORT"; do # warm the JIT
    redis-benchmark -p "$port" -t "$TESTS" -n 200000 -c "$C" -r "$R" -d "$D" -P 16 -q >/dev/null 2>&1
    redis-benchmark -p "$port" -t "$TESTS" -n 100000 -c "$C" -r "$R" -d "$D" -P 1 -q >/dev/null 2>&1
done

RESULTS=$(mktemp)
run() { # name pid port test pipeline -> appends "name test pipe rps cpu_us" to $RESULTS
    local name=$1 pid=$2 port=$3 test=$4 pipe=$5 before after csv cpu_us
    before=$(cpu_ticks "$pid")
    csv=$(redis-benchmark -p "$port" -t "$test" -n "$N" -c "$C" -r "$R" -d "$D" -P "$pipe" --csv 2>/dev/null)
    after=$(cpu_ticks "$pid")
    cpu_us=$(python3 -c "print(($after-$before)*1e6/$TICK/$N)")
    echo "$csv" | tail -n +2 | tr -d '"' | while IFS=, read -r label rps _; do
        echo "$name $label $pipe $rps $cpu_us" >> "$RESULTS"
    done
}
for round in $(seq 1 "$ROUNDS"); do
    for pipe in $PIPES; do
        for test in ${TESTS//,/ }; do
            # Alternate which build goes first, so drift in the machine's load favours neither.
            if [ $((round % 2)) -eq 1 ]; then
                run A "$A_PID" "$A_PORT" "$test" "$pipe"; run B "$B_PID" "$B_PORT" "$test" "$pipe"
            else
                run B "$B_PID" "$B_PORT" "$test" "$pipe"; run A "$A_PID" "$A_PORT" "$test" "$pipe"
            fi
        done
    done
done
python3 - "$RESULTS" "$N" "$C" "$R" "$D" "$ROUNDS" "$(cat /proc/loadavg)" <<'PY'
import sys, statistics, collections
path, n, c, r, d, rounds, load = sys.argv[1:]
rows = collections.defaultdict(list)
for line in open(path):
    name, test, pipe, rps, cpu = line.split()
    rows[(test, int(pipe), name)].append((float(rps), float(cpu)))
def med(v, i): return statistics.median(x[i] for x in v)
print(f"redis-benchmark -n {n} -c {c} -r {r} -d {d}, medians of {rounds} alternating rounds; loadavg at the end: {load}")
print()
print("| test | -P | A ops/s | B ops/s | B/A | A CPU us/req | B CPU us/req | B/A CPU | B/A per round (ops/s) |")
print("|---|---|---|---|---|---|---|---|---|")
for test, pipe in sorted({(t, p) for t, p, _ in rows}, key=lambda k: (k[1], k[0])):
    a, b = rows[(test, pipe, "A")], rows[(test, pipe, "B")]
    per_round = " ".join(f"{y[0]/x[0]:.2f}" for x, y in zip(a, b))
    print(f"| {test} | {pipe} | {med(a,0):,.0f} | {med(b,0):,.0f} | {med(b,0)/med(a,0):.3f} | {med(a,1):.3f} | "
          f"{med(b,1):.3f} | {med(b,1)/med(a,1):.3f} | {per_round} |")
PY
