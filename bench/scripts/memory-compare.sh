#!/usr/bin/env bash
# Resident memory (VmRSS from /proc/PID/status) of ringkv and redis-server, started side by side in the same run:
#   1. empty, once started and answering;
#   2. a burst of large requests on the empty server: CLIENTS connections each SET the same key to a BURST_MB value at
#      once; then the key is deleted and RSS is sampled for SETTLE seconds (peak during the burst, then each second);
#   3. after loading KEYS keys of 16 bytes with 32-byte values (`key:%012d`, redis-cli --pipe), with INFO's
#      used_memory next to RSS.
# Prints a markdown table. Needs redis-server, redis-cli, python3, and about 3 GB of free memory with the defaults.
#
#   bench/scripts/memory-compare.sh [-n KEYS] [--burst-clients N] [--burst-mb MB] [--settle S] [--ringkv-opts "..."]
#
# The environment variable RINGKV_JAVA_OPTS reaches the launcher as usual (see docs/configuration.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=10000000; BURST_CLIENTS=30; BURST_MB=50; SETTLE=10; RINGKV_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) KEYS="$2"; shift 2;; --burst-clients) BURST_CLIENTS="$2"; shift 2;; --burst-mb) BURST_MB="$2"; shift 2;;
        --settle) SETTLE="$2"; shift 2;; --ringkv-opts) RINGKV_OPTS="$2"; shift 2;;
        *) echo "memory-compare: unknown argument '$1'" >&2; exit 2;;
    esac
done
for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "memory-compare: $tool is needed" >&2; exit 1; }
done

. "$ROOT/bench/scripts/servers.sh"
mb() { python3 -c "print(f'{$1/1024:,.1f}')"; }

start_pair /tmp/memory-compare-ringkv.log /tmp/memory-compare-redis.log $RINGKV_OPTS
sleep 2

# burst PORT PID: prints "before peak after_0s after_1s ... after_SETTLEs" in KB
burst() {
    python3 - "$1" "$2" "$BURST_CLIENTS" "$BURST_MB" "$SETTLE" <<'PY'
import socket, sys, threading, time
port, pid, clients, size_mb, settle = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
def command(sock, *args):
    sock.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    return sock.recv(1 << 16)
value = b"v" * (size_mb * 1024 * 1024)
before = rss()
peak = [before]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.05)
def client(sock):
    sock.sendall(b"*3\r\n$3\r\nSET\r\n$5\r\nburst\r\n$%d\r\n" % len(value))
    sock.sendall(value)
    sock.sendall(b"\r\n")
    assert sock.recv(64).startswith(b"+OK"), "SET failed"
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
sampler = threading.Thread(target=sample); sampler.start()
threads = [threading.Thread(target=client, args=(s,)) for s in socks]
for t in threads: t.start()
for t in threads: t.join()
done.set(); sampler.join()
peak[0] = max(peak[0], rss())
time.sleep(1)
with_value = rss()
assert command(socks[0], b"DEL", b"burst").startswith(b":1")
for s in socks: s.close()
after = []
for second in range(settle + 1):
    after.append(rss())
    time.sleep(1)
print(before, peak[0], with_value, *after)
PY
}

# load PORT: KEYS SETs of 16-byte keys and 32-byte values through redis-cli --pipe
load() {
    python3 - "$KEYS" <<'PY' | redis-cli -p "$1" --pipe >/dev/null
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer; chunk = []
value = b"v" * 32
for i in range(n):
    chunk.append(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$32\r\n%s\r\n" % (i, value))
    if len(chunk) == 10000:
        out.write(b"".join(chunk)); chunk = []
out.write(b"".join(chunk))
PY
}

RK_EMPTY=$(rss_kb "$RK_PID"); RD_EMPTY=$(rss_kb "$RD_PID")
read -r -a RK_BURST <<< "$(burst "$RK_PORT" "$RK_PID")"
read -r -a RD_BURST <<< "$(burst "$RD_PORT" "$RD_PID")"
load "$RK_PORT"; load "$RD_PORT"
sleep "$SETTLE"
RK_LOADED=$(rss_kb "$RK_PID"); RD_LOADED=$(rss_kb "$RD_PID")
RK_USED=$(used_memory "$RK_PORT"); RD_USED=$(used_memory "$RD_PORT")
RK_DBSIZE=$(redis-cli -p "$RK_PORT" dbsize); RD_DBSIZE=$(redis-cli -p "$RD_PORT" dbsize)

echo "memory-compare: $KEYS keys (16-byte keys, 32-byte values); burst of $BURST_CLIENTS x $BURST_MB MB SETs; RSS in MiB"
echo
echo "| | ringkv | Redis | ringkv - Redis | ringkv / Redis |"
echo "|---|---|---|---|---|"
row() { echo "| $1 | $(mb "$2") | $(mb "$3") | $(mb "($2 - $3)") | $(python3 -c "print(f'{$2/$3:.2f}')") |"; }
row "empty, RSS" "$RK_EMPTY" "$RD_EMPTY"
row "before the burst, RSS" "${RK_BURST[0]}" "${RD_BURST[0]}"
row "peak during the burst, RSS" "${RK_BURST[1]}" "${RD_BURST[1]}"
row "1s after the burst, value still set, RSS" "${RK_BURST[2]}" "${RD_BURST[2]}"
for i in $(seq 0 "$SETTLE"); do
    row "${i}s after deleting the value, RSS" "${RK_BURST[$((3 + i))]}" "${RD_BURST[$((3 + i))]}"
done
row "$RK_DBSIZE / $RD_DBSIZE keys, RSS" "$RK_LOADED" "$RD_LOADED"
row "$RK_DBSIZE / $RD_DBSIZE keys, used_memory" "$((RK_USED / 1024))" "$((RD_USED / 1024))"
redis-cli -p "$RK_PORT" info memory | tr -d '\r' | grep -E '^(used_memory|mem_|ringkv_)' | sed 's/^/    ringkv /'
