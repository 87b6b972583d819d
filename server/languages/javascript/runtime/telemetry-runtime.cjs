'use strict';
// Telemetry runtime called by probes that telemetry-injector inserts into JavaScript and
// TypeScript. One CommonJS file: `require` it from CommonJS, `import * as _tm` it from ES
// modules (exports are plain `exports.name =` assignments so Node's cjs-module-lexer sees
// them), and type it through telemetry-runtime.d.cts.
//
// Owns: the on/off switch (environment read once at load, SIGHUP toggles), span
// bookkeeping (ids, parents through AsyncLocalStorage, suspend/resume around await and
// yield), bounded and redacted previews of values, and writing one JSON event per line to
// TELEMETRY_FILE or to file descriptor 2.
//
// Must never: throw into the program, read the environment per call, do more than return a
// boolean from on() when telemetry is off, run user code (getters, proxies, inspect hooks)
// while previewing, or change what the program prints.

const { AsyncLocalStorage } = require('node:async_hooks');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { resolve } = require('node:path');
const { types } = require('node:util');

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const LIMIT = 100;
const MESSAGE_LIMIT = 500;
const MAX_ITEMS = 8;
const MAX_DEPTH = 3;
const SECRET = /pass(word)?|token|secret|key|auth|cookie|credential/i;
const REDACTED = '<redacted>';

function enabledFromEnv(env) {
  const explicit = String(env.TELEMETRY_ENABLED || '').trim().toLowerCase();
  if (explicit) return TRUE.has(explicit);
  return TRUE.has(String(env.DEBUG || '').trim().toLowerCase());
}

let enabled = enabledFromEnv(process.env);
// Absolute now: the file is opened at the first event, perhaps after process.chdir().
const path = process.env.TELEMETRY_FILE ? resolve(process.env.TELEMETRY_FILE) : null;
let fd = null;
let sinkFailed = false;
let droppedCount = 0;
const storage = new AsyncLocalStorage();

// Wall-clock anchor plus the monotonic clock: integer nanoseconds beyond Number precision.
const WALL_ORIGIN_NS = BigInt(Date.now()) * 1000000n;
const HR_ORIGIN = process.hrtime.bigint();

const idPool = Buffer.allocUnsafe(4096);
let idPos = idPool.length;
function randomHex(bytes) {
  if (idPos + bytes > idPool.length) {
    crypto.randomFillSync(idPool);
    idPos = 0;
  }
  const hex = idPool.toString('hex', idPos, idPos + bytes);
  idPos += bytes;
  return hex;
}

class Span {
  constructor(name, file, line, parent) {
    this.name = String(name);
    this.file = String(file);
    this.line = Number(line) || 0;
    this.parent = parent;
    this.outer = parent;
    this.cid = crypto.randomUUID();
    this.traceId = parent ? parent.traceId : randomHex(16);
    this.spanId = randomHex(8);
    this.returned = undefined;
    this.hasReturn = false;
    this.error = undefined;
    this.done = false;
    this.start = process.hrtime.bigint();
  }
}

function currentSpan() {
  const store = storage.getStore();
  return store instanceof Span ? store : undefined;
}

// If `span` is current or an ancestor of the current span, hand the context back to
// whoever was current before `span` ran. Otherwise (a generator closed by someone else)
// the current context belongs to another call and is left alone.
function restoreIfCurrent(span) {
  let s = currentSpan();
  while (s !== undefined && s !== span) s = s.parent;
  if (s !== undefined) storage.enterWith(span.outer);
}

function emit(kind, span, extra) {
  // Later event kinds (variable_change, branch, loop_entry, loop_exit, exception) call this.
  const ts = WALL_ORIGIN_NS + (process.hrtime.bigint() - HR_ORIGIN);
  const body = {
    function_name: span.name,
    file: span.file,
    line: span.line,
    correlation_id: span.cid,
    parent_correlation_id: span.parent ? span.parent.cid : null,
    trace_id: span.traceId,
    span_id: span.spanId,
    ...extra,
  };
  write(`{"event_type":${JSON.stringify(kind)},"timestamp_ns":${ts},${JSON.stringify(body).slice(1)}\n`);
}

function write(line) {
  try {
    if (path === null) {
      // fs.writeSync(2) instead of process.stderr: a broken or closed stderr throws here,
      // where it is caught, instead of emitting an 'error' event that would crash the program.
      writeAll(2, line);
      return;
    }
    if (sinkFailed) {
      droppedCount++;
      return;
    }
    if (fd === null) {
      try {
        fd = fs.openSync(path, 'a');
      } catch {
        sinkFailed = true;
        throw new Error('unwritable');
      }
    }
    writeAll(fd, line);
  } catch {
    droppedCount++;
  }
}

function writeAll(target, line) {
  let buf = Buffer.from(line);
  for (let attempts = 0; buf.length > 0; attempts++) {
    try {
      buf = buf.subarray(fs.writeSync(target, buf));
    } catch (e) {
      // A non-blocking pipe that is full: retry briefly, then lose the event.
      if (e && e.code === 'EAGAIN' && attempts < 16) continue;
      throw e;
    }
  }
}

function ownValue(obj, key) {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  return desc === undefined ? { ok: true, value: undefined } : 'value' in desc ? { ok: true, value: desc.value } : { ok: false };
}

function protoName(obj) {
  let proto = Object.getPrototypeOf(obj);
  if (proto === null) return '';
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor');
  const fn = ctor && 'value' in ctor ? ctor.value : undefined;
  const name = typeof fn === 'function' ? Object.getOwnPropertyDescriptor(fn, 'name') : undefined;
  return name && typeof name.value === 'string' ? name.value : '';
}

// Bounded walk: reads only own data properties, never calls getters, toJSON, toString or
// inspect hooks, and stops as soon as the text is long enough to be clipped anyway.
function render(v, depth, out) {
  if (out.length > LIMIT) return out;
  switch (typeof v) {
    case 'string':
      return out + JSON.stringify(v.length > LIMIT ? v.slice(0, LIMIT) : v);
    case 'number':
    case 'boolean':
    case 'undefined':
      return out + String(v);
    case 'bigint':
      return out + `${v}n`;
    case 'symbol':
      return out + Symbol.prototype.toString.call(v);
    case 'function': {
      const name = Object.getOwnPropertyDescriptor(v, 'name');
      return out + `[Function ${(name && typeof name.value === 'string' && name.value) || 'anonymous'}]`;
    }
  }
  if (v === null) return out + 'null';
  if (types.isProxy(v)) return out + '[Proxy]';
  if (types.isNativeError(v) || v instanceof Error) {
    const e = errorInfo(v);
    return out + `[${e.type}: ${e.message}]`;
  }
  if (types.isDate(v)) {
    const t = Date.prototype.getTime.call(v);
    return out + (Number.isNaN(t) ? 'Invalid Date' : Date.prototype.toISOString.call(v));
  }
  if (types.isPromise(v)) return out + 'Promise';
  if (types.isMap(v) || types.isSet(v) || types.isWeakMap(v) || types.isWeakSet(v)) return out + `${protoName(v)}{…}`;
  if (ArrayBuffer.isView(v) || types.isAnyArrayBuffer(v)) return out + `${protoName(v)}{…}`;
  if (depth >= MAX_DEPTH) return out + (Array.isArray(v) ? '[…]' : '{…}');
  if (Array.isArray(v)) {
    out += '[';
    const n = v.length;
    for (let i = 0; i < n && i < MAX_ITEMS && out.length <= LIMIT; i++) {
      if (i > 0) out += ',';
      const item = ownValue(v, String(i));
      out = item.ok ? render(item.value, depth + 1, out) : out + '[Getter]';
    }
    return out + (n > MAX_ITEMS ? ',…]' : ']');
  }
  const name = protoName(v);
  out += name && name !== 'Object' ? `${name} {` : '{';
  let count = 0;
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    if (count > 0) out += ',';
    if (++count > MAX_ITEMS || out.length > LIMIT) return out + '…}';
    out += `${JSON.stringify(key)}:`;
    if (SECRET.test(key)) {
      out += JSON.stringify(REDACTED);
      continue;
    }
    const item = ownValue(v, key);
    out = item.ok ? render(item.value, depth + 1, out) : out + '[Getter]';
  }
  return out + '}';
}

function clip(text, limit) {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function preview(value) {
  try {
    return clip(render(value, 0, ''), LIMIT);
  } catch {
    return '<unrepresentable>';
  }
}

function errorInfo(err) {
  try {
    if (err !== null && typeof err === 'object' && !types.isProxy(err)) {
      const nameOf = (k) => {
        for (let o = err; o !== null; o = Object.getPrototypeOf(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          if (d) return 'value' in d ? d.value : undefined;
        }
        return undefined;
      };
      const type = nameOf('name');
      const message = nameOf('message');
      return {
        type: typeof type === 'string' && type ? type : protoName(err) || 'Object',
        message: clip(typeof message === 'string' ? message : preview(err), MESSAGE_LIMIT),
      };
    }
    return { type: typeof err, message: clip(typeof err === 'string' ? err : preview(err), MESSAGE_LIMIT) };
  } catch {
    return { type: 'unknown', message: '<unrepresentable>' };
  }
}

function on() {
  return enabled;
}

function enter(name, file, line, args) {
  try {
    const shown = {}; // before the span's clock starts
    if (args !== null && typeof args === 'object') {
      for (const key of Object.keys(args)) shown[key] = SECRET.test(key) ? REDACTED : preview(args[key]);
    }
    const parent = currentSpan();
    const span = new Span(name, file, line, parent);
    storage.enterWith(span);
    emit('function_entry', span, { args: shown, caller: parent ? parent.name : null });
    return span;
  } catch {
    return false;
  }
}

function ret(span, value) {
  if (span) {
    try {
      span.returned = preview(value);
      span.hasReturn = true;
    } catch {}
  }
  return value;
}

function fail(span, err) {
  if (span) {
    try {
      span.error = errorInfo(err);
    } catch {}
  }
}

function exit(span) {
  if (!span || span.done) return;
  try {
    span.done = true;
    let duration = process.hrtime.bigint() - span.start;
    if (duration <= 0n) duration = 1n;
    const extra = { duration_ns: Number(duration) };
    if (span.hasReturn) extra.return = span.returned;
    if (span.error !== undefined) extra.error = span.error;
    restoreIfCurrent(span);
    emit('function_exit', span, extra);
  } catch {}
}

// Before an await or yield gives up control: the code that runs next (the caller, other
// tasks) must not see this span as current.
function suspend(span, value) {
  if (span) {
    try {
      restoreIfCurrent(span);
    } catch {}
  }
  return value;
}

// After the await or yield returns: whoever resumed us is the outer context now.
function resume(span, value) {
  if (span) {
    try {
      span.outer = currentSpan();
      storage.enterWith(span);
    } catch {}
  }
  return value;
}

function dropped() {
  return droppedCount;
}

function toggle() {
  enabled = !enabled;
  if (enabled) sinkFailed = false; // give an unwritable TELEMETRY_FILE another chance
}

// A program's own SIGHUP listener wins. Adding a listener keeps nothing alive (Node's
// signal handles are unref'd), but it does change the default: SIGHUP no longer terminates
// the process, it toggles telemetry. Workers receive no signals.
try {
  if (require('node:worker_threads').isMainThread && process.listenerCount('SIGHUP') === 0) {
    process.on('SIGHUP', toggle);
  }
} catch {}

exports.on = on;
exports.enter = enter;
exports.ret = ret;
exports.fail = fail;
exports.exit = exit;
exports.suspend = suspend;
exports.resume = resume;
exports.dropped = dropped;
