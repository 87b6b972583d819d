// Answers protocol/runtime-vectors.json with the Go runtime's own functions. Copied into the
// runtime's package by tests/runtime/runtime-vectors.test.ts and run as
// `VECTORS=<file> VECTORS_OUT=<file> go test -run TestAnswerVectors`; it writes one JSON
// object whose lists answer the vector file's cases in order. It only computes: the
// TypeScript test decides what is right.
package telemetry

import (
	"encoding/json"
	"os"
	"testing"
)

type Bad struct{}

func (Bad) String() string { panic("String") }
func (Bad) Error() string  { panic("Error") }

type vectorFile struct {
	Constants struct {
		DefaultLoopEvents int64 `json:"default_loop_events"`
	} `json:"constants"`
	Env struct {
		Enabled    []struct{ Env map[string]string } `json:"enabled"`
		LoopEvents []struct{ Value string }          `json:"loop_events"`
		Sampling   []struct{ Env map[string]string } `json:"sampling"`
	} `json:"env"`
	Sampling struct {
		Trace []struct {
			Sampler string
			Ratio   float64
			TraceID string `json:"trace_id"`
		} `json:"trace"`
		Loop []struct {
			Limit *int64
			N     uint64
		} `json:"loop"`
		Calls []struct {
			First  int64
			PerSec *int64  `json:"per_sec"`
			AtMs   []int64 `json:"at_ms"`
		} `json:"calls"`
	} `json:"sampling"`
	Redaction struct {
		Names []struct {
			Pattern *string
			Name    string
		} `json:"names"`
		Keys []struct {
			Pattern *string
			Name    string
		} `json:"keys"`
	} `json:"redaction"`
	Preview struct {
		Cases []struct{ Value any } `json:"cases"`
	} `json:"preview"`
}

func orNull(n int64) any {
	if n < 0 {
		return nil
	}
	return n
}

func TestAnswerVectors(t *testing.T) {
	in := os.Getenv("VECTORS")
	if in == "" {
		t.Skip("a driver, not a test of its own: tests/runtime/runtime-vectors.test.ts runs it with VECTORS naming protocol/runtime-vectors.json")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	getenv := func(env map[string]string) func(string) string { return func(k string) string { return env[k] } }

	var enabled []bool
	for _, c := range v.Env.Enabled {
		enabled = append(enabled, enabledFromEnv(getenv(c.Env)))
	}
	out["enabled"] = enabled
	var loopEvents []any
	for _, c := range v.Env.LoopEvents {
		loopEvents = append(loopEvents, orNull(countFromEnv(c.Value, v.Constants.DefaultLoopEvents)))
	}
	out["loop_events"] = loopEvents
	var sampling []any
	for _, c := range v.Env.Sampling {
		s := samplingFromEnv(getenv(c.Env))
		sampling = append(sampling, map[string]any{
			"sampling": s.sampling, "sampler": s.sampler, "ratio": s.ratio,
			"calls_first": s.callsFirst, "calls_per_sec": orNull(s.callsPerSec),
		})
	}
	out["sampling"] = sampling
	var trace []bool
	for _, c := range v.Sampling.Trace {
		trace = append(trace, keepTrace(c.Sampler, c.Ratio, c.TraceID))
	}
	out["trace"] = trace
	var loops []bool
	for _, c := range v.Sampling.Loop {
		limit := int64(-1)
		if c.Limit != nil {
			limit = *c.Limit
		}
		loops = append(loops, loopKeeps(limit, c.N))
	}
	out["loop"] = loops
	var calls [][]bool
	for _, c := range v.Sampling.Calls {
		perSec := int64(-1)
		if c.PerSec != nil {
			perSec = *c.PerSec
		}
		l := newCallLimit(c.First, perSec)
		var kept []bool
		for _, ms := range c.AtMs {
			kept = append(kept, l.allow(ms*1000000))
		}
		calls = append(calls, kept)
	}
	out["calls"] = calls
	redactWith := func(pattern *string) func() {
		was := redactName
		p := ""
		if pattern != nil {
			p = *pattern
		}
		redactName = redactFromEnv(p)
		return func() { redactName = was }
	}
	var names, keys []bool
	for _, c := range v.Redaction.Names {
		restore := redactWith(c.Pattern)
		names = append(names, redactName.MatchString(c.Name))
		restore()
	}
	for _, c := range v.Redaction.Keys {
		restore := redactWith(c.Pattern)
		keys = append(keys, secretKey(c.Name))
		restore()
	}
	out["names"], out["keys"] = names, keys
	var previews []string
	for _, c := range v.Preview.Cases {
		previews = append(previews, preview(c.Value))
	}
	out["preview"] = previews
	var bad any = Bad{}
	info := map[string]any{}
	for _, f := range errorFields(bad) {
		info[f.key] = f.value
	}
	out["unrepresentable"] = []any{preview(bad), preview([]any{1, bad}), info}

	result, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("VECTORS_OUT"), result, 0o644); err != nil {
		t.Fatal(err)
	}
}
