// The fast tier's check of LLM-call-aware probes, without the SDKs: Python and Node programs build
// objects shaped like the SDKs' responses (fields in an instance's __dict__ as pydantic keeps them,
// plain parsed JSON in Node), and objects whose fields are properties or getters, which the probes
// must never run. The real SDKs are in gen-ai-probes.full.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GEN_AI_KEYS } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import { cleanEnv, instrumentText, readEvents, removeScratch, run, scratch, writeRuntime } from './helpers.js';

const PYTHON = `class Usage:
    def __init__(self):
        self.input_tokens = 11
        self.output_tokens = 3


class Message:
    def __init__(self):
        self.id = "msg_1"
        self.type = "message"
        self.role = "assistant"
        self.model = "claude-haiku-4-5-20251001"
        self.stop_reason = "max_tokens"
        self.usage = Usage()


class Sneaky:
    reads = 0

    @property
    def object(self):
        Sneaky.reads += 1
        return "chat.completion"

    def __getattr__(self, name):
        Sneaky.reads += 1
        return 1


class Eq:
    def __eq__(self, other):
        Sneaky.reads += 1
        return True

    def __bool__(self):
        Sneaky.reads += 1
        return True

    __hash__ = object.__hash__


def answer():
    return Message()


def tricky():
    d = {"model": "m", "object": Eq(), "type": Eq(), "role": Eq(), "done": Eq(), "created_at": Eq(), "done_reason": Eq()}
    return d


def sneaky():
    s = Sneaky()
    return s


def main():
    m = answer()
    sneaky()
    tricky()
    print(m.model, Sneaky.reads)


main()
`;

const NODE = `function answer() {
  const reply = JSON.parse('{"model":"llama3.2:3b","created_at":"2026-12-04T00:00:00Z","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"length","prompt_eval_count":7,"eval_count":2}');
  return reply;
}

let reads = 0;
function sneaky() {
  const s = { get object() { reads++; return 'chat.completion'; }, model: 'gpt-4o-mini' };
  const p = new Proxy({}, { get() { reads++; return 'message'; }, getOwnPropertyDescriptor() { reads++; return undefined; } });
  return [s, p];
}

answer();
sneaky();
console.log('reads', reads);
`;

let dir: string;
beforeAll(async () => {
  const engine = await Engine.create();
  dir = scratch();
  const py = await instrumentText(engine, 'python', PYTHON, { relPath: 'app.py', runtimeImport: 'telemetry_runtime' });
  writeFileSync(join(dir, 'app.py'), py.text);
  writeRuntime(engine, 'python', dir);
  const js = await instrumentText(engine, 'javascript', NODE, { relPath: 'app.cjs', runtimeImport: './telemetry-runtime.cjs' });
  writeFileSync(join(dir, 'app.cjs'), js.text);
  writeRuntime(engine, 'javascript', dir);
}, 120_000);
afterAll(() => removeScratch(dir));

describe('LLM-call-aware probes on SDK-shaped objects', () => {
  it('read a Python response object\'s own fields, and never a property, __getattr__, __eq__ or __bool__', async () => {
    const file = join(dir, 'py.jsonl');
    const result = await run('python3', ['app.py'], { cwd: dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file, PYTHONDONTWRITEBYTECODE: '1' }) });
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'claude-haiku-4-5-20251001 0\n' });
    const events = readEvents(file);
    const exit = events.find((e) => e.event_type === 'function_exit' && e.function_name === 'answer')!;
    expect(Object.keys(exit.gen_ai!)).toEqual([...GEN_AI_KEYS]);
    expect(exit.gen_ai).toEqual({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': null,
      'gen_ai.response.model': 'claude-haiku-4-5-20251001',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['max_tokens'],
    });
    expect(events.find((e) => e.event_type === 'variable_change' && e.variable === 'm')!.gen_ai).toEqual(exit.gen_ai);
    expect(events.filter((e) => (e.function_name === 'sneaky' || e.function_name === 'tricky') && e.gen_ai)).toEqual([]);
  });

  it('read a Node response\'s own data properties, and never a getter or a proxy trap', async () => {
    const file = join(dir, 'js.jsonl');
    const result = await run(process.execPath, ['app.cjs'], { cwd: dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file }) });
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: 'reads 0\n' });
    const events = readEvents(file);
    expect(events.find((e) => e.event_type === 'function_exit' && e.function_name === 'answer')!.gen_ai).toEqual({
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': null,
      'gen_ai.response.model': 'llama3.2:3b',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.response.finish_reasons': ['length'],
    });
    expect(events.filter((e) => e.gen_ai)).toHaveLength(2);
  });
});
