// Answers protocol/runtime-vectors.json with the JavaScript runtime's own functions.
// Usage: node vectors.cjs <telemetry-runtime.cjs> <vectors.json>. Prints one JSON object whose
// lists answer the vector file's cases in order; tests/runtime/runtime-vectors.test.ts compares
// them. It only computes: it never decides what is right.
'use strict';
const fs = require('node:fs');

const tm = require(process.argv[2])._contract;
const vectors = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

class Bad extends Error {
  get message() {
    throw new Error('message');
  }
}
Object.defineProperty(Bad.prototype, 'name', { value: 'Bad' });

const calls = (c) => {
  const limit = new tm.CallLimit(c.first, c.per_sec);
  return c.at_ms.map((ms) => limit.allow(ms * 1e6));
};
const names = (c, keys) => {
  const redact = tm.redactFromEnv({ TELEMETRY_REDACT: c.pattern || '' });
  return keys ? tm.secretKey(c.name, redact) : redact.test(c.name);
};

process.stdout.write(
  JSON.stringify({
    enabled: vectors.env.enabled.map((c) => tm.enabledFromEnv(c.env)),
    loop_events: vectors.env.loop_events.map((c) => tm.countFromEnv(c.value, vectors.constants.default_loop_events)),
    sampling: vectors.env.sampling.map((c) => tm.samplingFromEnv(c.env)),
    trace: vectors.sampling.trace.map((c) => tm.keepTrace(c.sampler, c.ratio, c.trace_id)),
    loop: vectors.sampling.loop.map((c) => tm.loopKeeps(c.limit, c.n)),
    calls: vectors.sampling.calls.map(calls),
    names: vectors.redaction.names.map((c) => names(c, false)),
    keys: vectors.redaction.keys.map((c) => names(c, true)),
    preview: vectors.preview.cases.map((c) => tm.preview(c.value)),
    // JavaScript previews never run user code, so no value of its own fails to show.
    unrepresentable: [null, null, tm.errorInfo(new Bad())],
  }),
);
