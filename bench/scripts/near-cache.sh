#!/usr/bin/env bash
# Client-side caching, measured as a user would see it: Lettuce's near cache (CLIENT TRACKING, default mode) on a
# read-heavy zipfian workload against ringkv and redis-server 7.0.15, both started by the script, in alternating
# rounds. Each round of NearCacheBench reads the key space first without a near cache (every read a round trip),
# then with it, while a second connection writes one key every N reads; it prints the round trips the reads took
# (server GETs from INFO commandstats), the end-to-end read latency and the near cache's staleness once writes stop.
#
# Usage: bench/scripts/near-cache.sh [--rounds 3] [--out DIR] [-- keys reads write-every zipf-s]
# Defaults: 10,000 keys of 100 bytes, 200,000 reads per mode, a write every 20 reads, zipf s = 0.99.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/bench/scripts/servers.sh"

ROUNDS=3
OUT=/tmp/near-cache
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "usage: $0 [--rounds N] [--out DIR] [-- keys reads write-every zipf-s]" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT"
start_pair "$OUT/ringkv.log" "$OUT/redis.log"
JAVA=$("$ROOT/bin/ringkv" java)
CP="$ROOT/bench/target/classes:$ROOT/bench/target/lib/*"
echo "# $(date -u +%FT%TZ) load average: $(cut -d' ' -f1-3 /proc/loadavg); $(head -1 /proc/pressure/cpu)"
for round in $(seq 1 "$ROUNDS"); do
    for port in "$RK_PORT" "$RD_PORT"; do
        "$JAVA" -cp "$CP" io.ringkv.bench.nearcache.NearCacheBench "$port" "$@" 2>>"$OUT/bench.err" |
            sed "s/^/round $round /"
    done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(head -1 /proc/pressure/cpu)"
