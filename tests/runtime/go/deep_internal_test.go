// Copied into the runtime's package by tests/runtime/deep-go.test.ts, for what an event
// stream cannot show: that the disabled deep probes and Tick allocate nothing. (How the
// environment's settings are read is checked by protocol/runtime-vectors.json.)
package telemetry

import (
	"sync"
	"testing"
)

var sink int

func TestTickNeverAllocatesAndIsNilSafe(t *testing.T) {
	l := &LoopSpan{}
	var none *LoopSpan
	if n := testing.AllocsPerRun(1000, func() { l.Tick(); none.Tick() }); n != 0 {
		t.Errorf("Tick allocates %v times per run", n)
	}
	if l.n != 1001 { // AllocsPerRun runs the function once more to warm up
		t.Errorf("Tick counted %d iterations, want 1001", l.n)
	}
	none.Done()
}

func TestDisabledDeepProbesAllocateNothing(t *testing.T) {
	was := on.Load()
	on.Store(false)
	defer on.Store(was)
	x, err := 12345, error(nil)
	type locked struct {
		mu sync.Mutex
		n  int
	}
	probes := func() {
		if On() {
			Var(1, "x", x)
		}
		// By address (a struct literal may hold a lock): the variable stays on the stack.
		s := locked{n: x}
		if On() {
			VarRef(1, "s", &s)
		}
		sink += s.n
		if On() {
			Redacted(2, "password")
		}
		if On() {
			Branch(3, "if", "x > 0")
		}
		l := Loop(4, "for")
		for i := 0; i < 3; i++ {
			l.Tick()
			sink += i
		}
		l.Done()
		if On() {
			Caught(5, err)
		}
	}
	if n := testing.AllocsPerRun(1000, probes); n != 0 {
		t.Errorf("disabled probes allocate %v times per run", n)
	}
}
