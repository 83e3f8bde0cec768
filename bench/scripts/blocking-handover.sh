#!/usr/bin/env bash
# Blocking commands against redis-server 7.0.15 in the same run (docs/benchmarks.md, "Blocking commands"):
#  1. hand-over latency: CONSUMERS connections on BRPOP of their own key, PRODUCERS connections LPUSH at RATE/s;
#     ROUNDS alternating rounds per server, server CPU per hand-over from /proc.
#  2. CPU at rest: IDLE clients blocked in BLPOP on distinct keys, server CPU over SECONDS of rest, next to the same
#     server's CPU at rest with no client.
# Usage: bench/scripts/blocking-handover.sh [CONSUMERS=50] [PRODUCERS=2] [RATE=20000] [SECONDS=10] [ROUNDS=2]
#        [IDLE=10000] (0: no rest measurement)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/bench/scripts/servers.sh"
CONSUMERS=${1:-50} PRODUCERS=${2:-2} RATE=${3:-20000} SECONDS_=${4:-10} ROUNDS=${5:-2} IDLE=${6:-10000}
JAVA="$("$ROOT/bin/ringkv" java)"   # a JDK >= 21, found as bin/ringkv finds it
PROGRAM="$ROOT/bench/scripts/BlockingHandover.java"
LOGS=$(mktemp -d)
HZ=$(getconf CLK_TCK)

start_pair "$LOGS/ringkv.log" "$LOGS/redis.log" --maxclients 10200 -- --maxclients 10200

for round in $(seq 1 "$ROUNDS"); do
    for server in redis ringkv; do
        if [ $server = ringkv ]; then port=$RK_PORT pid=$RK_PID; else port=$RD_PORT pid=$RD_PID; fi
        before=$(cpu_ticks "$pid")
        result=$("$JAVA" "$PROGRAM" handover 127.0.0.1 "$port" "$CONSUMERS" "$PRODUCERS" "$RATE" "$SECONDS_")
        after=$(cpu_ticks "$pid")
        handovers=$(sed 's/.*handovers=\([0-9]*\).*/\1/' <<<"$result")
        cpu_us=$(( (after - before) * 1000000 / HZ ))
        echo "round $round $server $result server_cpu_us_per_handover=$(awk -v c="$cpu_us" -v n="$handovers" 'BEGIN {printf "%.1f", c / n}')"
    done
done

[ "$IDLE" -gt 0 ] || exit 0
for server in redis ringkv; do
    if [ $server = ringkv ]; then port=$RK_PORT pid=$RK_PID; else port=$RD_PORT pid=$RD_PID; fi
    sleep 2
    before=$(cpu_ticks "$pid"); sleep "$SECONDS_"; after=$(cpu_ticks "$pid")
    echo "$server at rest, no client: $(( (after - before) * 1000 / HZ )) ms CPU in ${SECONDS_} s"
    fifo="$LOGS/idle-$server"
    "$JAVA" "$PROGRAM" idle 127.0.0.1 "$port" "$IDLE" $(( SECONDS_ + 15 )) > "$fifo" &
    idle_pid=$!
    for _ in $(seq 1 600); do grep -q blocked "$fifo" && break; sleep 0.1; done
    sleep 2
    before=$(cpu_ticks "$pid"); sleep "$SECONDS_"; after=$(cpu_ticks "$pid")
    echo "$server at rest, $IDLE clients blocked: $(( (after - before) * 1000 / HZ )) ms CPU in ${SECONDS_} s, RSS $(rss_kb "$pid") KB"
    wait $idle_pid
done
