"""Greetings, the conformance scenario's Python file."""
import telemetry_runtime as _tm


def greet(name):
    __tel = _tm.on and _tm.enter("greet", "python/app.py", 4, {"name": name})
    try:
        return _tm.ret(__tel, ("Hello, " + name))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def farewell(name):
    return "Goodbye, " + name
