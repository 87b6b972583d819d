// OpenTelemetry Go SDK, side by side with our runtime (bench/runtime-cost.ts): the spec's benchmark
// scenario (AlwaysOn, 1 attribute, 1 event, a span started and ended at once) with a no-op
// exporter behind a simple span processor, and a non-recording span (no provider). Prints JSON:
// ns and allocations per span, best of the reps. A scratch module: never imported by the product.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

func best(n, reps int, f func()) float64 {
	b := time.Duration(1 << 62)
	for r := 0; r < reps; r++ {
		t := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		if d := time.Since(t); d < b {
			b = d
		}
	}
	return float64(b.Nanoseconds()) / float64(n)
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	reps, _ := strconv.Atoi(os.Args[2])
	ctx := context.Background()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSyncer(discard{}))
	rec := tp.Tracer("bench")
	kv := attribute.Int64("key", 1)
	span := func() {
		_, s := rec.Start(ctx, "op", trace.WithAttributes(kv))
		s.AddEvent("event")
		s.End()
	}
	off := noop.NewTracerProvider().Tracer("bench")
	nonRecording := func() {
		_, s := off.Start(ctx, "op", trace.WithAttributes(kv))
		s.AddEvent("event")
		s.End()
	}
	out := map[string]float64{
		"spanNs":             best(n, reps, span),
		"spanAllocs":         testing.AllocsPerRun(1000, span),
		"nonRecordingNs":     best(n*10, reps, nonRecording),
		"nonRecordingAllocs": testing.AllocsPerRun(1000, nonRecording),
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
