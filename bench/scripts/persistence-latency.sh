#!/usr/bin/env bash
# Client latency while a BGSAVE runs, ringkv (the fork-less snapshot) against redis-server 7.0 (its fork), issue 15.
#
#   bench/scripts/persistence-latency.sh [--keys N] [--rate R] [--duration SECONDS] [--rounds R] [--out DIR]
#   defaults (a smoke run of a few minutes): --keys 1000000 --rate 10000 --duration 20 --rounds 1
#   the recorded figures:                    --keys 5000000 (or 10000000) --duration 30 --rounds 2
#
# Both servers run side by side on free loopback ports (each saving into its own directory under OUT, Redis with
# `--save ''`) and are always stopped; both get the same N string keys (bench/scripts/dataset.py strings: the load
# generator's key names, 16 bytes, with 32-byte values) through redis-cli --pipe. Each round runs, for each server
# in turn (the order alternates between rounds), the bundled load generator open loop (no coordinated omission:
# latency from each request's intended send time) at R requests/s, GET/SET 1:1 over those keys, 50 connections,
# for SECONDS after a 2 s warm-up:
#   idle:   no save;
#   bgsave: BGSAVE back to back through the whole measured window (the next starts as soon as INFO says
#           `rdb_bgsave_in_progress:0`), so every measured request meets a save in progress (Redis: its fork and its
#           child's copy-on-write; ringkv: the snapshot's scan steps and capture hooks on the engine thread).
# Prints p50/p99/p99.9/max of both runs and both servers, the BGSAVEs completed during the window, and the server's
# CPU (utime+stime of the process and its reaped children) per request; the loadgen's outputs (summary.json,
# .hgrm/.hlog files) are under OUT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=1000000; RATE=10000; DURATION=20; ROUNDS=1; OUT=/tmp/persistence-latency
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) KEYS="$2"; shift 2;; --rate) RATE="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
        --rounds) ROUNDS="$2"; shift 2;; --out) OUT="$2"; shift 2;;
        *) echo "persistence-latency: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
WARMUP=2
mkdir -p "$OUT"; RESULTS="$OUT/results"; : > "$RESULTS"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/bench/scripts/dataset.py" strings "$KEYS" > "$OUT/strings.resp"
rm -rf "$OUT/ringkv-data" "$OUT/redis-data"; mkdir -p "$OUT/ringkv-data" "$OUT/redis-data"
start_pair "$OUT/ringkv.log" "$OUT/redis.log" --dir "$OUT/ringkv-data" -- --dir "$OUT/redis-data"
pipe_file "$RK_PORT" "$OUT/strings.resp"; pipe_file "$RD_PORT" "$OUT/strings.resp"; rm -f "$OUT/strings.resp"
echo "keys: ringkv $(redis-cli -p "$RK_PORT" dbsize), redis $(redis-cli -p "$RD_PORT" dbsize)"

measure() { # target port pid mode round
    local t=$1 p=$2 pid=$3 mode=$4 round=$5 dir="$OUT/$1-$4-$5" lg c0 c1 saves=0
    rm -rf "$dir"
    c0=$(tree_cpu_ms "$pid")
    "$ROOT/bin/ringkv" loadgen -p "$p" -k "$KEYS" --key-length 16 --value-size 32 --mix get=1,set=1 -c 50 \
        -r "$RATE" -d "${DURATION}s" --warmup "${WARMUP}s" --no-progress --label "$t-$mode" --out "$dir" \
        > "$dir.txt" 2>&1 &
    lg=$!
    if [ "$mode" = bgsave ]; then
        sleep "$WARMUP"
        while kill -0 "$lg" 2>/dev/null; do
            redis-cli -p "$p" bgsave > /dev/null
            sleep 0.02; await_bgsave "$p"; saves=$((saves + 1))
        done
    fi
    wait "$lg" || { echo "persistence-latency: the load generator failed, see $dir.txt" >&2; exit 1; }
    c1=$(tree_cpu_ms "$pid")
    python3 - "$dir/summary.json" "$t" "$mode" "$saves" "$((c1 - c0))" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
a = run["latencyUs"]["ALL"]
print(sys.argv[2], sys.argv[3], run["requests"], a["p50"], a["p99"], a["p99.9"], a["max"], sys.argv[4], sys.argv[5])
PY
    tail -1 "$RESULTS"
}

for round in $(seq 1 "$ROUNDS"); do
    order="ringkv redis"; [ $((round % 2)) = 0 ] && order="redis ringkv"
    for mode in idle bgsave; do
        for t in $order; do
            if [ $t = ringkv ]; then measure ringkv "$RK_PORT" "$RK_PID" "$mode" "$round"
            else measure redis "$RD_PORT" "$RD_PID" "$mode" "$round"; fi
        done
    done
done
stop_pair
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RESULTS" "$KEYS" "$RATE" "$DURATION" <<'PY'
import sys, statistics, collections
path, keys, rate, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = collections.defaultdict(list)
for line in open(path):
    t, mode, req, p50, p99, p999, mx, saves, cpu = line.split()
    rows[(t, mode)].append((int(req), float(p50), float(p99), float(p999), float(mx), int(saves), int(cpu)))
print(f"\n{keys:,} string keys, GET/SET 1:1 at {rate:,}/s open loop for {duration} s, 50 connections "
      f"(medians over {len(rows[('ringkv', 'idle')])} rounds; latency in ms)\n")
print("| server | run | p50 | p99 | p99.9 | max | BGSAVEs in the window | server CPU us/request |\n|---|---|---|---|---|---|---|---|")
med = lambda xs, i: statistics.median(x[i] for x in xs)
for t in ("ringkv", "redis"):
    for mode in ("idle", "bgsave"):
        r = rows[(t, mode)]
        print(f"| {'Redis 7.0.15' if t == 'redis' else t} | {'no save' if mode == 'idle' else 'BGSAVE back to back'} | "
              f"{med(r, 1) / 1000:.3f} | {med(r, 2) / 1000:.3f} | {med(r, 3) / 1000:.3f} | {med(r, 4) / 1000:.1f} | "
              f"{med(r, 5):.0f} | {med(r, 6) * 1000 / med(r, 0):.1f} |")
for q, i in (("p99.9", 3), ("max", 4)):
    rk = med(rows[("ringkv", "bgsave")], i) / med(rows[("ringkv", "idle")], i)
    rd = med(rows[("redis", "bgsave")], i) / med(rows[("redis", "idle")], i)
    print(f"\n{q} during BGSAVE / {q} idle: ringkv {rk:.2f}x, Redis {rd:.2f}x", end="")
print()
PY
