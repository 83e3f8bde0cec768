#!/usr/bin/env bash
# Throughput, latency and server CPU per request of ringkv against redis-server 7.0.15 with eviction active: both
# started by the script with the same maxmemory and policy, filled to the budget, then loaded with SETs of new keys
# (a key space far larger than the budget holds, so nearly every SET evicts a key) in alternating rounds
# (loadgen --compare). Prints the loadgen's comparison, each server's CPU per request (utime+stime over
# total_commands_processed, warm-up included) and each server's own view of SET: INFO latencystats percentiles and
# the slowest bucket of LATENCY HISTOGRAM SET (execution time on the server, what eviction adds to a command).
#
# Usage: bench/scripts/eviction-load.sh [--policy allkeys-lru] [--ringkv-policy P] [--maxmemory 64mb]
#                                       [--out DIR] [-- extra loadgen options]
# Defaults: -c 50 -P 16, keyspace 5,000,000, 100-byte values, -d 10s --warmup 3s --rounds 3 (about 90 s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/scripts/servers.sh"

POLICY=allkeys-lru
RK_POLICY=
MAXMEMORY=64mb
OUT=/tmp/eviction-load
while [ $# -gt 0 ]; do
    case $1 in
        --policy) POLICY=$2; shift 2 ;;
        --ringkv-policy) RK_POLICY=$2; shift 2 ;;
        --maxmemory) MAXMEMORY=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: $0 [--policy P] [--ringkv-policy P] [--maxmemory SIZE] [--out DIR] [-- loadgen options]" >&2
           exit 2 ;;
    esac
done
RK_POLICY=${RK_POLICY:-$POLICY}
mkdir -p "$OUT"

start_pair "$OUT/ringkv.log" "$OUT/redis.log" --maxmemory "$MAXMEMORY" --maxmemory-policy "$RK_POLICY" \
    -- --maxmemory "$MAXMEMORY" --maxmemory-policy "$POLICY"

info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }
commands() { info_field "$1" stats total_commands_processed; }

echo "# $(date -u +%FT%TZ) maxmemory $MAXMEMORY, ringkv $RK_POLICY, Redis $POLICY"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg); $(head -1 /proc/pressure/cpu)"
# Fill both to the budget first, so that the measured rounds evict from their first request.
for port in "$RK_PORT" "$RD_PORT"; do
    "$ROOT/bin/ringkv" loadgen -p "$port" --no-progress --mix set=1 --keyspace 2000000 --key-prefix fill: \
        --value-size 100 -c 20 -P 32 -d 3s --warmup 0s -o "$OUT/fill-$port" >/dev/null
    redis-cli -p "$port" config resetstat >/dev/null
done
rk_cpu0=$(cpu_ticks "$RK_PID"); rd_cpu0=$(cpu_ticks "$RD_PID")
rk_cmd0=$(commands "$RK_PORT"); rd_cmd0=$(commands "$RD_PORT")

"$ROOT/bin/ringkv" loadgen -p "$RK_PORT" --label ringkv --compare "127.0.0.1:$RD_PORT" --compare-label redis \
    --no-progress --mix set=1 --keyspace 5000000 --value-size 100 -c 50 -P 16 -d 10s --warmup 3s --rounds 3 \
    --seed 42 -o "$OUT/load" "$@"

rk_cpu1=$(cpu_ticks "$RK_PID"); rd_cpu1=$(cpu_ticks "$RD_PID")
rk_cmd1=$(commands "$RK_PORT"); rd_cmd1=$(commands "$RD_PORT")
hz=$(getconf CLK_TCK)
echo
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(head -1 /proc/pressure/cpu)"
for side in ringkv redis; do
    if [ $side = ringkv ]; then port=$RK_PORT c0=$rk_cpu0 c1=$rk_cpu1 n0=$rk_cmd0 n1=$rk_cmd1
    else port=$RD_PORT c0=$rd_cpu0 c1=$rd_cpu1 n0=$rd_cmd0 n1=$rd_cmd1; fi
    python3 -c "print(f'$side: CPU {($c1 - $c0) / $hz:.1f} s over {$n1 - $n0:,} commands = \
{($c1 - $c0) / $hz * 1e6 / max(1, $n1 - $n0):.2f} us/request')"
    echo "$side: evicted_keys $(info_field "$port" stats evicted_keys), used_memory $(info_field "$port" memory used_memory)"
    echo "$side: $(info_field "$port" latencystats latency_percentiles_usec_set)"
    # The slowest non-empty bucket of the server-side SET histogram: its worst single SET, to a power of two.
    redis-cli -p "$port" latency histogram set | python3 -c "
import sys
lines = [l.strip() for l in sys.stdin if l.strip()]
# The reply: set, calls, N, histogram_usec, bound1, count1, bound2, count2 ... (bounds in microseconds).
values = [int(l) for l in lines[lines.index('histogram_usec') + 1:]]
pairs = list(zip(values[::2], values[1::2]))
print('$side: SET histogram (us <= bound: cumulative count), last buckets:', pairs[-4:])
"
done
