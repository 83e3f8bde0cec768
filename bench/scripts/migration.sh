#!/usr/bin/env bash
# Live migration between redis-server 7.0 and ringkv by replication (issue 15; the README's recipe): the time a
# full sync of a mixed data set takes from a master to a fresh replica, in each direction, with Redis->Redis (and
# ringkv->ringkv, ringkv's own JSON protocol) in the same run for reference.
#
#   bench/scripts/migration.sh [--keys N] [--cases "redis:ringkv ringkv:redis redis:redis ringkv:ringkv"]
#                              [--rounds R] [--timeout SECONDS] [--out DIR]
#   defaults (a smoke run): --keys 200000 --rounds 1 --timeout 300; the recorded figures: --keys 1000000 --rounds 3
#   (the cases alternate within each round, so a round compares them under the same machine load; medians printed)
#
# Per case MASTER:REPLICA, on free loopback ports, each server in its own directory under OUT, both always stopped
# (both with `--enable-debug-command local` for DEBUG DIGEST; Redis with `--save ''` and, as a master,
# `--repl-diskless-sync-delay 0` so it does not wait 5 s for more replicas to share its fork):
#   1. the master gets N keys of bench/scripts/dataset.py's mixed set (strings of three encodings, small and big
#      hashes, sets, lists, sorted sets, one key in ten with a TTL) through redis-cli --pipe;
#   2. `REPLICAOF <master>` is sent to the replica; "link up" is the time until its INFO says
#      `master_link_status:up`, "synced" until it also says `master_sync_in_progress:0` and its DBSIZE equals the
#      master's (polled every 50 ms);
#   3. a write on the master (`SET migration:probe <time>`) must reach the replica within 10 s (the command stream
#      after the sync), then DEBUG DIGEST must be equal on both (DBSIZE and INFO keyspace are printed too);
#   4. `REPLICAOF NO ONE` on the replica (the promotion) must answer OK and let it take a write.
# A case whose replica never gets there within the timeout is reported as failed with its INFO replication, and the
# script goes on with the next case; the exit status is 1 if any case failed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KEYS=200000; CASES="redis:ringkv ringkv:redis redis:redis ringkv:ringkv"; ROUNDS=1; TIMEOUT=300; OUT=/tmp/migration
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) KEYS="$2"; shift 2;; --cases) CASES="$2"; shift 2;; --timeout) TIMEOUT="$2"; shift 2;;
        --rounds) ROUNDS="$2"; shift 2;;
        --out) OUT="$2"; shift 2;;
        *) echo "migration: unknown argument '$1'" >&2; exit 2;;
    esac
done
. "$ROOT/bench/scripts/servers.sh"
"$ROOT/bin/ringkv" build > /dev/null || exit 1
mkdir -p "$OUT"; RESULTS="$OUT/results"; : > "$RESULTS"
PIDS=()
stop_all() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }
trap stop_all EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$ROOT/bench/scripts/dataset.py" mixed "$KEYS" > "$OUT/mixed.resp"

start_server() { # kind port dir log role(master|replica)
    if [ "$1" = ringkv ]; then
        "$ROOT/bin/ringkv" server --port "$2" --dir "$3" --enable-debug-command local > "$4" 2>&1 &
    else
        local extra=(); [ "$5" = master ] && extra=(--repl-diskless-sync-delay 0)
        redis-server --port "$2" --dir "$3" --save '' --appendonly no --enable-debug-command local \
            --daemonize no --logfile "$4" "${extra[@]}" &
    fi
    PIDS+=($!)
}

failed=0
for c in $(for round in $(seq 1 "$ROUNDS"); do echo $CASES; done); do
    m=${c%%:*}; r=${c##*:}
    MP=$(free_port); RP=$(free_port)
    rm -rf "$OUT/$c-master" "$OUT/$c-replica"; mkdir -p "$OUT/$c-master" "$OUT/$c-replica"
    start_server "$m" "$MP" "$OUT/$c-master" "$OUT/$c-master.log" master
    start_server "$r" "$RP" "$OUT/$c-replica" "$OUT/$c-replica.log" replica
    await_ping "$MP" && await_ping "$RP" || { failed=1; stop_all; continue; }
    t0=$(now_ms); pipe_file "$MP" "$OUT/mixed.resp" || { failed=1; stop_all; continue; }
    keys=$(redis-cli -p "$MP" dbsize)
    echo "$c: master ($m) holds $keys keys, loaded in $(( $(now_ms) - t0 )) ms"

    t0=$(now_ms); link=""; synced=""; deadline=$((t0 + TIMEOUT * 1000))
    answer=$(redis-cli -p "$RP" replicaof 127.0.0.1 "$MP")
    while [ "$(now_ms)" -lt "$deadline" ]; do
        status=$(info_field "$RP" master_link_status)
        if [ "$status" = up ] && [ -z "$link" ]; then link=$(( $(now_ms) - t0 )); fi
        if [ "$status" = up ] && [ "$(info_field "$RP" master_sync_in_progress)" = 0 ] \
            && [ "$(redis-cli -p "$RP" dbsize)" = "$keys" ]; then synced=$(( $(now_ms) - t0 )); break; fi
        sleep 0.05
    done
    if [ -z "$synced" ]; then
        echo "$c: FAILED, the replica did not sync within ${TIMEOUT}s (REPLICAOF answered '$answer'); its INFO replication:"
        redis-cli -p "$RP" info replication | tr -d '\r' | sed 's/^/    /'
        echo "$c failed - - - - -" >> "$RESULTS"; failed=1; stop_all; continue
    fi
    probe="t$(now_ms)"; redis-cli -p "$MP" set migration:probe "$probe" > /dev/null
    streamed=no
    for _ in $(seq 1 200); do [ "$(redis-cli -p "$RP" get migration:probe)" = "$probe" ] && { streamed=yes; break; }; sleep 0.05; done
    dm=$(redis-cli -p "$MP" debug digest); dr=$(redis-cli -p "$RP" debug digest)
    digest=equal; [ "$dm" = "$dr" ] || digest="DIFFERENT ($dm / $dr)"
    echo "$c: keyspace master $(redis-cli -p "$MP" info keyspace | tr -d '\r' | grep '^db'), replica $(redis-cli -p "$RP" info keyspace | tr -d '\r' | grep '^db')"
    promoted=$(redis-cli -p "$RP" replicaof no one); wrote=$(redis-cli -p "$RP" set migration:after-promotion 1)
    echo "$c: link up after ${link} ms, synced after ${synced} ms, stream $streamed, DEBUG DIGEST $digest, REPLICAOF NO ONE $promoted, write after it $wrote"
    echo "$c ok $keys $link $synced $streamed $( [ "$digest" = equal ] && echo equal || echo different)" >> "$RESULTS"
    [ "$streamed" = yes ] && [ "$digest" = equal ] && [ "$promoted" = OK ] && [ "$wrote" = OK ] || failed=1
    stop_all
done
rm -f "$OUT/mixed.resp"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RESULTS" "$KEYS" <<'PY'
import sys, statistics, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    c, state, keys, link, synced, streamed, digest = line.split()
    rows.setdefault(c, []).append((state, link, synced, streamed, digest))
print("\n| master -> replica | keys | rounds ok | link up, s (median) | synced, s (median; each round) | stream after the sync | DEBUG DIGEST |")
print("|---|---|---|---|---|---|---|")
for c, runs in rows.items():
    ok = [r for r in runs if r[0] == "ok"]
    if not ok:
        print(f"| {c.replace(':', ' -> ')} | {int(sys.argv[2]):,} | 0 of {len(runs)} | failed | failed | | |"); continue
    link = statistics.median(int(r[1]) for r in ok) / 1000
    synced = [int(r[2]) / 1000 for r in ok]
    print(f"| {c.replace(':', ' -> ')} | {int(sys.argv[2]):,} | {len(ok)} of {len(runs)} | {link:.2f} | "
          f"{statistics.median(synced):.2f} ({' / '.join(f'{x:.2f}' for x in synced)}) | "
          f"{'yes' if all(r[3] == 'yes' for r in ok) else 'NO'} | "
          f"{'equal' if all(r[4] == 'equal' for r in ok) else 'DIFFERENT'} |")
PY
exit "$failed"
