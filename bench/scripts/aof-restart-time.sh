#!/usr/bin/env bash
# Restart time from an append-only file, ringkv against redis-server 7.0 (issue 15). The RDB restart (dump.rdb) is
# bench/scripts/restart-time.sh's; this script does the AOF's three shapes:
#   rdb-base   `aof-use-rdb-preamble yes` (both servers' default), after BGREWRITEAOF: the data is an RDB base file;
#   resp-base  `aof-use-rdb-preamble no`, after BGREWRITEAOF: the data is a base of RESP commands (SET, HMSET,
#              SADD, RPUSH, ZADD of at most 64 elements each, PEXPIREAT), as each server's rewrite writes it;
#   resp-incr  no rewrite: the commands as the clients sent them, in the incremental file.
#
#   bench/scripts/aof-restart-time.sh [--keys N] [--mixed-keys M] [--datasets "strings mixed"]
#                                     [--cases "rdb-base resp-base resp-incr"] [--out DIR]
#   defaults (a smoke run of a few minutes): --keys 1000000 --mixed-keys 200000
#   the recorded figures:                    --keys 10000000 --mixed-keys 1000000
#
# For each data set (bench/scripts/dataset.py), case and server: a fresh directory under OUT, the server started with
# `--appendonly yes --appendfsync everysec --auto-aof-rewrite-percentage 0` (no automatic rewrite mixes the shapes)
# and the case's preamble setting on a free loopback port, the data loaded
# with redis-cli --pipe, the rewrite done (or not), the server stopped (SHUTDOWN NOSAVE: the AOF is flushed and
# fsynced) and started again on the same directory. Restart time is from starting the process to the first PONG
# (Redis answers LOADING until it has loaded; ringkv loads before it listens); the log's own load time
# ("DB loaded from append only file: X seconds", both servers write it) is printed next to it, with the AOF
# directory's size and the key count after the restart (checked equal to before). Servers are always stopped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=1000000; MIXED=200000; DATASETS="strings mixed"; CASES="rdb-base resp-base resp-incr"; OUT=/tmp/aof-restart-time
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) KEYS="$2"; shift 2;; --mixed-keys) MIXED="$2"; shift 2;; --datasets) DATASETS="$2"; shift 2;;
        --cases) CASES="$2"; shift 2;; --out) OUT="$2"; shift 2;;
        *) echo "aof-restart-time: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
"$ROOT/bin/ringkv" build > /dev/null
mkdir -p "$OUT"; RESULTS="$OUT/results"; : > "$RESULTS"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

start_server() { # target port dir preamble log
    if [ "$1" = ringkv ]; then
        "$ROOT/bin/ringkv" server --port "$2" --dir "$3" --appendonly yes --appendfsync everysec \
            --auto-aof-rewrite-percentage 0 --aof-use-rdb-preamble "$4" >> "$5" 2>&1 &
    else
        redis-server --port "$2" --dir "$3" --save '' --appendonly yes --appendfsync everysec \
            --auto-aof-rewrite-percentage 0 --aof-use-rdb-preamble "$4" --daemonize no >> "$5" 2>&1 &
    fi
    PID=$!
}

stop_server() { # port
    redis-cli -p "$1" shutdown nosave > /dev/null 2>&1 || true
    wait "$PID" 2>/dev/null || true
    PID=""
}

for ds in $DATASETS; do
    case "$ds" in strings) n=$KEYS;; mixed) n=$MIXED;; *) echo "aof-restart-time: unknown data set $ds" >&2; exit 2;; esac
    python3 "$ROOT/bench/scripts/dataset.py" "$ds" "$n" > "$OUT/$ds.resp"
    for c in $CASES; do
        case "$c" in rdb-base) pre=yes;; resp-base|resp-incr) pre=no;; *) echo "aof-restart-time: unknown case $c" >&2; exit 2;; esac
        for t in ringkv redis; do
            dir="$OUT/$t-$ds-$c"; log="$OUT/$t-$ds-$c.log"; rm -rf "$dir" "$log"; mkdir -p "$dir"
            port=$(free_port)
            start_server "$t" "$port" "$dir" "$pre" "$log"; await_pong "$port"
            pipe_file "$port" "$OUT/$ds.resp"
            if [ "$c" != resp-incr ]; then
                await_aof_rewrite "$port" # the one started by appendonly at start, if still running
                answer=$(redis-cli -p "$port" bgrewriteaof)
                case "$answer" in *started*|*scheduled*) ;; *) echo "aof-restart-time: $t: BGREWRITEAOF: $answer" >&2; exit 1;; esac
                sleep 0.1; await_aof_rewrite "$port"
                [ "$(info_field "$port" aof_last_bgrewrite_status)" = ok ] || { echo "aof-restart-time: $t's rewrite failed" >&2; exit 1; }
            fi
            keys=$(redis-cli -p "$port" dbsize)
            stop_server "$port"
            bytes=$(du -sb "$dir/appendonlydir" | cut -f1)
            t0=$(now_ms); start_server "$t" "$port" "$dir" "$pre" "$log"; await_pong "$port"; t1=$(now_ms)
            after=$(redis-cli -p "$port" dbsize)
            [ "$after" = "$keys" ] || { echo "aof-restart-time: $t had $keys keys, $after after the restart" >&2; exit 1; }
            loaded=$(grep -o 'DB loaded from append only file: [0-9.]* seconds' "$log" | tail -1 | awk '{print $7}')
            stop_server "$port"
            echo "$ds $c $t $keys $bytes $((t1 - t0)) ${loaded:-?}" | tee -a "$RESULTS"
        done
    done
    rm -f "$OUT/$ds.resp"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RESULTS" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    ds, case, t, keys, size, ms, loaded = line.split()
    rows[(ds, case, t)] = (int(keys), int(size), int(ms), loaded)
print("\n| data set | keys | AOF | ringkv: to first PONG s (log's load s) | Redis: to first PONG s (log's load s) | ratio | AOF bytes ringkv / Redis |")
print("|---|---|---|---|---|---|---|")
for (ds, case, t), (keys, size, ms, loaded) in rows.items():
    if t != "ringkv" or (ds, case, "redis") not in rows:
        continue
    rk, rd = rows[(ds, case, "ringkv")], rows[(ds, case, "redis")]
    print(f"| {ds} | {keys:,} | {case} | {rk[2] / 1000:.2f} ({rk[3]}) | {rd[2] / 1000:.2f} ({rd[3]}) | {rk[2] / rd[2]:.2f} | "
          f"{rk[1]:,} / {rd[1]:,} |")
PY
