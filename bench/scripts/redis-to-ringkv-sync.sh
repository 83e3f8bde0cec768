#!/usr/bin/env bash
# Migration figure: full sync of a redis-server 7.0 master's mixed data set to a ringkv replica (Redis's replication
# protocol: REPLICAOF towards the redis-server), next to a redis-server replica of the same master, alternately, in
# the same run. Times from REPLICAOF until the replica's link is up at the master's offset and the master sees that
# offset acknowledged; prints the replicas' RSS after the sync.
#
#   bench/scripts/redis-to-ringkv-sync.sh [-k KEYS] [--diskless yes|no] [--rounds N]
#
# Data set (KEYS keys, default 1000000): 60% strings (16-64 bytes), 10% each hashes, lists, sets and sorted sets of
# 8 fields/elements; every tenth key with a TTL. Servers on free loopback ports, stopped on exit; each sync waits at
# most 600 s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=1000000; DISKLESS=yes; ROUNDS=2
while [ $# -gt 0 ]; do
    case "$1" in
        -k) KEYS="$2"; shift 2;; --diskless) DISKLESS="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        *) echo "redis-to-ringkv-sync: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
WORK=$(mktemp -d)
# ringkv (replica under test) and the redis-server master.
start_pair "$WORK/ringkv.log" "$WORK/master.log" --dir "$WORK" -- --repl-diskless-sync "$DISKLESS" \
    --repl-diskless-sync-delay 0 --repl-backlog-size 64mb --dir "$WORK"
RR_PORT=$(free_port)
mkdir -p "$WORK/replica"
redis-server --port "$RR_PORT" --save '' --appendonly no --daemonize no --logfile "$WORK/replica.log" \
    --dir "$WORK/replica" &
RR_PID=$!
trap 'kill $RK_PID $RD_PID $RR_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
await_ping "$RR_PORT"

python3 - "$KEYS" <<'PY' | redis-cli -p "$RD_PORT" --pipe >/dev/null
import random, sys
keys = int(sys.argv[1]); rnd = random.Random(1); out = sys.stdout.buffer
def cmd(*words):
    parts = [b"*%d\r\n" % len(words)]
    for w in words:
        w = w if isinstance(w, bytes) else str(w).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(w), w))
    out.write(b"".join(parts))
for i in range(keys):
    kind = i % 10
    if kind < 6:
        cmd("SET", "s:%d" % i, "v" * rnd.randint(16, 64))
        key = "s:%d" % i
    elif kind == 6:
        key = "h:%d" % i; cmd("HSET", key, *[x for f in range(8) for x in ("f%d" % f, "value%d" % rnd.randint(0, 99999))])
    elif kind == 7:
        key = "l:%d" % i; cmd("RPUSH", key, *["e%d" % rnd.randint(0, 99999) for _ in range(8)])
    elif kind == 8:
        key = "t:%d" % i; cmd("SADD", key, *["m%d" % m for m in range(8)])
    else:
        key = "z:%d" % i; cmd("ZADD", key, *[x for m in range(8) for x in (rnd.randint(0, 1000), "m%d" % m)])
    if i % 10 == 3:
        cmd("PEXPIRE", key, 36000000)
PY
echo "master: $(redis-cli -p "$RD_PORT" dbsize) keys, used_memory $(used_memory "$RD_PORT"), repl-diskless-sync $DISKLESS"

field() { redis-cli -p "$1" info replication | tr -d '\r' | awk -F: -v f="$2" '$1==f {print $2}'; }
acked() { redis-cli -p "$RD_PORT" info replication | tr -d '\r' | grep '^slave0:' | sed 's/.*offset=\([0-9]*\).*/\1/'; }
sync_ms() { # port -> milliseconds from REPLICAOF until caught up and acknowledged
    local port=$1 start now master
    start=$(date +%s%N)
    redis-cli -p "$port" replicaof 127.0.0.1 "$RD_PORT" >/dev/null
    while true; do
        master=$(field "$RD_PORT" master_repl_offset)
        if [ "$(field "$port" master_link_status)" = up ] && [ "$(field "$port" slave_repl_offset)" = "$master" ] &&
            [ "$(acked)" = "$master" ]; then
            break
        fi
        now=$(date +%s%N)
        [ $(( (now - start) / 1000000 )) -lt 600000 ] || { echo "sync to port $port timed out" >&2; exit 1; }
        sleep 0.05
    done
    now=$(date +%s%N)
    echo $(( (now - start) / 1000000 ))
}
unlink_replica() { redis-cli -p "$1" replicaof no one >/dev/null; redis-cli -p "$1" flushall >/dev/null; }

for round in $(seq 1 "$ROUNDS"); do
    rk=$(sync_ms "$RK_PORT"); rk_rss=$(rss_kb "$RK_PID"); rk_keys=$(redis-cli -p "$RK_PORT" dbsize)
    unlink_replica "$RK_PORT"
    rd=$(sync_ms "$RR_PORT"); rd_rss=$(rss_kb "$RR_PID"); rd_keys=$(redis-cli -p "$RR_PORT" dbsize)
    unlink_replica "$RR_PORT"
    echo "  ringkv's phases: $(grep 'Finished with success' "$WORK/ringkv.log" | tail -1 | sed 's/.*success //')"
    echo "round $round: ringkv ${rk} ms (${rk_keys} keys, RSS ${rk_rss} KB)  redis ${rd} ms (${rd_keys} keys, RSS" \
        "${rd_rss} KB)  ringkv/redis time $(python3 -c "print(round($rk/$rd, 2))")"
done
