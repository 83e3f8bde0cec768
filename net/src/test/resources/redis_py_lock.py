# redis-py's Lock (acquire, extend, reacquire, release; a foreign token refused) and a rate limiter through EVALSHA,
# against the server on port argv[1]. Prints "OK" when every step behaved as against Redis.
import sys, threading, redis
r = redis.Redis(port=int(sys.argv[1]))
r.delete("res")
lock = r.lock("res", timeout=10)
assert lock.acquire(blocking=False)
assert not r.lock("res", timeout=10).acquire(blocking=False)
assert lock.extend(5)
assert r.pttl("res") > 10000
assert lock.reacquire()
lock.release()
assert r.get("res") is None
l2 = r.lock("res", timeout=10)
assert l2.acquire(blocking=False)
intruder = r.lock("res", timeout=10)
intruder.local.token = b"not-the-owner"
try:
    intruder.release()
    raise SystemExit("released someone else's lock")
except redis.exceptions.LockNotOwnedError:
    pass
l2.release()
# Contention: four threads increment a counter under the lock; no increment is lost.
r.set("counter", 0)
def work():
    c = redis.Redis(port=int(sys.argv[1]))
    for _ in range(50):
        with c.lock("res", timeout=5, blocking_timeout=10):
            v = int(c.get("counter"))
            c.set("counter", v + 1)
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
assert int(r.get("counter")) == 200, r.get("counter")
# register_script: EVALSHA first, EVAL after NOSCRIPT (SCRIPT FLUSH).
limiter = r.register_script("local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n")
r.delete("rl")
assert [limiter(keys=["rl"], args=[60]) for _ in range(3)] == [1, 2, 3]
r.script_flush()
assert limiter(keys=["rl"], args=[60]) == 4
assert 0 < r.ttl("rl") <= 60
print("OK")
