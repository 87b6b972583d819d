// Copied into the runtime's package by the test, for what the instrumented program cannot show
// end to end: how a goroutine trace from Go 1.21 on names the goroutine that created it, and previews
// of values no probe passes (the engine does not record a method's receiver), that the short way to
// an argument's preview writes what preview does, and that an enabled call allocates only its span.
package telemetry

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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

func TestGoroutineIDsAreTheOnesRuntimeStackPrints(t *testing.T) {
	ids := make(chan [2]uint64)
	for i := 0; i < 4; i++ {
		go func() { ids <- [2]uint64{goroutineID(), stackGoroutineID()} }()
	}
	for i := 0; i < 4; i++ {
		if got := <-ids; got[0] != got[1] {
			t.Errorf("goroutineID() = %d where runtime.Stack says %d (offset %d)", got[0], got[1], goidOffset)
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

type named int

func (n named) String() string { return "named" }

func TestArgumentPreviewsWrittenDirectlyMatchPreview(t *testing.T) {
	long := strings.Repeat("x", 120)
	for _, v := range []any{
		nil, 0, -7, 1 << 30, int8(-3), int16(300), int32(-70000), int64(math.MinInt64), uint(7), uint8(255),
		uint16(9), uint32(1 << 31), uint64(math.MaxUint64), uintptr(12), true, false,
		1.5, math.Inf(-1), math.NaN(), 1e21, float32(0.1), "", "plain", `quo"te`, "back\\slash", "tab\t",
		"é", long, long[:98], long[:99], named(3), errors.New("boom"), []int{1, 2}, &struct{ A int }{1},
	} {
		want := string(appendString(nil, preview(v)))
		if got := string(appendArgPreview(nil, v)); got != want {
			t.Errorf("appendArgPreview(%#v) = %s; preview gives %s", v, got, want)
		}
	}
}

func TestAnEnabledCallAllocatesOnlyItsSpan(t *testing.T) {
	savedPath, savedOn, savedSampling := outPath, on.Load(), sampling
	defer func() {
		flushSink()
		outPath, sampling = savedPath, savedSampling
		on.Store(savedOn)
	}()
	outPath = filepath.Join(t.TempDir(), "events.jsonl")
	sampling.sampling = false
	on.Store(true)
	call := func(a int, s string) {
		defer Exit(Enter("call", "f.go", 3, "a", a, "s", s))
	}
	call(1, "warm")
	// Arguments the call site boxes without allocating (a small int, an empty string), so that
	// what is counted is the runtime's: the span, and nothing per event.
	if n := testing.AllocsPerRun(200, func() { call(7, "") }); n > 1 {
		t.Errorf("%v allocations per enabled call; want the span only", n)
	}
	flushSink()
	data, err := os.ReadFile(outPath)
	if err != nil || !strings.Contains(string(data), `"args":{"a":"7","s":"\"\""}`) {
		t.Errorf("events: %v %.300s", err, data)
	}
}
