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
