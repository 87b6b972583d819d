// The proposal loop: a rejected proposal is repaired from the new errors alone, the last attempt
// may go to the strong model, a repaired failure becomes a lesson for later prompts, and secrets
// never leave in a prompt.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../server/src/engine/engine.js';
import { DEFAULT_REDACT } from '../../../server/src/engine/types.js';
import { readAnswer } from '../../../server/src/llm/propose/answer.js';
import { heal, type Verdict } from '../../../server/src/llm/propose/heal.js';
import { LessonStore } from '../../../server/src/llm/propose/lessons.js';
import { maskSecrets, unmask } from '../../../server/src/llm/propose/mask.js';
import { Proposer } from '../../../server/src/llm/propose/proposer.js';
import { ScriptedClient } from './scripted-client.js';
import { templateAnswer } from './template-answer.js';

let engine: Engine;
const dirs: string[] = [];
beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('python');
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const text = 'def total(items):\n    s = 0\n    for x in items:\n        s += x\n    return s\n';

function setup() {
  const need = engine.add('python', text, { relPath: 't.py', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
  return { need, good: templateAnswer(engine, 'python', text, need, 't.py') };
}

describe('self-healing proposals', () => {
  it('repairs a rejected proposal from its errors and learns a lesson the next prompt carries', async () => {
    const { need, good } = setup();
    const bad = good.replace(/\n[ \t]*__l0 and __l0\.tick\(\)/, '\n        _tm.tick(__l0)');
    expect(bad).not.toBe(good);
    const dir = mkdtempSync(path.join(tmpdir(), 'lessons-'));
    dirs.push(dir);
    const client = new ScriptedClient((_r, i) => JSON.stringify({ code: i === 0 ? bad : good }));
    const proposer = new Proposer({ client, engine, lessons: new LessonStore(dir), mask: false });
    const outcome = await proposer.propose({ lang: 'python', text, relPath: 't.py' }, need);
    expect(outcome.adopted?.provenance).toMatchObject({ model: 'scripted-1', attempts: 2, validations: expect.arrayContaining(['reparse', 'strip-roundtrip', 'probe-calls']) });
    expect(client.requests.map((r) => r.purpose)).toEqual(['plan', 'repair']);
    expect(client.requests[1].prompt).toContain('Your proposal was rejected');
    expect(client.requests[1].prompt).toContain('_tm.tick(__l0)');
    const stored = readFileSync(path.join(dir, 'lessons', 'python.jsonl'), 'utf8').trim().split('\n');
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]).fix).toEqual(['__l0 and __l0.tick()']);
    // A later proposal in a new process reads the lesson into its prompt.
    const later = new ScriptedClient(() => JSON.stringify({ code: good }));
    await new Proposer({ client: later, engine, lessons: new LessonStore(dir), mask: false }).propose({ lang: 'python', text, relPath: 't.py' }, need);
    expect(later.requests[0].prompt).toContain('Lessons from earlier proposals');
    expect(later.requests[0].prompt).toContain('`__l0 and __l0.tick()`');
  });

  it('sends the last attempt to the strong model and stops after three', async () => {
    const { need } = setup();
    const client = new ScriptedClient(() => 'I cannot help with that.');
    const proposer = new Proposer({ client, engine, lessons: new LessonStore(), mask: false, strongLast: true });
    const outcome = await proposer.propose({ lang: 'python', text, relPath: 't.py' }, need);
    expect(outcome.failed).toMatch(/neither \{"code": \.\.\.\} nor one fenced code block/);
    expect(client.requests.map((r) => r.strong ?? false)).toEqual([false, false, true]);
    expect(client.requests.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(outcome.spent.calls).toBe(3);
  });

  it('feeds back only the errors not reported before', async () => {
    const { need, good } = setup();
    const first = good.replace('s = 0', 's = 1');
    const second = good.replace('s = 0', 's = 1').replace('s += x', 's += 2 * x');
    const client = new ScriptedClient((_r, i) => JSON.stringify({ code: [first, second, good][i] }));
    const proposer = new Proposer({ client, engine, lessons: new LessonStore(), mask: false });
    await proposer.propose({ lang: 'python', text, relPath: 't.py' }, need);
    const feedback = (i: number) => client.requests[i].prompt.split('What the checks found:')[1];
    expect(feedback(1)).toContain('line 2');
    // The second proposal fails at the same first line: the same error is not sent as new.
    expect(client.requests[2].prompt).toContain('You sent this proposal before');
  });

  it('accepts one fenced code block when the answer is not JSON', () => {
    expect(readAnswer('Here it is:\n```python\ndef f():\n    pass\n```\n')).toEqual({ code: 'def f():\n    pass' });
    expect(readAnswer('```\na\n```\n```\nb\n```')).toMatchObject({ error: expect.stringContaining('several') });
    expect(readAnswer('{"code": "def f(): pass"}')).toEqual({ code: 'def f(): pass' });
  });

  it('masks key-shaped strings and values of secret names, and puts them back into the answer', async () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123';
    const secretText = `def connect(host):\n    api_key = "${key}"\n    password = 'hunter2hunter2'\n    label = "plain"\n    return host + api_key + password + label\n`;
    const masked = maskSecrets(secretText, 'pass(word)?|api_?key');
    expect(masked.text).not.toContain(key);
    expect(masked.text).not.toContain('hunter2hunter2');
    expect(masked.text).toContain('"plain"');
    expect(unmask(masked.text, masked)).toBe(secretText);
    const need = engine.add('python', secretText, { relPath: 'c.py', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'python', secretText, need, 'c.py');
    // The model sees and answers with placeholders only.
    const client = new ScriptedClient((r) => {
      expect(r.prompt).not.toContain(key);
      expect(r.prompt).not.toContain('hunter2hunter2');
      return JSON.stringify({ code: maskSecrets(good, 'pass(word)?|api_?key').text });
    });
    const outcome = await new Proposer({ client, engine, lessons: new LessonStore(), mask: true }).propose(
      { lang: 'python', text: secretText, relPath: 'c.py', redact: 'pass(word)?|api_?key' },
      need,
    );
    expect(outcome.adopted).toBeDefined();
  });

  it('masks again a secret that a compiler quotes from the unmasked code before the repair prompt carries it', async () => {
    const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123';
    const masked = maskSecrets(`def f():\n    return "${key}"\n`, DEFAULT_REDACT);
    const client = new ScriptedClient((_r, i) => JSON.stringify({ code: i === 0 ? masked.text : `${masked.text}    pass\n` }));
    // javac and rustc print the offending source line under their message, from the unmasked file.
    let calls = 0;
    const check = async (code: string): Promise<Verdict<string>> =>
      calls++ === 0 ? { ok: false, errors: [`a.py:2: error: not here`, code.split('\n')[1]] } : { ok: true, plan: code, validations: [] };
    const outcome = await heal(client, { system: '', prompt: masked.text, masked, check, maxTokens: 100 });
    expect(outcome.ok).toBe(true);
    expect(client.requests[1].prompt).toContain('-     return "__MASKED_SECRET_1__"');
    for (const r of client.requests) expect(r.prompt).not.toContain(key);
  });
});
