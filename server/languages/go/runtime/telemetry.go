// Package telemetry is the runtime that telemetry-injector's probes call in Go code:
//
//	if _tm.On() {
//		defer _tm.Exit(_tm.Enter("F", "pkg/f.go", 3, "a", a, "b", b))
//	}
//
// This file holds the API the entry probe calls and the life of a span. The rest of the
// package: deep.go (variable, branch and error probes inside a call), loops.go (loop probes
// and the sampling of events inside loops), switch.go (on/off from the environment and
// SIGHUP), goroutines.go (a span stack per goroutine, for parents and for deep probes),
// gid.go (goroutine ids without a stack trace), ids.go (trace, span and correlation ids),
// preview.go (bounded, redacted previews of values), sink.go (one JSON event per line to
// TELEMETRY_FILE, batched, or standard error) and events.go (the common events written
// without boxing or reflection).
//
// It must never: panic into the program or swallow the program's panics, read the
// environment per call, do more than one atomic load in On or Enter when telemetry is off,
// or change what the program prints. Standard library only; builds with Go 1.19.
package telemetry

import (
	"fmt"
	"runtime"
	"time"
)

// Span is one instrumented call in progress.
type Span struct {
	name, file string
	line       int
	cid        uuid
	traceID    traceID
	spanID     spanID
	parent     *Span
	gid        uint64
	start      time.Time
	loops      []*LoopSpan        // open loops, outermost first; used by the span's goroutine only
	muted      bool               // left out by sampling: writes nothing, and neither do the calls below it
	limited    bool               // muted by a call limit: the calls below count themselves dropped, in owner
	owner      *Span              // a muted span's nearest recorded span above, or nil
	limit      *callLimit         // the function's call limit, for dropped_calls; nil when not sampling
	drops      map[limitKey]int64 // calls below this one the limits left out; guarded by stateMu
	args       []field            // the entry's previews, for the OTLP span
	otel       []otlpEvent        // OTLP span events gathered until the exit; the span's goroutine only
	// The ids' part of every event's head (appendIDs), written by enter before any event: 195
	// bytes at most (two UUIDs, a trace and a span id, their keys).
	idText [200]byte
	idLen  uint8
}

// On reports whether events are being written now. Guarding the probe with it,
//
//	if _tm.On() { defer _tm.Exit(_tm.Enter("F", "pkg/f.go", 3, "a", a)) }
//
// also spares the call site from boxing the arguments into ...any when telemetry is off,
// which Enter alone cannot avoid (the compiler must assume they escape), and leaves no
// deferred call behind, so a panic crashes the program exactly as it would without probes.
func On() bool { return on.Load() }

// Dropped reports how many events were lost because the sink could not be written.
// Pending events are written first, so that the count is up to date.
func Dropped() uint64 {
	flushSink()
	return dropped.Load()
}

// Enter starts a span for a call and returns it, or nil when telemetry is off. It is kept
// small enough to inline so that the off path is one atomic load at the call site.
func Enter(name, file string, line int, kv ...any) *Span {
	if !on.Load() {
		return nil
	}
	return enter(name, file, line, kv)
}

//go:noinline
func enter(name, file string, line int, kv []any) (span *Span) {
	defer func() {
		if recover() != nil {
			span = nil
		}
	}()
	if hasRules.Load() {
		if sw := switchFor(name, file); sw == nil {
			if !globalOn.Load() {
				return nil
			}
		} else if !sw.enabled {
			return nil
		} else if !sw.captureArgs {
			kv = nil
		}
	}
	gid := goroutineID()
	span = &Span{name: name, file: file, line: line, gid: gid}
	st, ok := claim(gid, span)
	if !ok { // a String method called by a preview is itself instrumented
		return nil
	}
	if !span.muted {
		span.idLen = uint8(len(appendIDs(span.idText[:0], span)))
	}
	// Previews run while the goroutine is still busy: a String method they call records nothing.
	var args []field
	written := false
	if !span.muted {
		if written = entryLine(span, kv); !written {
			args = previewArgs(kv)
		}
	}
	push(st, span)
	if span.muted {
		return span
	}
	if written {
		span.start = time.Now()
		return span
	}
	span.args = args
	var caller any
	if span.parent != nil {
		caller = span.parent.name
	}
	span.start = time.Now()
	emit("function_entry", span, field{"args", args}, field{"caller", caller})
	return span
}

// Exit is deferred directly, so its recover() sees the panic leaving the function: it
// writes an exception event (clause "panic"), records the panic as the exit's error and
// panics again with the same value. Loops still open are closed before function_exit. With
// a nil span it returns before recover(), so a span that was never started leaves panics
// as they were.
func Exit(s *Span) {
	if s == nil {
		return
	}
	if r := recover(); r != nil {
		s.finish(&r)
		panic(r)
	}
	// Before Go 1.21 (or with GODEBUG=panicnil=1) recover() returns nil for panic(nil)
	// but still stops it; a panic in progress must not be swallowed.
	if panicNilRecoversNil && calledByPanic() {
		var r any
		s.finish(&r)
		panic(r)
	}
	s.finish(nil)
}

// panicNilRecoversNil: whether recover() returns nil for panic(nil) in this program, found
// once at start, so that Exit looks at its caller (runtime.Callers, about a third of an
// enabled Exit) only where that can happen.
var panicNilRecoversNil = func() (isNil bool) {
	defer func() { isNil = recover() == nil }()
	panic(nil)
}()

// calledByPanic looks up the caller with FuncForPC, which allocates nothing for a function that
// is not inlined (runtime.gopanic never is), where CallersFrames allocates twice.
func calledByPanic() bool {
	var pcs [1]uintptr
	if runtime.Callers(3, pcs[:]) == 0 { // skip Callers, calledByPanic, Exit
		return false
	}
	f := runtime.FuncForPC(pcs[0] - 1)
	return f != nil && f.Name() == "runtime.gopanic"
}

func (s *Span) finish(panicked *any) {
	defer func() { _ = recover() }()
	end := time.Now()
	d := end.Sub(s.start).Nanoseconds()
	if d <= 0 {
		d = 1
	}
	root := pop(s)
	if s.muted {
		return
	}
	drops := takeDropped(s)
	if len(drops) == 0 && panicked == nil && len(s.loops) > 0 {
		s.closeLoops(0) // loops left by return: their exits come first
	}
	if len(drops) > 0 || panicked != nil || !exitLine(s, d, end.UnixNano()) {
		s.exitEvents(d, drops, panicked)
	}
	if s.parent == nil && s.name == "main" {
		Flush() // main is returning: the program ends without an exit hook
	} else if root || panicked != nil {
		// The goroutine's outermost call is done (a test function's call, a request's, main's own
		// goroutine's) or a panic may end the program: os.Exit can follow, and it has no hook.
		flushSink()
	}
}

// exitEvents writes exception (for a panic), loop_exit for loops still open, and function_exit.
func (s *Span) exitEvents(d int64, drops []any, panicked *any) {
	fields := []field{{"duration_ns", d}}
	if len(drops) > 0 {
		fields = append(fields, field{"dropped_calls", drops})
	}
	if panicked != nil {
		info := errorFields(*panicked)
		emit("exception", s, field{"clause", "panic"}, field{"error", info})
		fields = append(fields, field{"error", info})
	}
	if len(s.loops) > 0 {
		s.closeLoops(0) // loops left by return or panic: their exits come first
	}
	emit("function_exit", s, fields...)
}

// message is an error's text. Error and String are called directly, not through fmt, which
// would print its own %!v(PANIC=...) text when they panic instead of <unrepresentable T>.
func message(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = unrepresentable(v)
		}
	}()
	switch x := v.(type) {
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
