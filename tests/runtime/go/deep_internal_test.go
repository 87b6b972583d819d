// Copied into the runtime's package by tests/runtime/deep-go.test.ts, for what an event
// stream cannot show: that the disabled deep probes and Tick allocate nothing, and how the
// environment's sampling and redaction settings are read.
package telemetry

import "testing"

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
	probes := func() {
		if On() {
			Var(1, "x", x)
		}
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

func TestLoopEventsFromEnv(t *testing.T) {
	for v, want := range map[string]int64{"": 16, "4": 4, " 0 ": 0, "ALL": -1, "-3": 16, "many": 16} {
		if got := loopEventsFromEnv(v); got != want {
			t.Errorf("loopEventsFromEnv(%q) = %d; want %d", v, got, want)
		}
	}
}

func TestRedactFromEnv(t *testing.T) {
	def := redactFromEnv("")
	for name, want := range map[string]bool{
		"password": true, "PassPhrase": true, "api_key": true, "apiKey": true, "key": true, "user_key": true,
		"sessionId": true, "monkey": false, "keyboard": false, "user": false, "total": false,
	} {
		if got := def.MatchString(name); got != want {
			t.Errorf("default redaction of %q = %v; want %v", name, got, want)
		}
	}
	if custom := redactFromEnv("^card"); !custom.MatchString("CardNumber") || custom.MatchString("password") {
		t.Error("TELEMETRY_REDACT=^card should replace the default, case-insensitively")
	}
	if broken := redactFromEnv("(?<=x)y"); !broken.MatchString("anything") {
		t.Error("a pattern that does not compile should redact every name")
	}
}
