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
