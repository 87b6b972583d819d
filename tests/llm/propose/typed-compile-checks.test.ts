// The compile checks that type-check: tsc for TypeScript (the project's own, from its
// node_modules/.bin) and go vet after gofmt -e for Go. A proposal that parses, strips back and calls
// only the runtime, but that the checker rejects, is repaired from the checker's own message; a
// file that did not pass the check before is not checked. Real tsc and go, in a temporary project.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../server/src/engine/engine.js';
import type { LanguageId } from '../../../server/src/engine/types.js';
import { languageById } from '../../../server/src/languages/registry.js';
import { CompileChecker } from '../../../server/src/llm/propose/compile-check.js';
import { LessonStore } from '../../../server/src/llm/propose/lessons.js';
import { Proposer } from '../../../server/src/llm/propose/proposer.js';
import { ScriptedClient } from './scripted-client.js';
import { templateAnswer } from './template-answer.js';

const repo = path.resolve(import.meta.dirname, '../../..');
let engine: Engine;
let project: string;
beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('typescript');
  await engine.ready('go');
  project = tsProject();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A project with its own tsc (linked from this repository's), and nothing else. */
function tsProject(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'typed-checks-'));
  mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(path.join(repo, 'node_modules', 'typescript'), path.join(root, 'node_modules', 'typescript'));
  symlinkSync('../typescript/bin/tsc', path.join(root, 'node_modules', '.bin', 'tsc'));
  return root;
}

async function propose(lang: LanguageId, text: string, relPath: string, answers: string[]) {
  const need = engine.add(lang, text, { relPath, runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
  const client = new ScriptedClient((_r, i) => JSON.stringify({ code: answers[Math.min(i, answers.length - 1)] }));
  const proposer = new Proposer({ client, engine, lessons: new LessonStore(), mask: false });
  const outcome = await proposer.propose({ lang, text, relPath, path: path.join(project, relPath) }, need);
  return { need, client, outcome, proposer };
}

const tsText = 'export function label(n: number, unit: string): string {\n  const text = `${n} ${unit}`;\n  return text;\n}\n';

describe('tsc as a compile check', () => {
  it('rejects a proposal whose probe passes a name of the wrong type, and feeds the tsc error back', async () => {
    const need = engine.add('typescript', tsText, { relPath: 'a.ts', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'typescript', tsText, need, 'a.ts');
    // The line of a variable probe is a number; `unit` is a string in scope, which the other checks accept.
    const bad = good.replace(/_tm\.var\(__tel, 1, "text", text\)/, '_tm.var(__tel, unit, "text", text)');
    expect(bad).not.toBe(good);
    const { client, outcome } = await propose('typescript', tsText, 'a.ts', [bad, good]);
    expect(client.requests.map((r) => r.purpose)).toEqual(['plan', 'repair']);
    expect(client.requests[1].prompt).toMatch(/compile: tsc: a\.ts\(\d+,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
    expect(outcome.adopted?.provenance.validations).toContain('compile:tsc');
  });

  it('is not run on a file that did not type-check before, and says why', async () => {
    const broken = tsText.replace('return text;', 'return n;');
    const need = engine.add('typescript', broken, { relPath: 'b.ts', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'typescript', broken, need, 'b.ts');
    const { client, outcome, proposer } = await propose('typescript', broken, 'b.ts', [good]);
    expect(client.requests).toHaveLength(1);
    expect(outcome.adopted?.provenance.validations).not.toContain('compile:tsc');
    // The proposer's own checker, which remembers that the original failed.
    const checker = proposer.compile;
    const checks = languageById('typescript').compileChecks ?? [];
    const input = { fileName: 'b.ts', runtime: engine.runtimeFiles('typescript'), from: project };
    const report = await checker.checkAll(checks, input, broken, broken);
    expect(report).toEqual({ passed: [], notRun: [{ name: 'tsc', why: 'the original file does not pass it either' }] });
  });

  it('is not run where the project has no tsc and none is on PATH', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'no-tsc-'));
    const before = process.env.PATH;
    process.env.PATH = path.dirname(process.execPath);
    try {
      const input = { fileName: 'a.ts', runtime: engine.runtimeFiles('typescript'), from: bare };
      const report = await new CompileChecker().checkAll(languageById('typescript').compileChecks ?? [], input, tsText, tsText);
      expect(report.notRun).toEqual([{ name: 'tsc', why: 'tsc is not in node_modules/.bin or on PATH' }]);
    } finally {
      process.env.PATH = before;
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

// A mutex made in the function: a variable probe that passes (copies) it by value, as a model may
// propose (the templates leave such a variable alone), is what go vet's copylocks analyzer
// reports and gofmt -e, which only parses, does not.
const goText = 'package calc\n\nimport "sync"\n\nfunc Count(n int) int {\n\tmu := sync.Mutex{}\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn n + 1\n}\n';

describe('go vet as a compile check', () => {
  it('rejects a proposal that copies a lock into a probe, which gofmt -e passes, and feeds the vet message back', async () => {
    const need = engine.add('go', goText, { relPath: 'calc.go', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'go', goText, need, 'calc.go', ['function']);
    const bad = good.replace('\tmu := sync.Mutex{}\n', '\tmu := sync.Mutex{}\n\tif _tm.On() { _tm.Var(1, "mu", mu) }\n');
    expect(bad).toContain('_tm.Var(1, "mu", mu)');
    const { client, outcome } = await propose('go', goText, 'calc.go', [bad, good]);
    expect(client.requests.map((r) => r.purpose)).toEqual(['plan', 'repair']);
    expect(client.requests[1].prompt).toMatch(/compile: go vet: (\.\/)?calc\.go:\d+:\d+: call of _tm\.Var copies lock value: sync\.Mutex/);
    expect(client.requests[1].prompt).not.toContain('compile: gofmt');
    expect(outcome.adopted?.provenance.validations).toEqual(expect.arrayContaining(['compile:gofmt', 'compile:go vet']));
  });

  it('is not run on a file whose imports are not at hand offline', async () => {
    const elsewhere = goText.replace('import "sync"', 'import (\n\t"sync"\n\n\t"example.com/elsewhere/util"\n)').replace('return n + 1', 'return util.Add(n, 1)');
    const input = { fileName: 'calc.go', runtime: engine.runtimeFiles('go') };
    const report = await new CompileChecker().checkAll(languageById('go').compileChecks ?? [], input, elsewhere, elsewhere);
    expect(report).toEqual({ passed: ['gofmt'], notRun: [{ name: 'go vet', why: 'the original file does not pass it either' }] });
  });
});
