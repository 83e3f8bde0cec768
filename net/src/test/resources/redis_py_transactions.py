"""redis-py (Debian's python3-redis) transactions as applications use them: pipelines with transaction=True
(MULTI, the commands and EXEC sent in one go), runtime errors inside EXEC, queueing errors (EXECABORT), and
optimistic locking with WATCH from several threads. Usage: redis_py_transactions.py PORT; prints OK."""
import sys
import threading

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port)
r.flushall()

# A transaction pipeline: every reply in order, in one round trip.
p = r.pipeline(transaction=True)
p.set("a", 1).incr("a").get("a").sadd("s", "x", "y").smembers("s").hset("h", mapping={"f": "v"}).hgetall("h")
assert p.execute() == [True, 2, b"2", 2, {b"x", b"y"}, 1, {b"f": b"v"}]

# A runtime error is one command's reply: the others ran.
p = r.pipeline(transaction=True)
p.set("str", "text").incr("str").set("after", "1")
try:
    p.execute()
    raise AssertionError("expected the INCR's error")
except redis.ResponseError as e:
    assert "not an integer" in str(e), e
assert r.get("after") == b"1"
p = r.pipeline(transaction=True)
p.set("str", "text").incr("str").set("after", "2")
replies = p.execute(raise_on_error=False)
assert replies[0] is True and isinstance(replies[1], redis.ResponseError) and replies[2] is True, replies

# A queueing error aborts the whole transaction: nothing ran.
p = r.pipeline(transaction=True)
p.set("never", "1").execute_command("NOSUCHCOMMAND", "x")
try:
    p.execute()
    raise AssertionError("expected EXECABORT")
except redis.ResponseError as e:
    assert "EXECABORT" in str(e) or "unknown command" in str(e), e
assert r.exists("never") == 0

# WATCH: a change by another client makes EXEC fail with WatchError.
with r.pipeline() as pipe:
    pipe.watch("w")
    r.set("w", "changed")
    pipe.multi()
    pipe.set("w", "mine")
    try:
        pipe.execute()
        raise AssertionError("expected WatchError")
    except redis.WatchError:
        pass
assert r.get("w") == b"changed"

# Optimistic increments from several threads with Redis.transaction (WATCH, GET, MULTI, SET, EXEC, retry).
def increment(pipe):
    value = int(pipe.get("counter") or 0)
    pipe.multi()
    pipe.set("counter", value + 1)

def worker():
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(150):
        client.transaction(increment, "counter")

threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert r.get("counter") == b"600", r.get("counter")

# A transaction without commands, and RESP's DISCARD through reset().
assert r.pipeline(transaction=True).execute() == []
p = r.pipeline(transaction=True)
p.multi()
p.set("discarded", 1)
p.reset()
assert r.exists("discarded") == 0
print("OK")
