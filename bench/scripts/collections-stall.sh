#!/usr/bin/env bash
# Worst stall of the server while one hash grows from 0 to FIELDS fields and while that hash is UNLINKed, ringkv
# against redis-server 7.0.15 started side by side (servers.sh), one server at a time, the other idle.
#
#   bench/scripts/collections-stall.sh [-n FIELDS] [--window N] [--after SECONDS] [--ringkv-opts "..."]
#
# A probe process PINGs the server on its own connection, one PING at a time, the whole time, and records every
# round trip by phase: "idle" (2 s before the load), "grow" (a loader HSETs `field:N` = 16-byte value into `bighash`,
# one field per HSET, at most WINDOW commands in flight, so a PING queues behind at most WINDOW small commands and
# not behind a whole pipe), "unlink" (UNLINK bighash, then AFTER seconds more while a lazy free may run). The worst
# PING round trip of a phase is the longest time the server left a client unanswered. Also prints the UNLINK's own
# round trip, how long until used_memory is back near the empty server's (within 5% of the hash's size) and
# used_memory AFTER seconds after the UNLINK. Loopback only; the probe, the loader and the server share the cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FIELDS=10000000; WINDOW=1000; AFTER=5; RINGKV_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) FIELDS="$2"; shift 2;; --window) WINDOW="$2"; shift 2;; --after) AFTER="$2"; shift 2;;
        --ringkv-opts) RINGKV_OPTS="$2"; shift 2;;
        *) echo "collections-stall: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
start_pair /tmp/collections-stall-ringkv.log /tmp/collections-stall-redis.log $RINGKV_OPTS

python3 - "$RK_PORT" "$RD_PORT" "$FIELDS" "$WINDOW" "$AFTER" <<'PY'
import multiprocessing as mp, socket, sys, time
from array import array

rk_port, rd_port, fields, window, after = (int(a) for a in sys.argv[1:])
PHASES = ("idle", "grow", "unlink")

def connect(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def probe(port, phase, stop, out):
    s = connect(port)
    ping = b"*1\r\n$4\r\nPING\r\n"
    lat = [array("d") for _ in PHASES]
    i = 0
    while True:
        i += 1
        if i % 256 == 0 and stop.is_set():
            break
        p = phase.value
        t0 = time.perf_counter()
        s.sendall(ping)
        reply = s.recv(64)
        while not reply.endswith(b"\r\n"):
            reply += s.recv(64)
        lat[p].append((time.perf_counter() - t0) * 1e3)
    out.send([sorted(l) for l in lat])

class Conn:
    def __init__(self, port):
        self.sock = connect(port)
        self.file = self.sock.makefile("rb")

    def command(self, *args):
        self.sock.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
        line = self.file.readline()[:-2]
        if line[:1] == b"$":
            return self.file.read(int(line[1:]) + 2)[:-2]
        assert line[:1] in b"+:", line
        return line[1:]

    def grow(self, fields, window):
        """HSETs fields new fields into bighash, window commands at a time; every reply must be :1."""
        value = b"value-0123456789"
        for base in range(0, fields, window):
            end = min(fields, base + window)
            self.sock.sendall(b"".join(b"*4\r\n$4\r\nHSET\r\n$7\r\nbighash\r\n$%d\r\n%s\r\n$16\r\n%s\r\n"
                                       % (len(f), f, value) for f in (b"field:%d" % i for i in range(base, end))))
            replies = self.file.read(4 * (end - base))
            assert replies == b":1\r\n" * (end - base), replies[:200]

    def used_memory(self):
        return int(self.command(b"INFO", b"memory").split(b"used_memory:")[1].split(b"\r\n")[0])

def run(name, port):
    phase, stop = mp.Value("i", 0, lock=False), mp.Event()
    receiver, sender = mp.Pipe(False)
    prober = mp.Process(target=probe, args=(port, phase, stop, sender))
    prober.start()
    s = Conn(port)
    used_empty = s.used_memory()
    time.sleep(2)
    phase.value = 1
    t0 = time.perf_counter()
    s.grow(fields, window)
    grow_s = time.perf_counter() - t0
    hlen = int(s.command(b"HLEN", b"bighash"))
    encoding = s.command(b"OBJECT", b"ENCODING", b"bighash").decode()
    used_full = s.used_memory()
    phase.value = 2
    t0 = time.perf_counter()
    assert s.command(b"UNLINK", b"bighash") == b"1"
    unlink_ms = (time.perf_counter() - t0) * 1e3
    freed_s = None  # until used_memory is back within 5% of the hash's size above the empty server's
    while time.perf_counter() - t0 < after:
        if freed_s is None and s.used_memory() < used_empty + 0.05 * (used_full - used_empty):
            freed_s = time.perf_counter() - t0
        time.sleep(0.05)
    used_after = s.used_memory()
    stop.set()
    lat = receiver.recv()
    prober.join()
    return dict(name=name, hlen=hlen, encoding=encoding, grow_s=grow_s, unlink_ms=unlink_ms,
                used_full=used_full, used_after=used_after, freed_s=freed_s, lat=lat)

def pct(values, q):
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

results = [run("ringkv", rk_port), run("redis", rd_port)]
print(f"collections-stall: one hash grown to {fields:,} fields (one HSET per field, {window} in flight), "
      f"then UNLINK and {after} s more; a probe PINGs one at a time throughout; round trips in ms")
print()
print("| server | phase | PINGs | p50 | p99 | p99.9 | max |")
print("|---|---|---|---|---|---|---|")
for r in results:
    for p, name in enumerate(PHASES):
        l = r["lat"][p]
        print(f"| {r['name']} | {name} | {len(l):,} | {pct(l, .5):.3f} | {pct(l, .99):.3f} | {pct(l, .999):.3f} | "
              f"{l[-1] if l else float('nan'):.3f} |")
print()
print("| server | HLEN | encoding | grow time s (fields/s) | used_memory full MiB | UNLINK round trip ms | "
      f"memory freed after s | used_memory {after} s after UNLINK MiB |")
print("|---|---|---|---|---|---|---|---|")
for r in results:
    freed = f"{r['freed_s']:.2f}" if r["freed_s"] is not None else f"> {after}"
    print(f"| {r['name']} | {r['hlen']:,} | {r['encoding']} | {r['grow_s']:.1f} ({r['hlen']/r['grow_s']:,.0f}) | "
          f"{r['used_full']/2**20:,.1f} | {r['unlink_ms']:.3f} | {freed} | {r['used_after']/2**20:,.1f} |")
PY
