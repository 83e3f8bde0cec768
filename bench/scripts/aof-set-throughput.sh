#!/usr/bin/env bash
# SET throughput with an append-only file, ringkv against redis-server 7.0 in alternating rounds, for
# appendfsync everysec and always: redis-benchmark SETs (random keys, 32-byte values) against both servers, each
# writing its AOF into its own temporary directory. Prints requests/s and the server's CPU per request
# (utime+stime from /proc/PID/stat), with ringkv/Redis ratios of the medians.
#
#   bench/scripts/aof-set-throughput.sh [--requests N] [--clients C] [--pipeline P] [--rounds R] [--fsync "everysec always"]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REQUESTS=200000; CLIENTS=50; PIPELINE=1; ROUNDS=3; POLICIES="everysec always"
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) REQUESTS="$2"; shift 2;; --clients) CLIENTS="$2"; shift 2;;
        --pipeline) PIPELINE="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;; --fsync) POLICIES="$2"; shift 2;;
        *) echo "aof-set-throughput: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
TICK=$(getconf CLK_TCK)
run() { # port pid -> "requests/s cpu_us_per_request"
    local before after rps
    before=$(cpu_ticks "$2")
    rps=$(redis-benchmark -p "$1" -t set -n "$REQUESTS" -c "$CLIENTS" -P "$PIPELINE" -r 1000000 -d 32 -q \
        | tr '\r' '\n' | awk '/requests per second/ {v=$2} END {print v}')
    after=$(cpu_ticks "$2")
    awk -v r="$rps" -v t=$((after - before)) -v hz="$TICK" -v n="$REQUESTS" \
        'BEGIN { printf "%s %.2f\n", r, t * 1e6 / hz / n }'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for policy in $POLICIES; do
    RK_DIR=$(mktemp -d); RD_DIR=$(mktemp -d)
    start_pair /tmp/aof-set-ringkv.log /tmp/aof-set-redis.log \
        --appendonly yes --appendfsync "$policy" --aof-use-rdb-preamble no --dir "$RK_DIR" -- \
        --appendonly yes --appendfsync "$policy" --aof-use-rdb-preamble no --dir "$RD_DIR"
    run "$RK_PORT" "$RK_PID" >/dev/null; run "$RD_PORT" "$RD_PID" >/dev/null # warm-up (ringkv's JIT), not counted
    RESULTS=$(mktemp)
    for round in $(seq 1 "$ROUNDS"); do
        echo "$policy ringkv $(run "$RK_PORT" "$RK_PID")" | tee -a "$RESULTS"
        echo "$policy redis $(run "$RD_PORT" "$RD_PID")" | tee -a "$RESULTS"
    done
    rk=$(awk '$2=="ringkv" {print $3}' "$RESULTS" | median); rd=$(awk '$2=="redis" {print $3}' "$RESULTS" | median)
    rkc=$(awk '$2=="ringkv" {print $4}' "$RESULTS" | median); rdc=$(awk '$2=="redis" {print $4}' "$RESULTS" | median)
    printf '%s median: ringkv %s/s (%s us CPU each), redis %s/s (%s us CPU each), ratio %.2f, CPU ratio %.2f\n' \
        "$policy" "$rk" "$rkc" "$rd" "$rdc" "$(echo "$rk / $rd" | bc -l)" "$(echo "$rkc / $rdc" | bc -l)"
    stop_pair
    rm -rf "$RK_DIR" "$RD_DIR" "$RESULTS"
done
