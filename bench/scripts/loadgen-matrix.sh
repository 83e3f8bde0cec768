#!/usr/bin/env bash
# Runs the bundled load generator's comparison (`bin/ringkv loadgen ... --compare`) of ringkv against redis-server
# over a matrix of cases (command, pipeline, connections), with each server's CPU time per request, and prints one
# ratio table (ringkv/Redis; throughput above 1 and everything else below 1 favour ringkv).
#
#   bench/scripts/loadgen-matrix.sh [-d 5s] [--warmup 2s] [--rounds 2] [--cases "get:1:50 set:16:50 ..."]
#                                   [--ringkv-opts "..."] [--ringkv-java-opts "..."] [--out DIR] [--threads]
#                                   [--monitor]
#
# A case is COMMAND:PIPELINE:CONNECTIONS. The default matrix is GET and SET at pipeline 1 and 16 with 50 connections,
# and GET and SET at pipeline 1 with 1,000 and 10,000 connections. Within a case the generator alternates the two
# servers round by round (ringkv, Redis, ringkv, ...) and reports medians over the rounds.
#
# CPU per request: utime+stime of each server process (/proc/PID/stat) before and after the case, divided by the
# commands the server processed in that time (INFO stats total_commands_processed: warm-up and preload included on
# both sides). The servers are idle while the other one is loaded, so a case's CPU belongs to its own rounds.
# --threads also prints ringkv's CPU per request by thread (/proc/PID/task/*/stat) for every case.
# --monitor attaches one `redis-cli monitor > /dev/null` to each server for the whole run (the cost of MONITOR).
#
# Both servers are started here on free loopback ports, with maxclients high enough for the largest case (Redis with
# --save '' --appendonly no --maxclients 20000), and stopped at the end; the file-descriptor limit is raised to the
# hard limit first (every process needs one descriptor per connection).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION=5s; WARMUP=2s; ROUNDS=2; OUT=/tmp/ringkv-loadgen-matrix; RINGKV_OPTS=""; THREADS=0; MONITOR=0
RINGKV_JAVA_OPTS_SERVER="${RINGKV_JAVA_OPTS:-}"
CASES="get:1:50 set:1:50 get:16:50 set:16:50 get:1:1000 set:1:1000 get:1:10000 set:1:10000"
KEYSPACE=100000; VALUE_SIZE=32
while [ $# -gt 0 ]; do
    case "$1" in
        -d|--duration) DURATION="$2"; shift 2;; --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        --cases) CASES="$2"; shift 2;; --ringkv-opts) RINGKV_OPTS="$2"; shift 2;; --out) OUT="$2"; shift 2;;
        --ringkv-java-opts) RINGKV_JAVA_OPTS_SERVER="$2"; shift 2;; --threads) THREADS=1; shift;; --monitor) MONITOR=1; shift;;
        --keyspace) KEYSPACE="$2"; shift 2;; --value-size) VALUE_SIZE="$2"; shift 2;;
        *) echo "loadgen-matrix: unknown argument '$1'" >&2; exit 2;;
    esac
done
for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "loadgen-matrix: $tool is needed" >&2; exit 1; }
done

MAX_CONNECTIONS=0
for c in $CASES; do n=${c##*:}; [ "$n" -gt "$MAX_CONNECTIONS" ] && MAX_CONNECTIONS=$n; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((MAX_CONNECTIONS + 100)) ]; then
    echo "loadgen-matrix: ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); $MAX_CONNECTIONS connections need more" >&2
    exit 1
fi
MAXCLIENTS=$((MAX_CONNECTIONS + 16 > 20000 ? MAX_CONNECTIONS + 16 : 20000))

. "$ROOT/bench/scripts/servers.sh"
thread_ticks() { # "tid name ticks" for every thread of $1
    for t in /proc/"$1"/task/*; do
        local name; name=$(tr ' ' '_' < "$t/comm" 2>/dev/null) || continue
        awk -v n="$name" -v id="${t##*/}" '{ sub(/^.*\) /, ""); print id, n, $12 + $13 }' "$t/stat" 2>/dev/null || true
    done
}
commands() { redis-cli -p "$1" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p'; }
TICK=$(getconf CLK_TCK)

mkdir -p "$OUT"
RINGKV_JAVA_OPTS="$RINGKV_JAVA_OPTS_SERVER" start_pair "$OUT/ringkv.log" "$OUT/redis.log" \
    --maxclients "$MAXCLIENTS" $RINGKV_OPTS -- --maxclients "$MAXCLIENTS"

if [ "$MONITOR" = 1 ]; then
    redis-cli -p "$RK_PORT" monitor > /dev/null & RK_MON=$!
    redis-cli -p "$RD_PORT" monitor > /dev/null & RD_MON=$!
    trap 'kill $RK_MON $RD_MON $RK_PID $RD_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
fi

RESULTS="$OUT/results.txt"; : > "$RESULTS"
for c in $CASES; do
    IFS=: read -r cmd pipe conns <<< "$c"
    dir="$OUT/$cmd-P$pipe-c$conns"
    preload=""; [ "$cmd" = get ] && preload="--preload"
    # INCR over the keys SET/GET cases filled with random values answers "not an integer" on both servers: a
    # prefix of its own keeps INCR's keys counters (key length stays 16).
    prefix="key:"; [ "$cmd" = incr ] && prefix="ctr:"
    rk_cpu0=$(cpu_ticks "$RK_PID"); rd_cpu0=$(cpu_ticks "$RD_PID")
    rk_cmd0=$(commands "$RK_PORT"); rd_cmd0=$(commands "$RD_PORT")
    [ "$THREADS" = 1 ] && thread_ticks "$RK_PID" > "$dir.threads0" 2>/dev/null || true
    mkdir -p "$dir"
    # The generator keeps about 0.6 MB of histograms per connection and command (1 ns to 1 h at 3 digits).
    # Thousands of connects at once overflow the servers' accept backlog (511); the retransmitted SYNs take seconds.
    lg_opts=""; timeouts=""
    [ "$conns" -gt 2000 ] && lg_opts="-Xmx$((conns * 9 / 10 + 1024))m"
    [ "$conns" -gt 500 ] && timeouts="--connect-timeout 30s --timeout 30s"
    RINGKV_JAVA_OPTS="$lg_opts" "$ROOT/bin/ringkv" loadgen -p "$RK_PORT" --label ringkv --compare "127.0.0.1:$RD_PORT" --compare-label redis \
        -c "$conns" -P "$pipe" -d "$DURATION" --warmup "$WARMUP" --rounds "$ROUNDS" --mix "$cmd=1" --key-prefix "$prefix" $preload \
        --keyspace "$KEYSPACE" --value-size "$VALUE_SIZE" --no-progress $timeouts --out "$dir" > "$dir/loadgen.txt" 2>&1 \
        || echo "loadgen-matrix: case $c failed, see $dir/loadgen.txt" >&2
    rk_cpu1=$(cpu_ticks "$RK_PID"); rd_cpu1=$(cpu_ticks "$RD_PID")
    rk_cmd1=$(commands "$RK_PORT"); rd_cmd1=$(commands "$RD_PORT")
    [ "$THREADS" = 1 ] && thread_ticks "$RK_PID" > "$dir.threads1" 2>/dev/null || true
    echo "$c $dir $((rk_cpu1 - rk_cpu0)) $((rk_cmd1 - rk_cmd0)) $((rd_cpu1 - rd_cpu0)) $((rd_cmd1 - rd_cmd0))" >> "$RESULTS"
done

python3 - "$RESULTS" "$TICK" "$THREADS" "$DURATION" "$WARMUP" "$ROUNDS" <<'PY'
import sys, json, os, collections
path, tick, threads, duration, warmup, rounds = sys.argv[1:]
tick = float(tick)
def us_per_req(ticks, cmds): return float(ticks) * 1e6 / tick / max(1, int(cmds))
rows = []
for line in open(path):
    case, d, rk_ticks, rk_cmds, rd_ticks, rd_cmds = line.split()
    summary = os.path.join(d, "summary.json")
    if not os.path.exists(summary):
        rows.append((case, None, None, None)); continue
    s = json.load(open(summary))
    rows.append((case, s, us_per_req(rk_ticks, rk_cmds), us_per_req(rd_ticks, rd_cmds)))
    if threads == "1":
        t0 = {l.split()[0]: (l.split()[1], int(l.split()[2])) for l in open(d + ".threads0")}
        by_name = collections.Counter()
        for l in open(d + ".threads1"):
            tid, name, ticks = l.split()
            by_name[name.rstrip("0123456789-_")] += int(ticks) - (t0.get(tid, (name, 0))[1])
        print(f"{case}: ringkv CPU us/request by thread: " +
              ", ".join(f"{n} {us_per_req(t, rk_cmds):.2f}" for n, t in by_name.most_common() if t > 0))
print(f"loadgen --compare, -d {duration} --warmup {warmup} --rounds {rounds}, medians over the rounds; "
      "ratio = ringkv/Redis; CPU = server utime+stime per processed command")
print()
print("| command | -P | conns | ringkv ops/s | Redis ops/s | throughput | p50 | p99 | p99.99 | max | CPU/req | "
      "ringkv p50/p99/max ms | Redis p50/p99/max ms | ringkv CPU µs/req | Redis CPU µs/req |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for case, s, rk_cpu, rd_cpu in rows:
    cmd, pipe, conns = case.split(":")
    if s is None:
        print(f"| {cmd.upper()} | {pipe} | {conns} | failed |" + " |" * 11); continue
    a, b, r = s["targets"]["ringkv"], s["targets"]["redis"], s["compare"]["ratios"]["ALL"]
    la, lb = a["latencyUs"]["ALL"], b["latencyUs"]["ALL"]
    ms = lambda l: f"{l['p50']/1000:.3f}/{l['p99']/1000:.3f}/{l['max']/1000:.1f}"
    print(f"| {cmd.upper()} | {pipe} | {int(conns):,} | {a['throughputOpsPerSec']:,.0f} | {b['throughputOpsPerSec']:,.0f} | "
          f"{r['throughput']:.2f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['p99.99']:.2f} | {r['max']:.2f} | "
          f"{rk_cpu/rd_cpu:.2f} | {ms(la)} | {ms(lb)} | {rk_cpu:.2f} | {rd_cpu:.2f} |")
PY
