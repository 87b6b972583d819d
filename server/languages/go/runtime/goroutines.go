// Span stacks, one per goroutine, which give each new span its parent. Go has no goroutine
// id in its API, so the id is read from the first line of runtime.Stack; a goroutine's
// first span finds its creator in the trace's "created by ... in goroutine N" line, which
// only Go 1.21 and later write.
package telemetry

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
)

var (
	stateMu sync.Mutex
	states  = map[uint64]*goroutineState{} // by goroutine id; guarded by stateMu
	// States of goroutines whose span stacks emptied, for reuse; guarded by stateMu.
	idleStates []*goroutineState

	// Only a goroutine trace from Go 1.21 on names the goroutine that created it.
	creatorInTraces = goVersionAtLeast(runtime.Version(), 21)
)

const maxIdleStates = 64

type goroutineState struct {
	stack []*Span
	busy  bool // the runtime is running user code (String, Error) for a preview
	// The goroutine that created goroutine creatorFor, as creatorOf found it: a state reused by
	// the same goroutine (calls from an uninstrumented loop) skips the lookup.
	creatorFor, creator uint64
	hasCreator          bool
}

// claim marks goroutine gid busy while its previews run user code and places s on it (place), in
// one lock section. It fails when the goroutine is already busy: the user code it runs is itself
// instrumented, and recording that would recurse. A goroutine's first span looks its creator up
// once (creatorOf, outside the lock); the state remembers it while the goroutine keeps it.
func claim(gid uint64, s *Span) (st *goroutineState, ok bool) {
	stateMu.Lock()
	defer stateMu.Unlock()
	st = states[gid]
	if st == nil {
		if n := len(idleStates); n > 0 {
			st, idleStates[n-1] = idleStates[n-1], nil
			idleStates = idleStates[:n-1]
		} else {
			st = &goroutineState{}
		}
		states[gid] = st
	}
	if st.busy {
		return nil, false
	}
	st.busy = true // also keeps st in states while the lock is let go below
	if len(st.stack) == 0 && creatorInTraces && st.creatorFor != gid {
		stateMu.Unlock()
		creator, has := creatorOf(gid)
		stateMu.Lock()
		st.creatorFor, st.creator, st.hasCreator = gid, creator, has
	}
	place(s, st)
	return st, true
}

// place gives s, under stateMu, its parent (the span current on its goroutine or, for a
// goroutine's first span, its creator's current span), its ids, and sampling's decision.
func place(s *Span, st *goroutineState) {
	if n := len(st.stack); n > 0 {
		s.parent = st.stack[n-1]
	} else if cs := states[st.creator]; st.hasCreator && st.creatorFor == s.gid && cs != nil && len(cs.stack) > 0 {
		s.parent = cs.stack[len(cs.stack)-1]
	}
	if s.parent != nil {
		s.traceID = s.parent.traceID
	} else {
		s.traceID = newTraceID()
	}
	admit(s, s.parent)
	if !s.muted {
		s.cid, s.spanID = nextIDs()
	}
}

// push ends the claim and makes s its goroutine's current span.
func push(st *goroutineState, s *Span) {
	stateMu.Lock()
	defer stateMu.Unlock()
	st.busy = false
	st.stack = append(st.stack, s)
}

// pop removes s, and any span left above it, from its goroutine's stack, and reports whether
// the stack is now empty.
func pop(s *Span) (emptied bool) {
	stateMu.Lock()
	defer stateMu.Unlock()
	st := states[s.gid]
	if st == nil {
		return true
	}
	for i := len(st.stack) - 1; i >= 0; i-- {
		if st.stack[i] == s {
			for j := i; j < len(st.stack); j++ {
				st.stack[j] = nil
			}
			st.stack = st.stack[:i]
			break
		}
	}
	if len(st.stack) == 0 && !st.busy {
		delete(states, s.gid) // goroutine ids are never reused
		if len(idleStates) < maxIdleStates {
			idleStates = append(idleStates, st) // its stack's array too: a goroutine calling from an uninstrumented loop allocates nothing
		}
	}
	return len(st.stack) == 0
}

// current returns the calling goroutine's state and current span, or a nil span when it has
// none or is busy running user code for a preview (whose probes must not record).
func current() (*goroutineState, *Span) {
	gid := goroutineID()
	stateMu.Lock()
	defer stateMu.Unlock()
	st := states[gid]
	if st == nil || st.busy || len(st.stack) == 0 {
		return nil, nil
	}
	return st, st.stack[len(st.stack)-1]
}

// asBusy runs f, which may call user code (String, Error), with the goroutine marked busy.
func asBusy(st *goroutineState, f func()) {
	stateMu.Lock()
	st.busy = true
	stateMu.Unlock()
	defer func() {
		stateMu.Lock()
		st.busy = false
		stateMu.Unlock()
	}()
	f()
}

// creatorOf remembers each goroutine's creator: a goroutine whose stack empties between calls
// (every call from an uninstrumented loop) would otherwise format its whole trace per call.
// Goroutine ids are never reused; the cache is emptied when it grows past creatorCacheSize.
var (
	creatorMu sync.Mutex
	creators  = map[uint64]creatorEntry{} // guarded by creatorMu
)

const creatorCacheSize = 4096

type creatorEntry struct {
	id uint64
	ok bool
}

func creatorOf(gid uint64) (uint64, bool) {
	creatorMu.Lock()
	e, found := creators[gid]
	creatorMu.Unlock()
	if found {
		return e.id, e.ok
	}
	id, ok := creatorID()
	creatorMu.Lock()
	if len(creators) >= creatorCacheSize {
		creators = map[uint64]creatorEntry{}
	}
	creators[gid] = creatorEntry{id, ok}
	creatorMu.Unlock()
	return id, ok
}

// creatorID finds the goroutine that started this one from the trace's last line,
// "created by main.main in goroutine 1". Before Go 1.21 that line names no goroutine, so
// a goroutine's first instrumented call starts a new trace there.
func creatorID() (uint64, bool) {
	buf := make([]byte, 8<<10)
	n := runtime.Stack(buf, false)
	for n == len(buf) && len(buf) < 256<<10 {
		buf = make([]byte, 4*len(buf))
		n = runtime.Stack(buf, false)
	}
	return creatorFromTrace(string(buf[:n]))
}

func creatorFromTrace(text string) (uint64, bool) {
	i := strings.LastIndex(text, "\ncreated by ")
	if i < 0 {
		return 0, false
	}
	line := text[i+1:]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	k := strings.LastIndex(line, " in goroutine ")
	if k < 0 {
		return 0, false
	}
	id, err := strconv.ParseUint(line[k+len(" in goroutine "):], 10, 64)
	return id, err == nil
}

// goVersionAtLeast reports whether a runtime.Version() such as "go1.19.8" is at least
// go1.<minor>; development builds count as new.
func goVersionAtLeast(version string, minor int) bool {
	rest := strings.TrimPrefix(version, "go1.")
	if rest == version {
		return true
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n >= minor
}
