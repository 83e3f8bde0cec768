#!/usr/bin/env python3
"""Resident memory of a server around DUMP and RESTORE of one large compressible value.

    bench/scripts/dump-restore-rss.py PORT PID [MEGABYTES]

SETs a compressible value of MEGABYTES (default 100) MB, then DUMPs it and RESTOREs the payload under a second key,
reading VmRSS from /proc/PID/status (and ringkv's INFO memory fields, when the server has them) after each step and
again after a few seconds. Memory a command took should be back once it is done: nothing the server keeps grows
with a DUMP (the payload is the client's) and a RESTORE keeps one more copy of the value. Loopback only.
"""
import importlib.util, os, sys, time

_spec = importlib.util.spec_from_file_location(
    "dump_restore_timing", os.path.join(os.path.dirname(os.path.abspath(__file__)), "dump-restore-timing.py"))
_timing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_timing)
Resp = _timing.Resp

JVM_FIELDS = ("ringkv_jvm_heap_committed", "ringkv_jvm_direct_bytes", "ringkv_engine_buffer_bytes")


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


def jvm_mib(client):
    info = client.call("INFO", "memory").decode()
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return " ".join("%s=%.1f" % (name[len("ringkv_"):], int(fields[name]) / 2**20) for name in JVM_FIELDS
                    if name in fields)


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    megabytes = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    client = Resp(port)
    value = (b"ringkv stores keys and values off the Java heap. " * (megabytes * 2**20 // 50 + 1))[: megabytes * 2**20]

    def report(step):
        print("| %s | %.1f | %s |" % (step, rss_mib(pid), jvm_mib(client)), flush=True)

    print("| step | VmRSS MiB | ringkv INFO memory, MiB |")
    print("|---|---|---|")
    client.call("DEL", "big", "big2")
    time.sleep(2)
    report("before")
    client.call("SET", "big", value)
    time.sleep(2)
    report("SET big (%d MB), 2 s later" % megabytes)
    payload = client.call("DUMP", "big")
    report("DUMP big (payload %d bytes)" % len(payload))
    time.sleep(3)
    report("3 s after DUMP")
    client.call("RESTORE", "big2", 0, payload)
    report("RESTORE big2")
    time.sleep(3)
    report("3 s after RESTORE")
    client.call("DEL", "big", "big2")
    time.sleep(3)
    report("3 s after DEL of both")


if __name__ == "__main__":
    main()
