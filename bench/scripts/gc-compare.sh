#!/usr/bin/env bash
# Compares garbage collectors for `bin/ringkv server`: for each configuration, alternately over ROUNDS rounds, starts
# a server with RINGKV_GC_OPTS set to it, warms it up, runs redis-benchmark SET and GET at -P 16 and -P 1, and prints
# throughput, p99, the server's CPU time per request (utime+stime from /proc/PID/stat), its resident memory at the
# end, and the GC pauses of its -Xlog:gc log.
#
#   bench/scripts/gc-compare.sh [--rounds N] [CONFIG...]     e.g. "" "-XX:+UseZGC" "-XX:+UseG1GC -Xms16m"
#
# An empty CONFIG is the launcher's default. Defaults: two rounds of "" (Serial) and "-XX:+UseZGC".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=2
if [ "${1:-}" = "--rounds" ]; then ROUNDS="$2"; shift 2; fi
CONFIGS=("$@"); [ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=("" "-XX:+UseZGC")
. "$ROOT/bench/scripts/servers.sh"
TICK=$(getconf CLK_TCK)
"$ROOT/bin/ringkv" build >/dev/null
LOG=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
    for config in "${CONFIGS[@]}"; do
        PORT=$(free_port); : > "$LOG"
        RINGKV_GC_OPTS="$config" RINGKV_JAVA_OPTS="${RINGKV_JAVA_OPTS:-} -Xlog:gc:file=$LOG" \
            "$ROOT/bin/ringkv" server --port "$PORT" >/dev/null 2>&1 &
        PID=$!
        await_ping "$PORT"
        redis-benchmark -p "$PORT" -t set,get -n 200000 -c 50 -r 1000000 -d 32 -P 16 -q >/dev/null 2>&1
        for pipe in 16 1; do
            n=$([ "$pipe" = 16 ] && echo 600000 || echo 100000)
            before=$(cpu_ticks "$PID")
            out=$(redis-benchmark -p "$PORT" -t set,get -n "$n" -c 50 -r 1000000 -d 32 -P "$pipe" --csv 2>/dev/null |
                tail -n +2 | tr -d '"' | awk -F, '{printf "%s %d ops/s p99 %s ms; ", $1, $2, $7}')
            after=$(cpu_ticks "$PID")
            echo "round $round gc '${config:-default}' -P $pipe: $out CPU $(python3 -c "print(round(($after-$before)*1e6/$TICK/(2*$n),2))") us/req"
        done
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
        kill "$PID"; wait "$PID" 2>/dev/null || true
        pauses=$(grep -c 'Pause' "$LOG" || true)
        longest=$(grep 'Pause' "$LOG" | sed 's/.* \([0-9.]*\)ms$/\1/' | sort -n | tail -1)
        echo "round $round gc '${config:-default}': RSS at the end $((rss / 1024)) MB, $pauses GC pauses, longest ${longest:-0} ms"
    done
done
rm -f "$LOG"
