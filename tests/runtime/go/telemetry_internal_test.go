// Copied into the runtime's package by the test, for what the instrumented program cannot show
// end to end: how a goroutine trace from Go 1.21 on names the goroutine that created it, and previews
// of values no probe passes (the engine does not record a method's receiver).
package telemetry

import "testing"

func TestCreatorFromTrace(t *testing.T) {
	cases := []struct {
		trace string
		id    uint64
		ok    bool
	}{
		{"goroutine 7 [running]:\nmain.Work(0x1)\n\t/src/main.go:66 +0x4f\ncreated by main.RunWorkers in goroutine 1\n\t/src/main.go:76 +0x85\n", 1, true},
		{"goroutine 9 [running]:\nmain.f()\ncreated by main.g in goroutine 42\n\t/src/main.go:3 +0x1\n", 42, true},
		{"goroutine 7 [running]:\nmain.Work(0x1)\ncreated by main.RunWorkers\n\t/src/main.go:76 +0x85\n", 0, false},
		{"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d\n", 0, false},
	}
	for _, c := range cases {
		if id, ok := creatorFromTrace(c.trace); id != c.id || ok != c.ok {
			t.Errorf("creatorFromTrace(%q) = %d, %v; want %d, %v", c.trace, id, ok, c.id, c.ok)
		}
	}
}

func TestGoVersionAtLeast(t *testing.T) {
	for version, want := range map[string]bool{
		"go1.19.8": false, "go1.20": false, "go1.21rc2": true, "go1.21.0": true, "go1.23.4": true, "devel go1.24-abc": true,
	} {
		if got := goVersionAtLeast(version, 21); got != want {
			t.Errorf("goVersionAtLeast(%q, 21) = %v; want %v", version, got, want)
		}
	}
}

func TestGoroutineIDsDifferAcrossGoroutines(t *testing.T) {
	here := goroutineID()
	there := make(chan uint64)
	go func() { there <- goroutineID() }()
	if other := <-there; here == 0 || other == 0 || here == other {
		t.Errorf("goroutine ids %d and %d", here, other)
	}
}

func TestPreviewShowsPointersToStructsAndRedactsSecretFields(t *testing.T) {
	type counter struct{ total int }
	type login struct {
		User     string
		Password string
	}
	for _, c := range []struct {
		value any
		want  string
	}{
		{&counter{total: 5}, "&{total: 5}"},
		{login{"ada", "hunter2"}, `{User: "ada", Password: <redacted>}`},
		{map[string]int{"apiKey": 1}, `{"apiKey": <redacted>}`},
	} {
		if got := preview(c.value); got != c.want {
			t.Errorf("preview(%#v) = %s; want %s", c.value, got, c.want)
		}
	}
}
