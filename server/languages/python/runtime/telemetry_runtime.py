"""Telemetry runtime called by probes that telemetry-injector inserts into Python code.

Owns: the on/off switch (environment read once at import, SIGHUP toggles), span
bookkeeping (ids, parents through contextvars, generator suspend/resume), the deep
events inside a call (variables, branches, loops with sampling, except and finally
clauses), bounded and redacted previews of values, and writing one JSON event per line
to TELEMETRY_FILE or to file descriptor 2.

Must never: raise into the program that calls it, read the environment per call, do
more than read `on` when telemetry is off, or change what the program prints.
Python >= 3.8, standard library only.
"""

import contextvars
import itertools
import json
import os
import random
import re
import reprlib
import signal
import sys
import threading
import time

__all__ = ["on", "enter", "ret", "fail", "exit", "suspend", "resume", "dropped",
           "var", "branch", "loop", "caught", "fin"]

_TRUE = ("1", "true", "yes", "on")


def _enabled_from_env():
    explicit = os.environ.get("TELEMETRY_ENABLED", "").strip().lower()
    if explicit:
        return explicit in _TRUE
    return os.environ.get("DEBUG", "").strip().lower() in _TRUE


# Probes read this attribute directly (`_tm.on and _tm.enter(...)`), so when telemetry is
# off a probe costs one attribute load. It stays a plain bool for that reason.
on = _enabled_from_env()

# Absolute now: the file is opened at the first event, perhaps after the program chdir()s.
_path = os.path.abspath(os.environ["TELEMETRY_FILE"]) if os.environ.get("TELEMETRY_FILE") else None
_lock = threading.Lock()
_fd = None
_sink_failed = False
_dropped = 0
_rng = random.Random()
_current = contextvars.ContextVar("telemetry_span", default=None)
_local = threading.local()  # .busy: the runtime itself is running user code (a __repr__)

_LIMIT = 100
_MESSAGE_LIMIT = 500
# Keys inside a previewed value (dict keys) are also checked against this wider list:
# data such as an "Authorization" header is not named by the program's own identifiers.
_SECRET = re.compile(r"pass(word)?|token|secret|key|auth|cookie|credential", re.IGNORECASE)
_DEFAULT_REDACT = r"pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session"
_DEFAULT_LOOP_EVENTS = 16
_REDACTED = "<redacted>"
_IGNORED = (GeneratorExit, StopIteration, StopAsyncIteration)


def _redact_from_env():
    """Names (parameters, variables) whose values are never previewed. A pattern that does
    not compile redacts every value: failing open would show what the user meant to hide."""
    source = os.environ.get("TELEMETRY_REDACT", "") or _DEFAULT_REDACT
    try:
        return re.compile(source, re.IGNORECASE)
    except BaseException:
        return re.compile("")


def _loop_events_from_env():
    """Events recorded per open loop before sampling starts; None records every event."""
    value = os.environ.get("TELEMETRY_LOOP_EVENTS", "").strip().lower()
    if value == "all":
        return None
    try:
        return max(0, int(value))
    except ValueError:
        return _DEFAULT_LOOP_EVENTS


# One encoder for every event: json.dumps with options builds a new one per call. ensure_ascii
# (the default) keeps lone surrogates (from surrogateescape'd names) encodable.
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
_REDACT = _redact_from_env()
_LOOP_EVENTS = _loop_events_from_env()


class _Span(object):
    __slots__ = ("name", "file", "line", "cid", "parent", "trace_id", "span_id",
                 "start", "outer", "ret", "error", "done", "loops")

    def __init__(self, name, file, line, parent):
        self.name = name
        self.file = file
        self.line = line
        self.parent = parent
        self.cid = _uuid4()
        self.trace_id = parent.trace_id if parent is not None else "%032x" % (_rng.getrandbits(128) or 1)
        self.span_id = "%016x" % (_rng.getrandbits(64) or 1)
        self.outer = parent
        self.ret = _NOTHING
        self.error = None
        self.done = False
        self.loops = None  # open loops, outermost first; a list from the first loop on
        self.start = time.perf_counter_ns()


_NOTHING = object()


def _uuid4():
    h = "%032x" % _rng.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 | (int(h[16], 16) & 3), h[17:20], h[20:])


class _Preview(reprlib.Repr):
    """reprlib with small limits, insertion order instead of sorting (sorting is O(n log n)
    on a large dict or set), and redaction of values stored under secret-looking keys."""

    def __init__(self):
        reprlib.Repr.__init__(self)
        self.maxlevel = 3
        self.maxtuple = self.maxlist = self.maxarray = self.maxdeque = 8
        self.maxdict = self.maxset = self.maxfrozenset = 8
        self.maxstring = self.maxother = _LIMIT
        self.maxlong = 40

    def repr_dict(self, x, level):
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = []
        for key in itertools.islice(x, self.maxdict):
            shown = _REDACTED if isinstance(key, str) and _secret_key(key) else self.repr1(x[key], level - 1)
            pieces.append("%s: %s" % (self.repr1(key, level - 1), shown))
        if len(x) > self.maxdict:
            pieces.append("...")
        return "{%s}" % ", ".join(pieces)

    def repr_set(self, x, level):
        return self._repr_iterable(x, level, "{", "}", self.maxset) if x else "set()"

    def repr_frozenset(self, x, level):
        return "frozenset(%s)" % self._repr_iterable(x, level, "{", "}", self.maxfrozenset) if x else "frozenset()"


_preview_repr = _Preview()


def _secret_key(key):
    return _SECRET.search(key) or _REDACT.search(key)


def _clip(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _preview(value):
    # A __repr__ may itself be instrumented; `busy` makes enter() ignore calls made from
    # here so they neither recurse nor appear as children of the call being described.
    was_busy = getattr(_local, "busy", False)
    _local.busy = True
    try:
        return _clip(_preview_repr.repr(value), _LIMIT)
    except BaseException:
        return "<unrepresentable %s>" % type(value).__name__
    finally:
        _local.busy = was_busy


def _previews(args):
    if not isinstance(args, dict):
        return {"*": _preview(args)}
    return {str(k): (_REDACTED if _REDACT.search(str(k)) else _preview(v)) for k, v in args.items()}


def _error_of(exc):
    """{type, message} of an exception, or None. str() may run an instrumented __str__."""
    if exc is None:
        return None
    was_busy = getattr(_local, "busy", False)
    _local.busy = True
    try:
        try:
            message = str(exc)
        except BaseException:
            message = "<unprintable>"
        return {"type": type(exc).__name__, "message": _clip(message, _MESSAGE_LIMIT)}
    finally:
        _local.busy = was_busy


def _emit(kind, span, extra, line=None):
    """One event line, at the function's line unless a probe names its own."""
    event = {
        "event_type": kind,
        "timestamp_ns": time.time_ns(),
        "function_name": span.name,
        "file": span.file,
        "line": span.line if line is None else line,
        "correlation_id": span.cid,
        "parent_correlation_id": span.parent.cid if span.parent is not None else None,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
    }
    if extra:
        event.update(extra)
    _write((_encode(event) + "\n").encode("ascii"))


def _write(data):
    global _fd, _sink_failed, _dropped
    with _lock:
        try:
            if _path is None:
                # fd 2 rather than sys.stderr: programs replace sys.stderr (redirect_stderr
                # into a buffer they read, test capture), and events must not land in it.
                # If fd 2 was closed at startup (sys.__stderr__ is None) its number may since
                # belong to another file, which must not receive events either.
                if sys.__stderr__ is None:
                    raise OSError("no stderr")
                _write_all(2, data)
                return
            if _sink_failed:
                _dropped += 1
                return
            if _fd is None:
                # O_APPEND makes each single write() land whole, even with several processes.
                _fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            _write_all(_fd, data)
        except BaseException:
            if _path is not None and _fd is None:
                _sink_failed = True
            _dropped += 1


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _restore_if_current(span):
    # Walk from the current span up: if `span` is current or an ancestor of it, hand the
    # context back to whoever was current before `span` ran. Otherwise (a generator closed
    # from another task or thread) leave that other context alone.
    current = _current.get()
    while current is not None and current is not span:
        current = current.parent
    if current is not None:
        _current.set(span.outer)


def enter(name, file, line, args=None):
    try:
        if getattr(_local, "busy", False):
            return False
        shown = _previews(args) if args is not None else {}  # before the span's clock starts
        parent = _current.get()
        span = _Span(name, file, line, parent)
        _current.set(span)
        _emit("function_entry", span, {
            "args": shown,
            "caller": parent.name if parent is not None else None,
        })
        return span
    except BaseException:
        return False


def ret(span, value):
    if span:
        try:
            span.ret = _preview(value)
        except BaseException:
            pass
    return value


def fail(span, exc):
    if span and not isinstance(exc, _IGNORED):
        try:
            span.error = _error_of(exc)
        except BaseException:
            pass


def exit(span):
    if not span or span.done:
        return
    try:
        span.done = True
        extra = {"duration_ns": max(1, time.perf_counter_ns() - span.start)}
        if span.ret is not _NOTHING:
            extra["return"] = span.ret
        if span.error is not None:
            extra["error"] = span.error
        if span.loops:
            _close_loops(span, 0)  # loops left by return or raise: their exits come first
        _restore_if_current(span)
        _emit("function_exit", span, extra)
    except BaseException:
        pass


def suspend(span, value):
    """Called as a generator yields: the caller of next() continues under its own span."""
    if span:
        try:
            _restore_if_current(span)
        except BaseException:
            pass
    return value


def resume(span, value):
    """Called as a generator is resumed: remember who resumed it and become current."""
    if span:
        try:
            span.outer = _current.get()
            _current.set(span)
        except BaseException:
            pass
    return value


# Deep probes. Each is written `__tel and _tm.var(__tel, REL, ...)`, so when telemetry was
# off at the call's entry a probe costs one local test and never gets here. REL is the
# probe's line relative to the function's.

def _line(span, rel):
    return span.line + rel if type(rel) is int else span.line


class _Loop(object):
    """One run of a loop statement in a call: `__l0 and __l0.tick()` starts each iteration,
    `__l0 and __l0.done()` follows the loop statement."""
    __slots__ = ("n", "span", "line", "kind", "start", "suppressed", "outer_n")

    def __init__(self, span, line, kind, outer_n):
        self.n = 0
        self.span = span
        self.line = line
        self.kind = kind
        self.suppressed = 0
        self.outer_n = outer_n  # the enclosing open loop's iteration when this one began
        self.start = 0

    def tick(self):
        # Only counts (an int above 256 is a new object: the one allocation left here).
        self.n += 1

    def done(self):
        try:
            loops = self.span.loops
            for i in range(len(loops) - 1, -1, -1):
                if loops[i] is self:
                    _close_loops(self.span, i)
                    return
        except BaseException:
            pass


def _close_loops(span, i):
    """Writes loop_exit for the loops open at index i and above, innermost first."""
    loops = span.loops
    while len(loops) > i:
        lp = loops.pop()
        _emit("loop_exit", span, {
            "loop": lp.kind,
            "iterations": lp.n,
            "duration_ns": max(1, time.perf_counter_ns() - lp.start),
            "suppressed": lp.suppressed,
        }, lp.line)


def _innermost(span):
    """The innermost open loop, after closing loops that control has left: once an enclosing
    loop has begun another iteration, a loop opened in its previous one (left by a labelled
    jump or by an exception caught inside the enclosing loop) is over."""
    loops = span.loops
    if not loops:
        return None
    for i in range(1, len(loops)):
        if loops[i - 1].n != loops[i].outer_n:
            _close_loops(span, i)
            break
    return loops[-1]


def _sampled_out(span):
    """Inside an open loop at iteration n, an event is kept while n <= TELEMETRY_LOOP_EVENTS
    or n is a power of two; the others are only counted in that loop's `suppressed`."""
    lp = _innermost(span)
    if lp is None or _LOOP_EVENTS is None:
        return False
    n = lp.n
    if n <= _LOOP_EVENTS or not n & (n - 1):
        return False
    lp.suppressed += 1
    return True


def var(span, rel, name, value=_NOTHING):
    """variable_change; without a value (the engine redacted it) nothing of it is shown."""
    if not span:
        return
    try:
        if _sampled_out(span):
            return
        name = str(name)
        if value is _NOTHING or _REDACT.search(name):
            extra = {"variable": name, "value": _REDACTED, "redacted": True}
        else:
            extra = {"variable": name, "value": _preview(value)}
        _emit("variable_change", span, extra, _line(span, rel))
    except BaseException:
        pass


def branch(span, rel, label, condition=None):
    if not span:
        return
    try:
        if not _sampled_out(span):
            shown = str(condition) if condition else None
            _emit("branch", span, {"branch": str(label), "condition": shown}, _line(span, rel))
    except BaseException:
        pass


def loop(span, rel, kind):
    """loop_entry; returns the loop that the body's tick() counts, or False."""
    if not span:
        return False
    try:
        outer = _innermost(span)
        if span.loops is None:
            span.loops = []
        lp = _Loop(span, _line(span, rel), str(kind), outer.n if outer is not None else 0)
        span.loops.append(lp)
        _emit("loop_entry", span, {"loop": lp.kind}, lp.line)
        lp.start = time.perf_counter_ns()
        return lp
    except BaseException:
        return False


def _clause(span, rel, clause):
    if span:
        try:
            _emit("exception", span, {"clause": clause, "error": _error_of(sys.exc_info()[1])}, _line(span, rel))
        except BaseException:
            pass


def caught(span, rel):
    """First statement of an except block: the exception being handled."""
    _clause(span, rel, "except")


def fin(span, rel):
    """First statement of a finally block: the exception passing through it, or null. (A
    finally nested inside an except block of the same call reports that block's exception
    even when nothing passes through the finally: Python shows no difference.)"""
    _clause(span, rel, "finally")


def dropped():
    """How many events were lost because the sink could not be written."""
    return _dropped


def _toggle(signum, frame):
    global on, _sink_failed
    on = not on
    if on:
        _sink_failed = False  # give an unwritable TELEMETRY_FILE another chance


def _install_sighup():
    # Only the main thread may install handlers, and a program's own SIGHUP handling wins.
    # Note: once installed, SIGHUP no longer terminates the process; it toggles telemetry.
    try:
        if (hasattr(signal, "SIGHUP")
                and threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGHUP) == signal.SIG_DFL):
            signal.signal(signal.SIGHUP, _toggle)
    except BaseException:
        pass


def _after_fork_in_child():
    # A lock held by another thread at fork() would stay held forever in the child, and a
    # copied generator would repeat the parent's ids.
    global _lock
    _lock = threading.Lock()
    _rng.seed()


_install_sighup()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
