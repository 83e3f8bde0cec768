#!/usr/bin/env bash
# MULTI/SET/EXEC throughput, ringkv against redis-server in alternating rounds: TransactionThroughput's closed loop
# (each connection writes MULTI, SET, EXEC at once and waits for the three replies, as client libraries send a
# transaction), and a lone SET by the same client for reference. Prints transactions/s and the server's CPU per
# transaction (utime+stime from /proc/PID/stat), with ringkv/Redis ratios of the medians.
#
#   bench/scripts/tx-throughput.sh [--seconds S] [--connections C] [--keyspace K] [--rounds N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA="$("$ROOT/bin/ringkv" java)"   # a JDK >= 21, found as bin/ringkv finds it
SECONDS_PER_RUN=5; CONNECTIONS=50; KEYSPACE=100000; ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) SECONDS_PER_RUN="$2"; shift 2;; --connections) CONNECTIONS="$2"; shift 2;;
        --keyspace) KEYSPACE="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        *) echo "tx-throughput: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
start_pair /tmp/tx-throughput-ringkv.log /tmp/tx-throughput-redis.log
TICK=$(getconf CLK_TCK)
CP="$ROOT/bench/target/classes"
run() { # port pid mode -> "tx/s cpu_us_per_tx"
    local before after out
    before=$(cpu_ticks "$2")
    out=$("$JAVA" -cp "$CP" io.ringkv.bench.net.TransactionThroughput "$1" "$SECONDS_PER_RUN" "$CONNECTIONS" "$KEYSPACE" "$3")
    after=$(cpu_ticks "$2")
    awk -v o="$out" -v t=$((after - before)) -v hz="$TICK" \
        'BEGIN { split(o, f, " "); printf "%s %.2f\n", f[3], t * 1e6 / hz / f[2] }'
}
RESULTS=$(mktemp)
for mode in multi plain; do # warm both up (ringkv's JIT above all), not counted
    run "$RK_PORT" "$RK_PID" "$mode" >/dev/null; run "$RD_PORT" "$RD_PID" "$mode" >/dev/null
done
for mode in multi plain; do
    for round in $(seq 1 "$ROUNDS"); do
        echo "$mode ringkv $(run "$RK_PORT" "$RK_PID" "$mode")" | tee -a "$RESULTS"
        echo "$mode redis $(run "$RD_PORT" "$RD_PID" "$mode")" | tee -a "$RESULTS"
    done
done
for mode in multi plain; do
    awk -v m="$mode" '$1==m && $2=="ringkv" {print $3, $4}' "$RESULTS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > /tmp/tx-rk
    awk -v m="$mode" '$1==m && $2=="redis" {print $3, $4}' "$RESULTS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > /tmp/tx-rd
    awk -v m="$mode" '$1==m && $2=="ringkv" {print $4}' "$RESULTS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > /tmp/tx-rkc
    awk -v m="$mode" '$1==m && $2=="redis" {print $4}' "$RESULTS" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' > /tmp/tx-rdc
    printf '%s median: ringkv %s/s (%s us CPU each), redis %s/s (%s us CPU each), ratio %.2f, CPU ratio %.2f\n' \
        "$mode" "$(cat /tmp/tx-rk)" "$(cat /tmp/tx-rkc)" "$(cat /tmp/tx-rd)" "$(cat /tmp/tx-rdc)" \
        "$(echo "$(cat /tmp/tx-rk) / $(cat /tmp/tx-rd)" | bc -l)" "$(echo "$(cat /tmp/tx-rkc) / $(cat /tmp/tx-rdc)" | bc -l)"
done
rm -f "$RESULTS"
