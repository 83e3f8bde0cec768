#!/usr/bin/env bash
# Runs redis-benchmark against ringkv and against redis-server on this machine, alternately, and prints a markdown
# table of throughput, p50, p99 and the server's CPU time per request (utime+stime of the server process from
# /proc/PID/stat before and after each run), with ringkv/Redis ratios of the medians over the rounds.
#
#   bench/scripts/compare-redis.sh [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE] [-d BYTES] [-t TESTS] [-P "1 16"]
#                                  [--rounds N] [--ringkv-opts "..."]
#
# Both servers are started here on free loopback ports (Redis with --save '' --appendonly no) and stopped at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=1000000; C=50; R=1000000; D=32; TESTS="set,get,incr"; PIPES="1 16"; ROUNDS=3; RINGKV_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N="$2"; shift 2;; -c) C="$2"; shift 2;; -r) R="$2"; shift 2;; -d) D="$2"; shift 2;;
        -t) TESTS="$2"; shift 2;; -P) PIPES="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        --ringkv-opts) RINGKV_OPTS="$2"; shift 2;;
        *) echo "compare-redis: unknown argument '$1'" >&2; exit 2;;
    esac
done
for tool in redis-server redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || { echo "compare-redis: $tool is needed (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

. "$ROOT/bench/scripts/servers.sh"
TICK=$(getconf CLK_TCK)

start_pair /tmp/compare-redis-ringkv.log /tmp/compare-redis-redis.log $RINGKV_OPTS
# The launcher execs java, so $RK_PID is the JVM. Warm it up (JIT) before measuring.
redis-benchmark -p "$RK_PORT" -t "$TESTS" -n 200000 -c "$C" -r "$R" -d "$D" -P 16 -q >/dev/null 2>&1
redis-benchmark -p "$RK_PORT" -t "$TESTS" -n 100000 -c "$C" -r "$R" -d "$D" -P 1 -q >/dev/null 2>&1

RESULTS=$(mktemp)
run() { # server pid port test pipeline -> appends "server test pipe rps p50 p99 cpu_us" to $RESULTS
    local name=$1 pid=$2 port=$3 test=$4 pipe=$5 before after csv cpu_us
    before=$(cpu_ticks "$pid")
    csv=$(redis-benchmark -p "$port" -t "$test" -n "$N" -c "$C" -r "$R" -d "$D" -P "$pipe" --csv 2>/dev/null)
    after=$(cpu_ticks "$pid")
    cpu_us=$(python3 -c "print(($after-$before)*1e6/$TICK/$N)")
    echo "$csv" | tail -n +2 | tr -d '"' | while IFS=, read -r label rps avg min p50 p95 p99 max; do
        echo "$name ${label// /_} $pipe $rps $p50 $p99 $cpu_us" >> "$RESULTS"   # LRANGE labels have spaces
    done
}
for round in $(seq 1 "$ROUNDS"); do
    for pipe in $PIPES; do
        for test in ${TESTS//,/ }; do
            run ringkv "$RK_PID" "$RK_PORT" "$test" "$pipe"
            run redis "$RD_PID" "$RD_PORT" "$test" "$pipe"
        done
    done
done

python3 - "$RESULTS" "$N" "$C" "$R" "$D" "$ROUNDS" <<'PY'
import sys, statistics, collections
path, n, c, r, d, rounds = sys.argv[1:]
rows = collections.defaultdict(list)
for line in open(path):
    name, test, pipe, rps, p50, p99, cpu = line.split()
    rows[(test, int(pipe), name)].append((float(rps), float(p50), float(p99), float(cpu)))
def med(values, i): return statistics.median(v[i] for v in values)
print(f"redis-benchmark -n {n} -c {c} -r {r} -d {d}, medians of {rounds} alternating rounds")
print()
print("| test | -P | ringkv ops/s | Redis ops/s | ratio | ringkv p50 ms | Redis p50 ms | ringkv p99 ms | Redis p99 ms | p99 ratio (Redis/ringkv) | ringkv CPU us/req | Redis CPU us/req |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for test, pipe in sorted({(t, p) for t, p, _ in rows}, key=lambda k: (k[1], k[0])):
    a, b = rows[(test, pipe, "ringkv")], rows[(test, pipe, "redis")]
    print(f"| {test} | {pipe} | {med(a,0):,.0f} | {med(b,0):,.0f} | {med(a,0)/med(b,0):.2f} | {med(a,1):.3f} | {med(b,1):.3f} | "
          f"{med(a,2):.3f} | {med(b,2):.3f} | {med(b,2)/med(a,2):.2f} | {med(a,3):.2f} | {med(b,3):.2f} |")
PY
