// The sink: one JSON event per line, to TELEMETRY_FILE (opened at the first batch) or to
// standard error. A sink that fails loses events and counts them; it never fails the program.
//
// File events are group-committed: the first event of a batch wakes a writer goroutine, which
// writes everything that arrived in the meantime in one O_APPEND write, so a busy program pays a
// system call per batch rather than per event, and an idle one has its events written at once. A
// batch that reaches batchLimit is written by the caller. Flush (called when the instrumented main
// returns and before a panic leaves an instrumented call) and Dropped write what is pending; only
// os.Exit or a fatal signal can lose events: the batch not yet written, under batchLimit.
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

const batchLimit = 64 << 10

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
	b := append((*bp)[:0], `{"event_type":`...)
	b = appendString(b, kind)
	b = append(b, `,"timestamp_ns":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"function_name":`...)
	b = appendString(b, s.name)
	b = append(b, `,"file":`...)
	b = appendString(b, s.file)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, `,"correlation_id":`...)
	b = appendString(b, s.cid)
	b = append(b, `,"parent_correlation_id":`...)
	if s.parent != nil {
		b = appendString(b, s.parent.cid)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"trace_id":`...)
	b = appendString(b, s.traceID)
	b = append(b, `,"span_id":`...)
	b = appendString(b, s.spanID)
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
	first := len(pending) == 0
	pending = append(pending, line...)
	pendingN++
	full := len(pending) >= batchLimit
	outMu.Unlock()
	if full {
		flushSink()
	} else if first {
		writerOnce.Do(func() { go writer() })
		select {
		case wake <- struct{}{}:
		default: // already woken: it will take this event with the rest
		}
	}
}

// writer writes each batch once woken; it lives as long as the program.
func writer() {
	for range wake {
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
