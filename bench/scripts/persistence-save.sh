#!/usr/bin/env bash
# SAVE and BGSAVE of ringkv against redis-server 7.0 (issue 15): time, server CPU, resident memory and the RDB
# file's size, for N string keys and for a mixed data set (bench/scripts/dataset.py: strings of three encodings,
# small and big hashes, sets, lists and sorted sets, one key in ten with a TTL).
#
#   bench/scripts/persistence-save.sh [--keys N] [--mixed-keys M] [--datasets "strings mixed"] [--rounds R]
#                                     [--out DIR]
#   defaults (a smoke run of a minute or two): --keys 1000000 --mixed-keys 200000 --rounds 2 --out /tmp/persistence-save
#   the recorded figures:                      --keys 10000000 --mixed-keys 1000000
#
# Both servers run side by side on free loopback ports, each writing into its own directory under OUT (Redis with
# `--save ''`, ringkv with its defaults), and are always stopped. The same RESP stream is loaded into both with
# redis-cli --pipe. Then, per round, each server in turn (ringkv first in odd rounds, Redis first in even ones):
#   SAVE:   wall time of `redis-cli save`, the server's CPU (utime+stime from /proc) over it, the file's size;
#   BGSAVE: wall time from BGSAVE until INFO says `rdb_bgsave_in_progress:0` (polled every 20 ms; Redis's own
#           `rdb_last_bgsave_time_sec`, whole seconds, is printed next to it), the CPU of the server and its reaped
#           children (Redis's forked child included), and the peak resident memory of the server plus its live
#           children during the BGSAVE (sampled every 20 ms: Redis's copy-on-write child counts as its own RSS,
#           which overstates what the machine paid for shared pages; ringkv has no child).
# Prints the medians over the rounds as a markdown table with ringkv/Redis ratios; raw lines are in OUT/results.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=1000000; MIXED=200000; DATASETS="strings mixed"; ROUNDS=2; OUT=/tmp/persistence-save
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) KEYS="$2"; shift 2;; --mixed-keys) MIXED="$2"; shift 2;; --datasets) DATASETS="$2"; shift 2;;
        --rounds) ROUNDS="$2"; shift 2;; --out) OUT="$2"; shift 2;;
        *) echo "persistence-save: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
mkdir -p "$OUT"; RESULTS="$OUT/results"; : > "$RESULTS"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

record() { echo "$*" | tee -a "$RESULTS"; } # dataset target metric value

save_round() { # dataset target port pid dir
    local ds=$1 t=$2 p=$3 pid=$4 dir=$5 c0 c1 t0 t1 peak rss
    c0=$(tree_cpu_ms "$pid"); t0=$(now_ms)
    redis-cli -p "$p" save > /dev/null
    t1=$(now_ms); c1=$(tree_cpu_ms "$pid")
    record "$ds $t save_ms $((t1 - t0))"; record "$ds $t save_cpu_ms $((c1 - c0))"
    record "$ds $t file_bytes $(stat -c %s "$dir/dump.rdb")"
    rss=$(tree_rss_kb "$pid"); record "$ds $t rss_kb $rss"
    peak=$rss; c0=$(tree_cpu_ms "$pid"); t0=$(now_ms)
    redis-cli -p "$p" bgsave > /dev/null
    while :; do
        rss=$(tree_rss_kb "$pid"); [ "$rss" -gt "$peak" ] && peak=$rss
        [ "$(info_field "$p" rdb_bgsave_in_progress)" = 1 ] || break
        sleep 0.02
    done
    t1=$(now_ms); sleep 0.2; c1=$(tree_cpu_ms "$pid") # the child is reaped by then
    record "$ds $t bgsave_ms $((t1 - t0))"; record "$ds $t bgsave_cpu_ms $((c1 - c0))"
    record "$ds $t bgsave_peak_rss_kb $peak"
    record "$ds $t rdb_last_bgsave_time_sec $(info_field "$p" rdb_last_bgsave_time_sec)"
    [ "$(info_field "$p" rdb_last_bgsave_status)" = ok ] || { echo "persistence-save: $t's BGSAVE failed" >&2; exit 1; }
}

for ds in $DATASETS; do
    case "$ds" in strings) n=$KEYS;; mixed) n=$MIXED;; *) echo "persistence-save: unknown data set $ds" >&2; exit 2;; esac
    python3 "$ROOT/bench/scripts/dataset.py" "$ds" "$n" > "$OUT/$ds.resp"
    rm -rf "$OUT/ringkv-data" "$OUT/redis-data"; mkdir -p "$OUT/ringkv-data" "$OUT/redis-data"
    start_pair "$OUT/ringkv.log" "$OUT/redis.log" --dir "$OUT/ringkv-data" -- --dir "$OUT/redis-data"
    for t in ringkv redis; do
        port=RK_PORT; [ $t = redis ] && port=RD_PORT
        t0=$(now_ms); pipe_file "${!port}" "$OUT/$ds.resp"; t1=$(now_ms)
        echo "$ds $t loaded $(redis-cli -p "${!port}" dbsize) keys in $((t1 - t0)) ms (redis-cli --pipe)"
    done
    for round in $(seq 1 "$ROUNDS"); do
        order="ringkv redis"; [ $((round % 2)) = 0 ] && order="redis ringkv"
        for t in $order; do
            if [ $t = ringkv ]; then save_round "$ds" ringkv "$RK_PORT" "$RK_PID" "$OUT/ringkv-data"
            else save_round "$ds" redis "$RD_PORT" "$RD_PID" "$OUT/redis-data"; fi
        done
    done
    stop_pair
    rm -f "$OUT/$ds.resp"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RESULTS" "$KEYS" "$MIXED" <<'PY'
import sys, statistics, collections
path, keys, mixed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
v = collections.defaultdict(list)
for line in open(path):
    ds, t, metric, value = line.split()
    v[(ds, t, metric)].append(float(value))
med = lambda ds, t, m: statistics.median(v[(ds, t, m)])
rows = [("SAVE, wall s", "save_ms", 1e-3), ("SAVE, server CPU s", "save_cpu_ms", 1e-3),
        ("BGSAVE, wall s (until rdb_bgsave_in_progress:0)", "bgsave_ms", 1e-3),
        ("BGSAVE, rdb_last_bgsave_time_sec", "rdb_last_bgsave_time_sec", 1),
        ("BGSAVE, server CPU s (children included)", "bgsave_cpu_ms", 1e-3),
        ("RSS before BGSAVE, MB", "rss_kb", 1 / 1024), ("peak RSS during BGSAVE, MB (children included)", "bgsave_peak_rss_kb", 1 / 1024),
        ("file size, bytes", "file_bytes", 1)]
for ds in dict.fromkeys(k[0] for k in v):
    n = keys if ds == "strings" else mixed
    print(f"\n{ds}, {n:,} keys (medians of {len(v[(ds, 'ringkv', 'save_ms')])} rounds)\n")
    print("| figure | ringkv | Redis 7.0.15 | ringkv/Redis |\n|---|---|---|---|")
    for label, m, scale in rows:
        a, b = med(ds, "ringkv", m) * scale, med(ds, "redis", m) * scale
        fmt = (lambda x: f"{x:,.0f}") if m == "file_bytes" or scale != 1e-3 else (lambda x: f"{x:.2f}")
        print(f"| {label} | {fmt(a)} | {fmt(b)} | {a / b:.2f} |" if b else f"| {label} | {fmt(a)} | {fmt(b)} | - |")
PY
