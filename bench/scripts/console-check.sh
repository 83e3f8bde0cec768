#!/usr/bin/env bash
# Loads the live console (GET / of the metrics endpoint) in Debian's headless chromium against a running ringkv
# master with one replica under a little redis-benchmark load and one slow command, checks what the page shows
# (it polled, a row per command, a latency curve for GET, the slow command in the slow log, memory, clients, the
# replica with its offset), and saves a screenshot.
#   bench/scripts/console-check.sh [screenshot.png]      (default: docs/img/console.png)
# Needs chromium (apt-get install chromium), redis-benchmark and redis-cli. Loopback only, about 20 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/bench/scripts/servers.sh"
OUT="${1:-$ROOT/docs/img/console.png}"
CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$CHROMIUM" ] || { echo "console-check: needs chromium (apt-get install chromium)" >&2; exit 1; }

WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$ROOT/bin/ringkv" build >/dev/null
PORT=$(free_port); METRICS=$(free_port); REPLICA=$(free_port)
"$ROOT/bin/ringkv" server --port "$PORT" --ringkv-metrics-port "$METRICS" --slowlog-log-slower-than 20000 \
    --latency-monitor-threshold 5 --enable-debug-command local --maxmemory 256mb > "$WORK/master.log" 2>&1 &
PIDS+=($!)
await_ping "$PORT"
"$ROOT/bin/ringkv" server --port "$REPLICA" --replicaof "127.0.0.1 $PORT" > "$WORK/replica.log" 2>&1 &
PIDS+=($!)
await_ping "$REPLICA"

for test in set get incr; do
    redis-benchmark -p "$PORT" -t "$test" -n 5000000 -r 100000 -d 64 -c 4 -q > /dev/null 2>&1 &
    PIDS+=($!)
done
sleep 2
# The slow command the page must show, from a named client.
printf 'CLIENT SETNAME console-check\nDEBUG SLEEP 0.05\n' | redis-cli -p "$PORT" > /dev/null

URL="http://127.0.0.1:$METRICS/"
chrome() { "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1120 \
    --virtual-time-budget=6000 "$@" "$URL" 2>/dev/null; }
chrome --dump-dom > "$WORK/dom.html"
fail=0
check() { if grep -Eq "$2" "$WORK/dom.html"; then echo "ok   $1"; else echo "FAIL $1 (no match for: $2)"; fail=1; fi; }
check "the page polled console.json more than once" 'data-polls="([2-9]|[1-9][0-9]+)"'
check "the page says it is live" 'id="status" class="ok"'
check "a throughput row for GET with a rate" '<tr data-cmd="get"><td>get</td><td>[1-9][0-9,]*</td>'
check "a throughput row for SET" '<tr data-cmd="set">'
check "a latency curve for GET" '<polyline points="[0-9.,]+ [0-9.,]+ [^"]*" fill="none" stroke="#[0-9a-f]+" stroke-width="2" data-cmd="get"'
check "the slow command in the slow log" '<td class="args">DEBUG SLEEP 0.05</td><td>127\.0\.0\.1:[0-9]+</td><td>console-check</td>'
check "resident memory shown" 'id="memRss">[0-9.]+ MB'
check "the memory budget shown" 'id="memMax">256.0 MB'
check "connected clients counted" 'id="clients">([2-9]|[1-9][0-9]+)<'
check "the replica with its offset" "<td>127\.0\.0\.1:$REPLICA</td><td>online</td><td>[0-9,]+</td>"
# Screenshot at 0.75 scale: the README shows it small.
chrome --force-device-scale-factor=0.75 --screenshot="$WORK/console.png" >/dev/null
cp "$WORK/console.png" "$OUT"
echo "screenshot: $OUT ($(stat -c %s "$OUT") bytes)"
exit $fail
