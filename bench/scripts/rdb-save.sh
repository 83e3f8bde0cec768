#!/usr/bin/env bash
# RDB snapshots, ringkv against redis-server 7.0: SAVE and BGSAVE time and file size, load time at start, and
# client latency while a BGSAVE runs (ringkv: the fork-less snapshot; Redis: its fork).
#
#   bench/scripts/rdb-save.sh [OUT_DIR] [KEYS] [RATE] [SECONDS]     (defaults: /tmp/rdb-save 10000000 20000 20)
#
# For each target: start it with its own --dir under OUT_DIR, preload KEYS string keys (16-byte keys, 32-byte random
# values) with the load generator, then
#   SAVE:    wall time of `redis-cli save`, and the file's size;
#   BGSAVE:  wall time from BGSAVE until INFO says rdb_bgsave_in_progress:0 (polled every 20 ms);
#   latency: the load generator open loop at RATE requests/s (GET/SET 1:1 over the same keys) for SECONDS with no
#            save ("idle"), then again with a BGSAVE started 4 s into the run ("during-bgsave");
#   load:    the server restarted on its file: time from start to the first PONG (ringkv's log also says how long
#            the load itself took).
# Prints one line per figure; the load generator's full output is under OUT_DIR.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
OUT=${1:-/tmp/rdb-save}; KEYS=${2:-10000000}; RATE=${3:-20000}; SECONDS_=${4:-20}
mkdir -p "$OUT"
. "$ROOT/bench/scripts/servers.sh"
bin/ringkv build >/dev/null
LG="bin/ringkv loadgen -k $KEYS --key-length 16 --value-size 32 --no-progress"
now_ms() { date +%s%3N; }
# utime+stime of process $1 and of its reaped children (Redis's BGSAVE child), in ms: CPU a save cost, which a
# shared machine's load does not inflate the way it inflates wall time.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15 + $16 + $17) * 1000 / hz)}' "/proc/$1/stat"; }

start_target() { # target port dir
    if [ "$1" = ringkv ]; then
        bin/ringkv server --port "$2" --dir "$3" >> "$OUT/$1.log" 2>&1 &
    else
        redis-server --port "$2" --save '' --appendonly no --dir "$3" --daemonize no >> "$OUT/$1.log" 2>&1 &
    fi
    PID=$!
}

await_bgsave() { # port
    while redis-cli -p "$1" info persistence | tr -d '\r' | grep -q '^rdb_bgsave_in_progress:1'; do sleep 0.02; done
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for target in ringkv redis; do
    DIR="$OUT/$target-data"; rm -rf "$DIR"; mkdir -p "$DIR"
    P=$(free_port)
    start_target "$target" "$P" "$DIR"
    await_ping "$P"
    $LG -p "$P" --preload -n 1 -c 1 --out "$OUT/$target-fill" > /dev/null 2>&1
    echo "$target keys: $(redis-cli -p "$P" dbsize)"

    C0=$(cpu_ms "$PID"); T0=$(now_ms); redis-cli -p "$P" save > /dev/null; T1=$(now_ms); C1=$(cpu_ms "$PID")
    echo "$target SAVE: $((T1 - T0)) ms, server CPU $((C1 - C0)) ms, $(stat -c %s "$DIR/dump.rdb") bytes"

    C0=$(cpu_ms "$PID"); T0=$(now_ms)
    redis-cli -p "$P" bgsave > /dev/null; sleep 0.02; await_bgsave "$P"; T1=$(now_ms); sleep 0.2; C1=$(cpu_ms "$PID")
    echo "$target BGSAVE: $((T1 - T0)) ms, server CPU $((C1 - C0)) ms (idle server, child included), $(stat -c %s "$DIR/dump.rdb") bytes, status $(redis-cli -p "$P" info persistence | tr -d '\r' | grep rdb_last_bgsave_status)"

    $LG -p "$P" -r "$RATE" -d "${SECONDS_}s" --warmup 2s --label "$target-idle" --out "$OUT/$target-idle" \
        > "$OUT/$target-idle.txt" 2>&1
    $LG -p "$P" -r "$RATE" -d "${SECONDS_}s" --warmup 2s --label "$target-during-bgsave" \
        --out "$OUT/$target-during-bgsave" > "$OUT/$target-during-bgsave.txt" 2>&1 &
    LP=$!
    sleep 6
    T0=$(now_ms); redis-cli -p "$P" bgsave > /dev/null; sleep 0.02; await_bgsave "$P"; T1=$(now_ms)
    wait "$LP"
    echo "$target BGSAVE under load: $((T1 - T0)) ms"
    echo "$target idle:          $(grep -E '^ALL ' "$OUT/$target-idle.txt" | head -1)"
    echo "$target during-bgsave: $(grep -E '^ALL ' "$OUT/$target-during-bgsave.txt" | head -1)"
    redis-cli -p "$P" save > /dev/null
    kill "$PID"; wait "$PID" 2>/dev/null

    T0=$(now_ms); start_target "$target" "$P" "$DIR"
    for _ in $(seq 1 6000); do redis-cli -p "$P" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    T1=$(now_ms)
    echo "$target restart (load $(redis-cli -p "$P" dbsize) keys): $((T1 - T0)) ms to the first PONG"
    kill "$PID"; wait "$PID" 2>/dev/null
done
grep -h "DB loaded from disk" "$OUT/ringkv.log" "$OUT/redis.log" | tail -2
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
