#!/usr/bin/env bash
# Client latency on a master with and without a replica's full sync in progress, for ringkv and for Redis.
#
#   bench/scripts/full-sync-latency.sh [OUT_DIR] [KEYS] [RATE] [SECONDS]     (defaults: /tmp/full-sync 1000000 20000 15)
#
# For each target: start a master and a replica (not yet replicating) on loopback ports, preload KEYS keys
# (16-byte keys, 32-byte values), run the load generator open loop at RATE requests/s (GET/SET) for SECONDS
# ("no-sync"), then the same run again while the replica is told REPLICAOF 4 s into it ("during-sync").
# Prints each run's latency line (ms: p50 p90 p99 p99.9 p99.99 max).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
OUT=${1:-/tmp/full-sync}; KEYS=${2:-1000000}; RATE=${3:-20000}; SECONDS_=${4:-15}
mkdir -p "$OUT"
. "$ROOT/bench/scripts/servers.sh"
bin/ringkv build >/dev/null
LG="bin/ringkv loadgen -k $KEYS --key-length 16 --value-size 32 --no-progress"
for target in ringkv redis; do
    M=$(free_port); R=$(free_port)
    if [ "$target" = ringkv ]; then
        bin/ringkv server --port "$M" > "$OUT/$target-master.log" 2>&1 &
        MP=$!
        bin/ringkv server --port "$R" > "$OUT/$target-replica.log" 2>&1 &
        RP=$!
    else
        redis-server --port "$M" --save '' --appendonly no --dir "$(mktemp -d)" --repl-diskless-sync yes \
            --repl-diskless-sync-delay 0 > "$OUT/$target-master.log" 2>&1 &
        MP=$!
        redis-server --port "$R" --save '' --appendonly no --dir "$(mktemp -d)" > "$OUT/$target-replica.log" 2>&1 &
        RP=$!
    fi
    await_ping "$M"; await_ping "$R"
    $LG -p "$M" --preload -n 1 -c 1 --out "$OUT/$target-fill" > /dev/null 2>&1
    $LG -p "$M" -r "$RATE" -d "${SECONDS_}s" --warmup 2s --label "$target-no-sync" --out "$OUT/$target-no-sync" \
        > "$OUT/$target-no-sync.txt" 2>&1
    $LG -p "$M" -r "$RATE" -d "${SECONDS_}s" --warmup 2s --label "$target-during-sync" --out "$OUT/$target-during-sync" \
        > "$OUT/$target-during-sync.txt" 2>&1 &
    LP=$!
    sleep 4
    redis-cli -p "$R" replicaof 127.0.0.1 "$M" > /dev/null
    wait "$LP"
    echo "$target no-sync:     $(grep -E '^ALL ' "$OUT/$target-no-sync.txt" | head -1)"
    echo "$target during-sync: $(grep -E '^ALL ' "$OUT/$target-during-sync.txt" | head -1)"
    echo "$target replica:     $(redis-cli -p "$R" info replication | grep -E 'master_link_status' | tr -d '\r')"
    kill "$RP" "$MP"; wait "$RP" "$MP" 2>/dev/null
done
