// The deep-probe programs of fixtures/runtime/deep/ (the same program in Python, TypeScript and
// Go) as a table: how each language builds and runs it and what each shared scenario must write.
// deep-runtimes.test.ts and otlp-export.test.ts run them; a program is built once per test file.
import { Ajv } from 'ajv';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { eventSchema, type RuntimeLanguage } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import { placeLines, readDeepEvents, type DeepEvent } from './deep-events.js';
import { cleanEnv, fixturePath, GO_ENV, removeScratch, repoRoot, run, runtimeDir, scratch, writeRuntime, type RunResult } from './helpers.js';

const validate = new Ajv({ allErrors: true, strict: false }).compile(eventSchema);

/** Every event of a stream is one of the schema's event types, with its fields. */
export function expectSchema(events: DeepEvent[]): void {
  for (const e of events) expect(validate(e) ? [] : validate.errors, JSON.stringify(e).slice(0, 200)).toEqual([]);
}

export interface Row {
  lang: RuntimeLanguage;
  /** Writes the runtime and the program into dir and builds it; returns the program's text. */
  setup(dir: string): Promise<string>;
  command(dir: string): [string, string[]];
  /** Where each function of the program starts: the line `placeLines` numbers from. */
  header: RegExp;
  demo: string;
  name: { scan: string; firstNegative: string; explode: string; sample: string; secrets: string; countdown: string; grid: string; hot: string; square: string };
  /** The text of the line where scan's loop probe and the found variable's probe are. */
  loopProbe: string;
  foundProbe: string;
  scanDef: string;
  scanBroken: string[];
  scanFinished: string[];
  countdownExits: string[];
  firstNegativeTail: string[];
  explode: { tail: string[]; error: { type: string; message: string } | null };
  /** The function whose inner loop is left early (by an exception or a labelled jump), and its story. */
  leftEarly: { name: string; story: string[] };
  secrets: { args: Record<string, string>; vars: [string, string, boolean][]; customArgs: Record<string, string>; card: string };
}

const compilerOptions = {
  strict: true,
  module: 'nodenext',
  moduleResolution: 'nodenext',
  target: 'es2022',
  types: ['node'],
  typeRoots: [join(repoRoot, 'node_modules/@types')],
};

export const rows: Row[] = [
  {
    lang: 'python',
    async setup(dir) {
      copyFileSync(join(runtimeDir('python'), 'telemetry_runtime.py'), join(dir, 'telemetry_runtime.py'));
      const app = placeLines(readFileSync(fixturePath('deep/deep_app.py'), 'utf8'), /^def /);
      writeFileSync(join(dir, 'deep_app.py'), app);
      return app;
    },
    command: () => ['python3', ['deep_app.py']],
    header: /^def /,
    demo: 'scan 4 None\ncountdown 4\nfirst_negative 2\nguarded caught\npropagate KeyError\nnested 12\npages [0, 1, 2]\npages closed early 0 1\n',
    name: { scan: 'scan', firstNegative: 'first_negative', explode: 'explode', sample: 'sample', secrets: 'secrets', countdown: 'countdown', grid: 'grid', hot: 'hot', square: 'square' },
    loopProbe: '_tm.loop(',
    foundProbe: '"found", found)',
    scanDef: 'def scan(',
    scanBroken: ['function_entry', 'loop for', 'branch else', 'branch elif', 'branch else', 'branch if', 'var found=4', 'exit for 4', 'function_exit'],
    scanFinished: ['function_entry', 'loop for', 'branch else', 'branch else', 'exit for 2', 'function_exit'],
    // countdown(7) continues on every odd n: seven iterations, three of them cut short.
    countdownExits: ['exit while 7'],
    firstNegativeTail: ['branch if', 'exit for 3', 'function_exit'],
    explode: { tail: ['branch if', 'exit for 3', 'function_exit'], error: { type: 'ZeroDivisionError', message: 'zero in [3, 2, 0, 1]' } },
    leftEarly: {
      name: 'nested',
      story: ['function_entry', 'loop for', 'loop for', 'exit for 2', 'loop for', 'except ValueError', 'exit for 2', 'loop for', 'except ValueError', 'exit for 2', 'exit for 3', 'function_exit'],
    },
    secrets: {
      args: { user: '"ada"', password: '<redacted>', api_key: '<redacted>', card_number: '"4111-1111-1111-1234"' },
      vars: [['session_id', '<redacted>', true], ['passphrase', '<redacted>', true], ['card', '"1234-NUMBAT"', false], ['headers', '{"Authorization": <redacted>, "accept": "json"}', false]],
      customArgs: { password: '"hunter2-KOALA"', card_number: '<redacted>' },
      card: 'card',
    },
  },
  {
    lang: 'javascript',
    async setup(dir) {
      const runtime = runtimeDir('javascript');
      for (const f of ['telemetry-runtime.cjs', 'telemetry-runtime.d.cts']) copyFileSync(join(runtime, f), join(dir, f));
      const app = placeLines(readFileSync(fixturePath('deep/deep-app.ts'), 'utf8'), /^(async )?function/);
      writeFileSync(join(dir, 'deep-app.ts'), app);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['deep-app.ts'] }));
      const tsc = await promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir]).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
      );
      // Strict tsc accepts every deep probe form against telemetry-runtime.d.cts.
      expect(tsc).toEqual({ code: 0, output: '' });
      return app;
    },
    command: () => [process.execPath, ['deep-app.js']],
    header: /^(async )?function/,
    demo: 'scan 4 undefined\ncountdown 8\nkeysOf abc\nfirstNegative 2\nguarded caught twice\nlabeled 12\nkind one many\npoll [ 3, 6 ]\npages [ 0, 1, 2 ]\npages closed early 0 1\n',
    name: { scan: 'scan', firstNegative: 'firstNegative', explode: 'explode', sample: 'sample', secrets: 'secrets', countdown: 'countdown', grid: 'grid', hot: 'hot', square: 'square' },
    loopProbe: '_tm.loop(',
    foundProbe: '"found", found)',
    scanDef: 'function scan(',
    scanBroken: ['function_entry', 'loop for-of', 'branch else', 'branch if', 'branch else', 'branch if', 'var found=4', 'exit for-of 4', 'function_exit'],
    scanFinished: ['function_entry', 'loop for-of', 'branch else', 'branch else', 'exit for-of 2', 'function_exit'],
    // countdown(7) continues on every odd n; its do-while then runs once per even n.
    countdownExits: ['exit while 7', 'exit do 4'],
    firstNegativeTail: ['branch if', 'exit for 3', 'function_exit'],
    explode: { tail: ['branch if', 'exit for-of 3', 'function_exit'], error: { type: 'RangeError', message: 'zero in 3,2,0,1' } },
    leftEarly: {
      name: 'labeled',
      story: ['function_entry', 'loop for-of', 'loop for-of', 'exit for-of 2', 'loop for-of', 'branch if', 'exit for-of 2', 'loop for-of', 'branch if', 'exit for-of 2', 'exit for-of 3', 'function_exit'],
    },
    secrets: {
      args: { user: '"ada"', password: '<redacted>', apiKey: '<redacted>', cardNumber: '"4111-1111-1111-1234"' },
      vars: [['sessionId', '<redacted>', true], ['passphrase', '<redacted>', true], ['card', '"1234-NUMBAT"', false], ['headers', '{"Authorization": <redacted>, "accept": "json"}', false]],
      customArgs: { password: '"hunter2-KOALA"', cardNumber: '<redacted>' },
      card: 'card',
    },
  },
  {
    lang: 'go',
    async setup(dir) {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/deep\n\ngo 1.19\n');
      writeRuntime(await Engine.create(), 'go', dir);
      copyFileSync(join(repoRoot, 'tests/runtime/go/deep_internal_test.go'), join(dir, 'telemetry/deep_internal_test.go'));
      const app = placeLines(readFileSync(fixturePath('deep/deep_main.go'), 'utf8'), /^func /);
      writeFileSync(join(dir, 'main.go'), app);
      const build = await run('go', ['build', '-o', 'deep', '.'], { cwd: dir, env: cleanEnv(GO_ENV) });
      expect(build, build.stderr).toMatchObject({ code: 0 });
      return app;
    },
    command: (dir) => [join(dir, 'deep'), []],
    header: /^func /,
    demo: 'scan 4 -1\ncountdown 4\nfirstNegative 2\nguarded recovered\nlabeled 12\nkind one many other\nopen missing\nworkers 42456\n',
    name: { scan: 'Scan', firstNegative: 'FirstNegative', explode: 'Explode', sample: 'Sample', secrets: 'Secrets', countdown: 'Countdown', grid: 'Grid', hot: 'Hot', square: 'Square' },
    loopProbe: '_tm.Loop(',
    foundProbe: '"found", found)',
    scanDef: 'func Scan(',
    scanBroken: ['function_entry', 'loop for', 'branch else', 'branch if', 'branch else', 'branch if', 'var found=4', 'exit for 4', 'function_exit'],
    scanFinished: ['function_entry', 'loop for', 'branch else', 'branch else', 'exit for 2', 'function_exit'],
    countdownExits: ['exit for 7'],
    firstNegativeTail: ['branch if', 'exit for 3', 'function_exit'],
    // A panic writes an exception (clause "panic") from Exit before the loop exits and function_exit.
    explode: { tail: ['branch if', 'panic string', 'exit for 3', 'function_exit'], error: { type: 'string', message: 'zero in [3 2 0 1]' } },
    leftEarly: {
      name: 'Labeled',
      story: ['function_entry', 'loop for', 'loop for', 'exit for 2', 'loop for', 'branch if', 'exit for 2', 'loop for', 'branch if', 'exit for 2', 'exit for 3', 'function_exit'],
    },
    secrets: {
      args: { user: '"ada"', password: '<redacted>', apiKey: '<redacted>', cardNumber: '"4111-1111-1111-1234"' },
      vars: [['sessionID', '<redacted>', true], ['passphrase', '<redacted>', true], ['card', '"1234-NUMBAT"', false], ['headers', '{"Authorization": <redacted>}', false]],
      customArgs: { password: '"hunter2-KOALA"', cardNumber: '<redacted>' },
      card: 'card',
    },
  },
];

const built = new Map<RuntimeLanguage, Promise<void>>();
const folders: string[] = [];
afterAll(() => folders.forEach(removeScratch));

/**
 * A row's program in a scratch folder, built once for the whole file (the table's describe and
 * the language's own tests share it), with a way to run it traced or not.
 */
export function program(row: Row) {
  const ctx = {
    dir: '',
    app: '',
    demo: [] as DeepEvent[],
    run(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
      const [command, prefix] = row.command(ctx.dir);
      const extra: Record<string, string> = row.lang === 'python' ? { PYTHONDONTWRITEBYTECODE: '1' } : {};
      return run(command, [...prefix, ...args], { cwd: ctx.dir, env: cleanEnv({ ...extra, ...env }) });
    },
    async traced(label: string, args: string[], env: Record<string, string> = {}) {
      const file = join(ctx.dir, `${label}.jsonl`);
      const result = await ctx.run(args, { DEBUG: 'true', TELEMETRY_FILE: file, ...env });
      return { result, file, events: readDeepEvents(file), text: existsSync(file) ? readFileSync(file, 'utf8') : '' };
    },
  };
  beforeAll(async () => {
    if (!built.has(row.lang)) {
      built.set(row.lang, (async () => {
        const shared = sharedOf.get(row.lang)!;
        shared.dir = scratch();
        folders.push(shared.dir);
        shared.app = await row.setup(shared.dir);
        ctx.dir = shared.dir;
        const { result, events } = await ctx.traced('demo', ['demo']);
        expect(result).toMatchObject({ code: 0, stdout: row.demo, stderr: '' });
        shared.demo = events;
      })());
    }
    await built.get(row.lang);
    Object.assign(ctx, sharedOf.get(row.lang));
  }, 300_000);
  if (!sharedOf.has(row.lang)) sharedOf.set(row.lang, { dir: '', app: '', demo: [] });
  return ctx;
}

const sharedOf = new Map<RuntimeLanguage, { dir: string; app: string; demo: DeepEvent[] }>();

