# Sourced by the comparison scripts in this folder: the one way they find ports, wait for a server and start a
# ringkv and a redis-server side by side. Expects ROOT (the repository) to be set.

# A free loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# utime+stime of process $1, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Resident memory (VmRSS) of process $1, in KB.
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# INFO's used_memory of the server on port $1, in bytes.
used_memory() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1=="used_memory" {print $2}'; }

# Wait up to 30 s for the server on port $1 to answer PING; fails if it never does.
await_ping() {
    local _
    for _ in $(seq 1 300); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "$(basename "$0"): no server answered on port $1" >&2
    return 1
}

# start_pair RINGKV_LOG REDIS_LOG [ringkv server options...] [-- redis-server options...]
# Builds ringkv if stale, starts it and a redis-server (no persistence) on free loopback ports, stops both when the
# script exits, and waits until both answer. Sets RK_PORT, RK_PID (the JVM: the launcher execs java), RD_PORT, RD_PID.
start_pair() {
    local rk_log=$1 rd_log=$2 rk_args=() rd_args=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do rk_args+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    rd_args=("$@")
    RK_PORT=$(free_port); RD_PORT=$(free_port)
    "$ROOT/bin/ringkv" build >/dev/null
    "$ROOT/bin/ringkv" server --port "$RK_PORT" "${rk_args[@]}" > "$rk_log" 2>&1 &
    RK_PID=$!
    redis-server --port "$RD_PORT" --save '' --appendonly no --daemonize no --logfile "$rd_log" "${rd_args[@]}" &
    RD_PID=$!
    trap 'kill $RK_PID $RD_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
    await_ping "$RK_PORT"
    await_ping "$RD_PORT"
}

# Stops the pair start_pair started (so a script can start a fresh pair for each measurement).
stop_pair() {
    kill "$RK_PID" "$RD_PID" 2>/dev/null || true
    wait "$RK_PID" "$RD_PID" 2>/dev/null || true
}

# --- persistence scripts (persistence-save.sh, persistence-latency.sh, aof-restart-time.sh, migration.sh) ---

# utime+stime of process $1 with its reaped children (Redis's BGSAVE/rewrite children), in ms.
tree_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15 + $16 + $17) * 1000 / hz)}' "/proc/$1/stat"; }

# Resident memory of process $1 plus its live children (a forked Redis child), in KB.
tree_rss_kb() {
    local total=0 p kb
    for p in "$1" $(pgrep -P "$1" 2>/dev/null); do kb=$(rss_kb "$p" 2>/dev/null) && total=$((total + ${kb:-0})); done
    echo "$total"
}

# One field of INFO (any section) of the server on port $1.
info_field() { redis-cli -p "$1" info everything | tr -d '\r' | awk -F: -v f="$2" '$1==f {print $2; exit}'; }

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }

# Wait until the server on port $1 has no BGSAVE (or full-sync snapshot) running.
await_bgsave() { while [ "$(info_field "$1" rdb_bgsave_in_progress)" = 1 ]; do sleep 0.02; done; }

# Wait until the server on port $1 has no AOF rewrite running or scheduled.
await_aof_rewrite() {
    while [ "$(info_field "$1" aof_rewrite_in_progress)$(info_field "$1" aof_rewrite_scheduled)" != 00 ]; do sleep 0.05; done
}

# Feed the RESP stream in file $2 to the server on port $1 (redis-cli --pipe); fails on any error reply.
pipe_file() {
    local summary
    summary=$(redis-cli -p "$1" --pipe < "$2" 2>&1 | tail -1)
    case "$summary" in *"errors: 0,"*) ;; *) echo "$(basename "$0"): loading $2 into port $1: $summary" >&2; return 1;; esac
}

# Wait up to 30 min for the server on port $1 to answer PING with PONG (Redis answers LOADING while it loads).
await_pong() {
    local _
    for _ in $(seq 1 18000); do [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0; sleep 0.1; done
    echo "$(basename "$0"): no PONG on port $1" >&2
    return 1
}
