// OpenTelemetry JS SDK in the spec's benchmark scenario (AlwaysOn, 1 attribute, 1 event, span
// started and ended at once), exporting to a no-op exporter through a simple span processor;
// and a non-recording span (no provider registered). Prints {spanNs, nonRecordingNs}, best of reps.
const { BasicTracerProvider, SimpleSpanProcessor, AlwaysOnSampler } = require('@opentelemetry/sdk-trace-base');
const api = require('@opentelemetry/api');

const [n, reps] = process.argv.slice(2).map(Number);
const exporter = { export: (spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
const provider = new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
const recording = provider.getTracer('bench');
const nonRecording = api.trace.getTracer('bench');
const span = (tracer) => () => {
  const s = tracer.startSpan('op', { attributes: { key: 1 } });
  s.addEvent('event');
  s.end();
};
function best(count, f) {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) f();
    b = Math.min(b, Number(process.hrtime.bigint() - start));
  }
  return b / count;
}
console.log(JSON.stringify({ spanNs: best(n, span(recording)), nonRecordingNs: best(n * 10, span(nonRecording)) }));
