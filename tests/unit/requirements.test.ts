import { describe, expect, it } from 'vitest';
import { lackingKinds, lackMessage, requirementState, type RuleSite } from '../../server/src/config/coverage-rule.js';
import { RequirementLayer, resolveRequirements } from '../../server/src/config/requirements.js';
import { DEFAULT_REDACT, PROBE_KINDS, type ProbeKind } from '../../server/src/engine/types.js';
import { selects } from '../../server/src/pool/tasks.js';

const team = new RequirementLayer({
  base: '/repo',
  require: ['function', 'exception'],
  rules: [
    { languages: ['go'], require: ['function', 'branch'] },
    { paths: ['src/hot/**'], require: ['function', 'loop'] },
    { paths: ['src/hot/**'], languages: ['python'], require: ['function', 'loop', 'variable'] },
    { paths: ['**/*_test.go', 'tests/**'], require: [] },
  ],
  redact: 'secret',
});

const kinds = (filePath: string, lang: 'python' | 'go' | 'typescript', ...layers: (RequirementLayer | undefined)[]) =>
  resolveRequirements(layers, filePath, lang).kinds;

describe('resolving what a file requires', () => {
  it('requires every kind, and redacts the default names, when nothing says otherwise', () => {
    expect(resolveRequirements([], '/repo/a.py', 'python')).toEqual({ kinds: [...PROBE_KINDS], functionTypes: ['*'], redact: DEFAULT_REDACT });
    expect(kinds('/repo/a.py', 'python', undefined, new RequirementLayer({ base: '/repo', require: null }))).toEqual([...PROBE_KINDS]);
  });

  it('takes the top-level require, then every matching rule in order, later rules winning', () => {
    expect(kinds('/repo/src/app.ts', 'typescript', team)).toEqual(['function', 'exception']);
    expect(kinds('/repo/src/main.go', 'go', team)).toEqual(['function', 'branch']);
    expect(kinds('/repo/src/hot/loop.go', 'go', team)).toEqual(['function', 'loop']);
    expect(kinds('/repo/src/hot/loop.py', 'python', team)).toEqual(['function', 'variable', 'loop']);
    expect(kinds('/repo/src/hot/loop_test.go', 'go', team)).toEqual([]);
    expect(kinds('/repo/tests/test_app.py', 'python', team)).toEqual([]);
  });

  it('matches rule paths relative to the layer’s folder, never a file outside it', () => {
    expect(kinds('/elsewhere/src/hot/x.py', 'python', team)).toEqual(['function', 'exception']);
    expect(kinds('/repo/pkg/src/hot/x.ts', 'typescript', team)).toEqual(['function', 'exception']);
  });

  it('lets a later layer (the editor, by default) replace what an earlier one required', () => {
    const editor = new RequirementLayer({ base: '/repo', require: ['function'], redact: 'pin' });
    expect(resolveRequirements([team, editor], '/repo/src/hot/x.py', 'python')).toMatchObject({ kinds: ['function'], redact: 'pin' });
    expect(resolveRequirements([editor, team], '/repo/src/hot/x.py', 'python')).toMatchObject({
      kinds: ['function', 'variable', 'loop'],
      redact: 'secret',
    });
    const rulesOnly = new RequirementLayer({ base: '/repo', rules: [{ languages: ['go'], require: ['function'] }] });
    expect(kinds('/repo/src/hot/x.go', 'go', team, rulesOnly)).toEqual(['function']);
    expect(kinds('/repo/src/hot/x.py', 'python', team, rulesOnly)).toEqual(['function', 'variable', 'loop']);
  });

  it('lists kinds in PROBE_KINDS order whatever order they were written in', () => {
    const layer = new RequirementLayer({ base: '/', require: ['exception', 'function', 'loop'] });
    expect(kinds('/a.py', 'python', layer)).toEqual(['function', 'loop', 'exception']);
  });
});

function site(missing: ProbeKind[], facts: Partial<RuleSite> = {}): RuleSite {
  return { kind: 'function_definition', instrumented: !missing.includes('function'), ignored: false, broken: false, missing, ...facts };
}

const all = { kinds: PROBE_KINDS, functionTypes: ['*'] };
const only = (...required: ProbeKind[]) => ({ kinds: required, functionTypes: ['*'] });

describe('the coverage rule: missing ∩ required', () => {
  it('counts a function with an entry probe that lacks a required deep kind as missing', () => {
    const s = site(['loop', 'exception']);
    expect(lackingKinds(s, all)).toEqual(['loop', 'exception']);
    expect(requirementState(s, all)).toBe('missing');
    expect(requirementState(s, only('function', 'exception'))).toBe('missing');
    expect(lackingKinds(s, only('function', 'exception'))).toEqual(['exception']);
  });

  it('counts it as instrumented when what it lacks is not required', () => {
    expect(requirementState(site(['loop']), only('function', 'branch'))).toBe('instrumented');
    expect(requirementState(site([]), all)).toBe('instrumented');
  });

  it('counts a bare function as missing only when something it lacks is required', () => {
    expect(requirementState(site(['function']), all)).toBe('missing');
    expect(requirementState(site(['function', 'loop']), only('loop'))).toBe('missing');
    expect(requirementState(site(['function']), only('loop'))).toBe('not-required');
    expect(requirementState(site(['function']), only())).toBe('not-required');
  });

  it('keeps requireKinds (grammar node types), ignore comments, broken and skipped functions as before', () => {
    expect(requirementState(site(['function']), { kinds: PROBE_KINDS, functionTypes: ['method_definition'] })).toBe('not-required');
    expect(requirementState(site(['loop']), { kinds: PROBE_KINDS, functionTypes: ['method_definition'] })).toBe('instrumented');
    expect(requirementState(site(['function'], { ignored: true }), all)).toBe('ignored');
    expect(requirementState(site(['loop'], { ignored: true }), all)).toBe('ignored');
    expect(requirementState(site(['function'], { broken: true }), all)).toBe('broken');
    expect(requirementState(site(['function'], { skip: 'no body' }), all)).toBe('skipped');
    expect(lackingKinds(site(['function'], { broken: true }), all)).toEqual([]);
  });

  it('names what a function lacks, in PROBE_KINDS order', () => {
    expect(lackMessage('parse', ['function'])).toBe('`parse` lacks telemetry');
    expect(lackMessage('parse', ['function', 'loop', 'exception'])).toBe('`parse` lacks telemetry');
    expect(lackMessage('parse', ['loop'])).toBe('`parse` lacks loop telemetry');
    expect(lackMessage('parse', ['exception', 'loop'])).toBe('`parse` lacks loop and exception telemetry');
    expect(lackMessage('Counter.bump', ['variable', 'branch', 'loop'])).toBe('`Counter.bump` lacks variable, branch and loop telemetry');
  });

  it('selects for the pool exactly the functions the rule finds missing', () => {
    const at = (start: number, missing: ProbeKind[]) => ({ ...site(missing), nameRange: { start, end: start + 1 } });
    const functions = [at(0, ['function']), at(10, ['loop']), at(20, []), at(30, ['variable'])];
    const select = selects({ lacking: only('function', 'loop') });
    expect(functions.filter((f) => select(f as never)).map((f) => f.nameRange.start)).toEqual([0, 10]);
  });
});
