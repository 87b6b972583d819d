import { beforeAll, describe, expect, it } from 'vitest';
import { bisect } from '../../server/src/engine/blame.js';
import { Engine } from '../../server/src/engine/engine.js';

let engine: Engine;
const opts = { relPath: 'a.js', runtimeImport: './telemetry-runtime.cjs' };

beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('javascript');
});

describe('blame for a new parse error', () => {
  it('lets fixAll instrument every function that validates alone when error recovery moves the error outside them', () => {
    // ajv's compiled applicability.js with a stray quote typed into its first line: instrumenting
    // both functions moves the recovery's error outside both, which once dropped both.
    const text = [
      'Object.defineProperty(exports, "__esModule", { value"wS\tK: true });',
      'exports.shouldUseRule = exports.shouldUseGroup = exports.schemaHasRulesForType = void 0;',
      'function schemaHasRulesForType({ schema, self }, type) {',
      '    const group = self.RULES.types[type];',
      '    return group && group !== true && shouldUseGroup(schema, group);',
      '}',
      'function shouldUseRule(schema, rule) {',
      '    return (schema[rule.keyword] !== undefined ||',
      '        ((_a = rule.definition.implements) === null || _a === void 0 ? void 0 : _a.some((kwd) => schema[kwd] !== undefined)));',
      '}',
    ].join('\n');
    const functions = engine.analyze('javascript', text).functions.filter((f) => !f.broken);
    const alone = functions.filter((f) => engine.add('javascript', text, opts, (g) => g.range.start === f.range.start).added.length > 0);
    expect(alone.length).toBeGreaterThan(0);
    expect(engine.add('javascript', text, opts).added.sort()).toEqual(alone.map((f) => f.name).sort());
  });
});

describe('bisect', () => {
  const suspects = Array.from({ length: 100 }, (_, i) => i);

  it('finds the culprits among 100 suspects in a few tests per culprit', () => {
    let tests = 0;
    const culprits = new Set([17, 64]);
    const found = bisect(suspects, (subset) => (tests++, subset.some((s) => culprits.has(s))));
    expect(found).toEqual([17, 64]);
    expect(tests).toBeLessThanOrEqual(2 * 2 * Math.ceil(Math.log2(100)));
  });

  it('blames a group whole when its halves pass alone and fail together', () => {
    expect(bisect([1, 2], (subset) => subset.length === 2)).toEqual([1, 2]);
  });

  it('never asks about the whole group, which the caller saw fail', () => {
    const asked: number[][] = [];
    bisect(suspects, (subset) => (asked.push(subset), subset.includes(3)));
    expect(asked.some((s) => s.length === suspects.length)).toBe(false);
  });
});
