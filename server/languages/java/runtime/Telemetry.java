// telemetry-injector runtime for Java: one class, package _tm (put this file at <source root>/_tm/Telemetry.java).
//
// Owns: the on/off switch (DEBUG / TELEMETRY_ENABLED read once at class load, SIGHUP toggles where the
// JVM offers sun.misc.Signal), spans (a per-thread stack gives parents), previews of arguments and
// returned values, and the JSONL sink (TELEMETRY_FILE, else stderr) in protocol/events.schema.json.
// Must never: throw into the program (every entry point catches everything), call back into
// instrumented code while writing (a per-thread busy flag), or cost more than one volatile read when off.
// Probes (see server/languages/java/runtime-api.ts):
//   final _tm.Telemetry.Span __tel = _tm.Telemetry.on() ? _tm.Telemetry.enter("C.m", "f.java", 3, "a", a) : null; try {
//   ...body...   return _tm.Telemetry.ret(__tel, value);
//   } catch (Throwable __e) { _tm.Telemetry.fail(__tel, __e); throw __e; } finally { _tm.Telemetry.exit(__tel); }
package _tm;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

public final class Telemetry {
    private Telemetry() {}

    /** One call. Null when telemetry was off at entry: every method accepts null and does nothing. */
    public static final class Span {
        final String name, file, cid, traceId, spanId;
        final int line;
        final Span parent;
        final long start;
        String ret;
        String[] error;
        boolean done;

        Span(String name, String file, int line, Span parent) {
            this.name = name;
            this.file = file;
            this.line = line;
            this.parent = parent;
            ThreadLocalRandom r = ThreadLocalRandom.current();
            this.cid = new java.util.UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
            this.traceId = parent != null ? parent.traceId : hex(r.nextLong() | 1L, 16) + hex(r.nextLong(), 16);
            this.spanId = hex(r.nextLong() | 1L, 16);
            this.start = System.nanoTime();
        }
    }

    private static final int PREVIEW_LIMIT = 100, MESSAGE_LIMIT = 500, MAX_ITEMS = 8, MAX_DEPTH = 3;
    private static final String DEFAULT_REDACT = "pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session";
    private static final Pattern SECRET_KEYS = Pattern.compile("pass(word)?|token|secret|key|auth|cookie|credential", Pattern.CASE_INSENSITIVE);
    private static final ThreadLocal<Span> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<boolean[]> BUSY = ThreadLocal.withInitial(() -> new boolean[1]);
    private static final Pattern REDACT = redactPattern(System.getenv("TELEMETRY_REDACT"));
    private static final Object LOCK = new Object();
    private static volatile boolean on = enabled(System.getenv("DEBUG"), System.getenv("TELEMETRY_ENABLED"));
    private static OutputStream sink;
    private static boolean sinkFailed;

    static {
        installSighup();
    }

    /** The probes' guard: one volatile read. */
    public static boolean on() {
        return on;
    }

    /** DEBUG turns events on; TELEMETRY_ENABLED, when set and not blank, overrides it (protocol/runtime-vectors.json). */
    static boolean enabled(String debug, String explicit) {
        if (explicit != null && !explicit.trim().isEmpty()) return truthy(explicit);
        return debug != null && truthy(debug);
    }

    private static boolean truthy(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("true") || s.equals("1") || s.equals("yes") || s.equals("on");
    }

    /** Pairs of name and value: `enter("C.m", "f.java", 3, "a", a, "b", b)`. */
    public static Span enter(String name, String file, int line, Object... kv) {
        boolean[] busy = BUSY.get();
        if (busy[0] || !on) return null;
        busy[0] = true;
        try {
            Span parent = CURRENT.get();
            Span span = new Span(name, file, line, parent);
            StringBuilder args = new StringBuilder("{");
            for (int i = 0; kv != null && i + 1 < kv.length; i += 2) {
                String key = String.valueOf(kv[i]);
                if (args.length() > 1) args.append(", ");
                quote(args, key).append(": ");
                quote(args, REDACT.matcher(key).find() ? "<redacted>" : preview(kv[i + 1]));
            }
            args.append('}');
            StringBuilder e = common("function_entry", span);
            e.append(",\"args\":").append(args).append(",\"caller\":");
            if (parent == null) e.append("null"); else quote(e, parent.name);
            write(e.append("}\n"));
            CURRENT.set(span);
            return span;
        } catch (Throwable t) {
            return null;
        } finally {
            busy[0] = false;
        }
    }

    /** Records a returned value's preview and returns it unchanged; one overload per primitive keeps its type. */
    public static <T> T ret(Span s, T v) { if (s != null) keep(s, v); return v; }
    public static boolean ret(Span s, boolean v) { if (s != null) keep(s, v); return v; }
    public static byte ret(Span s, byte v) { if (s != null) keep(s, v); return v; }
    public static char ret(Span s, char v) { if (s != null) keep(s, v); return v; }
    public static short ret(Span s, short v) { if (s != null) keep(s, v); return v; }
    public static int ret(Span s, int v) { if (s != null) keep(s, v); return v; }
    public static long ret(Span s, long v) { if (s != null) keep(s, v); return v; }
    public static float ret(Span s, float v) { if (s != null) keep(s, v); return v; }
    public static double ret(Span s, double v) { if (s != null) keep(s, v); return v; }

    private static void keep(Span s, Object v) {
        boolean[] busy = BUSY.get();
        if (busy[0]) return;
        busy[0] = true;
        try {
            s.ret = preview(v);
        } catch (Throwable t) {
            // a preview that fails leaves the exit without `return`
        } finally {
            busy[0] = false;
        }
    }

    /** Records the exception leaving the call (the probe rethrows it). */
    public static void fail(Span s, Throwable e) {
        if (s == null || e == null) return;
        boolean[] busy = BUSY.get();
        if (busy[0]) return;
        busy[0] = true;
        try {
            String message;
            try {
                message = String.valueOf(e.getMessage());
            } catch (Throwable t) {
                message = "<unrepresentable " + e.getClass().getName() + ">";
            }
            s.error = new String[] {e.getClass().getName(), clip(message, MESSAGE_LIMIT)};
        } catch (Throwable t) {
            // nothing to record
        } finally {
            busy[0] = false;
        }
    }

    /** Writes function_exit and makes the caller's span current again. */
    public static void exit(Span s) {
        if (s == null || s.done) return;
        s.done = true;
        if (CURRENT.get() == s) {
            if (s.parent == null) CURRENT.remove(); else CURRENT.set(s.parent);
        }
        boolean[] busy = BUSY.get();
        boolean was = busy[0];
        busy[0] = true;
        try {
            StringBuilder e = common("function_exit", s);
            e.append(",\"duration_ns\":").append(Math.max(1L, System.nanoTime() - s.start));
            if (s.ret != null) quote(e.append(",\"return\":"), s.ret);
            if (s.error != null) {
                quote(quote(e.append(",\"error\":{\"type\":"), s.error[0]).append(",\"message\":"), s.error[1]).append('}');
            }
            write(e.append("}\n"));
        } catch (Throwable t) {
            // an event lost rather than an exception in the program
        } finally {
            busy[0] = was;
        }
    }

    private static StringBuilder common(String type, Span s) {
        Instant now = Instant.now();
        StringBuilder e = new StringBuilder(256).append("{\"event_type\":\"").append(type).append("\",\"timestamp_ns\":")
            .append(now.getEpochSecond() * 1_000_000_000L + now.getNano()).append(",\"function_name\":");
        quote(e, s.name).append(",\"file\":");
        quote(e, s.file).append(",\"line\":").append(Math.max(0, s.line)).append(",\"correlation_id\":\"").append(s.cid)
            .append("\",\"parent_correlation_id\":");
        if (s.parent == null) e.append("null"); else e.append('"').append(s.parent.cid).append('"');
        return e.append(",\"trace_id\":\"").append(s.traceId).append("\",\"span_id\":\"").append(s.spanId).append('"');
    }

    private static void write(CharSequence line) {
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (LOCK) {
            if (sinkFailed) return;
            try {
                if (sink == null) {
                    String path = System.getenv("TELEMETRY_FILE");
                    sink = path != null && !path.isEmpty() ? new FileOutputStream(path, true) : new FileOutputStream(java.io.FileDescriptor.err);
                }
                sink.write(bytes);
                sink.flush();
            } catch (Throwable t) {
                sinkFailed = true; // a failing sink loses events rather than failing the program
            }
        }
    }

    // ---- previews: the syntax of protocol/runtime-vectors.json ----

    static String preview(Object v) {
        StringBuilder b = new StringBuilder();
        try {
            show(b, v, 0);
        } catch (Throwable t) {
            return "<unrepresentable " + (v == null ? "null" : v.getClass().getName()) + ">";
        }
        return clip(b.toString(), PREVIEW_LIMIT);
    }

    private static void show(StringBuilder b, Object v, int depth) {
        if (v == null) b.append("null");
        else if (v instanceof Boolean || v instanceof Number) b.append(v);
        else if (v instanceof CharSequence || v instanceof Character) quote(b, v.toString());
        else if (v instanceof Map) {
            if (depth >= MAX_DEPTH) { b.append("{\u2026}"); return; }
            Map<?, ?> m = (Map<?, ?>) v;
            Map<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> en : m.entrySet()) sorted.put(String.valueOf(en.getKey()), en.getValue());
            b.append('{');
            int i = 0;
            for (Map.Entry<String, Object> en : sorted.entrySet()) {
                if (i > 0) b.append(", ");
                if (i++ == MAX_ITEMS) { b.append('\u2026'); break; }
                quote(b, en.getKey()).append(": ");
                if (SECRET_KEYS.matcher(en.getKey()).find() || REDACT.matcher(en.getKey()).find()) b.append("<redacted>");
                else show(b, en.getValue(), depth + 1);
            }
            b.append('}');
        } else if (v instanceof Collection || v.getClass().isArray()) {
            if (depth >= MAX_DEPTH) { b.append("[\u2026]"); return; }
            Iterator<?> it = v instanceof Collection ? ((Collection<?>) v).iterator() : arrayIterator(v);
            b.append('[');
            for (int i = 0; it.hasNext(); i++) {
                if (i > 0) b.append(", ");
                if (i == MAX_ITEMS) { b.append('\u2026'); break; }
                show(b, it.next(), depth + 1);
            }
            b.append(']');
        } else b.append(v);
    }

    private static Iterator<Object> arrayIterator(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        return new Iterator<Object>() {
            int i;
            public boolean hasNext() { return i < n; }
            public Object next() { return java.lang.reflect.Array.get(array, i++); }
        };
    }

    /** At most `limit` code points, the last being … when clipped. */
    private static String clip(String s, int limit) {
        if (s.codePointCount(0, s.length()) <= limit) return s;
        return s.substring(0, s.offsetByCodePoints(0, limit - 1)) + "\u2026";
    }

    /** A JSON string, escaped as JSON.stringify escapes. */
    private static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20 || (Character.isSurrogate(c) && !pairedSurrogate(s, i))) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"');
    }

    private static boolean pairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    private static String hex(long v, int width) {
        String h = Long.toHexString(v);
        return "0".repeat(Math.max(0, width - h.length())) + h;
    }

    /** TELEMETRY_REDACT, case-insensitive; a pattern that does not compile redacts every value. */
    static Pattern redactPattern(String source) {
        try {
            return Pattern.compile(source == null || source.isEmpty() ? DEFAULT_REDACT : source, Pattern.CASE_INSENSITIVE);
        } catch (Throwable t) {
            return Pattern.compile("");
        }
    }

    /**
     * SIGHUP toggles events, through sun.misc.Signal (jdk.unsupported) found by reflection so the
     * class compiles and loads where it is absent. Once installed, SIGHUP no longer ends the JVM;
     * a program's own SIGHUP handler is left in place.
     */
    private static void installSighup() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object toggle = java.lang.reflect.Proxy.newProxyInstance(Telemetry.class.getClassLoader(), new Class<?>[] {handler},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "handle": on = !on; return null;
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default: return "telemetry SIGHUP toggle";
                    }
                });
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            java.lang.reflect.Method handle = signal.getMethod("handle", signal, handler);
            Object previous = handle.invoke(null, hup, toggle);
            // The JVM's own handler (shutdown on HUP) gives way; a program's own handler, or an
            // ignored SIGHUP (nohup), wins and is put back.
            boolean jvmDefault = previous == handler.getField("SIG_DFL").get(null) || String.valueOf(previous).startsWith("java.lang.Terminator");
            if (!jvmDefault) handle.invoke(null, hup, previous);
        } catch (Throwable t) {
            // no SIGHUP here (Windows, a JVM without jdk.unsupported, or -Xrs): the environment decides
        }
    }
}
