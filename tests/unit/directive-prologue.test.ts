import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';

let engine: Engine;
const opts = { relPath: 'a.js', runtimeImport: './telemetry-runtime.cjs' };

beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('javascript');
});

describe('a function body that is one line with a directive prologue', () => {
  // speedscope's release bundle holds `re(()=>{"use strict"})`: a probe after the directive on the
  // same line, with no `;` between them, did not parse, so the function was left out.
  it('is instrumented when the directive has no semicolon, with the probe on a line of its own, and strips back', () => {
    const text = 'var Sh=re(()=>{"use strict"});\nvar g=()=>{"use strict";return 1};\n';
    const added = engine.add('javascript', text, opts);
    expect(added.skipped).toEqual([]);
    expect(added.added).toHaveLength(2);
    expect(added.text).toContain('"use strict"\n  const __tel');
    expect(engine.parse('javascript', added.text).rootNode.hasError).toBe(false);
    expect(engine.add('javascript', added.text, opts).changes).toEqual([]);
    expect(engine.strip('javascript', added.text).text).toBe(text);
  });
});

// Minified bundles (many in node_modules) hold `"use strict";` and the whole program on one line.
// The runtime import used to go on the line after it, so code on that line called probed functions
// before `const _tm = require(...)` had run: a TDZ ReferenceError (tests/runtime/one-line-bundle.test.ts runs them).
describe('a module prologue that shares its line with code', () => {
  const IMPORT_CJS = 'const _tm = require("./telemetry-runtime.cjs");';
  const IMPORT_ESM = 'import * as _tm from "./telemetry-runtime.cjs";';
  const cases = [
    { kind: 'CommonJS with "use strict"', lang: 'javascript', text: '"use strict";var a=function(x){return x+1};function f(n){return a(n)*2}console.log(f(1));\n', before: '"use strict";', imports: IMPORT_CJS },
    { kind: 'a shebang line, then the directive line', lang: 'javascript', text: '#!/usr/bin/env node\n"use strict";var a=function(x){return x+1};console.log(a(1));\n', before: '#!/usr/bin/env node\n"use strict";', imports: IMPORT_CJS },
    { kind: 'an ES module', lang: 'javascript', text: '"use strict";import b from "./b.mjs";export function f(n){return b(n)}f(1);\n', before: '"use strict";', imports: IMPORT_ESM },
    { kind: 'two directives and no final line break', lang: 'javascript', text: '"use strict";"use client";function f(){return 1}f()', before: '"use strict";"use client";', imports: IMPORT_CJS },
    { kind: 'a comment between the directive and the code', lang: 'javascript', text: '"use strict"; /** @type {number} */ var n=function(){return 1}();\r\nvar m=2;\r\n', before: '"use strict";', imports: IMPORT_CJS },
    { kind: 'TypeScript', lang: 'typescript', text: '"use strict";function f(n: number): number{return n}f(1);\n', before: '"use strict";', imports: IMPORT_CJS },
  ] as const;

  it.each(cases)('($kind) gets the runtime import right after the prologue on that line, and strips back byte for byte', async ({ lang, text, before, imports }) => {
    await engine.ready(lang);
    const added = engine.add(lang, text, opts);
    expect(added.skipped).toEqual([]);
    expect(added.added.length).toBeGreaterThan(0);
    expect(added.text.startsWith(`${before}${imports}`)).toBe(true);
    // Nothing else moved: the file has as many lines as before.
    expect(added.text.split('\n').length).toBe(text.split('\n').length);
    expect(engine.parse(lang, added.text).rootNode.hasError).toBe(false);
    expect(engine.strip(lang, added.text).text).toBe(text);
    expect(engine.add(lang, added.text, opts).changes).toEqual([]);
  });

  it('keeps the import on a line of its own when the prologue line holds nothing else', () => {
    const text = '"use strict"; // strict\nfunction f(){return 1}\n';
    const added = engine.add('javascript', text, opts);
    expect(added.text.startsWith(`"use strict"; // strict\n${IMPORT_CJS}\nfunction f(){`)).toBe(true);
    expect(engine.strip('javascript', added.text).text).toBe(text);
  });

  it('strips the form earlier versions wrote, with the import on the line after the whole prologue line', () => {
    const text = '"use strict";var a=function(x){return x+1};\n';
    const added = engine.add('javascript', text, opts).text;
    const older = `${added.replace(IMPORT_CJS, '')}${IMPORT_CJS}\n`;
    expect(engine.strip('javascript', older).text).toBe(text);
  });

  it('leaves a runtime import written further along the line alone', () => {
    const text = `"use strict";var a=1;${IMPORT_CJS}function f(){ const __tel = _tm.on() && _tm.enter("f", "a.js", 1, {}); try {return 1} catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); } }\n`;
    expect(engine.strip('javascript', text).text).toBe(`"use strict";var a=1;${IMPORT_CJS}function f(){return 1}\n`);
  });

  it('keeps Python statements that share a __future__ line before the import, which goes on the next line', async () => {
    await engine.ready('python');
    const text = 'from __future__ import annotations; import os\ndef f():\n    return os.sep\n';
    const added = engine.add('python', text, { relPath: 'a.py', runtimeImport: 'telemetry_runtime' });
    expect(added.text.startsWith('from __future__ import annotations; import os\nimport telemetry_runtime')).toBe(true);
    expect(engine.strip('python', added.text).text).toBe(text);
  });
});
