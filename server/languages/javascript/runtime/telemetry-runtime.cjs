'use strict';
// Telemetry runtime called by probes that telemetry-injector inserts into JavaScript and
// TypeScript. One CommonJS file: `require` it from CommonJS, `import * as _tm` it from ES
// modules (exports are plain `exports.name =` assignments so Node's cjs-module-lexer sees
// them), and type it through telemetry-runtime.d.cts.
//
// Owns: the on/off switch (environment read once at load, SIGHUP toggles), span
// bookkeeping (ids, parents through AsyncLocalStorage, suspend/resume around await and
// yield), the deep events inside a call (variables, branches, loops with sampling, catch
// and finally clauses), bounded event volume (whole-trace sampling, a per-function call
// limit, nested loop sampling), bounded and redacted previews of values, and writing one
// JSON event per line to TELEMETRY_FILE or to file descriptor 2. What it shares with the
// other runtimes (env parsing, previews, redaction, sampling) is fixed by
// protocol/runtime-vectors.json; `_contract` exposes those pieces to the vector driver.
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
// Keys inside a previewed value are also checked against this wider list: data such as an
// "Authorization" header is not named by the program's own identifiers.
const SECRET = /pass(word)?|token|secret|key|auth|cookie|credential/i;
const DEFAULT_REDACT = 'pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session';
const DEFAULT_LOOP_EVENTS = 16;
const DEFAULT_CALLS_FIRST = 100;
const DEFAULT_CALLS_PER_SEC = 10;
const REDACTED = '<redacted>';
const SAMPLERS = new Set(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']);

// Names (parameters, variables) whose values are never previewed. A pattern that does not
// compile redacts every value: failing open would show what the user meant to hide.
function redactFromEnv(env) {
  try {
    return new RegExp(env.TELEMETRY_REDACT || DEFAULT_REDACT, 'i');
  } catch {
    return /(?:)/;
  }
}

// A count such as TELEMETRY_LOOP_EVENTS: ASCII digits (surrounding blanks allowed), or "all"
// (null: no limit). Anything else (-5, +4, 1e3, 4.5) is malformed: the default.
function countFromEnv(value, fallback) {
  const text = String(value || '').trim().toLowerCase();
  if (text === 'all') return null;
  return /^[0-9]{1,10}$/.test(text) ? Number(text) : fallback;
}

function ratioFromEnv(value) {
  const text = String(value || '').trim();
  // Number('') is 0 and Number('0x1') is 1: only what a float literal looks like counts.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return 1;
  const ratio = Number(text);
  return ratio >= 0 && ratio <= 1 ? ratio : 1;
}

// TELEMETRY_SAMPLING (off keeps everything), OTEL_TRACES_SAMPLER/_ARG as the OTel spec reads
// them (unknown samplers and ratios outside [0, 1] fall back to the defaults), and the
// per-function call limit: TELEMETRY_CALLS_FIRST calls kept, then TELEMETRY_CALLS_PER_SEC.
function samplingFromEnv(env) {
  const sampler = String(env.OTEL_TRACES_SAMPLER || '').trim().toLowerCase();
  const first = countFromEnv(env.TELEMETRY_CALLS_FIRST, DEFAULT_CALLS_FIRST);
  return {
    sampling: String(env.TELEMETRY_SAMPLING || '').trim().toLowerCase() !== 'off',
    sampler: SAMPLERS.has(sampler) ? sampler : 'parentbased_always_on',
    ratio: ratioFromEnv(env.OTEL_TRACES_SAMPLER_ARG),
    calls_first: first === null ? DEFAULT_CALLS_FIRST : first,
    calls_per_sec: countFromEnv(env.TELEMETRY_CALLS_PER_SEC, DEFAULT_CALLS_PER_SEC),
  };
}

// Whether a root call's trace is kept. Calls below a root follow it, so a trace is kept or
// dropped whole; with no remote parent the parentbased_ samplers decide roots alike.
function keepTrace(sampler, ratio, traceId) {
  if (sampler.endsWith('always_on')) return true;
  if (sampler.endsWith('always_off')) return false;
  return BigInt(`0x${traceId.slice(16)}`) >> 1n < BigInt(Math.floor(ratio * 9223372036854775808));
}

const isPowerOfTwo = (n) => (n < 0x80000000 ? (n & (n - 1)) === 0 : Number.isInteger(Math.log2(n)));

// Inside an open loop at iteration n, events (and loops nested in it) are kept while
// n <= limit or n is a power of two.
const loopKeeps = (limit, n) => limit === null || n <= limit || isPowerOfTwo(n);

// One function's call limit: the first `first` calls are kept, then at most `perSec` in each
// one-second window; `dropped` counts the others until a kept exit reports them.
class CallLimit {
  constructor(first, perSec) {
    this.first = first;
    this.perSec = perSec;
    this.window = -1;
    this.inWindow = 0;
    this.dropped = 0;
  }

  allow(nowNs) {
    if (this.first > 0) {
      this.first--;
      return true;
    }
    if (this.perSec === null) return true;
    if (this.window < 0 || nowNs - this.window >= 1e9) {
      this.window = nowNs;
      this.inWindow = 0;
    }
    if (this.inWindow < this.perSec) {
      this.inWindow++;
      return true;
    }
    this.dropped++;
    return false;
  }
}

function enabledFromEnv(env) {
  const explicit = String(env.TELEMETRY_ENABLED || '').trim().toLowerCase();
  if (explicit) return TRUE.has(explicit);
  return TRUE.has(String(env.DEBUG || '').trim().toLowerCase());
}

// `enabled` is what probes read: the global switch, or any function switched on by the control file.
let globalOn = enabledFromEnv(process.env);
let enabled = globalOn;
let switches = null; // the control file's switches (see below), or null
const REDACT = redactFromEnv(process.env);
const SAMPLING = samplingFromEnv(process.env);
const SAMPLED = SAMPLING.sampling;
// TELEMETRY_SAMPLING=off keeps every event inside loops too, unless TELEMETRY_LOOP_EVENTS says otherwise.
const LOOP_EVENTS = countFromEnv(process.env.TELEMETRY_LOOP_EVENTS || (SAMPLED ? '' : 'all'), DEFAULT_LOOP_EVENTS);
const limits = new Map(); // "line\0file\0name" -> CallLimit
// Absolute now: the file is opened at the first event, perhaps after process.chdir().
const path = process.env.TELEMETRY_FILE ? resolve(process.env.TELEMETRY_FILE) : null;
let fd = null;
let sinkFailed = false;
let droppedCount = 0;
const storage = new AsyncLocalStorage();

// Wall-clock anchor plus the monotonic clock. Times inside the runtime are Numbers: integer
// nanoseconds since this module loaded, from process.hrtime() (exact up to 2^53 ns, 104 days).
// A BigInt per reading, and its decimal conversion, cost more than the rest of an event's clock work.
const WALL_ORIGIN_NS = BigInt(Date.now()) * 1000000n; // a whole millisecond
const ORIGIN_MS = Number(WALL_ORIGIN_NS / 1000000n);
const hrtime = process.hrtime;
const [H0_S, H0_NS] = hrtime();
function nowNs() {
  const t = hrtime();
  return (t[0] - H0_S) * 1e9 + (t[1] - H0_NS);
}

// timestamp_ns as text: the millisecond's digits (converted once per millisecond) and six more.
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let msAt = -1;
let msText = '';
function tsText(at) {
  const ms = Math.floor(at / 1e6);
  if (ms !== msAt) {
    msAt = ms;
    msText = String(ORIGIN_MS + ms);
  }
  const sub = at - ms * 1e6;
  const hi = Math.floor(sub / 1000);
  return msText + DIGITS3[hi] + DIGITS3[sub - hi * 1000];
}

const tsBig = (at) => WALL_ORIGIN_NS + BigInt(at); // for OTLP, which subtracts durations

// A string joined with + is a tree of its pieces until something reads it whole, and every line
// that repeats it copies the pieces one by one when the batch is written. Reading one character
// flattens it in place, once, into a single piece. (The sink keeps the read from being dropped.)
let flatSink = 0;
function flat(s) {
  flatSink ^= s.charCodeAt(0);
  return s;
}

// The fast paths' line starts: `{"event_type":"<kind>","timestamp_ns":` and the timestamp's
// millisecond digits, as one flat piece renewed once per millisecond; stamp() adds the last six
// digits. Same text as the prefix plus tsText().
class Head {
  constructor(kind) {
    this.prefix = `{"event_type":"${kind}","timestamp_ns":`;
    this.ms = -1;
    this.text = '';
  }
}
const ENTRY_HEAD = new Head('function_entry');
const EXIT_HEAD = new Head('function_exit');
const VARIABLE_HEAD = new Head('variable_change');
function stamp(head, at) {
  const ms = Math.floor(at / 1e6);
  if (ms !== head.ms) {
    head.ms = ms;
    head.text = flat(head.prefix + String(ORIGIN_MS + ms));
  }
  const sub = at - ms * 1e6;
  const hi = Math.floor(sub / 1000);
  return head.text + (DIGITS3[hi] + DIGITS3[sub - hi * 1000]); // six characters: one flat piece
}

// Random hex, sliced from a pool refilled 4 KiB at a time.
const idPool = Buffer.allocUnsafe(4096);
let hexPool = '';
let hexPos = 0;
function randomHex(bytes) {
  const chars = 2 * bytes;
  if (hexPos + chars > hexPool.length) {
    crypto.randomFillSync(idPool);
    hexPool = idPool.toString('hex');
    hexPos = 0;
  }
  const hex = hexPool.slice(hexPos, hexPos + chars);
  hexPos += chars;
  return hex;
}

// Correlation and span ids come in blocks of 256: a random UUIDv4 and a random 14-hex span id
// prefix are drawn for each block, and the block's calls end them with their own 2 hex digits.
// Ids stay unique (110 and 56 random bits a block) and well-formed (a UUIDv4's version and
// variant, 16 hex not all zero) at one string join each instead of a random draw each.
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX2_CLOSE = HEX2.map((n) => `${n}"`); // a span id's end and the quote after it, in a call's tail
let idsLeft = 0;
let cidPrefix = '';
let spanPrefix = '';
let spanOpen = ''; // `","span_id":"` and the block's span id prefix, one flat piece
function newBlock() {
  cidPrefix = crypto.randomUUID().slice(0, 34);
  do spanPrefix = randomHex(7);
  while (spanPrefix === '00000000000000');
  spanOpen = flat(`","span_id":"${spanPrefix}`);
  idsLeft = 256;
}
const ROOT_TRACE_OPEN = '","parent_correlation_id":null,"trace_id":"';

const NON_ASCII = /[^\x00-\x7f]/;

// What every event of a function repeats: its name, file and line as JSON, encoded once.
// Found by line, then name and file (literals in the probe: compared by pointer).
const sites = new Map(); // line -> Site, chained through `next`
let siteCount = 0;
class Site {
  constructor(name, file, line) {
    this.name = name;
    this.file = file;
    this.line = line;
    this.nameJson = JSON.stringify(name);
    this.head = `,"function_name":${this.nameJson},"file":${JSON.stringify(file)},"line":`; // deep events add their own line
    this.json = `${this.head}${line}`;
    this.ascii = !NON_ASCII.test(this.json);
    this.callerClose = `},"caller":${this.nameJson}}\n`; // closes the entry line of a call below this one
    this.callerCloseQ = `"${this.callerClose}`; // the same after a number's preview
    this.cidOpen = `${this.json},"correlation_id":"`; // a call's tail up to its correlation id
    this.next = null;
    this.headLine = -1; // the last deep event's line and `head` with it, reused while the line repeats
    this.headAt = '';
  }
}
function siteOf(name, file, line) {
  const first = sites.get(line);
  for (let s = first; s !== undefined && s !== null; s = s.next) if (s.name === name && s.file === file) return s;
  const site = new Site(name, file, line);
  if (siteCount < 10000) {
    siteCount++;
    site.next = first === undefined ? null : first;
    sites.set(line, site);
  }
  return site;
}

class Span {
  constructor(name, file, line, parent, traceId, limit) {
    this.name = typeof name === 'string' ? name : String(name);
    this.file = typeof file === 'string' ? file : String(file);
    this.line = Number(line) || 0;
    this.parent = parent;
    this.outer = parent;
    if (idsLeft === 0) newBlock();
    const i = --idsLeft;
    const n = HEX2[i];
    this.cid = cidPrefix + n;
    this.traceId = traceId;
    this.spanId = spanPrefix + n;
    this.limit = limit;
    this.drops = null; // Map "line\0file\0name" -> [name, file, line, calls below this one the limits left out]
    this.returned = undefined;
    this.returnTail = null; // the exit line's end from `,"return":`, when ret() had it at hand
    this.hasReturn = false;
    this.error = undefined;
    this.done = false;
    this.loops = null; // open loops, outermost first; an array from the first loop on
    this.args = null;
    this.site = siteOf(this.name, this.file, this.line);
    // The fields every event of this call repeats, as JSON (see emit), in one flat piece that the
    // entry and exit lines share; `ids` (deep events, at their own line) is a slice of it, made
    // at the first deep event.
    const traceOpen = parent ? `","parent_correlation_id":"${parent.cid}","trace_id":"` : ROOT_TRACE_OPEN;
    this.tail = flat(this.site.cidOpen + this.cid + traceOpen + traceId + spanOpen + HEX2_CLOSE[i]);
    this.ids = null;
    this.start = 0;
  }
}

Span.prototype.muted = false;

// A call left out by sampling: it writes nothing, but is current while it runs so that the
// calls below it are left out with it (a trace is kept or dropped whole). `limited`: left out
// by a call limit, and then the calls below count themselves as dropped too, in `owner`, the
// nearest recorded call above (undefined: in their own function's limit).
class Muted {
  constructor(parent, limited, owner) {
    this.parent = parent;
    this.outer = parent;
    this.done = false;
    this.limited = limited;
    this.owner = owner;
  }
}
Muted.prototype.muted = true;

function currentSpan() {
  const store = storage.getStore();
  return store instanceof Span || store instanceof Muted ? store : undefined;
}

// The span for a new call: a recorded one, or a muted one when sampling leaves it out.
function admit(name, file, line, parent) {
  if (!SAMPLED) return new Span(name, file, line, parent, parent ? parent.traceId : randomHex(16), null);
  const key = `${line}\0${file}\0${name}`;
  let limit = limits.get(key);
  if (limit === undefined) {
    const switched = switches !== null && switches.rules.length > 0 ? switches.lookup(name, file) : null;
    const perSec = switched !== null && switched.max_events_per_sec !== null ? switched.max_events_per_sec : SAMPLING.calls_per_sec;
    limit = new CallLimit(SAMPLING.calls_first, perSec);
    limits.set(key, limit);
  }
  if (parent !== undefined && parent.muted) {
    if (parent.limited) countDrop(parent.owner, limit, key, name, file, line);
    return new Muted(parent, parent.limited, parent.owner);
  }
  let traceId;
  if (parent === undefined) {
    traceId = randomHex(16);
    if (!keepTrace(SAMPLING.sampler, SAMPLING.ratio, traceId)) return new Muted(undefined, false, undefined);
  } else {
    traceId = parent.traceId;
  }
  if (!limit.allow(nowNs())) {
    countDrop(parent, limit, key, name, file, line);
    return new Muted(parent, true, parent);
  }
  return new Span(name, file, line, parent, traceId, limit);
}

// Counts a call the limits left out where its figures will surface: in the nearest recorded
// call above it, whose exit reports it, or else in its own function's limit, which its next
// recorded exit reports.
function countDrop(owner, limit, key, name, file, line) {
  if (owner === undefined) {
    limit.dropped++;
    return;
  }
  if (owner.drops === null) owner.drops = new Map();
  const found = owner.drops.get(key);
  if (found === undefined) owner.drops.set(key, [String(name), String(file), Number(line) || 0, 1]);
  else found[3]++;
}

// function_exit's dropped_calls: what the limits left out, per function, or undefined.
function droppedCalls(span) {
  const found = [];
  const limit = span.limit;
  if (limit !== null && limit.dropped > 0) {
    found.push({ function_name: span.name, file: span.file, line: span.line, count: limit.dropped });
    limit.dropped = 0;
  }
  if (span.drops !== null) {
    for (const [name, file, line, count] of span.drops.values()) found.push({ function_name: name, file, line, count });
  }
  return found.length > 0 ? found : undefined;
}

// If `span` is current or an ancestor of the current span, hand the context back to
// whoever was current before `span` ran. Otherwise (a generator closed by someone else)
// the current context belongs to another call and is left alone.
function restoreIfCurrent(span) {
  let s = currentSpan();
  while (s !== undefined && s !== span) s = s.parent;
  if (s !== undefined) storage.enterWith(span.outer);
}

// One event line, at the function's line unless a probe names its own. Without OTLP the line
// is formatted from the span's fields, encoded once per call (`tail`); only the event's own
// fields go through JSON.stringify. Same text, key order included, as stringifying the object.
function emit(kind, span, extra, line = span.line) {
  const at = nowNs();
  if (otlp === null) {
    let tail = span.tail;
    if (line !== span.line) tail = tail.replace(`,"line":${span.line},`, `,"line":${JSON.stringify(line)},`);
    const own = JSON.stringify(extra); // kind is one of this file's event names: no escaping
    write('{"event_type":"' + kind + '","timestamp_ns":' + tsText(at) + tail + (own.length > 2 ? ',' + own.slice(1) : '}') + '\n');
    return;
  }
  const ts = tsBig(at);
  const body = {
    function_name: span.name,
    file: span.file,
    line,
    correlation_id: span.cid,
    parent_correlation_id: span.parent ? span.parent.cid : null,
    trace_id: span.traceId,
    span_id: span.spanId,
    ...extra,
  };
  otlp.event(kind, span, body, ts);
  if (path === null) return; // OTLP replaces the default sink (stderr); TELEMETRY_FILE still gets JSONL
  write(`{"event_type":${JSON.stringify(kind)},"timestamp_ns":${ts},${JSON.stringify(body).slice(1)}\n`);
}

// An argument's name as a JSON key, and whether its value is redacted; the same few names come
// with every call, and REDACT is fixed at load.
const argKeys = new Map();
function argKey(key) {
  let found = argKeys.get(key);
  if (found === undefined) {
    const quoted = JSON.stringify(key);
    found = {
      quoted,
      json: `${quoted}:`,
      nextJson: `,${quoted}:`,
      quoteNextJson: `",${quoted}:`,
      jsonQ: `${quoted}:"`,
      nextJsonQ: `,${quoted}:"`,
      quoteNextJsonQ: `",${quoted}:"`,
      variable: `,"variable":${quoted},"value":`,
      redacted: REDACT.test(key),
      ascii: !NON_ASCII.test(quoted),
    };
    if (argKeys.size < 4096) argKeys.set(key, found);
  }
  return found;
}

// function_entry's `args` as JSON, written directly: the same text as stringifying the object of
// previews, without building it. A number's preview is its digits, which need no escaping.
// `argsAscii` says whether the text is ASCII.
let argsAscii = true;
// Returns `,"args":{...` without the closing brace, which the caller's piece brings. After a
// number the closing quote of its preview is left to the next piece too (`argsQuote`), which
// saves two joins per number.
let argsQuote = false;
function argsOpen(args) {
  argsAscii = true;
  const keys = Object.keys(args);
  let out = ',"args":{';
  let quote = false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const k = argKey(key);
    const v = args[key];
    if (!k.redacted && typeof v === 'number') {
      out += (i === 0 ? k.jsonQ : quote ? k.quoteNextJsonQ : k.nextJsonQ) + v; // short: one flat piece
      quote = true;
      continue;
    }
    const name = i === 0 ? k.json : quote ? k.quoteNextJson : k.nextJson;
    quote = false;
    if (k.redacted) {
      out += name + '"<redacted>"';
      continue;
    }
    const shown = JSON.stringify(preview(v));
    if (argsAscii && NON_ASCII.test(shown)) argsAscii = false;
    out += name + shown;
  }
  argsQuote = quote;
  return out;
}

// TELEMETRY_FILE events collect in memory and reach the file in one write per batch: when the
// batch passes BATCH_CHARS, FLUSH_MS after its first event (an unref'd timer), and at 'exit'
// (which a normal end, process.exit() and an uncaught exception all reach; events after it write
// through). A batch is whole lines and one O_APPEND write, so processes sharing the file never
// interleave inside a line. A crash (a fatal signal, SIGKILL) loses at most the unwritten batch:
// < 64 KiB, < 0.1 s of events. Events on fd 2 are never held back: they interleave with the
// program's own output.
//
// Lines are joined as text only up to PIECE_CHARS, then encoded into the batch's bytes: a young
// string tree the size of a whole batch, alive at every young-generation GC, cost that GC more
// than the rest of an event's allocations.
const BATCH_CHARS = 64 * 1024;
const PIECE_CHARS = 4 * 1024;
const FLUSH_MS = 100;
let piece = ''; // the latest lines, not yet encoded
let pieceAscii = true;
let batchBytes = null; // the batch's encoded lines (a Buffer from the first event on), up to `batchLength`
let batchLength = 0;
let batchLines = 0; // lines in the batch, `piece` included
let flushTimer = null;
let exitHooked = false;
let exiting = false; // past the 'exit' flush: later events (other 'exit' listeners) write through

// `ascii`: the caller knows the line is ASCII. A piece of such lines is encoded as latin1,
// copied straight out of the string, where UTF-8 would first measure and then encode it.
function write(line, ascii = false) {
  if (path === null || exiting) {
    writeNow(line, false);
    return;
  }
  if (!ascii) pieceAscii = false;
  piece += line;
  batchLines++;
  // The batch is measured with its unencoded piece, so it is written at the size it always was.
  if (batchLength + piece.length >= BATCH_CHARS) {
    flush();
    return;
  }
  if (piece.length >= PIECE_CHARS) seal();
  if (flushTimer === null) {
    flushTimer = setTimeout(flush, FLUSH_MS);
    flushTimer.unref();
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        exiting = true;
        flush();
      });
    }
  }
}

// Encodes `piece` at the end of the batch's bytes.
function seal() {
  const text = piece;
  const ascii = pieceAscii;
  piece = '';
  pieceAscii = true;
  const room = ascii ? text.length : 3 * text.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
  if (batchBytes === null || batchLength + room > batchBytes.length) {
    const grown = Buffer.allocUnsafeSlow(Math.max(BATCH_CHARS + 4 * PIECE_CHARS, batchLength + room));
    if (batchBytes !== null) batchBytes.copy(grown, 0, 0, batchLength);
    batchBytes = grown;
  }
  batchLength += ascii ? batchBytes.latin1Write(text, batchLength) : batchBytes.utf8Write(text, batchLength);
}

function flush() {
  if (flushTimer !== null) {
    clearTimeout(flushTimer);
    flushTimer = null;
  }
  if (batchLines === 0) return;
  if (piece !== '') seal();
  const lines = batchLines;
  const length = batchLength;
  batchLines = 0;
  batchLength = 0;
  if (!writeNow(batchBytes.subarray(0, length), false)) droppedCount += lines - 1;
}

// Whether the text (a string, or encoded bytes) was written; a failure counts one dropped event
// (flush counts the rest).
function writeNow(data, ascii) {
  try {
    if (path === null) {
      // fs.writeSync(2) instead of process.stderr: a broken or closed stderr throws here,
      // where it is caught, instead of emitting an 'error' event that would crash the program.
      writeAll(2, data, false);
      return true;
    }
    if (sinkFailed) {
      droppedCount++;
      return false;
    }
    if (fd === null) {
      try {
        fd = fs.openSync(path, 'a');
      } catch {
        sinkFailed = true;
        throw new Error('unwritable');
      }
    }
    writeAll(fd, data, ascii);
    return true;
  } catch {
    droppedCount++;
    return false;
  }
}

function writeAll(target, data, ascii) {
  let buf = typeof data === 'string' ? Buffer.from(data, ascii ? 'latin1' : 'utf8') : data;
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
      // Twice the limit in code units holds the limit in code points: a pair cut in two lands
      // after the clip.
      return out + JSON.stringify(v.length > 2 * LIMIT ? v.slice(0, 2 * LIMIT) : v);
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
  if (Array.isArray(v)) {
    const n = v.length;
    if (n === 0) return out + '[]';
    if (depth >= MAX_DEPTH) return out + '[…]';
    out += '[';
    for (let i = 0; i < n && out.length <= LIMIT; i++) {
      if (i > 0) out += ', ';
      if (i === MAX_ITEMS) {
        out += '…';
        break;
      }
      const item = ownValue(v, String(i));
      out = item.ok ? render(item.value, depth + 1, out) : out + '[Getter]';
    }
    return out + ']';
  }
  const name = protoName(v);
  out += name && name !== 'Object' ? `${name} {` : '{';
  if (depth >= MAX_DEPTH) {
    for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) return out + '…}';
    return out + '}';
  }
  let count = 0;
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    if (count > 0) out += ', ';
    if (++count > MAX_ITEMS || out.length > LIMIT) return out + '…}';
    out += `${JSON.stringify(key)}: `;
    if (SECRET.test(key) || REDACT.test(key)) {
      out += REDACTED;
      continue;
    }
    const item = ownValue(v, key);
    out = item.ok ? render(item.value, depth + 1, out) : out + '[Getter]';
  }
  return out + '}';
}

// At most `limit` code points, the last being … when the text was longer.
function clip(text, limit) {
  if (text.length <= limit) return text;
  let cut = 0;
  for (let i = 0, n = 0; i < text.length; n++) {
    if (n === limit - 1) cut = i;
    if (n === limit) return `${text.slice(0, cut)}…`;
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
  }
  return text;
}

const unrepresentable = (value) => {
  let type = typeof value;
  try {
    if (value !== null && type === 'object') type = protoName(value) || 'Object';
  } catch {}
  return `<unrepresentable ${type}>`;
};

function preview(value) {
  try {
    return clip(render(value, 0, ''), LIMIT);
  } catch {
    return unrepresentable(value);
  }
}

function errorInfo(err) {
  try {
    if (err !== null && typeof err === 'object' && !types.isProxy(err)) {
      const GETTER = {};
      const nameOf = (k) => {
        for (let o = err; o !== null; o = Object.getPrototypeOf(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          if (d) return 'value' in d ? d.value : GETTER;
        }
        return undefined;
      };
      const name = nameOf('name');
      const type = typeof name === 'string' && name ? name : protoName(err) || 'Object';
      const message = nameOf('message');
      // A getter is user code, which the runtime never runs: its message cannot be read.
      const text = message === GETTER ? `<unrepresentable ${type}>` : typeof message === 'string' ? message : preview(err);
      return { type, message: clip(text, MESSAGE_LIMIT) };
    }
    return { type: typeof err, message: clip(typeof err === 'string' ? err : preview(err), MESSAGE_LIMIT) };
  } catch {
    return { type: 'unknown', message: '<unrepresentable unknown>' };
  }
}

function on() {
  return enabled;
}

const ROOT_CLOSE = '},"caller":null}\n'; // the entry line's end at a root call (args' brace included)
const ROOT_CLOSE_Q = `"${ROOT_CLOSE}`; // the same after a number's preview

function enter(name, file, line, args) {
  try {
    let switched = null;
    if (switches !== null && switches.rules.length > 0) {
      switched = switches.lookup(name, file);
      if (switched === null ? !globalOn : !switched.enabled) return false;
      if (switched !== null && !switched.capture_args) args = undefined;
    }
    const parent = currentSpan();
    const span = admit(name, file, line, parent);
    storage.enterWith(span);
    if (span.muted) return span;
    if (otlp !== null) {
      const shown = {};
      if (args !== null && typeof args === 'object') {
        for (const key of Object.keys(args)) shown[key] = REDACT.test(key) ? REDACTED : preview(args[key]);
      }
      span.args = shown;
      span.start = nowNs(); // previews are not the call's time
      emit('function_entry', span, { args: shown, caller: parent ? parent.name : null });
      return span;
    }
    // The line emit() would write, joined here without the object of previews.
    let argsText = ',"args":{';
    argsAscii = true;
    argsQuote = false;
    if (args !== null && typeof args === 'object') argsText = argsOpen(args);
    const ascii = argsAscii && span.site.ascii && (parent === undefined || parent.site.ascii);
    const at = (span.start = nowNs()); // previews are not the call's time
    write(stamp(ENTRY_HEAD, at) + span.tail + argsText + (parent ? (argsQuote ? parent.site.callerCloseQ : parent.site.callerClose) : argsQuote ? ROOT_CLOSE_Q : ROOT_CLOSE), ascii);
    return span;
  } catch {
    return false;
  }
}

function ret(span, value) {
  if (span && !span.muted) {
    try {
      span.hasReturn = true;
      if (typeof value === 'number') {
        // A number's preview is its digits (no clipping, no escaping) and it is no LLM response.
        const text = String(value);
        span.returned = text;
        span.returnTail = ',"return":"' + text + '"}\n';
        return value;
      }
      span.returnTail = null;
      span.returned = preview(value);
      span.genAi = genAi(value);
    } catch {}
  }
  return value;
}

function fail(span, err) {
  if (span && !span.muted) {
    try {
      span.error = errorInfo(err);
    } catch {}
  }
}

function exit(span) {
  if (!span || span.done) return;
  try {
    span.done = true;
    if (span.muted) {
      restoreIfCurrent(span);
      return;
    }
    const end = nowNs();
    const duration = end > span.start ? end - span.start : 1;
    const limit = span.limit;
    if (otlp === null && span.loops === null && span.genAi === null && span.error === undefined && span.drops === null && (limit === null || limit.dropped === 0)) {
      // The common exit, joined here: the same line as emit() writes from the object below.
      restoreIfCurrent(span);
      let returned = '}\n';
      let ascii = span.site.ascii;
      if (span.hasReturn) {
        if (span.returnTail !== null) {
          returned = span.returnTail;
        } else {
          returned = ',"return":' + JSON.stringify(span.returned) + '}\n';
          if (ascii && NON_ASCII.test(returned)) ascii = false;
        }
      }
      write(stamp(EXIT_HEAD, end) + span.tail + ',"duration_ns":' + duration + returned, ascii);
      return;
    }
    const extra = { duration_ns: duration };
    if (span.hasReturn) extra.return = span.returned;
    if (span.genAi !== null) extra.gen_ai = span.genAi;
    if (span.error !== undefined) extra.error = span.error;
    const drops = droppedCalls(span);
    if (drops !== undefined) extra.dropped_calls = drops;
    if (span.loops !== null) closeLoops(span, 0); // loops left by return or throw: their exits come first
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

// Deep probes. Each is written `__tel && _tm.var(__tel, REL, ...)`, so when telemetry was
// off at the call's entry a probe costs one test of a local and never gets here. REL is
// the probe's line relative to the function's.

const lineOf = (span, rel) => (Number.isInteger(rel) ? span.line + rel : span.line);

// One run of a loop statement in a call. The body's first statement, `__l0 && __l0.n++`,
// counts iterations without calling the runtime; `_tm.done(__l0)` follows the loop.
class Loop {
  constructor(span, line, kind, outerN, silent) {
    this.n = 0;
    this.span = span;
    this.line = line;
    this.kind = String(kind);
    this.suppressed = 0;
    this.outerN = outerN; // the enclosing open loop's iteration when this one began
    this.silent = silent; // opened in a sampled-out iteration: counts, writes nothing
    this.start = 0;
  }
}

// Writes loop_exit for the loops open at index i and above, innermost first. A silent loop
// writes nothing: its own entry and exit and what it suppressed count in the loop around it.
function closeLoops(span, i) {
  const loops = span.loops;
  while (loops.length > i) {
    const loop = loops.pop();
    if (loop.silent) {
      loops[loops.length - 1].suppressed += loop.suppressed + 2;
      continue;
    }
    const end = nowNs();
    const n = Number(loop.n) || 0;
    emit('loop_exit', span, { loop: loop.kind, iterations: n, duration_ns: end > loop.start ? end - loop.start : 1, suppressed: loop.suppressed }, loop.line);
  }
}

// The innermost open loop, after closing loops that control has left: once an enclosing
// loop has begun another iteration, a loop opened in its previous one (left by a labelled
// break or continue, or by an exception caught inside the enclosing loop) is over.
function innermost(span) {
  const loops = span.loops;
  if (loops === null || loops.length === 0) return undefined;
  for (let i = 1; i < loops.length; i++) {
    if (loops[i - 1].n !== loops[i].outerN) {
      closeLoops(span, i);
      break;
    }
  }
  return loops[loops.length - 1];
}

// Inside an open loop at iteration n, an event is kept while n <= TELEMETRY_LOOP_EVENTS or
// n is a power of two; the others are only counted in that loop's `suppressed`.
function sampledOut(span) {
  const loop = innermost(span);
  if (loop === undefined || (!loop.silent && loopKeeps(LOOP_EVENTS, loop.n))) return false;
  loop.suppressed++;
  return true;
}

// variable_change; without a value (the engine redacted it) nothing of it is shown.
function variable(span, rel, name, value) {
  if (!span || span.muted) return;
  try {
    if (sampledOut(span)) return;
    name = String(name);
    if (otlp === null) {
      // The line emit() would write, joined here: the function's fields at the probe's line.
      const key = argKey(name);
      const gen = arguments.length < 4 || key.redacted ? null : genAi(value);
      if (gen === null) {
        let shown;
        let ascii = span.site.ascii && key.ascii;
        if (arguments.length < 4 || key.redacted) {
          shown = '"<redacted>","redacted":true}\n';
        } else if (typeof value === 'number') {
          shown = '"' + value + '"}\n';
        } else {
          shown = JSON.stringify(preview(value));
          if (ascii && NON_ASCII.test(shown)) ascii = false;
          shown += '}\n';
        }
        const line = lineOf(span, rel);
        const site = span.site;
        if (site.headLine !== line) {
          site.headLine = line;
          site.headAt = flat(site.head + JSON.stringify(line));
        }
        if (span.ids === null) span.ids = span.tail.slice(site.json.length);
        write(stamp(VARIABLE_HEAD, nowNs()) + site.headAt + span.ids + key.variable + shown, ascii);
        return;
      }
    }
    const extra =
      arguments.length < 4 || REDACT.test(name)
        ? { variable: name, value: REDACTED, redacted: true }
        : { variable: name, value: preview(value) };
    if (extra.redacted !== true) {
      const gen = genAi(value);
      if (gen !== null) extra.gen_ai = gen;
    }
    emit('variable_change', span, extra, lineOf(span, rel));
  } catch {}
}

function branch(span, rel, label, condition) {
  if (!span || span.muted) return;
  try {
    if (!sampledOut(span)) {
      emit('branch', span, { branch: String(label), condition: condition ? String(condition) : null }, lineOf(span, rel));
    }
  } catch {}
}

// loop_entry; returns the loop whose `n` the body counts, or false.
function loop(span, rel, kind) {
  if (!span || span.muted) return false;
  try {
    const outer = innermost(span);
    if (span.loops === null) span.loops = [];
    // A loop nested in a sampled-out iteration is sampled out whole, by the same rule.
    const silent = outer !== undefined && SAMPLED && (outer.silent || !loopKeeps(LOOP_EVENTS, outer.n));
    const opened = new Loop(span, lineOf(span, rel), kind, outer === undefined ? 0 : outer.n, silent);
    span.loops.push(opened);
    if (!silent) emit('loop_entry', span, { loop: opened.kind }, opened.line);
    opened.start = nowNs();
    return opened;
  } catch {
    return false;
  }
}

// loop_exit for this loop, and for any loop opened after it that is still open.
function done(loop) {
  if (!(loop instanceof Loop)) return;
  try {
    const i = loop.span.loops.lastIndexOf(loop);
    if (i >= 0) closeLoops(loop.span, i);
  } catch {}
}

// First statement of a catch block; `error` is its binding, when it has one.
function caught(span, rel, error) {
  if (!span || span.muted) return;
  try {
    emit('exception', span, { clause: 'catch', error: arguments.length < 3 ? null : errorInfo(error) }, lineOf(span, rel));
  } catch {}
}

// First statement of a finally block. JavaScript does not tell it whether an exception is
// passing through, so `error` is null.
function fin(span, rel) {
  if (!span || span.muted) return;
  try {
    emit('exception', span, { clause: 'finally', error: null }, lineOf(span, rel));
  } catch {}
}

// ---- LLM-call-aware probes (begin) ----------------------------------------------------------
// A returned value or a variable's value that is the response of an OpenAI, Anthropic or Ollama
// SDK call (the SDKs hand back parsed JSON: plain objects) gets a `gen_ai` object on its event,
// with OpenTelemetry GenAI names, read from the object's own data properties: no getter, proxy
// or SDK code runs, nothing is patched, and probes call this only while telemetry is on. Cost is
// priced where events are summarised (`metrics --events`), not here.

Span.prototype.genAi = null; // the returned value's gen_ai attributes, when it is an LLM response

function own(obj, key) {
  if (obj === null || typeof obj !== 'object' || types.isProxy(obj)) return undefined;
  const found = ownValue(obj, key);
  return found.ok ? found.value : undefined;
}

const count = (v) => (Number.isSafeInteger(v) && v >= 0 ? v : null);
const text = (v) => (typeof v === 'string' ? v : null);

function genAiRecord(provider, model, tokensIn, tokensOut, reasons) {
  return {
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': null, // no SDK's response echoes the model asked for
    'gen_ai.response.model': text(model),
    'gen_ai.usage.input_tokens': count(tokensIn),
    'gen_ai.usage.output_tokens': count(tokensOut),
    'gen_ai.response.finish_reasons': reasons.filter((r) => typeof r === 'string'),
  };
}

// The gen_ai attributes of an LLM SDK response, or null for any other value.
function genAi(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || types.isProxy(value)) return null;
  try {
    // Every response names the model that answered: most values stop here.
    if (typeof own(value, 'model') !== 'string') return null;
    const kind = own(value, 'object');
    if (kind === 'chat.completion' || kind === 'text_completion') {
      const usage = own(value, 'usage');
      const choices = own(value, 'choices');
      const reasons = Array.isArray(choices) && !types.isProxy(choices) ? choices.slice(0, 16).map((c) => own(c, 'finish_reason')) : [];
      return genAiRecord('openai', own(value, 'model'), own(usage, 'prompt_tokens'), own(usage, 'completion_tokens'), reasons);
    }
    if (kind === 'response') {
      // The Responses API: why it stopped early, else its status.
      const usage = own(value, 'usage');
      const details = own(value, 'incomplete_details');
      const reason = details ? own(details, 'reason') : own(value, 'status');
      return genAiRecord('openai', own(value, 'model'), own(usage, 'input_tokens'), own(usage, 'output_tokens'), [reason]);
    }
    if (own(value, 'type') === 'message' && own(value, 'role') === 'assistant') {
      const usage = own(value, 'usage');
      return genAiRecord('anthropic', own(value, 'model'), own(usage, 'input_tokens'), own(usage, 'output_tokens'), [own(value, 'stop_reason')]);
    }
    if (typeof own(value, 'done') === 'boolean' && own(value, 'created_at') !== undefined) {
      const reason = own(value, 'done_reason');
      return genAiRecord('ollama', own(value, 'model'), own(value, 'prompt_eval_count'), own(value, 'eval_count'), reason ? [reason] : []);
    }
  } catch {}
  return null;
}
// ---- LLM-call-aware probes (end) ------------------------------------------------------------

// OTLP export (http/json), when OTEL_EXPORTER_OTLP_ENDPOINT or a signal's own endpoint is set.
// A call becomes a span when it exits; loop exits become its span events; variable, branch and
// exception events become log records (or span events with TELEMETRY_OTLP_EVENTS=span). Batches
// leave on an unref'd timer; the program only appends to a bounded queue. What is queued at the
// natural end of the program is sent on 'beforeExit', within OTEL_EXPORTER_OTLP_TIMEOUT
// (process.exit() skips it).

const OTLP_QUEUE = 2048;
const OTLP_BATCH = 512;
const RETRYABLE = new Set([429, 502, 503, 504]);

function warn(text) {
  try {
    fs.writeSync(2, `telemetry: ${text}\n`);
  } catch {}
}

// W3C-baggage-like `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES).
function pairs(text, what) {
  const found = {};
  for (const item of String(text || '').split(',')) {
    if (!item.trim()) continue;
    const eq = item.indexOf('=');
    if (eq <= 0 || !item.slice(0, eq).trim()) {
      warn(`ignoring malformed ${what} entry ${JSON.stringify(item.trim().slice(0, 80))}`);
      continue;
    }
    try {
      found[decodeURIComponent(item.slice(0, eq).trim())] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      warn(`ignoring malformed ${what} entry ${JSON.stringify(item.trim().slice(0, 80))}`);
    }
  }
  return found;
}

// The exporter's settings from the OTel environment, or null when no endpoint is set.
function otlpConfig(env) {
  let base = String(env.OTEL_EXPORTER_OTLP_ENDPOINT || '').trim();
  let traces = String(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || '').trim();
  let logs = String(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT || '').trim();
  if (!base && !traces && !logs) return null;
  if (base) {
    base = base.replace(/\/+$/, '');
    traces = traces || `${base}/v1/traces`;
    logs = logs || `${base}/v1/logs`;
  }
  const protocol = String(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '').trim();
  if (protocol && protocol !== 'http/json') warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol.slice(0, 40)} is not supported; sending http/json`);
  let timeout = String(env.OTEL_EXPORTER_OTLP_TIMEOUT || '').trim();
  if (timeout && !/^[0-9]{1,10}$/.test(timeout)) {
    warn(`ignoring malformed OTEL_EXPORTER_OTLP_TIMEOUT=${timeout.slice(0, 40)}`);
    timeout = '';
  }
  const headers = pairs(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS');
  const resource = pairs(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES');
  resource['service.name'] = String(env.OTEL_SERVICE_NAME || '').trim() || resource['service.name'] || 'unknown_service:node';
  resource['telemetry.sdk.name'] ??= 'telemetry-injector';
  resource['telemetry.sdk.language'] ??= 'nodejs';
  return {
    traces: traces || null,
    logs: logs || null,
    headers,
    timeoutMs: timeout ? Number(timeout) : 10000,
    resource,
    spanEvents: String(env.TELEMETRY_OTLP_EVENTS || '').trim().toLowerCase() === 'span',
  };
}

function attr(key, value) {
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  // 64-bit integers are decimal strings in OTLP/JSON.
  if (typeof value === 'number' && Number.isInteger(value)) return { key, value: { intValue: String(value) } };
  return { key, value: { stringValue: String(value) } };
}

const OWN = new Set(['function_name', 'file', 'line', 'correlation_id', 'parent_correlation_id', 'trace_id', 'span_id']);

// An inner event's own fields as attributes (code.line.number for its line).
function detail(body) {
  const attrs = [attr('code.line.number', body.line)];
  for (const key of Object.keys(body)) {
    if (OWN.has(key)) continue;
    const value = body[key];
    if (value !== null && typeof value === 'object') {
      for (const k of Object.keys(value)) attrs.push(attr(`telemetry.${key}.${k}`, value[k]));
    } else if (value !== null && value !== undefined) {
      attrs.push(attr(`telemetry.${key}`, value));
    }
  }
  return attrs;
}

class Otlp {
  constructor(config) {
    this.config = config;
    this.resource = { attributes: Object.keys(config.resource).map((k) => attr(k, config.resource[k])) };
    this.scope = { name: 'telemetry-injector', version: '1' };
    this.spans = [];
    this.logs = [];
    this.timer = null;
    this.busy = false; // a batch is in flight
    this.deadline = 0; // at exit: no retry after this
    this.dropped = 0;
    this.failed = 0;
    this.sent = 0;
  }

  event(kind, span, body, ts) {
    if (this.spans.length + this.logs.length >= OTLP_QUEUE && kind !== 'loop_exit') {
      if (kind !== 'function_entry' && kind !== 'loop_entry') this.dropped++; // full: not worth building the record
      return;
    }
    if (kind === 'function_exit') return this.span(span, body, ts);
    if (kind === 'function_entry' || kind === 'loop_entry') return;
    if (kind === 'loop_exit' || this.config.spanEvents) {
      (span.otel ??= []).push({ timeUnixNano: String(ts), name: kind, attributes: detail(body) });
      return;
    }
    this.log(kind, span, body, ts, kind === 'exception' ? 17 : 9);
  }

  span(span, body, ts) {
    const attrs = [attr('code.function.name', span.name), attr('code.file.path', span.file), attr('code.line.number', span.line)];
    for (const name of Object.keys(span.args || {})) attrs.push(attr(`telemetry.arg.${name}`, span.args[name]));
    if ('return' in body) attrs.push(attr('telemetry.return', body.return));
    if (body.dropped_calls) attrs.push(attr('telemetry.dropped_calls', body.dropped_calls.reduce((n, d) => n + d.count, 0)));
    const record = {
      traceId: span.traceId,
      spanId: span.spanId,
      name: span.name,
      kind: 1, // INTERNAL
      startTimeUnixNano: String(ts - BigInt(body.duration_ns)),
      endTimeUnixNano: String(ts),
      attributes: attrs,
      status: {},
    };
    if (span.parent) record.parentSpanId = span.parent.spanId;
    if (span.otel) record.events = span.otel;
    if (body.error) {
      record.status = { code: 2, message: body.error.message }; // ERROR
      attrs.push(attr('error.type', body.error.type));
      this.log('exception', span, { line: span.line, exception: body.error }, ts, 17);
    }
    this.put(this.spans, record);
  }

  log(kind, span, body, ts, severity) {
    this.put(this.logs, {
      timeUnixNano: String(ts),
      observedTimeUnixNano: String(ts),
      severityNumber: severity,
      severityText: severity >= 17 ? 'ERROR' : 'INFO',
      eventName: kind,
      body: { stringValue: kind },
      attributes: [attr('code.function.name', span.name), attr('code.file.path', span.file), ...detail(body)],
      traceId: span.traceId,
      spanId: span.spanId,
    });
  }

  put(queue, item) {
    if (this.spans.length + this.logs.length >= OTLP_QUEUE) {
      this.dropped++;
      return;
    }
    queue.push(item);
    if (this.timer === null) {
      this.timer = setInterval(() => this.pump(), 1000);
      this.timer.unref();
      process.on('beforeExit', () => this.atExit());
    }
    if (queue.length >= OTLP_BATCH) setImmediate(() => this.pump());
  }

  // Sends the next batch unless one is in flight; carries on until the queue is empty.
  pump() {
    if (this.busy) return;
    let url;
    let body;
    let count;
    if (this.spans.length > 0) {
      const spans = this.spans.splice(0, OTLP_BATCH);
      url = this.config.traces;
      body = { resourceSpans: [{ resource: this.resource, scopeSpans: [{ scope: this.scope, spans }] }] };
      count = spans.length;
    } else if (this.logs.length > 0) {
      const logRecords = this.logs.splice(0, OTLP_BATCH);
      url = this.config.logs;
      body = { resourceLogs: [{ resource: this.resource, scopeLogs: [{ scope: this.scope, logRecords }] }] };
      count = logRecords.length;
    } else {
      return;
    }
    if (url === null) {
      this.failed += count;
      return this.pump();
    }
    this.busy = true;
    const deadline = this.deadline || Date.now() + Math.max(this.config.timeoutMs, 1000) * 3;
    this.send(url, JSON.stringify(body), count, deadline, 100, () => {
      this.busy = false;
      this.pump();
    });
  }

  // POSTs one batch; retries 429/502/503/504 and connection errors with backoff and jitter,
  // honouring Retry-After, until the deadline; never a partial success.
  send(url, data, count, deadline, delay, done) {
    this.post(url, data, (status, retryAfter) => {
      if (status >= 200 && status < 300) {
        this.sent += count;
        return done();
      }
      const wait = retryAfter ?? delay * (0.5 + Math.random());
      if ((status !== 0 && !RETRYABLE.has(status)) || Date.now() + wait >= (this.deadline || deadline)) {
        this.failed += count;
        return done();
      }
      const t = setTimeout(() => this.send(url, data, count, deadline, Math.min(delay * 2, 5000), done), wait);
      if (!this.deadline) t.unref();
    });
  }

  post(url, data, callback) {
    let called = false;
    const finish = (status, retryAfter) => {
      if (!called) {
        called = true;
        callback(status, retryAfter);
      }
    };
    try {
      const target = new URL(url);
      const lib = require(target.protocol === 'https:' ? 'node:https' : 'node:http');
      const req = lib.request(
        target,
        {
          method: 'POST',
          headers: { ...this.config.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
          timeout: this.config.timeoutMs,
        },
        (res) => {
          let read = 0;
          res.on('data', (chunk) => {
            read += chunk.length;
            if (read > 65536) res.destroy(); // a huge or endless body is not read to its end
          });
          const retry = String(res.headers['retry-after'] || '').trim();
          const done = () => finish(res.statusCode || 0, /^\d+$/.test(retry) ? Number(retry) * 1000 : undefined);
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => finish(0, undefined));
      req.end(data);
    } catch {
      finish(0, undefined);
    }
  }

  // The loop is empty: send what is queued, within the timeout. The sockets keep the process
  // alive until the batches are answered or given up; beforeExit then fires again, with nothing left.
  atExit() {
    if (this.spans.length === 0 && this.logs.length === 0) return;
    if (!this.deadline) this.deadline = Date.now() + this.config.timeoutMs;
    if (Date.now() >= this.deadline) {
      this.failed += this.spans.length + this.logs.length;
      this.spans.length = 0;
      this.logs.length = 0;
      return;
    }
    this.pump();
  }
}

let otlp = null;
try {
  const config = otlpConfig(process.env);
  if (config !== null) otlp = new Otlp(config);
} catch {}

// {sent, failed, dropped} items of the OTLP exporter, or null when it is off.
function otlpStats() {
  return otlp === null ? null : { sent: otlp.sent, failed: otlp.failed, dropped: otlp.dropped };
}

function dropped() {
  flush(); // events still in the batch are not lost yet
  return droppedCount;
}

function toggle() {
  globalOn = !globalOn;
  if (globalOn) sinkFailed = false; // give an unwritable TELEMETRY_FILE another chance
  refreshOn();
}

function refreshOn() {
  enabled = globalOn || (switches !== null && switches.anyOn);
}

// Per-function switches with expiry: TELEMETRY_CONTROL (default .telemetry/control.json beside
// this file) maps function ids (`file:name`, or `name`) and globs (`*`, `?`) to
// {enabled, expires_at, max_events_per_sec, capture_args}; "*" is the default; a function left
// out follows the global switch. An unref'd timer checks the file's modification time once a
// second and turns expired entries off; probes only look up a cached answer. A malformed file is
// reported once per change on stderr and the last good state stays.
class Switches {
  constructor(file) {
    this.file = file;
    this.stamp = null;
    this.rules = []; // [matcher, entry], exact ids first, "*" last
    this.cache = new Map();
    this.anyOn = false;
  }

  poll() {
    let stamp = null;
    try {
      const st = fs.statSync(this.file);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {}
    let changed = false;
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      changed = this.load(stamp);
    }
    const now = Date.now() / 1000;
    const live = this.rules.filter(([, e]) => e.expires_at === null || e.expires_at > now);
    if (live.length !== this.rules.length) {
      this.rules = live;
      changed = true;
    }
    if (changed) {
      this.cache.clear();
      this.anyOn = this.rules.some(([, e]) => e.enabled);
      limits.clear(); // rates may have changed
    }
    return changed;
  }

  load(stamp) {
    if (stamp === null) {
      const had = this.rules.length > 0;
      this.rules = [];
      return had;
    }
    try {
      this.rules = parseControl(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return true;
    } catch (e) {
      warn(`ignoring malformed ${this.file} (${String((e && e.message) || e).slice(0, 120)}); keeping the last good switches`);
      return false;
    }
  }

  lookup(name, file) {
    const key = `${file}\0${name}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      const id = `${file}:${name}`;
      const rule = this.rules.find(([matches]) => matches(id, String(name)));
      found = rule ? rule[1] : null;
      this.cache.set(key, found);
    }
    return found;
  }
}

function parseControl(data) {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
  const exact = [];
  const globs = [];
  const fallback = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${key}: not an object`);
    let expires = value.expires_at ?? null;
    if (typeof expires === 'string') {
      const ms = Date.parse(expires);
      if (Number.isNaN(ms)) throw new Error(`${key}: expires_at is not a time`);
      expires = ms / 1000;
    } else if (expires !== null && typeof expires !== 'number') {
      throw new Error(`${key}: expires_at is neither a time nor a number`);
    }
    const rate = value.max_events_per_sec ?? null;
    if (rate !== null && !(Number.isInteger(rate) && rate >= 0)) throw new Error(`${key}: max_events_per_sec is not a count`);
    const entry = { enabled: (value.enabled ?? true) === true, expires_at: expires, max_events_per_sec: rate, capture_args: value.capture_args !== false };
    const onName = !key.includes(':');
    if (key === '*') {
      fallback.push([() => true, entry]);
    } else if (key.includes('*') || key.includes('?')) {
      const pattern = new RegExp(`^${key.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      globs.push([(id, name) => pattern.test(onName ? name : id), entry]);
    } else {
      exact.push([(id, name) => (onName ? name : id) === key, entry]);
    }
  }
  return [...exact, ...globs, ...fallback];
}

try {
  let control = process.env.TELEMETRY_CONTROL || '';
  if (!control) control = require('node:path').join(__dirname, '.telemetry', 'control.json');
  switches = new Switches(resolve(control));
  switches.poll();
  refreshOn();
  setInterval(() => {
    try {
      if (switches.poll()) refreshOn();
    } catch {}
  }, 1000).unref();
} catch {}

// A program's own SIGHUP listener wins. Adding a listener keeps nothing alive (Node's
// signal handles are unref'd), but it does change the default: SIGHUP no longer terminates
// the process, it toggles telemetry. Workers receive no signals.
try {
  if (require('node:worker_threads').isMainThread && process.listenerCount('SIGHUP') === 0) {
    process.on('SIGHUP', toggle);
  }
} catch {}

// ==== Production hardening (issue 11): malformed OTEL_* settings; socket events ==============
// Kept together before the exports so that other work on this file merges around it.

// One stderr line per malformed OTel setting the sections above fall back from silently.
function checkOtelEnv(env) {
  const sampler = String(env.OTEL_TRACES_SAMPLER || '').trim();
  if (sampler && !SAMPLERS.has(sampler.toLowerCase())) warn(`ignoring malformed OTEL_TRACES_SAMPLER=${sampler.slice(0, 40)}; using parentbased_always_on`);
  const arg = String(env.OTEL_TRACES_SAMPLER_ARG || '').trim();
  if (arg && (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(arg) || !(Number(arg) >= 0 && Number(arg) <= 1))) {
    warn(`ignoring malformed OTEL_TRACES_SAMPLER_ARG=${arg.slice(0, 40)}; using 1.0`);
  }
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT']) {
    const url = String(env[name] || '').trim();
    if (!url) continue;
    let good = false;
    try {
      const parsed = new URL(url);
      good = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
    } catch {}
    if (!good) warn(`${name}=${url.slice(0, 80)} is not an http(s) URL; nothing is exported there`);
  }
}

try {
  checkOtelEnv(process.env);
} catch {}

// Socket events: diagnostics_channel's `net.client.socket` names every TCP connection the
// program opens (node:net, node:http, node:https, tls and fetch's undici all connect through
// node:net). One opened under a recorded call, while telemetry is on, becomes a
// `socket_connection` event when it closes, with the socket's own byte counts; connections still
// open at exit are reported then. The exporter's own requests run outside any call, so they are
// never reported. TELEMETRY_SOCKETS=off leaves the channel alone.
const SOCKETS = !['off', 'false', '0', 'no'].includes(String(process.env.TELEMETRY_SOCKETS || '').trim().toLowerCase());
const openSockets = new Map(); // socket -> { span, start, destination }

function hostPort(host, port) {
  if (host === undefined || host === null) return null;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function onClientSocket(message) {
  if (!enabled) return;
  try {
    const span = currentSpan();
    const socket = message && message.socket;
    if (!span || span.muted || span.done || !socket) return;
    const conn = { span, start: process.hrtime.bigint(), source: null, destination: null };
    socket.once('connect', () => {
      conn.source = hostPort(socket.localAddress, socket.localPort);
      conn.destination = hostPort(socket.remoteAddress, socket.remotePort);
    });
    socket.once('close', () => socketClosed(socket));
    openSockets.set(socket, conn);
  } catch {}
}

// A socket that never connected (refused, a pipe path) has no TCP peer and is not reported.
function socketClosed(socket) {
  const conn = openSockets.get(socket);
  if (conn === undefined) return;
  openSockets.delete(socket);
  if (conn.destination === null) return;
  try {
    let duration = process.hrtime.bigint() - conn.start;
    if (duration <= 0n) duration = 1n;
    emitRecord('socket_connection', conn.span, {
      source: conn.source,
      destination: conn.destination,
      protocol: 'tcp',
      bytes_sent: Number(socket.bytesWritten) || 0,
      bytes_received: Number(socket.bytesRead) || 0,
      duration_ns: Number(duration),
    });
  } catch {}
}

// An event about a call that may have exited: JSONL as emit() writes it, and for OTLP always a log
// record (a span event could no longer join a span that was already sent).
function emitRecord(kind, span, extra) {
  const ts = tsBig(nowNs());
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
  if (otlp !== null) {
    otlp.log(kind, span, body, ts, 9);
    if (path === null) return;
  }
  write(`{"event_type":${JSON.stringify(kind)},"timestamp_ns":${ts},${JSON.stringify(body).slice(1)}\n`);
}

if (SOCKETS) {
  try {
    require('node:diagnostics_channel').subscribe('net.client.socket', onClientSocket);
    // At beforeExit (before the exporter's own, registered at its first item) for OTLP's sake, and
    // at exit for what is still open after process.exit().
    const reportOpen = () => {
      for (const socket of [...openSockets.keys()]) socketClosed(socket);
    };
    process.on('beforeExit', reportOpen);
    process.on('exit', reportOpen);
    // The exporter's own connections belong to no call.
    const post = Otlp.prototype.post;
    Otlp.prototype.post = function postOutsideCalls(...args) {
      return storage.exit(() => post.apply(this, args));
    };
  } catch {}
}

exports.on = on;
exports.enter = enter;
exports.ret = ret;
// The same function under the names TypeScript probes call: each has its own signature in the
// .d.cts, so a returned value keeps the type checking it had (see server/languages/README.md).
exports.retTyped = ret;
exports.retAwaited = ret;
exports.fail = fail;
exports.exit = exit;
exports.suspend = suspend;
exports.resume = resume;
exports.dropped = dropped;
exports.var = variable;
exports.branch = branch;
exports.loop = loop;
exports.done = done;
exports.caught = caught;
exports.fin = fin;
exports.otlpStats = otlpStats;
// For the contract's test-vector driver (tests/runtime/vectors/), not for probes.
exports._contract = {
  enabledFromEnv, countFromEnv, samplingFromEnv, keepTrace, loopKeeps, CallLimit, redactFromEnv, preview, errorInfo,
  secretKey: (key, redact) => SECRET.test(key) || redact.test(key),
};
