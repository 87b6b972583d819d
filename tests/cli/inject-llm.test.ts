// inject and the LLM: without a provider, or with --no-llm, the functions that need the LLM are
// skipped with the reason and the rest is instrumented; a budget too small for any call stops
// cleanly with a summary of what was left; --dry-run lists what would need the LLM and asks nothing;
// contradictory flags are a usage error.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startOpenAiLoopback } from '../llm/loopback/index.js';
import { cli, makeProject } from './helpers.js';

const projects: string[] = [];
afterAll(() => {
  for (const p of projects) fs.rmSync(p, { recursive: true, force: true });
});

const bare = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('LLM_') || k.endsWith('_API_KEY')) delete env[k];
  return env;
};

function javaProject(): string {
  const root = makeProject([]);
  projects.push(root);
  fs.copyFileSync(path.join(import.meta.dirname, '../../fixtures/java/Calc.java'), path.join(root, 'Calc.java'));
  fs.writeFileSync(path.join(root, 'a.py'), 'def f(x):\n    return x\n');
  return root;
}

describe('inject with functions that need the LLM', () => {
  it('skips them with the reason when no provider is configured, and instruments the rest', async () => {
    const root = javaProject();
    const r = await cli(['inject', '.'], { cwd: root, env: bare() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Calc\.java: skipped `Calc\.add`: needs the LLM \(no templates for java\), which is not configured: no LLM provider configured/);
    expect(fs.readFileSync(path.join(root, 'a.py'), 'utf8')).toContain('_tm.enter("f"');
    expect(fs.readFileSync(path.join(root, 'Calc.java'), 'utf8')).not.toContain('__tel');
  });

  it('never calls the model under --no-llm', async () => {
    const root = javaProject();
    const loopback = await startOpenAiLoopback();
    try {
      const env = { ...bare(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: 'sk-test-x0123456789' };
      const r = await cli(['inject', '--no-llm', '.'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/skipped `Calc\.add`: needs the LLM \(no templates for java\), and --no-llm is set/);
      expect(loopback.calls).toHaveLength(0);
    } finally {
      await loopback.close();
    }
  });

  it('lists the functions that would need the LLM under --dry-run, without calling the model or writing', async () => {
    const root = javaProject();
    const loopback = await startOpenAiLoopback();
    try {
      const env = { ...bare(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: 'sk-test-x0123456789' };
      const r = await cli(['inject', '--dry-run', '.'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls).toHaveLength(0);
      expect(r.stdout).toMatch(/Calc\.java: would ask the LLM for `Calc\.add` \(no templates for java\)/);
      expect(r.stdout).toMatch(/a\.py: would instrument f/);
      expect(r.stdout).toMatch(/\d+ functions? would need the LLM \(not asked in a dry run\)/);
      expect(fs.readFileSync(path.join(root, 'a.py'), 'utf8')).not.toContain('_tm');
    } finally {
      await loopback.close();
    }
  });

  it('stops cleanly with a summary when the budget allows no call', async () => {
    const root = javaProject();
    const loopback = await startOpenAiLoopback();
    try {
      const env = { ...bare(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: 'sk-test-x0123456789' };
      const r = await cli(['inject', '--budget', '0', '--max-parallel', '1', '.'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls).toHaveLength(0);
      expect(r.stdout).toContain('stopped calling the LLM: the budget of $0.00 would be exceeded');
      expect(r.stdout).toMatch(/of 2 files done; spent \$0\.00 of a \$0\.00 budget/);
      expect(r.stdout).toMatch(/functions left uninstrumented:\n {2}Calc\.java::Calc\.Calc::/);
      expect(fs.readFileSync(path.join(root, 'a.py'), 'utf8')).toContain('_tm.enter("f"');
    } finally {
      await loopback.close();
    }
  });

  it('refuses --force-llm with --no-llm, and a budget that is not an amount', async () => {
    const root = javaProject();
    expect((await cli(['inject', '--force-llm', '--no-llm', '.'], { cwd: root, env: bare() })).code).toBe(2);
    const r = await cli(['inject', '--budget', 'lots', '.'], { cwd: root, env: bare() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--budget wants an amount in USD');
  });
});

describe('inject --validate=compile', () => {
  it('sends a function the compiler rejects to the LLM for repair, and keeps the template plans of the rest', async () => {
    const root = makeProject([]);
    projects.push(root);
    fs.writeFileSync(path.join(root, 'a.py'), 'def f(x):\n    y = x + 1\n    return y\n\n\ndef g(z):\n    return z\n');
    // A python3 whose py_compile rejects variable probes, as a real compiler rejects what it cannot take.
    const bin = path.join(root, 'fake-bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'python3'),
      '#!/bin/sh\nfile="$3"\nline=$(grep -n "_tm.var(" "$file" | head -1 | cut -d: -f1)\n' +
        'if [ -n "$line" ]; then echo "  File \\"$file\\", line $line" >&2; echo "SyntaxError: rejected" >&2; exit 1; fi\nexit 0\n',
      { mode: 0o755 },
    );
    const { Engine } = await import('../../server/src/engine/engine.js');
    const { templateModel } = await import('../llm/propose/template-model.js');
    const engine = await Engine.create();
    await engine.ready('python');
    const loopback = await startOpenAiLoopback({ answer: templateModel(engine, { root, kinds: ['function'] }) });
    try {
      const env = { ...bare(), PATH: `${bin}${path.delimiter}${process.env.PATH}`, LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: 'sk-test-x0123456789' };
      const r = await cli(['inject', '--validate=compile', 'a.py'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls).toHaveLength(1);
      expect(loopback.calls[0].prompt).toContain('NAME "f"');
      const text = fs.readFileSync(path.join(root, 'a.py'), 'utf8');
      expect(text).toContain('_tm.enter("f"');
      expect(text).toContain('_tm.enter("g"');
      expect(text).not.toContain('_tm.var(');
    } finally {
      await loopback.close();
    }
  });
});

describe('inject --validate=compile with the type-checking compilers', () => {
  const llmEnv = (url: string) => ({ ...bare(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: url, OPENAI_API_KEY: 'sk-test-x0123456789' });

  it('repairs the Go function whose template plan go vet rejects (a variable probe copies a lock)', async () => {
    const root = makeProject([]);
    projects.push(root);
    fs.writeFileSync(path.join(root, 'go.mod'), 'module example.com/calc\n\ngo 1.21\n');
    // A value from a call holds a lock that syntax cannot see, so the template probes it by value.
    const type = 'type counter struct {\n\tmu sync.Mutex\n\tn  int\n}\n\n// telemetry: ignore\nfunc newCounter() counter { return counter{} }\n';
    const locked = 'func Count(n int) int {\n\tc := newCounter()\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn n + c.n\n}\n';
    const plain = 'func Twice(n int) int {\n\tm := n * 2\n\treturn m\n}\n';
    fs.writeFileSync(path.join(root, 'calc.go'), `package calc\n\nimport "sync"\n\n${type}\n${locked}\n${plain}`);
    const { Engine } = await import('../../server/src/engine/engine.js');
    const { templateModel } = await import('../llm/propose/template-model.js');
    const engine = await Engine.create();
    await engine.ready('go');
    const loopback = await startOpenAiLoopback({ answer: templateModel(engine, { root, kinds: ['function'] }) });
    try {
      const r = await cli(['inject', '--validate=compile', 'calc.go'], { cwd: root, env: llmEnv(loopback.url) });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls).toHaveLength(1);
      expect(loopback.calls[0].prompt).toContain('NAME "Count"');
      expect(loopback.calls[0].prompt).toMatch(/failed a compile check; avoid what it names:\n- compile: go vet: (\.\/)?calc\.go:\d+:\d+: call of _tm\.Var copies lock value: \S*\bcounter contains sync\.Mutex/);
      const text = fs.readFileSync(path.join(root, 'calc.go'), 'utf8');
      expect(text).toContain('_tm.Enter("Count"');
      expect(text).not.toContain('_tm.Var(1, "c", c)');
      // The template plan of the function vet did not blame keeps its variable probe.
      expect(text).toContain('_tm.Var(1, "m", m)');
    } finally {
      await loopback.close();
    }
  });

  it('repairs the TypeScript function whose template plan tsc rejects, with the project\'s own tsc', async () => {
    const root = makeProject([]);
    projects.push(root);
    const repo = path.resolve(import.meta.dirname, '../..');
    fs.mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(path.join(repo, 'node_modules', 'typescript'), path.join(root, 'node_modules', 'typescript'));
    fs.symlinkSync('../typescript/bin/tsc', path.join(root, 'node_modules', '.bin', 'tsc'));
    // The known case the templates get wrong: a function contextually typed to return a template
    // literal type, whose `ret` wrap widens the value to string.
    fs.writeFileSync(
      path.join(root, 'wrap.ts'),
      'export function wrap(s: string): `p:${string}` {\n  const f: () => `p:${string}` = function () {\n    return `p:${s}`;\n  };\n  return f();\n}\n',
    );
    const { Engine } = await import('../../server/src/engine/engine.js');
    const engine = await Engine.create();
    await engine.ready('typescript');
    // A model that answers for the nested function the compiler blamed, its return left unwrapped.
    const source = fs.readFileSync(path.join(root, 'wrap.ts'), 'utf8');
    const all = engine.add('typescript', source, { relPath: 'wrap.ts', runtimeImport: './telemetry-runtime.cjs' }).text;
    const nested = all.slice(all.indexOf('function () {'), all.indexOf('\n  };') + 4).replace('_tm.ret(__tel, (`p:${s}`))', '`p:${s}`');
    const unwrapped = () => JSON.stringify({ code: nested });
    const loopback = await startOpenAiLoopback({ answer: unwrapped });
    try {
      const r = await cli(['inject', '--validate=compile', 'wrap.ts'], { cwd: root, env: llmEnv(loopback.url) });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls).toHaveLength(1);
      expect(loopback.calls[0].prompt).toContain('NAME "wrap.f"');
      expect(loopback.calls[0].prompt).toMatch(/- compile: tsc: wrap\.ts\(\d+,\d+\): error TS2322: Type '\(\) => string' is not assignable to type '\(\) => `p:\$\{string\}`'/);
      const text = fs.readFileSync(path.join(root, 'wrap.ts'), 'utf8');
      expect(text).toContain('_tm.enter("wrap.f"');
      expect(text).toContain('return `p:${s}`;');
      expect(text).toContain('_tm.enter("wrap"');
    } finally {
      await loopback.close();
    }
  });
});
