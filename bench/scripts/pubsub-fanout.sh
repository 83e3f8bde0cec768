#!/usr/bin/env bash
# Pub/Sub fan-out, ringkv against redis-server in the same run (loopback, bounded): for 1, 10 and 100 subscribers
# of one channel, PUBLISH throughput (one publisher pipelining 32) and messages delivered per second, then the
# publish-to-deliver latency (p50/p99/max) at a fixed rate of single PUBLISHes; server CPU per delivered message
# from /proc. Rounds alternate ringkv and Redis so that a noisy machine affects both alike.
#   bench/scripts/pubsub-fanout.sh [throughput_seconds=5] [latency_rate=2000] [latency_seconds=5] [rounds=2]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/bench/scripts/servers.sh"
SECONDS_T=${1:-5}; RATE=${2:-2000}; SECONDS_L=${3:-5}; ROUNDS=${4:-2}
JAVA="$("$ROOT/bin/ringkv" java)"
LOGS=$(mktemp -d)
start_pair "$LOGS/ringkv.log" "$LOGS/redis.log"
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
echo "# $(date -u +%FT%TZ) $(nproc) cores; throughput ${SECONDS_T}s, latency ${RATE}/s for ${SECONDS_L}s, ${ROUNDS} rounds"
for round in $(seq 1 "$ROUNDS"); do
    for subs in 1 10 100; do
        for target in ringkv redis; do
            if [ "$target" = ringkv ]; then port=$RK_PORT; pid=$RK_PID; else port=$RD_PORT; pid=$RD_PID; fi
            before=$(cpu_ticks "$pid")
            line=$("$JAVA" -cp "$CP" io.ringkv.bench.net.PubSubFanout "$port" "$subs" "$SECONDS_T" "$RATE" "$SECONDS_L")
            after=$(cpu_ticks "$pid")
            echo "round=$round server=$target $line server_cpu_s=$(awk -v t=$((after - before)) 'BEGIN{printf "%.2f", t/100}')"
        done
    done
done
