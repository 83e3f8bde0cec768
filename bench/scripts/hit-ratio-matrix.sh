#!/usr/bin/env bash
# Cache-aside hit ratio of ringkv's and Redis's eviction policies, side by side, in one table: the load generator's
# three workloads (zipfian, zipfian-moving, zipfian-scan) at three budgets, ringkv allkeys-lru / allkeys-lfu /
# allkeys-tinylfu and Redis allkeys-lru / allkeys-lfu, every run with the same maxmemory in bytes on both servers.
# A budget of P% is Redis's used_memory when empty plus P% of what the whole key space adds to it, so that Redis
# has room for about P% of the keys (its maxmemory counts its own baseline, about 0.9 MB).
#
# One ringkv and one redis-server 7.0.15 are started by the script (bench/scripts/servers.sh) and loaded one at a time.
# Before each run the server is emptied and its policy set afresh (through noeviction, so ringkv's sketch starts
# empty as Redis's counters do). Requests are sent open loop at a fixed --rate, so both servers see the same number
# of requests between two moves of the hot set or two scans (these follow the clock): the hit ratio then does not
# depend on how fast a server is, as long as it keeps up (the script says when one did not).
#
# Usage: bench/scripts/hit-ratio-matrix.sh [--out DIR]
# Environment (defaults): KEYSPACE=100000 VALUE_SIZE=100 RATE=30000 (GETs/s) WARMUP=4s DURATION=6s PERIOD=2s
#                         BUDGETS="10 25 50" WORKLOADS="zipfian zipfian-moving zipfian-scan"
# 45 runs of WARMUP + DURATION each: about 9 minutes with the defaults. A '*' after a hit ratio: that server
# answered fewer than 95% of RATE GETs a second (it fell behind, so it saw more requests per period).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/scripts/servers.sh"

OUT=/tmp/hit-ratio-matrix
while [ $# -gt 0 ]; do
    case $1 in
        --out) OUT=$2; shift 2 ;;
        *) echo "usage: $0 [--out DIR]" >&2; exit 2 ;;
    esac
done
KEYSPACE=${KEYSPACE:-100000}
VALUE_SIZE=${VALUE_SIZE:-100}
RATE=${RATE:-30000}
WARMUP=${WARMUP:-4s}
DURATION=${DURATION:-6s}
PERIOD=${PERIOD:-2s}
BUDGETS=${BUDGETS:-10 25 50}
WORKLOADS=${WORKLOADS:-zipfian zipfian-moving zipfian-scan}
mkdir -p "$OUT"

start_pair "$OUT/ringkv.log" "$OUT/redis.log" --maxmemory-eviction-tenacity 10

loadgen() { "$ROOT/bin/ringkv" loadgen --no-progress --seed 42 --keyspace "$KEYSPACE" --value-size "$VALUE_SIZE" "$@"; }
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v f="$3" '$1 == f {print $2}'; }

# The key space's size in Redis: used_memory with every key SET, less used_memory empty.
empty=$(info_field "$RD_PORT" memory used_memory)
loadgen -p "$RD_PORT" --preload --mix get=1 -c 8 -d 1s --warmup 0s -o "$OUT/preload" >/dev/null
full=$(info_field "$RD_PORT" memory used_memory)
WORKING_SET=$((full - empty))

# run PORT POLICY BUDGET WORKLOAD: prints the measured hit ratio, and a '*' when the server fell behind the rate.
run() {
    local port=$1 policy=$2 budget=$3 workload=$4 args=() dir
    redis-cli -p "$port" config set maxmemory 0 >/dev/null
    redis-cli -p "$port" config set maxmemory-policy noeviction >/dev/null
    redis-cli -p "$port" flushall >/dev/null
    redis-cli -p "$port" config set maxmemory-policy "$policy" >/dev/null
    redis-cli -p "$port" config set maxmemory "$budget" >/dev/null
    case $workload in
        zipfian-moving) args=(--hot-set-period "$PERIOD" --hot-set-shift $((KEYSPACE / 10))) ;;
        zipfian-scan) args=(--scan-period "$PERIOD" --scan-length $((KEYSPACE / 10))) ;;
    esac
    dir="$OUT/$port-$policy-$budget-$workload"
    loadgen -p "$port" --cache-aside --distribution "$workload" "${args[@]}" --rate "$RATE" -c 8 -P 4 \
        -d "$DURATION" --warmup "$WARMUP" -o "$dir" > "$dir.txt"
    python3 - "$dir/summary.json" "$RATE" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
cache = run["cacheAside"]
# Open loop: a server that keeps up answers RATE GETs a second; one that fell behind saw fewer per period.
behind = cache["gets"] / run["measuredSeconds"] < 0.95 * float(sys.argv[2])
print(f'{cache["hitRatio"]:.4f}' + ("*" if behind else ""))
EOF
}

printf '# %s, key space %d x %d-byte values = %d bytes in Redis (used_memory %d empty), rate %d GETs/s, warm-up %s, measured %s,\n' \
    "$(date -u +%FT%TZ)" "$KEYSPACE" "$VALUE_SIZE" "$WORKING_SET" "$empty" "$RATE" "$WARMUP" "$DURATION"
printf '# hot set moves by %d keys / scans of %d new keys every %s; load average %s\n\n' \
    $((KEYSPACE / 10)) $((KEYSPACE / 10)) "$PERIOD" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "| workload | budget | bytes | ringkv lru | Redis lru | ringkv lfu | Redis lfu | ringkv tinylfu | tinylfu - best Redis |"
echo "|---|---|---|---|---|---|---|---|---|"
for workload in $WORKLOADS; do
    for pct in $BUDGETS; do
        budget=$((empty + WORKING_SET * pct / 100))
        rk_lru=$(run "$RK_PORT" allkeys-lru "$budget" "$workload")
        rd_lru=$(run "$RD_PORT" allkeys-lru "$budget" "$workload")
        rk_lfu=$(run "$RK_PORT" allkeys-lfu "$budget" "$workload")
        rd_lfu=$(run "$RD_PORT" allkeys-lfu "$budget" "$workload")
        rk_tiny=$(run "$RK_PORT" allkeys-tinylfu "$budget" "$workload")
        gain=$(python3 -c "print(f'{(${rk_tiny%\*} - max(${rd_lru%\*}, ${rd_lfu%\*})) * 100:+.1f} pts')")
        echo "| $workload | $pct% | $budget | $rk_lru | $rd_lru | $rk_lfu | $rd_lfu | $rk_tiny | $gain |"
    done
done
