#!/usr/bin/env python3
"""Times DUMP and RESTORE ... REPLACE of a 1 MB value against two RESP servers with the same client, alternately.

    bench/scripts/dump-restore-timing.py RINGKV_PORT REDIS_PORT [ITERATIONS]

For a random (incompressible) and a compressible 1 MB value it reports the median and p90 round-trip time of
DUMP and of RESTORE (the payload each server itself produced), and the payload sizes. Loopback only.
"""
import os, random, socket, statistics, sys, time


class Resp:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()

    def read(self):
        line = self.file.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        raise RuntimeError("unexpected reply " + repr(line))


def timed(fn, iterations):
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9)]


def main():
    ringkv, redis = int(sys.argv[1]), int(sys.argv[2])
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rng = random.Random(42)
    values = {
        "random 1 MB": bytes(rng.getrandbits(8) for _ in range(1 << 20)),
        "compressible 1 MB": (b"ringkv stores keys and values off the Java heap. " * 30000)[: 1 << 20],
    }
    servers = {"ringkv": Resp(ringkv), "Redis": Resp(redis)}
    print("| value | operation | ringkv median ms | Redis median ms | ratio (Redis/ringkv) | ringkv p90 ms | Redis p90 ms | payload bytes (ringkv / Redis) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, value in values.items():
        results = {}
        payloads = {}
        for name, client in servers.items():
            client.call("SET", "bench:big", value)
            payloads[name] = client.call("DUMP", "bench:big")
        for op in ("DUMP", "RESTORE"):
            for name, client in servers.items():  # alternate servers, warm up each first
                if op == "DUMP":
                    fn = lambda c=client: c.call("DUMP", "bench:big")
                else:
                    fn = lambda c=client, p=payloads[name]: c.call("RESTORE", "bench:big", 0, p, "REPLACE")
                timed(fn, 20)
                results[(op, name)] = timed(fn, iterations)
            rk, rd = results[(op, "ringkv")], results[(op, "Redis")]
            print(f"| {label} | {op} | {rk[0]:.3f} | {rd[0]:.3f} | {rd[0] / rk[0]:.2f} | {rk[1]:.3f} | {rd[1]:.3f} | "
                  f"{len(payloads['ringkv'])} / {len(payloads['Redis'])} |")
    for client in servers.values():
        client.call("DEL", "bench:big")


if __name__ == "__main__":
    main()
