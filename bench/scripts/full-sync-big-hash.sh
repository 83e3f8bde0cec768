#!/usr/bin/env bash
# Worst engine stall on a master while a replica full-syncs and clients write to a 1M-field hash (issue 11:
# "without copying a whole 1M-element value on the engine thread when it is first written during a sync").
#
#   bench/scripts/full-sync-big-hash.sh [OUT_DIR] [FIELDS] [SECONDS]          (defaults: /tmp/full-sync-big-hash 1000000 8)
#   RINGKV_ROOT=/path/to/other/build bench/scripts/full-sync-big-hash.sh ...  (measure another build, e.g. main)
#   TARGET=redis bench/scripts/full-sync-big-hash.sh ...                      (the same against redis-server)
#   FILL=small bench/scripts/full-sync-big-hash.sh OUT 1000000                 (FIELDS small hashes of 10 fields
#                                                                              instead, HSETs to random ones: the
#                                                                              issue's "full sync of 1M small hashes")
#
# Starts a master and an idle replica, fills hash "big" with FIELDS fields (HSET of 1,000 fields per command), runs
# redis-benchmark HSETs of random fields of "big" (2 clients, unpipelined) throughout, and a PING probe (one client,
# back to back, /usr/bin/python3 + redis-py) that records every round trip. The probe runs SECONDS without a sync,
# then again from REPLICAOF until the replica's link is up. Prints the probe's max and p99.9 (ms) for both windows,
# the sync time, and the slowest command LATENCY LATEST saw on the master (ringkv tracks its engine steps there).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
RK="${RINGKV_ROOT:-$ROOT}"
OUT=${1:-/tmp/full-sync-big-hash}; FIELDS=${2:-1000000}; SECONDS_=${3:-8}
TARGET=${TARGET:-ringkv}; FILL=${FILL:-big}
mkdir -p "$OUT"
. "$ROOT/bench/scripts/servers.sh"
M=$(free_port); R=$(free_port)
if [ "$TARGET" = ringkv ]; then
    "$RK/bin/ringkv" build >/dev/null
    "$RK/bin/ringkv" server --port "$M" --latency-monitor-threshold 1 --enable-debug-command yes > "$OUT/master.log" 2>&1 &
    MP=$!
    "$RK/bin/ringkv" server --port "$R" --enable-debug-command yes > "$OUT/replica.log" 2>&1 &
    RP=$!
else
    redis-server --port "$M" --save '' --appendonly no --dir "$(mktemp -d)" --repl-diskless-sync yes \
        --repl-diskless-sync-delay 0 --latency-monitor-threshold 1 --enable-debug-command yes > "$OUT/master.log" 2>&1 &
    MP=$!
    redis-server --port "$R" --save "" --appendonly no --enable-debug-command yes --dir "$(mktemp -d)" > "$OUT/replica.log" 2>&1 &
    RP=$!
fi
trap 'kill $MP $RP $BP 2>/dev/null; wait 2>/dev/null' EXIT
BP=
await_ping "$M"; await_ping "$R"
python3 - "$FIELDS" "$FILL" <<'PY' | redis-cli -p "$M" --pipe > /dev/null
import sys
fields = int(sys.argv[1])
out = sys.stdout
if sys.argv[2] == "small":
    for i in range(fields):
        parts = [b"HSET", b"h:%d" % i] + [x for f in range(10) for x in (b"field%d" % f, b"value-%d-%d" % (i, f))]
        out.buffer.write(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
    sys.exit(0)
for start in range(0, fields, 1000):
    n = min(1000, fields - start)
    parts = [b"HSET", b"big"]
    for i in range(start, start + n):
        parts += [b"f%d" % i, b"value-%d" % i]
    out.buffer.write(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
PY
if [ "$FILL" = small ]; then
    echo "keys: $(redis-cli -p "$M" dbsize)"
    redis-benchmark -p "$M" -c 2 -P 1 -n 1000000000 -r "$FIELDS" HSET h:__rand_int__ field3 changed > /dev/null 2>&1 &
else
    echo "fields: $(redis-cli -p "$M" hlen big)"
    redis-benchmark -p "$M" -c 2 -P 1 -n 1000000000 -r "$FIELDS" HSET big f__rand_int__ changed > /dev/null 2>&1 &
fi
BP=$!
probe() { # probe SECONDS|until-replica-up  -> "max p999 count"
    /usr/bin/python3 - "$M" "$R" "$1" <<'PY'
import sys, time, redis
m = redis.Redis(port=int(sys.argv[1])); r = redis.Redis(port=int(sys.argv[2])); mode = sys.argv[3]
lat = []
start = time.perf_counter()
if mode == "sync":
    r.execute_command("REPLICAOF", "127.0.0.1", sys.argv[1])
while True:
    t = time.perf_counter(); m.ping(); lat.append(time.perf_counter() - t)
    if mode == "sync":
        if len(lat) % 200 == 0 and r.info("replication").get("master_link_status") == "up":
            break
    elif time.perf_counter() - start > float(mode):
        break
lat.sort()
print("max_ms=%.2f p999_ms=%.2f pings=%d window_s=%.2f" % (lat[-1] * 1e3, lat[int(len(lat) * 0.999)] * 1e3, len(lat),
      time.perf_counter() - start))
PY
}
redis-cli -p "$M" latency reset > /dev/null
echo "no-sync:     $(probe "$SECONDS_")"
echo "no-sync LATENCY LATEST: $(redis-cli -p "$M" latency latest | tr '\n' ' ')"
redis-cli -p "$M" latency reset > /dev/null
echo "during-sync: $(probe sync)"
echo "during-sync LATENCY LATEST: $(redis-cli -p "$M" latency latest | tr '\n' ' ')"
echo "master: $(redis-cli -p "$M" info replication | grep -E 'slave0|ringkv_repl_snapshot_peak' | tr -d '\r' | tr '\n' ' ')"
kill $BP; BP=; sleep 2
if [ "$(redis-cli -p "$M" debug digest)" = "$(redis-cli -p "$R" debug digest)" ]; then echo "digest: equal"; else
    echo "digest: differs (the replica may still be catching up)"; fi
