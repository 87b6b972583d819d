"""OpenTelemetry Python SDK in the spec's benchmark scenario (AlwaysOn, 1 attribute, 1 event,
span started and ended at once), exporting to a no-op exporter through a simple span processor;
and a non-recording span (NoOpTracer). Prints {"spanNs", "nonRecordingNs"}, best of reps."""
import json
import sys
import time

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON


class Discard(SpanExporter):
    def export(self, spans):
        return SpanExportResult.SUCCESS


def span_of(tracer):
    def span():
        s = tracer.start_span("op", attributes={"key": 1})
        s.add_event("event")
        s.end()
    return span


def best(count, reps, f):
    b = float("inf")
    for _ in range(reps):
        start = time.perf_counter_ns()
        for _ in range(count):
            f()
        b = min(b, time.perf_counter_ns() - start)
    return b / count


n, reps = int(sys.argv[1]), int(sys.argv[2])
provider = TracerProvider(sampler=ALWAYS_ON)
provider.add_span_processor(SimpleSpanProcessor(Discard()))
print(json.dumps({"spanNs": best(n, reps, span_of(provider.get_tracer("bench"))),
                  "nonRecordingNs": best(n * 10, reps, span_of(trace.NoOpTracer()))}))
