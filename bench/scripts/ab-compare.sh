#!/usr/bin/env bash
# A/B of two ringkv builds in the same run: starts a server from each build (A and B, each a repository checkout that
# has been built, e.g. main's sources unpacked with `git archive main | tar -x -C /tmp/base` and built with
# `mvn -B -ntp -q package -DskipTests`), runs this checkout's load generator with `--compare` over a list of cases
# (the two servers alternate round by round), and prints each server's throughput, latency and CPU per request.
# On a machine shared with other work, read CPU per request and the B/A ratios, not absolute figures.
# bench/scripts/ab-builds.sh does the same with redis-benchmark as the client; this one has the bundled load
# generator's latency percentiles, many-connection cases, and the two servers alternating within one generator run.
#
#   bench/scripts/ab-compare.sh --a DIR --b DIR [--a-label A] [--b-label B] [-d 5s] [--warmup 2s] [--rounds 3]
#                               [--cases "get:1:50 set:1:50 get:16:50 set:16:50 get:1:1000"] [--swap]
#                               [--a-java-opts "..."] [--b-java-opts "..."] [--out DIR]
#
# A case is COMMAND:PIPELINE:CONNECTIONS. --swap runs every case a second time with B first, so that neither build
# is always the one measured first. CPU per request: utime+stime of each server (/proc/PID/stat) over the case,
# divided by the commands it processed (INFO stats total_commands_processed; warm-up and preload included).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
A_DIR=""; B_DIR=""; A_LABEL=A; B_LABEL=B; DURATION=5s; WARMUP=2s; ROUNDS=3; SWAP=0
OUT=/tmp/ringkv-ab-compare; A_JAVA_OPTS=""; B_JAVA_OPTS=""
CASES="get:1:50 set:1:50 get:16:50 set:16:50 get:1:1000"
KEYSPACE=100000; VALUE_SIZE=32
while [ $# -gt 0 ]; do
    case "$1" in
        --a) A_DIR="$2"; shift 2;; --b) B_DIR="$2"; shift 2;;
        --a-label) A_LABEL="$2"; shift 2;; --b-label) B_LABEL="$2"; shift 2;;
        -d|--duration) DURATION="$2"; shift 2;; --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
        --cases) CASES="$2"; shift 2;; --swap) SWAP=1; shift;; --out) OUT="$2"; shift 2;;
        --a-java-opts) A_JAVA_OPTS="$2"; shift 2;; --b-java-opts) B_JAVA_OPTS="$2"; shift 2;;
        *) echo "ab-compare: unknown argument '$1'" >&2; exit 2;;
    esac
done
[ -n "$A_DIR" ] && [ -n "$B_DIR" ] || { echo "ab-compare: --a DIR and --b DIR are needed" >&2; exit 2; }
for d in "$A_DIR" "$B_DIR"; do
    [ -x "$d/bin/ringkv" ] && [ -d "$d/net/target/classes" ] || { echo "ab-compare: $d is not a built checkout" >&2; exit 1; }
done

MAX_CONNECTIONS=0
for c in $CASES; do n=${c##*:}; [ "$n" -gt "$MAX_CONNECTIONS" ] && MAX_CONNECTIONS=$n; done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAXCLIENTS=$((MAX_CONNECTIONS + 16 > 20000 ? MAX_CONNECTIONS + 16 : 20000))

. "$ROOT/bench/scripts/servers.sh"
commands() { redis-cli -p "$1" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p'; }
TICK=$(getconf CLK_TCK)

mkdir -p "$OUT"
A_PORT=$(free_port); B_PORT=$(free_port)
RINGKV_JAVA_OPTS="$A_JAVA_OPTS" "$A_DIR/bin/ringkv" server --port "$A_PORT" --maxclients "$MAXCLIENTS" > "$OUT/a.log" 2>&1 &
A_PID=$!
RINGKV_JAVA_OPTS="$B_JAVA_OPTS" "$B_DIR/bin/ringkv" server --port "$B_PORT" --maxclients "$MAXCLIENTS" > "$OUT/b.log" 2>&1 &
B_PID=$!
trap 'kill $A_PID $B_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
await_ping "$A_PORT"
await_ping "$B_PORT"

RESULTS="$OUT/results.txt"; : > "$RESULTS"
run_case() { # case first(a|b)
    local c=$1 first=$2 cmd pipe conns
    IFS=: read -r cmd pipe conns <<< "$c"
    local dir="$OUT/$cmd-P$pipe-c$conns-$first"
    local preload=""; [ "$cmd" = get ] && preload="--preload"
    local p1=$A_PORT l1=$A_LABEL p2=$B_PORT l2=$B_LABEL
    [ "$first" = b ] && { p1=$B_PORT; l1=$B_LABEL; p2=$A_PORT; l2=$A_LABEL; }
    local a_cpu0 b_cpu0 a_cmd0 b_cmd0 timeouts=""
    [ "$conns" -gt 500 ] && timeouts="--connect-timeout 30s --timeout 30s"
    a_cpu0=$(cpu_ticks "$A_PID"); b_cpu0=$(cpu_ticks "$B_PID"); a_cmd0=$(commands "$A_PORT"); b_cmd0=$(commands "$B_PORT")
    mkdir -p "$dir"
    "$ROOT/bin/ringkv" loadgen -p "$p1" --label "$l1" --compare "127.0.0.1:$p2" --compare-label "$l2" \
        -c "$conns" -P "$pipe" -d "$DURATION" --warmup "$WARMUP" --rounds "$ROUNDS" --mix "$cmd=1" $preload \
        --keyspace "$KEYSPACE" --value-size "$VALUE_SIZE" --no-progress $timeouts --out "$dir" > "$dir/loadgen.txt" 2>&1 \
        || echo "ab-compare: case $c failed, see $dir/loadgen.txt" >&2
    echo "$c $first $dir $(($(cpu_ticks "$A_PID") - a_cpu0)) $(($(commands "$A_PORT") - a_cmd0))" \
        "$(($(cpu_ticks "$B_PID") - b_cpu0)) $(($(commands "$B_PORT") - b_cmd0))" >> "$RESULTS"
}
for c in $CASES; do
    run_case "$c" a
    [ "$SWAP" = 1 ] && run_case "$c" b
done

python3 - "$RESULTS" "$TICK" "$A_LABEL" "$B_LABEL" "$DURATION" "$WARMUP" "$ROUNDS" <<'PY'
import sys, json, os
path, tick, la, lb, duration, warmup, rounds = sys.argv[1:]
tick = float(tick)
def us(ticks, cmds): return float(ticks) * 1e6 / tick / max(1, int(cmds))
print(f"loadgen --compare, -d {duration} --warmup {warmup} --rounds {rounds}, medians over the rounds; "
      f"A = {la}, B = {lb}; ratios B/A; CPU = server utime+stime per processed command")
print()
print("| command | -P | conns | first | A ops/s | B ops/s | throughput B/A | p50 B/A | p99 B/A | A p50/p99 ms | "
      "B p50/p99 ms | A CPU µs/req | B CPU µs/req | CPU B/A |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for line in open(path):
    case, first, d, a_ticks, a_cmds, b_ticks, b_cmds = line.split()
    cmd, pipe, conns = case.split(":")
    summary = os.path.join(d, "summary.json")
    if not os.path.exists(summary):
        print(f"| {cmd.upper()} | {pipe} | {conns} | {first} | failed |" + " |" * 9); continue
    t = json.load(open(summary))["targets"]
    a, b = t[la], t[lb]
    pa, pb = a["latencyUs"]["ALL"], b["latencyUs"]["ALL"]
    ca, cb = us(a_ticks, a_cmds), us(b_ticks, b_cmds)
    ms = lambda l: f"{l['p50']/1000:.3f}/{l['p99']/1000:.3f}"
    print(f"| {cmd.upper()} | {pipe} | {int(conns):,} | {first.upper()} | {a['throughputOpsPerSec']:,.0f} | "
          f"{b['throughputOpsPerSec']:,.0f} | {b['throughputOpsPerSec']/a['throughputOpsPerSec']:.2f} | "
          f"{pb['p50']/pa['p50']:.2f} | {pb['p99']/pa['p99']:.2f} | {ms(pa)} | {ms(pb)} | {ca:.2f} | {cb:.2f} | {cb/ca:.2f} |")
PY
