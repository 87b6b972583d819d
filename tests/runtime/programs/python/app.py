"""A small program instrumented by hand in the exact form telemetry-injector inserts.

`python3 app.py demo` exercises calls, methods, a raised exception, a generator and two
concurrent asyncio tasks; `python3 app.py sighup` waits on stdin so a test can toggle
telemetry with SIGHUP in between.
"""
import telemetry_runtime as _tm

import asyncio
import sys


def add(a, b=1):
    __tel = _tm.on and _tm.enter("add", "app.py", 14, {"a": a, "b": b})
    try:
        return _tm.ret(__tel, (a + b))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def square(x):
    __tel = _tm.on and _tm.enter("square", "app.py", 22, {"x": x})
    try:
        return _tm.ret(__tel, (x * x))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def login(user, password, note):
    """Docstring stays first."""
    __tel = _tm.on and _tm.enter("login", "app.py", 30, {"user": user, "password": password, "note": note})
    try:
        return _tm.ret(__tel, (len(user) + len(password)))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def risky(n):
    __tel = _tm.on and _tm.enter("risky", "app.py", 39, {"n": n})
    try:
        if n < 0:
            raise ValueError("negative: %d" % n)
        return _tm.ret(__tel, (n))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def safe(n):
    __tel = _tm.on and _tm.enter("safe", "app.py", 49, {"n": n})
    try:
        try:
            return _tm.ret(__tel, (risky(n)))
        except ValueError as exc:
            return _tm.ret(__tel, ("caught " + str(exc)))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


class Counter:
    def __init__(self):
        self.total = 0

    def inc(self, by):
        __tel = _tm.on and _tm.enter("Counter.inc", "app.py", 64, {"self": self, "by": by})
        try:
            self.total = add(self.total, by)
            return _tm.ret(__tel, (self.total))
        except BaseException as __e: _tm.fail(__tel, __e); raise
        finally: __tel and _tm.exit(__tel)


def countdown(n):
    __tel = _tm.on and _tm.enter("countdown", "app.py", 73, {"n": n})
    try:
        while n > 0:
            got = _tm.resume(__tel, (yield _tm.suspend(__tel, (square(n)))))
            n -= 1 if got is None else got
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def consume():
    __tel = _tm.on and _tm.enter("consume", "app.py", 83, {})
    try:
        total = 0
        for value in countdown(3):
            total = add(total, value)
        return _tm.ret(__tel, (total))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


async def fetch(n, delay):
    __tel = _tm.on and _tm.enter("fetch", "app.py", 93, {"n": n, "delay": delay})
    try:
        await asyncio.sleep(delay)
        first = square(n)
        await asyncio.sleep(delay)
        return _tm.ret(__tel, (add(first, n)))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


async def gather_both():
    __tel = _tm.on and _tm.enter("gather_both", "app.py", 104, {})
    try:
        results = await asyncio.gather(fetch(10, 0.02), fetch(20, 0.01))
        return _tm.ret(__tel, (add(results[0], results[1])))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def phase(name):
    __tel = _tm.on and _tm.enter(name, "app.py", 113, {})
    try:
        return _tm.ret(__tel, (add(1, 2)))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def session():
    __tel = _tm.on and _tm.enter("session", "app.py", 121, {})
    try:
        phase("during")
        print("on", flush=True)
        sys.stdin.readline()
        phase("late")
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def demo():
    print("add", add(2, 3))
    print("login", login("ada", "hunter2", "x" * 500))
    print("safe", safe(4), "|", safe(-1))
    counter = Counter()
    counter.inc(5)
    print("counter", counter.inc(7))
    print("consume", consume())
    print("gather", asyncio.run(gather_both()))


def sighup():
    phase("before")
    print("ready", flush=True)
    sys.stdin.readline()
    session()
    print("done", flush=True)


if __name__ == "__main__":
    {"demo": demo, "sighup": sighup}[sys.argv[1]]()
