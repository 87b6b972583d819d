"""Telemetry runtime called by probes that telemetry-injector inserts into Python code.

Owns: the on/off switch (environment read once at import, SIGHUP toggles), span
bookkeeping (ids, parents through contextvars, generator suspend/resume), the deep
events inside a call (variables, branches, loops with sampling, except and finally
clauses), bounded event volume (whole-trace sampling, a per-function call limit, nested
loop sampling), bounded and redacted previews of values, and writing one JSON event per
line to TELEMETRY_FILE or to file descriptor 2. What it shares with the other runtimes
(env parsing, previews, redaction, sampling) is fixed by protocol/runtime-vectors.json.

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
import signal
import sys
import threading
import time

__all__ = ["on", "enter", "ret", "fail", "exit", "suspend", "resume", "dropped", "otlp_stats",
           "var", "branch", "loop", "caught", "fin"]

_TRUE = ("1", "true", "yes", "on")
_DIGITS = re.compile(r"[0-9]{1,10}\Z")


def _enabled_from_env(env):
    explicit = env.get("TELEMETRY_ENABLED", "").strip().lower()
    if explicit:
        return explicit in _TRUE
    return env.get("DEBUG", "").strip().lower() in _TRUE


def _count_from_env(value, default):
    """A count such as TELEMETRY_LOOP_EVENTS: ASCII digits (surrounding blanks allowed), or
    "all" (None: no limit). Anything else (-5, +4, 1e3, 4.5) is malformed: the default."""
    value = value.strip().lower()
    if value == "all":
        return None
    return int(value) if _DIGITS.match(value) else default


_SAMPLERS = ("always_on", "always_off", "traceidratio",
             "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio")


def _ratio_from_env(value):
    try:
        ratio = float(value)
    except ValueError:
        return 1.0
    return ratio if 0.0 <= ratio <= 1.0 else 1.0


def _sampling_from_env(env):
    """TELEMETRY_SAMPLING (off keeps everything), OTEL_TRACES_SAMPLER/_ARG as the OTel spec
    reads them (unknown samplers and ratios outside [0, 1] fall back to the defaults), and the
    per-function call limit: TELEMETRY_CALLS_FIRST calls kept, then TELEMETRY_CALLS_PER_SEC."""
    sampler = env.get("OTEL_TRACES_SAMPLER", "").strip().lower()
    ratio = _ratio_from_env(env.get("OTEL_TRACES_SAMPLER_ARG", "").strip())
    first = _count_from_env(env.get("TELEMETRY_CALLS_FIRST", ""), _DEFAULT_CALLS_FIRST)
    return {
        "sampling": env.get("TELEMETRY_SAMPLING", "").strip().lower() != "off",
        "sampler": sampler if sampler in _SAMPLERS else "parentbased_always_on",
        "ratio": ratio,
        "calls_first": _DEFAULT_CALLS_FIRST if first is None else first,
        "calls_per_sec": _count_from_env(env.get("TELEMETRY_CALLS_PER_SEC", ""), _DEFAULT_CALLS_PER_SEC),
    }


def _keep_trace(sampler, ratio, trace_id):
    """Whether a root call's trace is kept. Calls below a root follow it, so a trace is kept
    or dropped whole; with no remote parent the parentbased_ samplers decide roots alike."""
    if sampler.endswith("always_on"):
        return True
    if sampler.endswith("always_off"):
        return False
    return (int(trace_id[16:], 16) >> 1) < int(ratio * 9223372036854775808.0)


def _loop_keeps(limit, n):
    """Inside an open loop at iteration n, events (and loops nested in it) are kept while
    n <= limit or n is a power of two."""
    return limit is None or n <= limit or not n & (n - 1)


class _CallLimit(object):
    """One function's call limit: the first `first` calls are kept, then at most `per_sec`
    in each one-second window; `dropped` counts the others until a kept exit reports them."""
    __slots__ = ("first", "per_sec", "window", "in_window", "dropped")

    def __init__(self, first, per_sec):
        self.first = first
        self.per_sec = per_sec
        self.window = None
        self.in_window = 0
        self.dropped = 0

    def allow(self, now_ns):
        if self.first > 0:
            self.first -= 1
            return True
        if self.per_sec is None:
            return True
        if self.window is None or now_ns - self.window >= 1000000000:
            self.window = now_ns
            self.in_window = 0
        if self.in_window < self.per_sec:
            self.in_window += 1
            return True
        self.dropped += 1
        return False


def _redact_from_env(env):
    """Names (parameters, variables) whose values are never previewed. A pattern that does
    not compile redacts every value: failing open would show what the user meant to hide."""
    source = env.get("TELEMETRY_REDACT", "") or _DEFAULT_REDACT
    try:
        return re.compile(source, re.IGNORECASE)
    except BaseException:
        return re.compile("")


# Probes read this attribute directly (`_tm.on and _tm.enter(...)`), so when telemetry is
# off a probe costs one attribute load. It stays a plain bool for that reason.
on = _enabled_from_env(os.environ)

# Absolute now: the file is opened at the first event, perhaps after the program chdir()s.
_path = os.path.abspath(os.environ["TELEMETRY_FILE"]) if os.environ.get("TELEMETRY_FILE") else None
_lock = threading.Lock()
_fd = None
_sink_failed = False
_dropped = 0
_rng = random.Random()
_current = contextvars.ContextVar("telemetry_span", default=None)


class _Local(threading.local):
    # A class default: reading `busy` in a thread that never set it finds it here, where a
    # plain threading.local would raise and catch an AttributeError inside getattr() per call.
    busy = False


_local = _Local()  # .busy: the runtime itself is running user code (a __repr__)

_LIMIT = 100
_MESSAGE_LIMIT = 500
_MAX_ITEMS = 8
_MAX_DEPTH = 3
# Keys inside a previewed value (dict keys) are also checked against this wider list:
# data such as an "Authorization" header is not named by the program's own identifiers.
_SECRET = re.compile(r"pass(word)?|token|secret|key|auth|cookie|credential", re.IGNORECASE)
_DEFAULT_REDACT = r"pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session"
_DEFAULT_LOOP_EVENTS = 16
_DEFAULT_CALLS_FIRST = 100
_DEFAULT_CALLS_PER_SEC = 10
_REDACTED = "<redacted>"
_IGNORED = (GeneratorExit, StopIteration, StopAsyncIteration)

# One encoder for every event: json.dumps with options builds a new one per call. ensure_ascii
# (the default) keeps lone surrogates (from surrogateescape'd names) encodable.
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
_quote = json.encoder.encode_basestring  # a string as JSON.stringify writes it
_REDACT = _redact_from_env(os.environ)
_SAMPLING = _sampling_from_env(os.environ)
_SAMPLED = _SAMPLING["sampling"]
# TELEMETRY_SAMPLING=off keeps every event inside loops too, unless TELEMETRY_LOOP_EVENTS says otherwise.
_LOOP_EVENTS = _count_from_env(os.environ.get("TELEMETRY_LOOP_EVENTS") or ("" if _SAMPLED else "all"), _DEFAULT_LOOP_EVENTS)
_limits = {}  # (name, file, line) -> _CallLimit


class _Span(object):
    __slots__ = ("name", "file", "line", "cid", "parent", "trace_id", "span_id",
                 "start", "outer", "ret", "error", "done", "loops", "limit", "drops", "args", "otel",
                 "gen_ai", "tail")
    muted = False

    def __init__(self, name, file, line, parent, trace_id, limit):
        self.name = name
        self.file = file
        self.line = line
        self.parent = parent
        # Ids in blocks of 256 (see _new_id_block): a counter's low byte ends the block's prefixes.
        c = next(_id_counter)
        block = _id_block
        if block[0] != c >> 8:
            block = _new_id_block(c >> 8)
        n = _HEX2[c & 255]
        self.cid = block[1] + n
        self.trace_id = trace_id
        self.span_id = block[2] + n
        self.outer = parent
        self.ret = _NOTHING
        self.error = None
        self.done = False
        self.loops = None  # open loops, outermost first; a list from the first loop on
        self.limit = limit
        self.drops = None  # {(name, file, line): calls below this one the call limits left out}
        self.args = None  # the entry's previews, for the OTLP span
        self.otel = None  # OTLP span events gathered until the exit
        self.gen_ai = None  # the returned value's gen_ai attributes, when it is an LLM response
        self.tail = None  # the fields every event of this call repeats, as JSON (see _emit)
        self.start = 0  # set by enter(), after the previews


class _Muted(object):
    """A call left out by sampling: it writes nothing, but is current while it runs so that
    the calls below it are left out with it (a trace is kept or dropped whole). `limited`:
    left out by a call limit, and then the calls below count themselves as dropped too, in
    `owner`, the nearest recorded call above (None: in their own function's limit)."""
    __slots__ = ("parent", "outer", "done", "limited", "owner")
    muted = True

    def __init__(self, parent, limited, owner):
        self.parent = parent
        self.outer = parent
        self.done = False
        self.limited = limited
        self.owner = owner


_NOTHING = object()

# timestamp_ns is the wall clock at import plus the monotonic clock since, as in the other
# runtimes: one clock read serves an event's timestamp and its call's duration.
_perf_ns = time.perf_counter_ns
_WALL_OFFSET = time.time_ns() - _perf_ns()


def _wall_ns():
    return _WALL_OFFSET + _perf_ns()


# Correlation and span ids come in blocks of 256 calls: a random UUIDv4 and a random 14-hex span
# id prefix per block, ended by the call's own 2 hex digits. Ids stay unique (110 and 56 random
# bits a block) and well-formed at one string join each instead of a random draw each. Threads
# share the counter (next() is atomic); a thread that finds another block current draws fresh
# prefixes for its own, so no two calls ever join the same prefix and digits.
_HEX2 = ["%02x" % i for i in range(256)]
_id_counter = itertools.count()
_id_block = (-1, "", "")  # block number, correlation id prefix, span id prefix


def _new_id_block(number):
    global _id_block
    block = _id_block = (number, _uuid4()[:34], "%014x" % (_rng.getrandbits(56) or 1))
    return block


def _uuid4():
    h = "%032x" % _rng.getrandbits(128)
    return "%s-%s-4%s-%x%s-%s" % (h[:8], h[8:12], h[13:16], 8 | (int(h[16], 16) & 3), h[17:20], h[20:])


def _secret_key(key, redact=None):
    return bool(_SECRET.search(key) or (redact or _REDACT).search(key))


def _clip(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _unrepresentable(value):
    return "<unrepresentable %s>" % type(value).__name__


def _render(x, depth, out):
    """Appends the canonical preview of x to out (a list whose [0] is the length so far),
    stopping once the text is long enough to be clipped anyway."""
    if out[0] > _LIMIT:
        return
    t = type(x)
    if x is None:
        text = "null"
    elif t is bool:
        text = "true" if x else "false"
    elif t is int:
        text = repr(x) if x.bit_length() <= 256 else "<int of %d bits>" % x.bit_length()
    elif t is float:
        text = repr(x)
    elif t is str:
        text = _quote(x[:_LIMIT + 1])
    elif isinstance(x, (list, dict)) or t in (tuple, set, frozenset):
        _render_items(x, t, depth, out)
        return
    elif isinstance(x, (bytes, bytearray)):
        text = repr(x[:_LIMIT + 1])
    else:
        text = repr(x)
    out.append(text)
    out[0] += len(text)


def _render_items(x, t, depth, out):
    is_map = isinstance(x, dict)
    if is_map or isinstance(x, list):
        open_, close = ("{", "}") if is_map else ("[", "]")
    elif t is tuple:
        open_, close = "(", ",)" if len(x) == 1 else ")"
    elif not x:
        out.append("set()" if t is set else "frozenset()")
        return
    else:
        open_, close = ("{", "}") if t is set else ("frozenset({", "})")
    if not x:
        out.append(open_ + close)
        return
    if depth >= _MAX_DEPTH:
        out.append(open_ + "\u2026" + close)
        out[0] += len(open_) + len(close) + 1
        return
    out.append(open_)
    out[0] += len(open_)
    for i, item in enumerate(itertools.islice(x, _MAX_ITEMS + 1)):
        if i:
            out.append(", ")
            out[0] += 2
        if i == _MAX_ITEMS or out[0] > _LIMIT:
            out.append("\u2026")
            out[0] += 1
            break
        if is_map:
            _render_one(item, depth + 1, out)
            out.append(": ")
            out[0] += 2
            if isinstance(item, str) and _secret_key(item):
                out.append(_REDACTED)
                out[0] += len(_REDACTED)
                continue
            item = x[item]
        _render_one(item, depth + 1, out)
    out.append(close)
    out[0] += len(close)


def _render_one(x, depth, out):
    # An item that cannot be shown falls back alone; its neighbours still show.
    mark = len(out)
    try:
        _render(x, depth, out)
    except BaseException:
        del out[mark:]
        text = _unrepresentable(x)
        out.append(text)
        out[0] += len(text)


def _preview(value):
    # A __repr__ may itself be instrumented; `busy` makes enter() ignore calls made from
    # here so they neither recurse nor appear as children of the call being described.
    was_busy = getattr(_local, "busy", False)
    _local.busy = True
    try:
        out = [0]
        _render_one(value, 0, out)
        return _clip("".join(out[1:]), _LIMIT)
    except BaseException:
        return _unrepresentable(value)
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
            message = _unrepresentable(exc)
        return {"type": type(exc).__name__, "message": _clip(message, _MESSAGE_LIMIT)}
    finally:
        _local.busy = was_busy


def _emit(kind, span, extra, line=None):
    """One event line, at the function's line unless a probe names its own."""
    event = {
        "event_type": kind,
        "timestamp_ns": _wall_ns(),
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
    if _otlp is not None:
        _otlp.event(kind, span, event)
        if _path is None:
            return  # OTLP replaces the default sink (stderr); TELEMETRY_FILE still gets JSONL
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


def _admit(name, file, line, parent):
    """The span for a new call: a recorded one, or a muted one when sampling leaves it out."""
    if not _SAMPLED:
        return _Span(name, file, line, parent, parent.trace_id if parent is not None else _new_trace_id(), None)
    key = (name, file, line)
    limit = _limits.get(key)
    if limit is None:
        per_sec = _SAMPLING["calls_per_sec"]
        switch = _switches.lookup(name, file) if _switches is not None and _switches.rules else None
        if switch is not None and switch["max_events_per_sec"] is not None:
            per_sec = switch["max_events_per_sec"]
        limit = _limits[key] = _CallLimit(_SAMPLING["calls_first"], per_sec)
    if parent is not None and parent.muted:
        if parent.limited:
            _count_drop(parent.owner, limit, key)
        return _Muted(parent, parent.limited, parent.owner)
    if parent is None:
        trace_id = _new_trace_id()
        if not _keep_trace(_SAMPLING["sampler"], _SAMPLING["ratio"], trace_id):
            return _Muted(None, False, None)
    else:
        trace_id = parent.trace_id
    if not limit.allow(time.perf_counter_ns()):
        _count_drop(parent, limit, key)
        return _Muted(parent, True, parent)
    return _Span(name, file, line, parent, trace_id, limit)


def _count_drop(owner, limit, key):
    """Counts a call the limits left out where its figures will surface: in the nearest
    recorded call above it, whose exit reports it, or else in its own function's limit,
    which its next recorded exit reports."""
    if owner is None:
        limit.dropped += 1
        return
    drops = owner.drops
    if drops is None:
        drops = owner.drops = {}
    drops[key] = drops.get(key, 0) + 1


def _dropped_calls(span):
    """function_exit's dropped_calls: what the limits left out, per function, or None."""
    found = []
    limit = span.limit
    if limit is not None and limit.dropped:
        found.append({"function_name": span.name, "file": span.file, "line": span.line, "count": limit.dropped})
        limit.dropped = 0
    if span.drops:
        for (name, file, line), count in span.drops.items():
            found.append({"function_name": name, "file": file, "line": line, "count": count})
    return found or None


def _new_trace_id():
    return "%032x" % (_rng.getrandbits(128) or 1)


def enter(name, file, line, args=None):
    try:
        if getattr(_local, "busy", False):
            return False
        switch = None
        if _switches is not None and _switches.rules:
            switch = _switches.lookup(name, file)
            if switch is None:
                if not _global_on:
                    return False
            elif not switch["enabled"]:
                return False
        parent = _current.get()
        span = _admit(name, file, line, parent)
        if span.muted:
            _current.set(span)
            return span
        if switch is not None and not switch["capture_args"]:
            args = None
        if _otlp is None and type(line) is int:
            # The line _emit would write, joined here without the dict of previews.
            text = _args_json(args) if args is not None else "{}"
            start = span.start = _perf_ns()  # previews are not the call's time
            _current.set(span)
            _write(('{"event_type":"function_entry","timestamp_ns":%d%s,"args":%s,"caller":%s}\n' % (
                _WALL_OFFSET + start, span.tail or _tail(span), text,
                _ascii(parent.name) if parent is not None else "null")).encode("ascii"))
            return span
        shown = _previews(args) if args is not None else {}
        span.args = shown
        span.start = time.perf_counter_ns()  # previews are not the call's time
        _current.set(span)
        _emit("function_entry", span, {
            "args": shown,
            "caller": parent.name if parent is not None else None,
        })
        return span
    except BaseException:
        return False


def ret(span, value):
    if span and not span.muted:
        try:
            span.ret = _preview(value)
            span.gen_ai = _gen_ai(value)
        except BaseException:
            pass
    return value


def fail(span, exc):
    if span and not span.muted and not isinstance(exc, _IGNORED):
        try:
            span.error = _error_of(exc)
        except BaseException:
            pass


def exit(span, value=_NOTHING):
    # `value` is `__r`: the returned value, or the span itself when nothing was returned (the
    # entry line sets `__tel = __r = ...`). Files instrumented before pass no value and call ret().
    if not span or span.done:
        return
    try:
        span.done = True
        if span.muted:
            _restore_if_current(span)
            return
        if value is not span and value is not _NOTHING:
            ret(span, value)
        limit = span.limit
        if (_otlp is None and span.gen_ai is None and span.error is None and not span.loops
                and not span.drops and (limit is None or not limit.dropped) and type(span.line) is int):
            # The common exit, joined here: the same line as _emit writes from the dict below.
            end = _perf_ns()
            duration = max(1, end - span.start)
            _restore_if_current(span)
            r = span.ret
            if r is _NOTHING:
                text = '{"event_type":"function_exit","timestamp_ns":%d%s,"duration_ns":%d}\n' % (
                    _WALL_OFFSET + end, span.tail or _tail(span), duration)
            else:
                text = '{"event_type":"function_exit","timestamp_ns":%d%s,"duration_ns":%d,"return":%s}\n' % (
                    _WALL_OFFSET + end, span.tail or _tail(span), duration, _ascii(r))
            _write(text.encode("ascii"))
            return
        extra = {"duration_ns": max(1, time.perf_counter_ns() - span.start)}
        if span.ret is not _NOTHING:
            extra["return"] = span.ret
        if span.gen_ai is not None:
            extra["gen_ai"] = span.gen_ai
        if span.error is not None:
            extra["error"] = span.error
        drops = _dropped_calls(span)
        if drops:
            extra["dropped_calls"] = drops
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
    __slots__ = ("n", "span", "line", "kind", "start", "suppressed", "outer_n", "silent")

    def __init__(self, span, line, kind, outer_n, silent):
        self.n = 0
        self.span = span
        self.line = line
        self.kind = kind
        self.suppressed = 0
        self.outer_n = outer_n  # the enclosing open loop's iteration when this one began
        self.silent = silent  # opened in a sampled-out iteration: counts, writes nothing
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
    """Writes loop_exit for the loops open at index i and above, innermost first. A silent
    loop writes nothing: its own entry and exit and what it suppressed count in the loop
    around it."""
    loops = span.loops
    while len(loops) > i:
        lp = loops.pop()
        if lp.silent:
            loops[-1].suppressed += lp.suppressed + 2
            continue
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
    if lp is None or (not lp.silent and _loop_keeps(_LOOP_EVENTS, lp.n)):
        return False
    lp.suppressed += 1
    return True


def var(span, rel, name, value=_NOTHING):
    """variable_change; without a value (the engine redacted it) nothing of it is shown."""
    if not span or span.muted:
        return
    try:
        if _sampled_out(span):
            return
        name = str(name)
        if value is _NOTHING or _REDACT.search(name):
            extra = {"variable": name, "value": _REDACTED, "redacted": True}
        else:
            shown = _preview(value)
            gen = _gen_ai(value)
            if gen is None and _otlp is None and type(span.line) is int:
                # The line _emit would write, joined here without the encoder.
                tail = span.tail or _tail(span)
                line = _line(span, rel)
                if line != span.line:
                    tail = tail.replace(',"line":%d,' % span.line, ',"line":%d,' % line, 1)
                _write(('{"event_type":"variable_change","timestamp_ns":%d%s,"variable":%s,"value":%s}\n' % (
                    _wall_ns(), tail, _ascii(name), _ascii(shown))).encode("ascii"))
                return
            extra = {"variable": name, "value": shown}
            if gen is not None:
                extra["gen_ai"] = gen
        _emit("variable_change", span, extra, _line(span, rel))
    except BaseException:
        pass


def branch(span, rel, label, condition=None):
    if not span or span.muted:
        return
    try:
        if not _sampled_out(span):
            shown = str(condition) if condition else None
            _emit("branch", span, {"branch": str(label), "condition": shown}, _line(span, rel))
    except BaseException:
        pass


def loop(span, rel, kind):
    """loop_entry; returns the loop that the body's tick() counts, or False."""
    if not span or span.muted:
        return False
    try:
        outer = _innermost(span)
        if span.loops is None:
            span.loops = []
        # A loop nested in a sampled-out iteration is sampled out whole, by the same rule.
        silent = outer is not None and _SAMPLED and (outer.silent or not _loop_keeps(_LOOP_EVENTS, outer.n))
        lp = _Loop(span, _line(span, rel), str(kind), outer.n if outer is not None else 0, silent)
        span.loops.append(lp)
        if not silent:
            _emit("loop_entry", span, {"loop": lp.kind}, lp.line)
        lp.start = time.perf_counter_ns()
        return lp
    except BaseException:
        return False


def _clause(span, rel, clause):
    if span and not span.muted:
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


# ---- LLM-call-aware probes (begin) ----------------------------------------------------------
# A returned value or a variable's value that is the response of an OpenAI, Anthropic or Ollama
# SDK call gets a `gen_ai` object on its event (OpenTelemetry GenAI names), read from the object's
# own fields: instance __dict__ entries (pydantic models keep their fields there) or dict keys.
# No SDK is imported or patched, no property or __getattr__ runs, and probes call this only while
# telemetry is on. Cost is priced where events are summarised (`metrics --events`), not here.

def _fields(obj):
    """An object's own fields: a dict itself, or an instance's __dict__ (no __getattribute__ runs)."""
    if type(obj) is dict:
        return obj
    try:
        fields = object.__getattribute__(obj, "__dict__")
    except BaseException:
        return None
    return fields if type(fields) is dict else None


def _own(obj, name):
    fields = _fields(obj)
    return fields.get(name) if fields is not None else None


_PLAIN = frozenset((str, int, float, bool, bytes, list, tuple, set, frozenset, type(None)))


def _count(value):
    return value if type(value) is int and value >= 0 else None


def _text(value):
    return value if type(value) is str else None


def _gen_ai_record(provider, model, tokens_in, tokens_out, reasons):
    return {
        "gen_ai.provider.name": provider,
        "gen_ai.request.model": None,  # no SDK's response echoes the model asked for
        "gen_ai.response.model": _text(model),
        "gen_ai.usage.input_tokens": _count(tokens_in),
        "gen_ai.usage.output_tokens": _count(tokens_out),
        "gen_ai.response.finish_reasons": [r for r in reasons if type(r) is str],
    }


def _gen_ai(value):
    """The gen_ai attributes of an LLM SDK response, or None for any other value."""
    if type(value) in _PLAIN:
        return None
    try:
        f = _fields(value)
        if not f or type(f.get("model")) is not str:
            return None  # every response names the model that answered: most values stop here
        # Only str values are compared: a user object's __eq__ or __bool__ must never run.
        kind = _text(f.get("object"))
        if kind == "chat.completion" or kind == "text_completion":
            usage = f.get("usage")
            choices = f.get("choices")
            reasons = [_own(c, "finish_reason") for c in choices[:16]] if type(choices) is list else []
            return _gen_ai_record("openai", f["model"], _own(usage, "prompt_tokens"),
                                  _own(usage, "completion_tokens"), reasons)
        if kind == "response":  # the Responses API
            usage = f.get("usage")
            details = f.get("incomplete_details")
            reason = _own(details, "reason") if details is not None else f.get("status")
            return _gen_ai_record("openai", f["model"], _own(usage, "input_tokens"),
                                  _own(usage, "output_tokens"), [reason])
        if _text(f.get("type")) == "message" and _text(f.get("role")) == "assistant":
            usage = f.get("usage")
            return _gen_ai_record("anthropic", f["model"], _own(usage, "input_tokens"),
                                  _own(usage, "output_tokens"), [f.get("stop_reason")])
        if type(f.get("done")) is bool and f.get("created_at") is not None:
            reason = _text(f.get("done_reason"))
            return _gen_ai_record("ollama", f["model"], f.get("prompt_eval_count"),
                                  f.get("eval_count"), [reason] if reason else [])
    except BaseException:
        pass
    return None
# ---- LLM-call-aware probes (end) ------------------------------------------------------------


# OTLP export (http/json), when OTEL_EXPORTER_OTLP_ENDPOINT or a signal's own endpoint is set.
# A call becomes a span when it exits; loop exits become its span events; variable, branch and
# exception events become log records (or span events with TELEMETRY_OTLP_EVENTS=span). A
# background thread sends batches; the program only appends to a bounded queue.

_OTLP_QUEUE = 2048
_OTLP_BATCH = 512
_RETRYABLE = (429, 502, 503, 504)


def _warn(text):
    """One line on stderr about a setting the runtime could not use."""
    try:
        if sys.__stderr__ is not None:
            _write_all(2, ("telemetry: %s\n" % text).encode("utf-8", "replace"))
    except BaseException:
        pass


def _pairs(text, what):
    """W3C-baggage-like `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES)."""
    from urllib.parse import unquote
    found = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            _warn("ignoring malformed %s entry %r" % (what, item.strip()[:80]))
            continue
        found[unquote(key.strip())] = unquote(value.strip())
    return found


def _otlp_config(env):
    """The exporter's settings from the OTel environment, or None when no endpoint is set."""
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    logs = env.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "").strip()
    if not (base or traces or logs):
        return None
    if base:
        base = base.rstrip("/")
        traces = traces or base + "/v1/traces"
        logs = logs or base + "/v1/logs"
    protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "")).strip()
    if protocol and protocol != "http/json":
        _warn("OTEL_EXPORTER_OTLP_PROTOCOL=%s is not supported; sending http/json" % protocol[:40])
    timeout = env.get("OTEL_EXPORTER_OTLP_TIMEOUT", "").strip()
    if timeout and not _DIGITS.match(timeout):
        _warn("ignoring malformed OTEL_EXPORTER_OTLP_TIMEOUT=%s" % timeout[:40])
        timeout = ""
    headers = _pairs(env.get("OTEL_EXPORTER_OTLP_HEADERS", ""), "OTEL_EXPORTER_OTLP_HEADERS")
    resource = _pairs(env.get("OTEL_RESOURCE_ATTRIBUTES", ""), "OTEL_RESOURCE_ATTRIBUTES")
    service = env.get("OTEL_SERVICE_NAME", "").strip() or resource.get("service.name") or "unknown_service:python"
    resource["service.name"] = service
    resource.setdefault("telemetry.sdk.name", "telemetry-injector")
    resource.setdefault("telemetry.sdk.language", "python")
    return {
        "traces": traces or None,
        "logs": logs or None,
        "headers": headers,
        "timeout": (int(timeout) if timeout else 10000) / 1000.0,
        "resource": resource,
        "span_events": env.get("TELEMETRY_OTLP_EVENTS", "").strip().lower() == "span",
    }


def _attr(key, value):
    if type(value) is bool:
        return {"key": key, "value": {"boolValue": value}}
    if type(value) is int:
        return {"key": key, "value": {"intValue": str(value)}}  # 64-bit integers are strings in OTLP/JSON
    return {"key": key, "value": {"stringValue": str(value)}}


_SKIP = frozenset(("event_type", "timestamp_ns", "function_name", "file", "correlation_id",
                   "parent_correlation_id", "trace_id", "span_id"))


def _detail(event):
    """An inner event's own fields as attributes (code.line.number for its line)."""
    attrs = [_attr("code.line.number", event["line"])]
    for key, value in event.items():
        if key in _SKIP or key == "line":
            continue
        if isinstance(value, dict):
            for k, v in value.items():
                attrs.append(_attr("telemetry.%s.%s" % (key, k), v))
        elif value is not None:
            attrs.append(_attr("telemetry." + key, value))
    return attrs


class _Otlp(object):
    def __init__(self, config):
        self.config = config
        self.resource = {"attributes": [_attr(k, v) for k, v in config["resource"].items()]}
        self.scope = {"name": "telemetry-injector", "version": "1"}
        self.lock = threading.Lock()
        self.spans = []
        self.logs = []
        self.wake = threading.Event()
        self.thread = None
        self.stopping = False
        self.dropped = 0  # items the full queue refused
        self.failed = 0  # items a receiver refused or never took
        self.sent = 0

    def event(self, kind, span, event):
        if len(self.spans) + len(self.logs) >= _OTLP_QUEUE and kind != "loop_exit":
            if kind != "function_entry" and kind != "loop_entry":
                self.dropped += 1  # full: not worth building the record (a racy read is fine)
            return
        if kind == "function_exit":
            self._span(span, event)
        elif kind == "loop_exit" or (self.config["span_events"] and kind != "function_entry" and kind != "loop_entry"):
            if span.otel is None:
                span.otel = []
            span.otel.append({"timeUnixNano": str(event["timestamp_ns"]), "name": kind, "attributes": _detail(event)})
        elif kind != "function_entry" and kind != "loop_entry":
            self._log(kind, span, event, 17 if kind == "exception" else 9)

    def _span(self, span, event):
        end = event["timestamp_ns"]
        attrs = [_attr("code.function.name", span.name), _attr("code.file.path", span.file),
                 _attr("code.line.number", span.line)]
        for name, shown in (span.args or {}).items():
            attrs.append(_attr("telemetry.arg." + name, shown))
        if "return" in event:
            attrs.append(_attr("telemetry.return", event["return"]))
        if "dropped_calls" in event:
            attrs.append(_attr("telemetry.dropped_calls", sum(d["count"] for d in event["dropped_calls"])))
        record = {
            "traceId": span.trace_id,
            "spanId": span.span_id,
            "name": span.name,
            "kind": 1,  # INTERNAL
            "startTimeUnixNano": str(end - event["duration_ns"]),
            "endTimeUnixNano": str(end),
            "attributes": attrs,
            "status": {},
        }
        if span.parent is not None:
            record["parentSpanId"] = span.parent.span_id
        if span.otel:
            record["events"] = span.otel
        error = event.get("error")
        if error:
            record["status"] = {"code": 2, "message": error["message"]}  # ERROR
            attrs.append(_attr("error.type", error["type"]))
            self._log("exception", span, {"line": span.line, "exception": {"type": error["type"], "message": error["message"]},
                                          "timestamp_ns": end}, 17)
        self._put(self.spans, record)

    def _log(self, kind, span, event, severity):
        ts = str(event["timestamp_ns"])
        self._put(self.logs, {
            "timeUnixNano": ts,
            "observedTimeUnixNano": ts,
            "severityNumber": severity,
            "severityText": "ERROR" if severity >= 17 else "INFO",
            "eventName": kind,
            "body": {"stringValue": kind},
            "attributes": [_attr("code.function.name", span.name), _attr("code.file.path", span.file)] + _detail(event),
            "traceId": span.trace_id,
            "spanId": span.span_id,
        })

    def _put(self, queue, item):
        with self.lock:
            if len(self.spans) + len(self.logs) >= _OTLP_QUEUE:
                self.dropped += 1
                return
            queue.append(item)
            full = len(queue) >= _OTLP_BATCH
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="telemetry-otlp", daemon=True)
                self.thread.start()
        if full:
            self.wake.set()

    def _take(self):
        with self.lock:
            spans, self.spans = self.spans[:_OTLP_BATCH], self.spans[_OTLP_BATCH:]
            logs, self.logs = self.logs[:_OTLP_BATCH], self.logs[_OTLP_BATCH:]
        return spans, logs

    def _run(self):
        _local.busy = True  # an instrumented module used while sending records nothing
        while True:
            self.wake.wait(1.0)
            self.wake.clear()
            while True:
                spans, logs = self._take()
                if not spans and not logs:
                    break
                self._send_batch(spans, logs, None)
            if self.stopping:
                return

    def _send_batch(self, spans, logs, deadline):
        c = self.config
        if spans:
            body = {"resourceSpans": [{"resource": self.resource, "scopeSpans": [{"scope": self.scope, "spans": spans}]}]}
            self._send(c["traces"], body, len(spans), deadline)
        if logs:
            body = {"resourceLogs": [{"resource": self.resource, "scopeLogs": [{"scope": self.scope, "logRecords": logs}]}]}
            self._send(c["logs"], body, len(logs), deadline)

    def _send(self, url, body, count, deadline):
        """POSTs one batch; retries 429/502/503/504 and connection errors with backoff and
        jitter, honouring Retry-After, within the timeout; never partial successes."""
        if url is None:
            self.failed += count
            return
        data = _encode(body).encode("ascii")
        timeout = self.config["timeout"]
        deadline = deadline or time.monotonic() + max(timeout, 1.0) * 3
        delay = 0.1
        while True:
            status, retry_after = self._post(url, data, timeout)
            if 200 <= status < 300:
                self.sent += count
                return
            if status != 0 and status not in _RETRYABLE:
                self.failed += count
                return
            wait = retry_after if retry_after is not None else delay * (0.5 + _rng.random())
            if time.monotonic() + wait >= deadline:
                self.failed += count
                return
            time.sleep(wait)
            delay = min(delay * 2, 5.0)

    def _post(self, url, data, timeout):
        """(status, Retry-After seconds or None); status 0 for a connection error."""
        import http.client
        from urllib.parse import urlsplit
        try:
            parts = urlsplit(url)
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = cls(parts.hostname, parts.port, timeout=timeout)
            try:
                headers = {"Content-Type": "application/json"}
                headers.update(self.config["headers"])
                conn.request("POST", (parts.path or "/") + ("?" + parts.query if parts.query else ""), data, headers)
                resp = conn.getresponse()
                resp.read(65536)  # a huge or endless body is not read to its end
                retry = resp.getheader("Retry-After")
                return resp.status, (float(retry) if retry and retry.strip().isdigit() else None)
            finally:
                conn.close()
        except BaseException:
            return 0, None

    def shutdown(self):
        """At exit: send what is queued, within OTEL_EXPORTER_OTLP_TIMEOUT."""
        if self.thread is None:
            return
        self.stopping = True
        self.wake.set()
        self.thread.join(self.config["timeout"])


def _start_otlp():
    try:
        config = _otlp_config(os.environ)
        if config is None:
            return None
        exporter = _Otlp(config)
        import atexit
        atexit.register(exporter.shutdown)
        return exporter
    except BaseException:
        return None


_otlp = _start_otlp()


def otlp_stats():
    """{sent, failed, dropped} items of the OTLP exporter, or None when it is off."""
    if _otlp is None:
        return None
    return {"sent": _otlp.sent, "failed": _otlp.failed, "dropped": _otlp.dropped}


def dropped():
    """How many events were lost because the sink could not be written."""
    return _dropped


def _toggle(signum, frame):
    global _global_on, _sink_failed
    _global_on = not _global_on
    if _global_on:
        _sink_failed = False  # give an unwritable TELEMETRY_FILE another chance
    _refresh_on()


def _refresh_on():
    """`on` is what probes read: the global switch, or any function switched on by the control file."""
    global on
    on = _global_on or (_switches is not None and _switches.any_on)


# Per-function switches with expiry: TELEMETRY_CONTROL (default .telemetry/control.json beside
# this file) maps function ids (`file:name`, or `name`) and globs (`*`, `?`) to
# {enabled, expires_at, max_events_per_sec, capture_args}; "*" is the default; a function left
# out follows the global switch. A thread checks the file's modification time once a second and
# turns expired entries off; probes only look up a cached answer. A malformed file is reported
# once per change on stderr and the last good state stays.

class _Switches(object):
    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.rules = []  # (matcher, entry), exact ids first, "*" last
        self.cache = {}
        self.any_on = False

    def poll(self):
        """Reloads the file when it changed and drops expired entries; True when anything changed."""
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        changed = False
        if stamp != self.stamp:
            self.stamp = stamp
            changed = self._load(stamp)
        now = time.time()
        live = [(m, e) for m, e in self.rules if e["expires_at"] is None or e["expires_at"] > now]
        if len(live) != len(self.rules):
            self.rules = live
            changed = True
        if changed:
            self.cache = {}
            self.any_on = any(e["enabled"] for _, e in self.rules)
            _limits.clear()  # rates may have changed
        return changed

    def _load(self, stamp):
        if stamp is None:
            had = bool(self.rules)
            self.rules = []
            return had
        try:
            with open(self.path, "rb") as f:
                data = json.loads(f.read(1 << 20).decode("utf-8"))
            rules = _parse_control(data)
        except BaseException as e:
            _warn("ignoring malformed %s (%s); keeping the last good switches" % (self.path, str(e)[:120] or type(e).__name__))
            return False
        self.rules = rules
        return True

    def lookup(self, name, file):
        key = (name, file)
        found = self.cache.get(key, _NOTHING)
        if found is _NOTHING:
            found = None
            ident = "%s:%s" % (file, name)
            for matcher, entry in self.rules:
                if matcher(ident, name):
                    found = entry
                    break
            self.cache[key] = found
        return found


def _parse_control(data):
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    exact, globs, default = [], [], []
    for key, value in data.items():
        if not isinstance(value, dict):
            raise ValueError("%s: not an object" % key)
        expires = value.get("expires_at")
        if isinstance(expires, str):
            from datetime import datetime, timezone
            stamp = datetime.fromisoformat(expires.replace("Z", "+00:00"))
            expires = (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp()
        elif expires is not None and not isinstance(expires, (int, float)):
            raise ValueError("%s: expires_at is neither a time nor a number" % key)
        rate = value.get("max_events_per_sec")
        if rate is not None and (type(rate) is not int or rate < 0):
            raise ValueError("%s: max_events_per_sec is not a count" % key)
        entry = {
            "enabled": value.get("enabled", True) is True,
            "expires_at": expires,
            "max_events_per_sec": rate,
            "capture_args": value.get("capture_args", True) is not False,
        }
        if key == "*":
            default.append(((lambda ident, name: True), entry))
        elif "*" in key or "?" in key:
            pattern = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in key) + r"\Z")
            on_name = ":" not in key
            globs.append(((lambda ident, name, p=pattern, n=on_name: p.match(name if n else ident) is not None), entry))
        else:
            on_name = ":" not in key
            exact.append(((lambda ident, name, k=key, n=on_name: (name if n else ident) == k), entry))
    return exact + globs + default


def _watch(switches):
    while True:
        time.sleep(1.0)
        try:
            if switches.poll():
                _refresh_on()
        except BaseException:
            pass


def _start_switches():
    """The control file's switches, or None. The watcher thread starts only when TELEMETRY_CONTROL
    is set or the default folder exists, so a program without switches gets no extra thread."""
    try:
        path = os.environ.get("TELEMETRY_CONTROL", "")
        if not path:
            folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".telemetry")
            if not os.path.isdir(folder):
                return None
            path = os.path.join(folder, "control.json")
        switches = _Switches(os.path.abspath(path))
        switches.poll()
        threading.Thread(target=_watch, args=(switches,), name="telemetry-control", daemon=True).start()
        return switches
    except BaseException:
        return None


_global_on = on
_switches = _start_switches()
_refresh_on()


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
    # copied generator would repeat the parent's ids; the control watcher does not survive fork.
    global _lock
    _lock = threading.Lock()
    _rng.seed()
    if _switches is not None:
        try:
            threading.Thread(target=_watch, args=(_switches,), name="telemetry-control", daemon=True).start()
        except BaseException:
            pass


_install_sighup()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ==== Production hardening (issue 11): malformed OTEL_* settings; socket events ==============
# Kept together at the end so that other work on this file merges around it.

def _check_otel_env(env):
    """One stderr line per malformed OTel setting the sections above fall back from silently."""
    from urllib.parse import urlsplit
    sampler = env.get("OTEL_TRACES_SAMPLER", "").strip()
    if sampler and sampler.lower() not in _SAMPLERS:
        _warn("ignoring malformed OTEL_TRACES_SAMPLER=%s; using parentbased_always_on" % sampler[:40])
    arg = env.get("OTEL_TRACES_SAMPLER_ARG", "").strip()
    if arg:
        try:
            ratio = float(arg)
        except ValueError:
            ratio = -1.0
        if not 0.0 <= ratio <= 1.0:
            _warn("ignoring malformed OTEL_TRACES_SAMPLER_ARG=%s; using 1.0" % arg[:40])
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"):
        url = env.get(name, "").strip()
        if url:
            try:
                parts = urlsplit(url)
                good = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                good = False
            if not good:
                _warn("%s=%s is not an http(s) URL; nothing is exported there" % (name, url[:80]))


try:
    _check_otel_env(os.environ)
except BaseException:
    pass


# Socket events: an audit hook sees every socket.connect (sys.addaudithook, no patching of the
# connect path); a connection opened under a recorded call, while telemetry is on, becomes one
# `socket_connection` event when it closes, carrying that call's identity. Closing is seen by
# wrapping socket.socket._real_close, the one method every close path reaches, and the byte counts
# come from the kernel's TCP_INFO there (Linux), one getsockopt per connection rather than a
# wrapper on every send and recv. Both are installed the first time telemetry is on (never for a
# program that runs with it off), unless TELEMETRY_SOCKETS=off. Connections still open at exit
# are reported then; a socket dropped without close() is not seen.

_SOCKETS = os.environ.get("TELEMETRY_SOCKETS", "").strip().lower() not in ("off", "false", "0", "no")
_conns = None  # weakref.WeakKeyDictionary: socket -> [span, perf_counter_ns at connect, destination, protocol]


def _address(addr):
    if isinstance(addr, tuple) and len(addr) >= 2:
        host = str(addr[0])
        return ("[%s]:%s" if ":" in host else "%s:%s") % (host, addr[1])
    if isinstance(addr, bytes):
        return addr.decode("utf-8", "replace")
    return str(addr)


def _socket_audit(event, args):
    if event != "socket.connect" or not on or _conns is None:
        return
    try:
        if getattr(_local, "busy", False):
            return
        span = _current.get()
        if span is None or span.muted or span.done:
            return
        sock, address = args[0], args[1]
        if sock in _conns:
            return  # a non-blocking connect tried again
        family = int(sock.family)
        kind = int(sock.type)
        if family == 1:
            protocol = "unix"
        elif family in (2, 10) and kind in (1, 2):
            protocol = "tcp" if kind == 1 else "udp"
        else:
            return
        _conns[sock] = [span, time.perf_counter_ns(), _address(address), protocol]
    except BaseException:
        pass


def _tcp_bytes(sock):
    """(sent, received) from TCP_INFO: tcpi_bytes_sent minus retransmits (Linux 4.19+), else
    tcpi_bytes_acked, and tcpi_bytes_received; (None, None) where the kernel does not say."""
    if not sys.platform.startswith("linux"):
        return None, None
    import struct
    info = sock.getsockopt(6, 11, 232)  # IPPROTO_TCP, TCP_INFO
    if len(info) >= 216:
        sent = struct.unpack_from("=Q", info, 200)[0] - struct.unpack_from("=Q", info, 208)[0]
    elif len(info) >= 136:
        sent = struct.unpack_from("=Q", info, 120)[0]
    else:
        return None, None
    return sent, struct.unpack_from("=Q", info, 128)[0]


def _socket_closing(sock):
    conn = _conns.pop(sock, None)
    if conn is None:
        return
    span, start, destination, protocol = conn
    duration = max(1, time.perf_counter_ns() - start)
    source = None
    sent = received = None
    try:
        if protocol != "unix":
            source = _address(sock.getsockname())
        destination = _address(sock.getpeername()) or destination
    except BaseException:
        pass
    if protocol == "tcp":
        try:
            sent, received = _tcp_bytes(sock)
        except BaseException:
            pass
    _emit_record("socket_connection", span, {
        "source": source, "destination": destination, "protocol": protocol,
        "bytes_sent": sent, "bytes_received": received, "duration_ns": duration,
    })


def _emit_record(kind, span, extra):
    """An event about a call that may have exited: JSONL as _emit writes it, and for OTLP always a
    log record (a span event could no longer join a span that was already sent)."""
    event = {
        "event_type": kind,
        "timestamp_ns": _wall_ns(),
        "function_name": span.name,
        "file": span.file,
        "line": span.line,
        "correlation_id": span.cid,
        "parent_correlation_id": span.parent.cid if span.parent is not None else None,
        "trace_id": span.trace_id,
        "span_id": span.span_id,
    }
    event.update(extra)
    if _otlp is not None:
        _otlp._put(_otlp.logs, {
            "timeUnixNano": str(event["timestamp_ns"]),
            "observedTimeUnixNano": str(event["timestamp_ns"]),
            "severityNumber": 9,
            "severityText": "INFO",
            "eventName": kind,
            "body": {"stringValue": kind},
            "attributes": [_attr("code.function.name", span.name), _attr("code.file.path", span.file)] + _detail(event),
            "traceId": span.trace_id,
            "spanId": span.span_id,
        })
        if _path is None:
            return
    _write((_encode(event) + "\n").encode("ascii"))


def _install_socket_events():
    global _conns
    if _conns is not None or not _SOCKETS:
        return
    import atexit
    import socket
    import weakref
    _conns = weakref.WeakKeyDictionary()
    original = socket.socket._real_close

    def _real_close(self, *args, **kwargs):
        if _conns:
            was_busy = getattr(_local, "busy", False)
            _local.busy = True  # what the event costs records nothing
            try:
                _socket_closing(self)
            except BaseException:
                pass
            finally:
                _local.busy = was_busy
        return original(self, *args, **kwargs)

    def _at_exit():
        for sock in list(_conns.keys()):
            try:
                _socket_closing(sock)
            except BaseException:
                pass

    socket.socket._real_close = _real_close
    sys.addaudithook(_socket_audit)
    atexit.register(_at_exit)  # before the OTLP flush, which atexit runs later


_refresh_on_without_sockets = _refresh_on


def _refresh_on():  # noqa: F811 -- the SIGHUP handler and the control watcher call this one
    _refresh_on_without_sockets()
    if on:
        try:
            _install_socket_events()
        except BaseException:
            pass


if on:
    try:
        _install_socket_events()
    except BaseException:
        pass


# After os.fork(): the OTLP exporter's child has no worker thread (threads do not survive fork),
# a lock the parent's worker may have held, and a copy of the parent's queue, which the parent
# sends itself. The child starts again with an empty queue, fresh locks and its own counts; its
# worker starts with its first item, and the inherited atexit hook flushes it. The connections
# the parent opened are the parent's to report.

def _after_fork_in_child_hardening():
    if _conns is not None:
        _conns.clear()
    exporter = _otlp
    if exporter is None:
        return
    exporter.lock = threading.Lock()
    exporter.wake = threading.Event()
    exporter.thread = None
    exporter.stopping = False
    exporter.spans = []
    exporter.logs = []
    exporter.sent = exporter.failed = exporter.dropped = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child_hardening)


# ==== Buffered file sink (issue 13) ==========================================================
# Events for TELEMETRY_FILE collect in memory and reach the file in one write() per batch: when
# the batch passes _BATCH_BYTES, _FLUSH_SECONDS after its first event (a daemon thread), before
# fork(), and at exit (atexit; later events write through). A batch is whole lines and one
# O_APPEND write, so processes sharing the file still never interleave inside a line. A crash
# (SIGKILL, os._exit, a fatal signal) loses at most the unwritten batch: < 64 KiB, < 0.1 s of
# events. A forked child writes each event at once, since it may end with os._exit
# (multiprocessing's workers do). Events on fd 2 are never held back: they interleave with
# the program's own output.

_BATCH_BYTES = 64 * 1024
_FLUSH_SECONDS = 0.1
_batch = []
_batch_bytes = 0
_direct = False  # write through: at exit, in a forked child
_flusher = None
_write_through = _write


def _write(data):  # noqa: F811 -- _emit and _emit_record call this one
    global _batch_bytes, _flusher
    if _path is None or _direct:
        _write_through(data)
        return
    with _lock:
        _batch.append(data)
        _batch_bytes += len(data)
        if _batch_bytes >= _BATCH_BYTES:
            _flush_locked()
        elif _flusher is None:
            try:
                _flusher = threading.Thread(target=_flush_later, name="telemetry-flush", daemon=True)
                _flusher.start()
            except BaseException:
                _flush_locked()  # no thread (interpreter shutting down): write now


def _flush_locked():
    global _batch_bytes, _fd, _sink_failed, _dropped
    if not _batch:
        return
    count = len(_batch)
    data = b"".join(_batch)
    del _batch[:]
    _batch_bytes = 0
    try:
        if _sink_failed:
            _dropped += count
            return
        if _fd is None:
            _fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        _write_all(_fd, data)
    except BaseException:
        if _fd is None:
            _sink_failed = True
        _dropped += count


def _flush():
    try:
        with _lock:
            _flush_locked()
    except BaseException:
        pass


def _flush_later():
    global _flusher
    while True:
        time.sleep(_FLUSH_SECONDS)
        with _lock:
            if _direct or not _batch:
                _flusher = None  # idle: the next event starts another
                return
            _flush_locked()


def _flush_at_exit():
    global _direct
    _direct = True
    _flush()


def _after_fork_in_child_buffered():
    global _direct, _flusher, _batch_bytes
    _direct = True
    _flusher = None
    del _batch[:]  # flushed before fork(); anything left is the parent's to write
    _batch_bytes = 0


def _install_buffered_sink():
    import atexit
    atexit.register(_flush_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_flush, after_in_child=_after_fork_in_child_buffered)


_install_buffered_sink()


# ==== Serialisation without reflection (issue 13) =============================================
# Without OTLP, an event line is formatted from the span's fields, encoded once per call (the
# span's `tail`), with only the event's own fields going through the JSON encoder. The line is
# the one json.dumps(event, separators=(",", ":"), ensure_ascii=True) would write, key order
# included. With OTLP on, the event dict is built as before, since the exporter reads it.

_ascii = json.encoder.encode_basestring_ascii
_emit_dict = _emit
# The C encoder made once, not per event as JSONEncoder.encode does (no cycle check: an event's
# fields are previews, strings and numbers).
_c_encoder = json.encoder.c_make_encoder(None, str, _ascii, None, ":", ",", False, False, True) \
    if getattr(json.encoder, "c_make_encoder", None) else None


def _encode_extra(extra):
    return "".join(_c_encoder(extra, 0)) if _c_encoder is not None else _encode(extra)


_sites = {}  # (name, file, line) -> its fields as JSON: the same few functions make most calls


def _tail(span):
    key = (span.name, span.file, span.line)
    site = _sites.get(key)
    if site is None:
        site = ',"function_name":%s,"file":%s,"line":%d,"correlation_id":"' % (_ascii(span.name), _ascii(span.file), span.line)
        if len(_sites) < 10000:
            _sites[key] = site
    parent = span.parent
    if parent is None:
        tail = '%s%s","parent_correlation_id":null,"trace_id":"%s","span_id":"%s"' % (site, span.cid, span.trace_id, span.span_id)
    else:
        tail = '%s%s","parent_correlation_id":"%s","trace_id":"%s","span_id":"%s"' % (site, span.cid, parent.cid, span.trace_id, span.span_id)
    span.tail = tail
    return tail


def _emit(kind, span, extra, line=None):  # noqa: F811 -- every probe's event goes through here
    if _otlp is not None or type(span.line) is not int:
        _emit_dict(kind, span, extra, line)
        return
    tail = span.tail or _tail(span)
    if line is not None and line != span.line:
        tail = tail.replace(',"line":%d,' % span.line, ',"line":%d,' % line, 1)
    if extra:
        text = '{"event_type":"%s","timestamp_ns":%d%s,%s\n' % (kind, _wall_ns(), tail, _encode_extra(extra)[1:])
    else:
        text = '{"event_type":"%s","timestamp_ns":%d%s}\n' % (kind, _wall_ns(), tail)
    _write(text.encode("ascii"))


_preview_any = _preview


def _preview(value):  # noqa: F811 -- scalars need neither the busy flag nor the renderer
    t = type(value)
    if t is int:
        if -_SMALL_INT < value < _SMALL_INT:
            return repr(value)
    elif t is str:
        if len(value) <= _LIMIT // 6:  # even all escapes (\uXXXX) stay under the limit
            return _quote(value)
    elif value is None:
        return "null"
    elif t is bool:
        return "true" if value else "false"
    return _preview_any(value)


_SMALL_INT = 10 ** 18


_dropped_unflushed = dropped


def dropped():  # noqa: F811 -- events still in the batch are not lost yet: write them first
    _flush()
    return _dropped_unflushed()


# Whether a parameter name is redacted, remembered per name (_REDACT is fixed at import): the
# same few names come with every call.
_redacted_names = {}


def _previews(args):  # noqa: F811 -- enter() calls this one
    if not isinstance(args, dict):
        return {"*": _preview(args)}
    shown = {}
    for k, v in args.items():
        name = k if type(k) is str else str(k)
        hidden = _redacted_names.get(name)
        if hidden is None:
            hidden = _REDACT.search(name) is not None
            if len(_redacted_names) < 4096:
                _redacted_names[name] = hidden
        shown[name] = _REDACTED if hidden else _preview(v)
    return shown


_arg_keys = {}  # a parameter's name -> (its JSON key and colon, whether it is redacted)


def _args_json(args):
    """function_entry's `args` as JSON, written directly: the text the encoder makes of
    _previews(args), without building the dict. A small int's preview is its digits."""
    if not isinstance(args, dict):
        return '{"*":%s}' % _ascii(_preview(args))
    parts = []
    for k, v in args.items():
        name = k if type(k) is str else str(k)
        key = _arg_keys.get(name)
        if key is None:
            key = (_ascii(name) + ":", _REDACT.search(name) is not None)
            if len(_arg_keys) < 4096:
                _arg_keys[name] = key
        if key[1]:
            parts.append(key[0] + '"<redacted>"')
        elif type(v) is int and -_SMALL_INT < v < _SMALL_INT:
            parts.append('%s"%d"' % (key[0], v))
        else:
            parts.append(key[0] + _ascii(_preview(v)))
    return "{" + ",".join(parts) + "}"
