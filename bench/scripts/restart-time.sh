#!/usr/bin/env bash
# Restart time: how long ringkv and redis-server 7.0 take from start to the first PONG when they load an RDB file of
# KEYS string keys (DEBUG POPULATE's keys "key:N", values "value:N"), in alternating rounds of the same run.
#
#   bench/scripts/restart-time.sh [KEYS] [ROUNDS] [OUT_DIR]      (defaults: 10000000 3 /tmp/restart-time)
#
# The file is written once by redis-server (DEBUG POPULATE, SAVE) and both servers load that same file, so the two
# load the same bytes. Each round starts ringkv on it, then redis-server, and times start -> PONG (polled every
# 10 ms); the server's CPU time (utime+stime of the process when PONG came) is printed next to it. With
# RINGKV_BASE=<another checkout, built> each round also times that ringkv ("ringkv-base"): an A/B in the same run.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
KEYS=${1:-10000000}; ROUNDS=${2:-3}; OUT=${3:-/tmp/restart-time}
. "$ROOT/bench/scripts/servers.sh"
rm -rf "$OUT"; mkdir -p "$OUT/data"
bin/ringkv build >/dev/null 2>&1
now_ms() { date +%s%3N; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null' EXIT

P=$(free_port)
redis-server --port "$P" --save '' --appendonly no --dir "$OUT/data" --daemonize no --logfile "$OUT/fill.log" \
    --enable-debug-command local &
pid=$!
await_ping "$P"
redis-cli -p "$P" debug populate "$KEYS" > /dev/null
redis-cli -p "$P" save > /dev/null
redis-cli -p "$P" shutdown nosave > /dev/null 2>&1; wait $pid 2>/dev/null; pid=
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); file $(stat -c %s "$OUT/data/dump.rdb") bytes, $KEYS keys"

time_start() { # target
    local P T0 T1 C
    P=$(free_port)
    T0=$(now_ms)
    if [ "$1" = ringkv ]; then
        bin/ringkv server --port "$P" --dir "$OUT/data" >> "$OUT/ringkv.log" 2>&1 &
    elif [ "$1" = ringkv-base ]; then
        "$RINGKV_BASE/bin/ringkv" server --port "$P" --dir "$OUT/data" >> "$OUT/ringkv-base.log" 2>&1 &
    else
        redis-server --port "$P" --save '' --appendonly no --dir "$OUT/data" --daemonize no \
            --logfile "$OUT/redis.log" &
    fi
    pid=$!
    until redis-cli -p "$P" ping 2>/dev/null | grep -q PONG; do
        kill -0 $pid 2>/dev/null || { echo "$1 exited" >&2; exit 1; }
        sleep 0.01
    done
    T1=$(now_ms); C=$(cpu_ms $pid)
    local n; n=$(redis-cli -p "$P" dbsize)
    [ "$n" = "$KEYS" ] || { echo "$1 loaded $n keys, not $KEYS" >&2; exit 1; }
    echo "$1 start to PONG: $((T1 - T0)) ms, server CPU $C ms, $n keys"
    redis-cli -p "$P" shutdown nosave > /dev/null 2>&1; wait $pid 2>/dev/null; pid=
}

for round in $(seq 1 "$ROUNDS"); do
    echo "round $round"
    time_start ringkv
    [ -n "${RINGKV_BASE:-}" ] && time_start ringkv-base
    time_start redis
done
