// The sink: one JSON event per line, to TELEMETRY_FILE (opened at the first batch) or to
// standard error. A sink that fails loses events and counts them; it never fails the program.
//
// File events are batched: appended to a pending batch that is written in one O_APPEND write (whole
// lines, so processes sharing a file never interleave inside a line) when the goroutine's outermost
// instrumented call returns (before a test's os.Exit, a request's goroutine moving on), when a call
// exits by panicking, when the batch reaches batchLimit (by the caller), and by a writer goroutine
// at wakeAt and every flushInterval; Flush and Dropped write it too. So an idle program's events
// are written at once, and only os.Exit or a fatal signal inside an instrumented call can lose
// events: the batch not yet written, under batchLimit and flushInterval.
// Standard error is written at once, never held back.
package telemetry

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	batchLimit    = 64 << 10               // a batch this large is written by the caller
	wakeAt        = 16 << 10               // a batch this large wakes the writer goroutine
	flushInterval = 100 * time.Millisecond // the writer's period: no event waits longer, unless the writer cannot run
)

var (
	dropped atomic.Uint64

	outMu      sync.Mutex
	outPath    = absolute(os.Getenv("TELEMETRY_FILE"))
	sinkFailed bool   // guarded by outMu
	pending    []byte // whole event lines not yet written; guarded by outMu
	pendingN   uint64 // events in pending; guarded by outMu
	spare      []byte // the last written batch's buffer, for reuse; guarded by outMu
	wake       = make(chan struct{}, 1)
	writerOnce sync.Once

	writeMu sync.Mutex // held while a batch is written, so batches reach the file in order
	outFile *os.File   // guarded by writeMu
	// If fd 2 was closed at start, its number may later belong to another file, which must
	// not receive events.
	stderrUsable = stderrOpen()
)

type field struct {
	key   string
	value any
}

// absolute resolves a relative TELEMETRY_FILE now: the file is opened at the first event,
// perhaps after os.Chdir.
func absolute(path string) string {
	if path == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

func stderrOpen() bool {
	_, err := os.Stderr.Stat()
	return err == nil
}

// retrySink lets the next event try to open TELEMETRY_FILE again.
func retrySink() {
	outMu.Lock()
	sinkFailed = false
	outMu.Unlock()
}

// emit writes one event line at the function's line.
func emit(kind string, s *Span, extra ...field) {
	emitAt(kind, s, s.line, extra...)
}

// emitAt writes one event line at the given line (a probe's, inside the function). The fields
// every event has are appended straight from the span (no boxing into a []field); only the
// event's own fields go through appendValue.
func emitAt(kind string, s *Span, line int, extra ...field) {
	ts := time.Now().UnixNano()
	if exporter != nil {
		exporter.event(kind, s, line, ts, extra)
		if outPath == "" {
			return // OTLP replaces the default sink (stderr); TELEMETRY_FILE still gets JSONL
		}
	}
	bp := linePool.Get().(*[]byte)
	b := appendHead((*bp)[:0], kind, s, line, ts)
	for _, f := range extra {
		b = append(b, ',')
		b = appendString(b, f.key)
		b = append(b, ':')
		b = appendValue(b, f.value)
	}
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	linePool.Put(bp)
}

// appendHead writes what every event has: its kind, time, function and ids.
func appendHead(b []byte, kind string, s *Span, line int, ts int64) []byte {
	b = append(b, `{"event_type":"`...)
	b = append(b, kind...) // the runtime's own kinds: nothing to escape
	b = append(b, `","timestamp_ns":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"function_name":`...)
	b = appendString(b, s.name)
	b = append(b, `,"file":`...)
	b = appendString(b, s.file)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	if s.idLen == 0 { // not written by enter (a muted span writes nothing): never written here, where other goroutines may read s
		return appendIDs(b, s)
	}
	return append(b, s.idText[:s.idLen]...)
}

// appendIDs writes the end of every event's head: the span's correlation, parent and OpenTelemetry
// ids. enter writes them once into the span (idText), so that each event copies them.
func appendIDs(b []byte, s *Span) []byte {
	b = append(b, `,"correlation_id":`...)
	b = append(b, '"')
	b = appendUUID(b, s.cid)
	b = append(b, `","parent_correlation_id":`...)
	if s.parent != nil {
		b = append(b, '"')
		b = appendUUID(b, s.parent.cid)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"trace_id":"`...)
	b = appendHex(b, s.traceID[:])
	b = append(b, `","span_id":"`...)
	b = appendHex(b, s.spanID[:])
	b = append(b, '"')
	return b
}

// linePool reuses event buffers: write copies nothing and keeps no reference after it returns.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case bool:
		return strconv.AppendBool(b, x)
	case []any:
		b = append(b, '[')
		for i, item := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, item)
		}
		return append(b, ']')
	case []field:
		b = append(b, '{')
		for i, f := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.key)
			b = append(b, ':')
			b = appendValue(b, f.value)
		}
		return append(b, '}')
	}
	return appendString(b, fmt.Sprint(v))
}

func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	plain := true // names, files and keys: printable ASCII, appended whole
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	b = append(b, '"')
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func write(line []byte) {
	if outPath == "" {
		outMu.Lock()
		defer outMu.Unlock()
		if !stderrUsable || writeStderr(line) != nil {
			dropped.Add(1)
		}
		return
	}
	outMu.Lock()
	if sinkFailed {
		outMu.Unlock()
		dropped.Add(1)
		return
	}
	before := len(pending)
	pending = append(pending, line...)
	pendingN++
	after := len(pending)
	outMu.Unlock()
	switch {
	case after >= batchLimit:
		flushSink()
	case before < wakeAt && after >= wakeAt:
		select {
		case wake <- struct{}{}:
		default: // already woken: it will take this event with the rest
		}
	case before == 0:
		writerOnce.Do(func() { go writer() })
	}
}

// writer writes a batch once it passes wakeAt, and every flushInterval whatever is pending; it
// lives as long as the program.
func writer() {
	tick := time.NewTicker(flushInterval)
	for {
		select {
		case <-wake:
		case <-tick.C:
		}
		flushSink()
	}
}

// flushSink writes the pending batch, if any, in one write.
func flushSink() {
	defer func() { _ = recover() }()
	writeMu.Lock()
	defer writeMu.Unlock()
	outMu.Lock()
	batch, n := pending, pendingN
	pending, pendingN, spare = spare[:0], 0, nil
	outMu.Unlock()
	if len(batch) == 0 {
		outMu.Lock()
		spare = batch
		outMu.Unlock()
		return
	}
	if outFile == nil {
		f, err := os.OpenFile(outPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			outMu.Lock()
			sinkFailed = true
			outMu.Unlock()
			dropped.Add(n)
			return
		}
		outFile = f
	}
	if _, err := outFile.Write(batch); err != nil {
		dropped.Add(n)
	}
	if cap(batch) <= 4*batchLimit { // a batch that grew past that is left to the collector
		outMu.Lock()
		spare = batch[:0]
		outMu.Unlock()
	}
}

// writeStderr writes with the system call rather than os.Stderr: os.File raises SIGPIPE
// and kills the program when fd 2 is a broken pipe, whereas a lost event must not.
func writeStderr(b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(syscall.Stderr, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return syscall.EIO
		}
		b = b[n:]
	}
	return nil
}
