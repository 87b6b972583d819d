// Loops: loop_entry when a loop statement starts, an iteration count that the body's first
// statement bumps, loop_exit when the loop is done or its function exits, and the sampling
// of variable and branch events inside a loop (TELEMETRY_LOOP_EVENTS).
//
//	__l0 := _tm.Loop(REL, "for")    // nil when off
//	for ... {
//		__l0.Tick()
//		...
//	}
//	__l0.Done()
//
// A loop belongs to a span, and a span to one goroutine, so only that goroutine reads or
// writes its loops: they need no lock. Tick must stay a nil test and an increment.
package telemetry

import "time"

// Events recorded per open loop before sampling starts (loopEvents, in sampling.go); -1
// records every event.
const defaultLoopEvents = 16

// LoopSpan is one run of a loop statement in an instrumented call.
type LoopSpan struct {
	n          uint64 // iterations begun
	span       *Span
	line       int
	kind       string
	start      time.Time
	suppressed uint64 // events sampled out while this was the innermost loop
	outerN     uint64 // the enclosing open loop's iteration when this one began
	silent     bool   // opened in a sampled-out iteration: counts, writes nothing
}

// Loop writes loop_entry for a loop statement at the function's line + rel and returns the
// loop that Tick counts, or nil when telemetry is off. Small enough to inline: when off it
// is one atomic load at the call site.
func Loop(rel int, kind string) *LoopSpan {
	if !on.Load() {
		return nil
	}
	return openLoop(rel, kind)
}

// Tick counts an iteration. It is nil-safe, inlined and never allocates.
func (l *LoopSpan) Tick() {
	if l != nil {
		l.n++
	}
}

// Done writes loop_exit for the loop, and for any loop opened after it that is still open
// (left by a labelled break or continue, or a goto). Nil-safe.
func (l *LoopSpan) Done() {
	if l != nil {
		l.done()
	}
}

//go:noinline
func openLoop(rel int, kind string) (l *LoopSpan) {
	defer func() {
		if recover() != nil {
			l = nil
		}
	}()
	_, s := current()
	if s == nil || s.muted { // the function began while telemetry was off, runs inside a preview, or is sampled out
		return nil
	}
	var outerN uint64
	silent := false
	if outer := s.innermostLoop(); outer != nil {
		outerN = outer.n
		// A loop nested in a sampled-out iteration is sampled out whole, by the same rule.
		silent = sampling.sampling && (outer.silent || !loopKeeps(loopEvents, outer.n))
	}
	l = &LoopSpan{span: s, line: s.line + rel, kind: kind, outerN: outerN, silent: silent}
	s.loops = append(s.loops, l)
	if !silent && !loopLine(s, l, false, 0) {
		emitAt("loop_entry", s, l.line, field{"loop", kind})
	}
	l.start = time.Now()
	return l
}

//go:noinline
func (l *LoopSpan) done() {
	defer func() { _ = recover() }()
	s := l.span
	for i := len(s.loops) - 1; i >= 0; i-- {
		if s.loops[i] == l {
			s.closeLoops(i)
			return
		}
	}
}

// closeLoops writes loop_exit for the loops open at index i and above, innermost first. A
// silent loop writes nothing: its own entry and exit and what it suppressed count in the loop
// around it.
func (s *Span) closeLoops(i int) {
	for len(s.loops) > i {
		last := len(s.loops) - 1
		l := s.loops[last]
		s.loops[last] = nil
		s.loops = s.loops[:last]
		if l.silent {
			s.loops[last-1].suppressed += l.suppressed + 2
			continue
		}
		d := time.Since(l.start).Nanoseconds()
		if d <= 0 {
			d = 1
		}
		if loopLine(s, l, true, d) {
			continue
		}
		emitAt("loop_exit", s, l.line,
			field{"loop", l.kind}, field{"iterations", l.n}, field{"duration_ns", d}, field{"suppressed", l.suppressed})
	}
}

// innermostLoop returns the innermost open loop, after closing loops that control has left:
// once an enclosing loop has begun another iteration, a loop opened in its previous one is over.
func (s *Span) innermostLoop() *LoopSpan {
	for i := 1; i < len(s.loops); i++ {
		if s.loops[i-1].n != s.loops[i].outerN {
			s.closeLoops(i)
			break
		}
	}
	if len(s.loops) == 0 {
		return nil
	}
	return s.loops[len(s.loops)-1]
}

// sampledOut reports whether an event inside the innermost open loop, at iteration n, is
// left out: it is kept while n <= TELEMETRY_LOOP_EVENTS or n is a power of two, and
// counted in the loop's `suppressed` otherwise.
func (s *Span) sampledOut() bool {
	l := s.innermostLoop()
	if l == nil || (!l.silent && loopKeeps(loopEvents, l.n)) {
		return false
	}
	l.suppressed++
	return true
}
