#!/usr/bin/env bash
# Memory per element of hashes and sets, ringkv against redis-server 7.0.15: for each data set a fresh pair of
# servers is started side by side (servers.sh), the same RESP stream is loaded into both with redis-cli --pipe, and
# INFO's used_memory and the process's resident memory (VmRSS) are read before and after (2 s after the load, so
# ringkv's once-a-second malloc_trim has run). Prints a markdown table of bytes per element and ringkv/Redis ratios,
# with OBJECT ENCODING on both sides, so the comparison is like for like.
#
#   bench/scripts/collections-memory.sh [-n ELEMENTS] [--sets "small-hashes big-hash int-set string-set"]
#                                       [--ringkv-opts "..."]
#
# The data sets (ELEMENTS defaults to 1,000,000):
#   small-hashes  ELEMENTS/10 hashes `hash:%010d` of 10 fields `field:0`..`field:9`, values `value:%010d`
#                 (16 bytes): listpack on both sides. An element is one field and its value.
#   big-hash      one hash `bighash` of ELEMENTS fields `field:%012d` (18 bytes), values `value:%010d` (16 bytes),
#                 100 pairs per HSET: hashtable on both sides.
#   int-set       one set `intset` of the integers 0 .. ELEMENTS-1, 100 per SADD: more than set-max-intset-entries
#                 (512), so a hashtable on both sides, not an intset.
#   string-set    one set `strset` of ELEMENTS members `member:%012d` (19 bytes), 100 per SADD: hashtable.
#   small-lists   ELEMENTS/10 lists `list:%010d` of 10 elements `item:%07d` (12 bytes), one RPUSH each.
#   big-list      one list `biglist` of ELEMENTS elements `item:%010d` (15 bytes), 100 per RPUSH.
#   big-zset      one sorted set `bigzset` of ELEMENTS members `member:%012d` (19 bytes) scored i * 1.5, 100 per
#                 ZADD: skiplist on both sides (not in the default list; --sets big-zset).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N=1000000; SETS="small-hashes big-hash int-set string-set"; RINGKV_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) N="$2"; shift 2;; --sets) SETS="$2"; shift 2;; --ringkv-opts) RINGKV_OPTS="$2"; shift 2;;
        *) echo "collections-memory: unknown argument '$1'" >&2; exit 2;;
    esac
done
for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "collections-memory: $tool is needed" >&2; exit 1; }
done

. "$ROOT/bench/scripts/servers.sh"

# generate SET FILE: writes the data set's RESP stream to FILE; prints "KEY_TO_CHECK COUNT_COMMAND"
generate() {
    python3 - "$1" "$N" "$2" <<'PY'
import sys
kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def cmd(args): return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
with open(path, "wb") as out:
    if kind == "small-hashes":
        for h in range(n // 10):
            args = [b"HSET", b"hash:%010d" % h]
            for f in range(10):
                args += [b"field:%d" % f, b"value:%010d" % (h * 10 + f)]
            out.write(cmd(args))
        print("hash:0000000000 HLEN")
    elif kind == "small-lists":
        for h in range(n // 10):
            out.write(cmd([b"RPUSH", b"list:%010d" % h] + [b"item:%07d" % ((h * 10 + e) % 10**7) for e in range(10)]))
        print("list:0000000000 LLEN")
    else:
        key, verb, member = {
            "big-hash": (b"bighash", b"HSET", lambda i: [b"field:%012d" % i, b"value:%010d" % i]),
            "int-set": (b"intset", b"SADD", lambda i: [b"%d" % i]),
            "string-set": (b"strset", b"SADD", lambda i: [b"member:%012d" % i]),
            "big-list": (b"biglist", b"RPUSH", lambda i: [b"item:%010d" % i]),
            "big-zset": (b"bigzset", b"ZADD", lambda i: [b"%r" % (i * 1.5), b"member:%012d" % i]),
        }[kind]
        for base in range(0, n, 100):
            args = [verb, key]
            for i in range(base, min(n, base + 100)):
                args += member(i)
            out.write(cmd(args))
        print(key.decode(), {b"HSET": "HLEN", b"SADD": "SCARD", b"RPUSH": "LLEN", b"ZADD": "ZCARD"}[verb])
PY
}

RESULTS=/tmp/collections-memory.results; DATA=/tmp/collections-memory.resp
: > "$RESULTS"
for set in $SETS; do
    read -r key count_cmd <<< "$(generate "$set" "$DATA")"
    start_pair "/tmp/collections-memory-ringkv-$set.log" "/tmp/collections-memory-redis-$set.log" $RINGKV_OPTS
    sleep 2
    for side in ringkv redis; do
        if [ $side = ringkv ]; then port=$RK_PORT; pid=$RK_PID; else port=$RD_PORT; pid=$RD_PID; fi
        rss0=$(rss_kb "$pid"); used0=$(used_memory "$port")
        redis-cli -p "$port" --pipe < "$DATA" > "/tmp/collections-memory-$side-$set.pipe" 2>&1
        grep -q 'errors: 0,' "/tmp/collections-memory-$side-$set.pipe" \
            || { echo "collections-memory: $side: load of $set failed: $(tail -2 "/tmp/collections-memory-$side-$set.pipe")" >&2; exit 1; }
        sleep 2
        rss1=$(rss_kb "$pid"); used1=$(used_memory "$port")
        enc=$(redis-cli -p "$port" object encoding "$key"); dbsize=$(redis-cli -p "$port" dbsize)
        count=$(redis-cli -p "$port" "$count_cmd" "$key")
        echo "$set $side $rss0 $rss1 $used0 $used1 $enc $dbsize $count" >> "$RESULTS"
    done
    # Both servers must hold the same data, or the ratio means nothing.
    [ "$(grep "^$set " "$RESULTS" | awk '{print $8, $9}' | sort -u | wc -l)" = 1 ] \
        || { echo "collections-memory: the two servers hold different data for $set:" >&2; grep "^$set " "$RESULTS" >&2; exit 1; }
    redis-cli -p "$RK_PORT" info memory | tr -d '\r' | grep -E '^(used_memory:|ringkv_jvm_heap_committed)' \
        | sed "s/^/    $set: ringkv /" >&2
    stop_pair
done

python3 - "$RESULTS" "$N" <<'PY'
import sys, collections
path, n = sys.argv[1], int(sys.argv[2])
rows = collections.OrderedDict()
for line in open(path):
    s, side, rss0, rss1, used0, used1, enc, dbsize, count = line.split()
    rows.setdefault(s, {})[side] = dict(rss=(int(rss1) - int(rss0)) * 1024, used=int(used1) - int(used0), enc=enc,
                                        keys=int(dbsize), rss_mb=(int(rss0) / 1024, int(rss1) / 1024),
                                        used_mb=(int(used0) / 2**20, int(used1) / 2**20))
print(f"collections-memory: {n:,} elements per data set (an element: a field and its value, or a member); "
      "bytes per element = (after - before) / elements")
print()
print("| data set | keys | OBJECT ENCODING ringkv / Redis | used_memory B/elem ringkv | Redis | ratio | "
      "RSS B/elem ringkv | Redis | ratio |")
print("|---|---|---|---|---|---|---|---|---|")
for s, r in rows.items():
    a, b = r["ringkv"], r["redis"]
    print(f"| {s} | {a['keys']:,} | {a['enc']} / {b['enc']} | {a['used']/n:.1f} | {b['used']/n:.1f} | "
          f"{a['used']/b['used']:.2f} | {a['rss']/n:.1f} | {b['rss']/n:.1f} | {a['rss']/b['rss']:.2f} |")
print()
print("| data set | ringkv used_memory MiB before -> after | Redis | ringkv RSS MiB before -> after | Redis |")
print("|---|---|---|---|---|")
for s, r in rows.items():
    a, b = r["ringkv"], r["redis"]
    f = lambda p: f"{p[0]:,.1f} -> {p[1]:,.1f}"
    print(f"| {s} | {f(a['used_mb'])} | {f(b['used_mb'])} | {f(a['rss_mb'])} | {f(b['rss_mb'])} |")
PY
