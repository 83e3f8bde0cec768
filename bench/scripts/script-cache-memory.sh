#!/usr/bin/env bash
# Script-cache memory: SCRIPT LOAD of N distinct small scripts (a rate limiter, INCR + EXPIRE, ~120 bytes, each with
# its own constant) into a ringkv and a redis-server started side by side in the same run. Prints, for each server,
# resident memory (VmRSS) before, after loading, and after SCRIPT FLUSH, the growth per script, and INFO memory's
# used_memory_lua, used_memory_scripts and number_of_cached_scripts after loading. Needs redis-server, redis-cli,
# python3.
#
#   bench/scripts/script-cache-memory.sh [-n SCRIPTS] [--ringkv-opts "..."]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCRIPTS=10000; RINGKV_OPTS=""
while [ $# -gt 0 ]; do
    case "$1" in
        -n) SCRIPTS="$2"; shift 2;; --ringkv-opts) RINGKV_OPTS="$2"; shift 2;;
        *) echo "script-cache-memory: unknown argument '$1'" >&2; exit 2;;
    esac
done
for tool in redis-server redis-cli python3; do
    command -v "$tool" >/dev/null || { echo "script-cache-memory: $tool is needed" >&2; exit 1; }
done

. "$ROOT/bench/scripts/servers.sh"
start_pair /tmp/script-cache-memory-ringkv.log /tmp/script-cache-memory-redis.log $RINGKV_OPTS
sleep 2

LOAD=/tmp/script-cache-memory-$$.resp
python3 - "$SCRIPTS" > "$LOAD" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    body = ("local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('expire', KEYS[1], %d) end "
            "return n" % (i + 1)).encode()
    sys.stdout.buffer.write(b"*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$%d\r\n%s\r\n" % (len(body), body))
PY

info() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1==f {print $2}'; }

printf '| server | RSS before (KB) | RSS after %s scripts (KB) | growth per script (B) | RSS after SCRIPT FLUSH (KB) | used_memory_lua | used_memory_scripts | number_of_cached_scripts |\n' "$SCRIPTS"
printf '|---|---|---|---|---|---|---|---|\n'
for pair in "ringkv $RK_PORT $RK_PID" "redis $RD_PORT $RD_PID"; do
    set -- $pair
    name=$1 port=$2 pid=$3
    redis-cli -p "$port" script load "return 0" >/dev/null   # create the Lua state (ringkv makes it on first use)
    sleep 1
    before=$(rss_kb "$pid")
    redis-cli -p "$port" --pipe < "$LOAD" >/dev/null
    sleep 2
    after=$(rss_kb "$pid")
    lua=$(info "$port" used_memory_lua); scripts=$(info "$port" used_memory_scripts)
    cached=$(info "$port" number_of_cached_scripts)
    redis-cli -p "$port" script flush >/dev/null
    sleep 2
    flushed=$(rss_kb "$pid")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$before" "$after" \
        "$(( (after - before) * 1024 / SCRIPTS ))" "$flushed" "$lua" "$scripts" "$cached"
done
rm -f "$LOAD"
