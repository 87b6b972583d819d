// Java's runtime API as an LLM prompt describes it, and the probe forms strip recognises: one
// source of truth, so what the model is told to write is exactly what strip removes.
import type { ProbeForms, RuntimeApi } from '../../src/languages/spec.js';

const T = '_tm.Telemetry';

/** Closes the try that wraps the body; it stands where the method's closing brace stood. */
export const JAVA_CLOSE = `} catch (Throwable __e) { ${T}.fail(__tel, __e); throw __e; } finally { ${T}.exit(__tel); }`;

export const javaProbeForms: ProbeForms = {
  close: JAVA_CLOSE,
  wraps: [[`${T}.ret(__tel, `, ')']],
};

export const javaRuntimeApi: RuntimeApi = {
  path: T,
  calls: ['on', 'enter', 'ret', 'fail', 'exit'],
  summary:
    `The runtime is one class, ${T} (file _tm/Telemetry.java under the source root, package _tm), ` +
    'named by its full name so that no import is needed. Telemetry is off unless DEBUG=true or ' +
    'TELEMETRY_ENABLED=true; when off, `on()` is false and no argument is boxed.',
  forms: {
    entry:
      `Right after the method's opening brace (in a constructor, after this(...)/super(...)): a line break, the body's ` +
      `indentation, then \`final ${T}.Span __tel = ${T}.on() ? ${T}.enter("Class.method", "path/File.java", LINE, "p1", p1, "p2", p2) : null; try {\` ` +
      '(name/value pairs for the parameters; none: no pairs).',
    return: `Optional, to record a returned value: \`return ${T}.ret(__tel, VALUE);\` where the method returned VALUE.`,
    error: `\`${JAVA_CLOSE}\` replaces nothing: it is inserted right before the method's closing brace, which moves to the next line with its own indentation.`,
    exit: `Recorded by the finally clause of the same close line; nothing else is needed.`,
  },
  example: {
    before: 'int div(int a, int b) {\n    return a / b;\n}',
    after:
      `int div(int a, int b) {\n    final ${T}.Span __tel = ${T}.on() ? ${T}.enter("Calc.div", "src/Calc.java", 1, "a", a, "b", b) : null; try {\n` +
      `    return ${T}.ret(__tel, a / b);\n${JAVA_CLOSE}\n}`,
  },
  rules: [
    'Insert only the probe forms above; every other character of the method stays as it was.',
    'Probe arguments are parameter names, string and integer literals, and __tel.',
    'Probes go in the method itself, never inside a lambda or a local or anonymous class.',
    'No imports, no other calls, no new variables besides __tel.',
  ],
};
