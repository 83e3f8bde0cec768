#!/usr/bin/env bash
# EVALSHA against ringkv and redis-server on this machine, alternately: a rate limiter (INCR, EXPIRE on the first hit)
# and a lock release (GET, compare, DEL), at each pipeline depth; prints throughput and the server's CPU time per
# request (utime+stime from /proc/PID/stat around each run).
#
#   bench/scripts/eval-compare.sh [-n REQUESTS] [-c CLIENTS] [-r KEYSPACE] [-P "1 16"] [--rounds N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=200000; C=50; R=100000; PIPES="1 16"; ROUNDS=3
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N="$2"; shift 2;; -c) C="$2"; shift 2;; -r) R="$2"; shift 2;; -P) PIPES="$2"; shift 2;;
        --rounds) ROUNDS="$2"; shift 2;;
        *) echo "eval-compare: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
TICK=$(getconf CLK_TCK)
start_pair /tmp/eval-compare-ringkv.log /tmp/eval-compare-redis.log
RATE='local n = redis.call("INCR", KEYS[1]) if n == 1 then redis.call("EXPIRE", KEYS[1], ARGV[1]) end return n'
LOCK='if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end'
for port in "$RK_PORT" "$RD_PORT"; do
    RATE_SHA=$(redis-cli -p "$port" script load "$RATE"); LOCK_SHA=$(redis-cli -p "$port" script load "$LOCK")
done
# Warm ringkv's JIT up.
redis-benchmark -p "$RK_PORT" -n 200000 -c "$C" -r "$R" -P 16 -q evalsha "$RATE_SHA" 1 "rl:__rand_int__" 60 >/dev/null 2>&1
printf '| round | script | pipeline | server | requests/s | server CPU µs/request |\n|---|---|---|---|---|---|\n'
for round in $(seq 1 "$ROUNDS"); do
    for script in ratelimit lockrelease; do
        for pipe in $PIPES; do
            for server in ringkv redis; do
                if [ "$server" = ringkv ]; then port=$RK_PORT; pid=$RK_PID; else port=$RD_PORT; pid=$RD_PID; fi
                if [ "$script" = ratelimit ]; then args=(evalsha "$RATE_SHA" 1 "rl:__rand_int__" 60)
                else args=(evalsha "$LOCK_SHA" 1 "lock:__rand_int__" token); fi
                before=$(cpu_ticks "$pid")
                rps=$(redis-benchmark -p "$port" -n "$N" -c "$C" -r "$R" -P "$pipe" -q "${args[@]}" 2>/dev/null |
                    grep -o '[0-9.]* requests per second' | awk '{print $1}')
                after=$(cpu_ticks "$pid")
                cpu=$(python3 -c "print(round(($after-$before)*1e6/$TICK/$N, 2))")
                printf '| %s | %s | %s | %s | %s | %s |\n' "$round" "$script" "$pipe" "$server" "$rps" "$cpu"
            done
        done
    done
done
stop_pair
