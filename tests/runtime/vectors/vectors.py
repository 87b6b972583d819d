"""Answers protocol/runtime-vectors.json with the Python runtime's own functions.

Usage: python3 vectors.py <runtime folder> <vectors.json>. Prints one JSON object whose lists
answer the vector file's cases in order; tests/runtime/runtime-vectors.test.ts compares them.
It only computes: it never decides what is right.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
import telemetry_runtime as tm  # noqa: E402

vectors = json.load(open(sys.argv[2], encoding="utf-8"))


class Bad(Exception):
    def __repr__(self):
        raise RuntimeError("repr")

    def __str__(self):
        raise RuntimeError("str")


def calls(case):
    limit = tm._CallLimit(case["first"], case["per_sec"])
    return [limit.allow(ms * 1000000) for ms in case["at_ms"]]


def names(case, keys):
    redact = tm._redact_from_env({"TELEMETRY_REDACT": case["pattern"] or ""})
    if keys:
        return tm._secret_key(case["name"], redact)
    return bool(redact.search(case["name"]))


unrepresentable = [tm._preview(Bad()), tm._preview([1, Bad()]), tm._error_of(Bad())]

print(json.dumps({
    "enabled": [tm._enabled_from_env(c["env"]) for c in vectors["env"]["enabled"]],
    "loop_events": [tm._count_from_env(c["value"], tm._DEFAULT_LOOP_EVENTS) for c in vectors["env"]["loop_events"]],
    "sampling": [tm._sampling_from_env(c["env"]) for c in vectors["env"]["sampling"]],
    "trace": [tm._keep_trace(c["sampler"], c["ratio"], c["trace_id"]) for c in vectors["sampling"]["trace"]],
    "loop": [tm._loop_keeps(c["limit"], c["n"]) for c in vectors["sampling"]["loop"]],
    "calls": [calls(c) for c in vectors["sampling"]["calls"]],
    "names": [names(c, False) for c in vectors["redaction"]["names"]],
    "keys": [names(c, True) for c in vectors["redaction"]["keys"]],
    "preview": [tm._preview(c["value"]) for c in vectors["preview"]["cases"]],
    "unrepresentable": unrepresentable,
}, ensure_ascii=False))
