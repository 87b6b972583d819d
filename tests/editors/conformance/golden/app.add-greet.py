"""Greetings, the conformance scenario's Python file."""
import telemetry_runtime as _tm


def greet(name):
    __tel = __r = _tm.on and _tm.enter("greet", "python/app.py", 4, {"name": name})
    try:
        return (__r := ("Hello, " + name))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel, __r)


def farewell(name):
    return "Goodbye, " + name
