#!/usr/bin/env python3
"""Writes a data set as a RESP command stream, for `redis-cli --pipe` into ringkv and redis-server alike.

    bench/scripts/dataset.py strings|mixed KEYS > FILE

strings: KEYS keys `key:%012d` (16 bytes) with 32-byte values (SET, not compressible), the loadgen's shape.
mixed:   KEYS keys of every type and several encodings, one key in ten with a TTL (a day, PEXPIRE), deterministic
         (seed 15): per 100 keys,
           30 strings: 10 integers (INT encoding), 15 random 32-100 bytes (raw), 5 of 300 repeating bytes (LZF);
           15 hashes of 5 fields (listpack), 15 sets (5 integers: intset, or 5 members: listpack-less hashtable in
           7.0), 15 lists of 10 elements (one quicklist node), 15 sorted sets of 5 members (listpack),
           and per 1,000 keys four big ones instead of small ones: a hash of 1,000 fields, a set of 1,000 members, a list of 2,000
           elements, a sorted set of 500 members (past the listpack limits: hashtable, quicklist of several nodes,
           skiplist), 100 elements per command.
Keys are `<type>:%010d`, so a key count per type is also a check (`--scan --pattern 'hash:*'`).
"""
import random
import sys

out = sys.stdout.buffer


def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))


def strings(n):
    tail = bytes(random.Random(15).randrange(33, 127) for _ in range(20))
    for i in range(n):
        cmd(b"SET", b"key:%012d" % i, b"%012d" % i + tail)  # 32 bytes that LZF does not shrink


def in_chunks(verb, key, items, per=100):
    for start in range(0, len(items), per):
        cmd(verb, key, *[x for item in items[start:start + per] for x in item])


def mixed(n):
    rnd = random.Random(15)
    letters = b"abcdefghijklmnopqrstuvwxyz0123456789"
    for i in range(n):
        slot = i % 100
        big = i % 1000 in (35, 50, 65, 80)  # one big hash, set, list and sorted set per 1,000 keys
        if slot < 30:
            key = b"string:%010d" % i
            if slot < 10:
                cmd(b"SET", key, b"%d" % rnd.randrange(-10**9, 10**9))
            elif slot < 25:
                cmd(b"SET", key, bytes(rnd.choice(letters) for _ in range(rnd.randrange(32, 101))))
            else:
                cmd(b"SET", key, (b"compressible-%d-" % i) * 20)
        elif slot < 45:
            key = b"hash:%010d" % i
            fields = 1000 if big else 5
            in_chunks(b"HSET", key, [(b"field:%d" % f, b"value:%d:%d" % (i, f)) for f in range(fields)])
        elif slot < 60:
            key = b"set:%010d" % i
            if big:
                in_chunks(b"SADD", key, [(b"member:%d" % m,) for m in range(1000)])
            elif slot % 2 == 0:
                cmd(b"SADD", key, *[b"%d" % (i + m) for m in range(5)])
            else:
                cmd(b"SADD", key, *[b"m:%d:%d" % (i, m) for m in range(5)])
        elif slot < 75:
            key = b"list:%010d" % i
            elements = 2000 if big else 10
            in_chunks(b"RPUSH", key, [(b"element:%d" % e,) for e in range(elements)])
        else:
            key = b"zset:%010d" % i
            members = 500 if big else 5
            in_chunks(b"ZADD", key, [(b"%.17g" % (rnd.random() * 1000), b"member:%d" % m) for m in range(members)])
        if i % 10 == 3:
            cmd(b"PEXPIRE", key, b"86400000")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("strings", "mixed"):
        sys.exit("usage: dataset.py strings|mixed KEYS")
    {"strings": strings, "mixed": mixed}[sys.argv[1]](int(sys.argv[2]))
    out.flush()


if __name__ == "__main__":
    main()
