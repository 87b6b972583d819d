//! telemetry-injector runtime for Rust: one module file, declared in the crate root with
//! `mod telemetry_runtime;` and named by probes as `crate::telemetry_runtime`. Standard library only.
//!
//! Owns: the on/off switch (DEBUG / TELEMETRY_ENABLED read once, SIGHUP toggles on Unix), spans
//! (a per-thread stack gives parents; the guard's Drop writes the exit, a panic unwinding through
//! it included), previews (`{:?}`, clipped), and the JSONL sink (TELEMETRY_FILE, else stderr) in
//! protocol/events.schema.json.
//! Must never: panic into the program (a failing sink loses events), call back into instrumented
//! code while writing (a per-thread busy flag), or cost more than one atomic load when off.
//! Probes (see server/languages/rust/runtime-api.ts):
//!   let __tel = crate::telemetry_runtime::enter("f", "src/lib.rs", 3, &[("a", &a)]);
//!   crate::telemetry_runtime::ret(&__tel, Ok(x))      crate::telemetry_runtime::check(&__tel, g())?
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::hash_map::RandomState;
use std::fmt::{Debug, Write as _};
use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

const PREVIEW_LIMIT: usize = 100;
const MESSAGE_LIMIT: usize = 500;
const UNSET: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNSET);
static INIT: Once = Once::new();
static SINK: Mutex<Option<Sink>> = Mutex::new(None);
static REDACT: Mutex<Option<Redact>> = Mutex::new(None);
static COUNTER: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static STACK: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The guard `enter` returns: empty when telemetry was off at entry. Dropping it writes the exit.
pub struct Span(Option<Box<Inner>>);

struct Inner {
    frame: Frame,
    parent: Option<Frame>,
    file: &'static str,
    line: u32,
    start: Instant,
    error: Mutex<Option<(String, String)>>,
}

#[derive(Clone)]
struct Frame {
    name: &'static str,
    cid: String,
    trace_id: String,
    span_id: String,
}

enum Sink {
    File(File),
    Stderr,
    Failed,
}

/// Whether events are on: one atomic load once initialised.
#[inline]
pub fn on() -> bool {
    match STATE.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => init(),
    }
}

#[cold]
fn init() -> bool {
    INIT.call_once(|| {
        let on = enabled(std::env::var("DEBUG").ok().as_deref(), std::env::var("TELEMETRY_ENABLED").ok().as_deref());
        STATE.store(if on { ON } else { OFF }, Ordering::Relaxed);
        install_sighup();
    });
    STATE.load(Ordering::Relaxed) == ON
}

/// DEBUG turns events on; TELEMETRY_ENABLED, when set and not blank, overrides it (protocol/runtime-vectors.json).
pub fn enabled(debug: Option<&str>, explicit: Option<&str>) -> bool {
    let truthy = |v: &str| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on");
    match explicit {
        Some(v) if !v.trim().is_empty() => truthy(v),
        _ => debug.is_some_and(truthy),
    }
}

/// Opens a call: `enter("Type.method", "src/file.rs", 3, &[("a", &a)])`.
#[inline]
pub fn enter(name: &'static str, file: &'static str, line: u32, args: &[(&str, &dyn Debug)]) -> Span {
    if !on() {
        return Span(None);
    }
    enter_on(name, file, line, args)
}

#[inline(never)]
fn enter_on(name: &'static str, file: &'static str, line: u32, args: &[(&str, &dyn Debug)]) -> Span {
    if BUSY.with(|b| b.replace(true)) {
        return Span(None);
    }
    let span = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let parent = STACK.with(|s| s.borrow().last().cloned());
        let frame = Frame {
            name,
            cid: uuid4(),
            trace_id: match &parent {
                Some(p) => p.trace_id.clone(),
                None => format!("{:016x}{:016x}", random() | 1, random()),
            },
            span_id: format!("{:016x}", random() | 1),
        };
        let mut e = common("function_entry", &frame, parent.as_ref(), file, line);
        e.push_str(",\"args\":{");
        for (i, (key, value)) in args.iter().enumerate() {
            if i > 0 {
                e.push_str(", ");
            }
            quote(&mut e, key);
            e.push_str(": ");
            let shown = if redacted(key) { "<redacted>".to_string() } else { clip(&format!("{:?}", value), PREVIEW_LIMIT) };
            quote(&mut e, &shown);
        }
        e.push_str("},\"caller\":");
        match &parent {
            Some(p) => quote(&mut e, p.name),
            None => e.push_str("null"),
        }
        e.push_str("}\n");
        write(&e);
        STACK.with(|s| s.borrow_mut().push(frame.clone()));
        Span(Some(Box::new(Inner { frame, parent, file, line, start: Instant::now(), error: Mutex::new(None) })))
    }))
    .unwrap_or(Span(None));
    BUSY.with(|b| b.set(false));
    span
}

/// Records the Err of a returned Result as the call's error; returns the value unchanged.
#[inline]
pub fn ret<T, E: Debug>(span: &Span, value: Result<T, E>) -> Result<T, E> {
    if let (Some(inner), Err(e)) = (&span.0, &value) {
        record(inner, std::any::type_name::<E>(), e);
    }
    value
}

/// The operand of `?`: an Err returns early, so it is the call's error.
#[inline]
pub fn check<T, E: Debug>(span: &Span, value: Result<T, E>) -> Result<T, E> {
    ret(span, value)
}

#[inline(never)]
fn record(inner: &Inner, type_name: &str, e: &dyn Debug) {
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    let message = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| clip(&format!("{:?}", e), MESSAGE_LIMIT)))
        .unwrap_or_else(|_| format!("<unrepresentable {}>", type_name));
    if let Ok(mut slot) = inner.error.lock() {
        *slot = Some((type_name.to_string(), message));
    }
    BUSY.with(|b| b.set(false));
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        // Off at entry: one test, inlined; the exit's work stays out of line.
        if let Some(inner) = self.0.take() {
            exit(inner);
        }
    }
}

#[inline(never)]
fn exit(inner: Box<Inner>) {
    let duration = inner.start.elapsed().as_nanos().max(1);
    // Async tasks may interleave on one thread: remove this call's frame wherever it is.
    let _ = STACK.try_with(|s| {
        let mut s = s.borrow_mut();
        if let Some(at) = s.iter().rposition(|f| f.cid == inner.frame.cid) {
            s.remove(at);
        }
    });
    let mut error = inner.error.lock().ok().and_then(|mut e| e.take());
    if std::thread::panicking() {
        let message = LAST_PANIC.try_with(|p| p.borrow().clone()).ok().flatten().unwrap_or_else(|| "panic".to_string());
        error = Some(("panic".to_string(), clip(&message, MESSAGE_LIMIT)));
    }
    let mut e = common("function_exit", &inner.frame, inner.parent.as_ref(), inner.file, inner.line);
    let _ = write!(e, ",\"duration_ns\":{}", duration);
    if let Some((kind, message)) = error {
        e.push_str(",\"error\":{\"type\":");
        quote(&mut e, &kind);
        e.push_str(",\"message\":");
        quote(&mut e, &message);
        e.push('}');
    }
    e.push_str("}\n");
    write(&e);
}

fn common(kind: &str, frame: &Frame, parent: Option<&Frame>, file: &str, line: u32) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut e = String::with_capacity(320);
    let _ = write!(e, "{{\"event_type\":\"{}\",\"timestamp_ns\":{},\"function_name\":", kind, now);
    quote(&mut e, frame.name);
    e.push_str(",\"file\":");
    quote(&mut e, file);
    let _ = write!(e, ",\"line\":{},\"correlation_id\":\"{}\",\"parent_correlation_id\":", line, frame.cid);
    match parent {
        Some(p) => {
            let _ = write!(e, "\"{}\"", p.cid);
        }
        None => e.push_str("null"),
    }
    let _ = write!(e, ",\"trace_id\":\"{}\",\"span_id\":\"{}\"", frame.trace_id, frame.span_id);
    e
}

fn write(line: &str) {
    let Ok(mut sink) = SINK.lock() else { return };
    if sink.is_none() {
        *sink = Some(match std::env::var("TELEMETRY_FILE") {
            Ok(path) if !path.is_empty() => match OpenOptions::new().create(true).append(true).open(path) {
                Ok(f) => Sink::File(f),
                Err(_) => Sink::Failed,
            },
            _ => Sink::Stderr,
        });
    }
    let failed = match sink.as_mut() {
        Some(Sink::File(f)) => f.write_all(line.as_bytes()).is_err(),
        Some(Sink::Stderr) => std::io::stderr().lock().write_all(line.as_bytes()).is_err(),
        _ => false,
    };
    if failed {
        *sink = Some(Sink::Failed); // a failing sink loses events rather than failing the program
    }
}

/// At most `limit` characters (code points), the last being … when clipped.
fn clip(s: &str, limit: usize) -> String {
    if s.chars().count() <= limit {
        return s.to_string();
    }
    let mut out: String = s.chars().take(limit - 1).collect();
    out.push('\u{2026}');
    out
}

/// A JSON string, escaped as JSON.stringify escapes.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// 64 random bits from the standard library's per-process SipHash keys and a counter.
fn random() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

fn uuid4() -> String {
    let (a, b) = (random(), random());
    let a = (a & !0xF000) | 0x4000;
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF, b >> 48, b & 0xFFFF_FFFF_FFFF)
}

// ---- redaction: TELEMETRY_REDACT without a regex crate ----

/// The names whose values are never previewed. The default pattern is built in; a custom
/// TELEMETRY_REDACT may be alternatives (`|`) of literal words with `^`/`$` anchors, matched
/// case-insensitively; any other syntax counts as a pattern that does not compile and redacts every value.
enum Redact {
    Default,
    Words(Vec<(bool, String, bool)>),
    All,
}

fn redacted(name: &str) -> bool {
    let Ok(mut r) = REDACT.lock() else { return true };
    matches(r.get_or_insert_with(|| parse_redact(std::env::var("TELEMETRY_REDACT").ok().as_deref())), name)
}

/// Whether TELEMETRY_REDACT set to `pattern` (None: the default) redacts `name`; the contract's test vectors call it.
#[doc(hidden)]
pub fn redacts(pattern: Option<&str>, name: &str) -> bool {
    matches(&parse_redact(pattern), name)
}

fn matches(r: &Redact, name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    match r {
        Redact::All => true,
        Redact::Default => {
            ["pass", "secret", "token", "apikey", "api_key", "privatekey", "private_key", "credential", "cookie", "session"]
                .iter()
                .any(|w| n.contains(w))
                || n == "key"
                || n.ends_with("_key")
        }
        Redact::Words(words) => words.iter().any(|(start, w, end)| match (start, end) {
            (true, true) => n == *w,
            (true, false) => n.starts_with(w.as_str()),
            (false, true) => n.ends_with(w.as_str()),
            (false, false) => n.contains(w.as_str()),
        }),
    }
}

fn parse_redact(source: Option<&str>) -> Redact {
    let Some(source) = source.filter(|s| !s.is_empty()) else { return Redact::Default };
    let mut words = Vec::new();
    for alt in source.split('|') {
        let start = alt.starts_with('^');
        let end = alt.ends_with('$') && alt.len() > usize::from(start);
        let word = &alt[usize::from(start)..alt.len() - usize::from(end)];
        if word.is_empty() || !word.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            return Redact::All;
        }
        words.push((start, word.to_ascii_lowercase(), end));
    }
    Redact::Words(words)
}

// ---- SIGHUP and panics ----

#[cfg(unix)]
#[allow(unsafe_code)] // a crate that denies unsafe code still builds the runtime (only `forbid` stops it)
fn install_sighup() {
    const SIGHUP: i32 = 1;
    const SIG_DFL: usize = 0;
    // The C library's signal(), which std links on every Unix; no crate needed.
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    extern "C" fn toggle(_: i32) {
        // Async-signal-safe: one atomic operation.
        let _ = STATE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |s| Some(if s == ON { OFF } else { ON }));
    }
    let handler: extern "C" fn(i32) = toggle;
    unsafe {
        let previous = signal(SIGHUP, handler as usize);
        if previous != SIG_DFL {
            signal(SIGHUP, previous); // the program's own SIGHUP handling wins
        }
    }
    install_panic_hook();
}

#[cfg(not(unix))]
fn install_sighup() {
    install_panic_hook();
}

/// Keeps the message of a panic for the exit events it unwinds through, then runs the previous hook.
fn install_panic_hook() {
    if std::thread::panicking() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".to_string()
        };
        let _ = LAST_PANIC.try_with(|p| *p.borrow_mut() = Some(message));
        previous(info);
    }));
}
