// Rust's runtime API as an LLM prompt describes it, and the probe forms strip recognises: one
// source of truth, so what the model is told to write is exactly what strip removes.
import type { ProbeForms, RuntimeApi } from '../../src/languages/spec.js';

const M = 'crate::telemetry_runtime';

export const rustProbeForms: ProbeForms = {
  wraps: [
    [`${M}::ret(&__tel, `, ')'],
    [`${M}::check(&__tel, `, ')'],
  ],
};

export const rustRuntimeApi: RuntimeApi = {
  path: M,
  calls: ['enter', 'ret', 'check'],
  summary:
    `The runtime is one module file, telemetry_runtime.rs, declared in the crate root with \`mod telemetry_runtime;\` ` +
    `and named by its full path ${M}, so no \`use\` is needed. \`enter\` returns a guard whose Drop writes the exit ` +
    '(a panic unwinding through it is recorded as the error). Off unless DEBUG=true or TELEMETRY_ENABLED=true; ' +
    'when off, enter is one atomic load.',
  forms: {
    entry:
      `Right after the function's opening brace: a line break, the body's indentation, then ` +
      `\`let __tel = ${M}::enter("Type.method", "src/file.rs", LINE, &[("p1", &p1), ("p2", &p2)]);\` ` +
      '(only parameters whose types implement Debug; none: `&[]`).',
    return:
      `In a function returning Result: wrap the returned value, \`return ${M}::ret(&__tel, VALUE);\` or a tail expression ` +
      `\`${M}::ret(&__tel, VALUE)\`; an Err is recorded as the error (its type must implement Debug).`,
    error:
      `Wrap the operand of \`?\` on a Result: \`${M}::check(&__tel, EXPR)?\` records the Err that returns early. ` +
      'Panics need no probe.',
    exit: 'Written when __tel is dropped at the end of the function, on every path; nothing to insert.',
  },
  example: {
    before: 'fn parse(s: &str) -> Result<i32, std::num::ParseIntError> {\n    let n = s.trim().parse::<i32>()?;\n    Ok(n * 2)\n}',
    after:
      `fn parse(s: &str) -> Result<i32, std::num::ParseIntError> {\n    let __tel = ${M}::enter("parse", "src/lib.rs", 1, &[("s", &s)]);\n` +
      `    let n = ${M}::check(&__tel, s.trim().parse::<i32>())?;\n    ${M}::ret(&__tel, Ok(n * 2))\n}`,
  },
  rules: [
    'Insert only the probe forms above; every other character of the function stays as it was.',
    'Probe arguments are references to parameters, string and integer literals, and &__tel.',
    'Probes go in the function itself, never inside a closure or a nested fn.',
    'No `use`, no other calls, no new bindings besides __tel.',
  ],
};
