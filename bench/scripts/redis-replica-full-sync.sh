#!/usr/bin/env bash
# Full sync of a redis-server replica from ringkv (ringkv as a Redis master, PSYNC + RDB payload) next to the same
# replica syncing from a redis-server master holding the same data, in alternating rounds of the same run.
#
#   bench/scripts/redis-replica-full-sync.sh [KEYS] [ROUNDS] [diskless|disk]     (defaults: 1000000 3 diskless)
#   OUT=/some/dir bench/scripts/...   keeps the servers' logs there (default: a temporary directory, removed)
#
# Both masters get the same KEYS mixed keys through redis-cli --pipe: 70% strings (16-byte keys, 32-byte values), 8%
# hashes, 8% sets, 7% lists, 7% sorted sets of 10 elements each; one key in ten has a TTL of an hour. Each round starts
# a fresh redis-server replica with --replicaof the master and times from its start until INFO says the link is up and
# no sync is in progress; the master's CPU time over that window (its RDB child's included) is read from /proc. After each sync the replica's
# DEBUG DIGEST must equal the master's. Redis's master runs repl-diskless-sync-delay 0 (its default of 5 s would only
# wait for more replicas); both masters use the same repl-diskless-sync. Prints each round and the medians.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=${1:-1000000}; ROUNDS=${2:-3}; MODE=${3:-diskless}
DISKLESS=yes; [ "$MODE" = disk ] && DISKLESS=no
. "$ROOT/bench/scripts/servers.sh"
WORK=${OUT:-$(mktemp -d)}; mkdir -p "$WORK"
TICK=$(getconf CLK_TCK)
# utime+stime of process $1 and of its reaped children (Redis's RDB child), in clock ticks.
cpu_ticks_all() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }

start_pair "$WORK/ringkv.log" "$WORK/redis.log" --enable-debug-command yes --repl-diskless-sync "$DISKLESS" \
    --dir "$WORK" -- --enable-debug-command yes --repl-diskless-sync "$DISKLESS" --repl-diskless-sync-delay 0 \
    --dir "$WORK"
REPLICA_PID=
trap 'kill $RK_PID $RD_PID $REPLICA_PID 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${OUT:-}" ] || rm -rf "$WORK"' EXIT

python3 - "$KEYS" > "$WORK/fill.resp" <<'EOF'
import random, sys
keys = int(sys.argv[1]); rnd = random.Random(1); out = sys.stdout.buffer
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
for i in range(keys):
    r = rnd.random(); key = b"key:%011d" % i
    if r < 0.70: cmd(b"SET", key, b"v" * 32)
    elif r < 0.78: cmd(b"HSET", key, *[x for j in range(10) for x in (b"f%d" % j, b"value%d" % j)])
    elif r < 0.86: cmd(b"SADD", key, *[b"member%d" % j for j in range(10)])
    elif r < 0.93: cmd(b"RPUSH", key, *[b"element%d" % j for j in range(10)])
    else: cmd(b"ZADD", key, *[x for j in range(10) for x in (j, b"m%d" % j)])
    if i % 10 == 0: cmd(b"EXPIRE", key, 3600)
EOF
for port in "$RK_PORT" "$RD_PORT"; do
    redis-cli -p "$port" --pipe < "$WORK/fill.resp" > /dev/null
done
echo "masters loaded: ringkv $(redis-cli -p "$RK_PORT" dbsize) keys, redis $(redis-cli -p "$RD_PORT" dbsize) keys ($MODE)"

field() { redis-cli -p "$1" info replication | tr -d '\r' | awk -F: -v f="$2" '$1==f {print $2}'; }

sync_once() { # name master_port master_pid -> prints "name seconds master_cpu_seconds"
    local name=$1 mport=$2 mpid=$3 rport dir start before end after
    rport=$(free_port); dir=$(mktemp -d -p "$WORK" "replica-$name-XXXX")
    before=$(cpu_ticks_all "$mpid"); start=$(date +%s.%N)
    redis-server --port "$rport" --save '' --appendonly no --dir "$dir" --enable-debug-command yes \
        --replicaof 127.0.0.1 "$mport" --logfile "$dir/replica.log" &
    REPLICA_PID=$!
    until [ "$(field "$rport" master_link_status 2>/dev/null)" = up ] && \
          [ "$(field "$rport" master_sync_in_progress 2>/dev/null)" = 0 ]; do
        sleep 0.01
        [ "$(echo "$(date +%s.%N) - $start > 600" | bc)" = 1 ] && { echo "sync from $name did not end" >&2; exit 1; }
    done
    end=$(date +%s.%N); sleep 0.5; after=$(cpu_ticks_all "$mpid") # the child is reaped by then
    [ "$(redis-cli -p "$rport" debug digest)" = "$(redis-cli -p "$mport" debug digest)" ] || \
        { echo "replica of $name differs from its master" >&2; exit 1; }
    kill "$REPLICA_PID"; wait "$REPLICA_PID" 2>/dev/null || true; REPLICA_PID=
    echo "$name $(echo "$end - $start" | bc) $(python3 -c "print(($after-$before)/$TICK)")"
}

RESULTS=$(mktemp -p "$WORK")
for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then
        sync_once ringkv "$RK_PORT" "$RK_PID" | tee -a "$RESULTS"; sync_once redis "$RD_PORT" "$RD_PID" | tee -a "$RESULTS"
    else
        sync_once redis "$RD_PORT" "$RD_PID" | tee -a "$RESULTS"; sync_once ringkv "$RK_PORT" "$RK_PID" | tee -a "$RESULTS"
    fi
done
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {n: (statistics.median(float(r[1]) for r in rows if r[0] == n),
           statistics.median(float(r[2]) for r in rows if r[0] == n)) for n in ("ringkv", "redis")}
for n, (s, c) in med.items():
    print(f"median {n}: full sync {s:.2f} s, master CPU {c:.2f} s")
print(f"ringkv/redis: time {med['ringkv'][0] / med['redis'][0]:.2f}, master CPU {med['ringkv'][1] / med['redis'][1]:.2f}")
EOF
