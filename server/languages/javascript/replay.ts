// Replay for JavaScript: one `node:test` file per source module, a test per captured case, checked
// with assert.deepStrictEqual (returns) or assert.rejects with the same error name (raises). Cases
// are JSON text parsed at run time; the module is imported after net and dns are refused, so no
// test reaches the network. Only exported functions of .js/.mjs/.cjs files can be reached.
// Must never import TypeScript sources (Node 20 cannot run them): those are skipped, not guessed.
import path from 'node:path';
import type { GeneratedFile, ReplayLanguage } from '../../src/replay/replay-language.js';
import { commentSafe } from '../../src/replay/replay-language.js';

const js = (text: string) => JSON.stringify(text);

function exported(source: string, name: string): boolean {
  const n = name.replace(/\$/g, '\\$');
  return [
    new RegExp(`^\\s*export\\s+(default\\s+)?(async\\s+)?function\\s*\\*?\\s*${n}\\b`, 'm'),
    new RegExp(`^\\s*export\\s+(const|let|var)\\s+${n}\\b`, 'm'),
    new RegExp(`export\\s*\\{[^}]*\\b${n}\\b[^}]*\\}`),
    new RegExp(`\\bexports\\.${n}\\s*=`),
    new RegExp(`module\\.exports\\s*=\\s*\\{[^}]*\\b${n}\\b[^}]*\\}`),
  ].some((pattern) => pattern.test(source));
}

export const javascript: ReplayLanguage = {
  id: 'javascript',
  owns: (file) => /\.(m|c)?[jt]sx?$/.test(file),
  recordsReturns: true,
  group: (abs) => abs,
  reachable(source, name, file) {
    if (/\.(m|c)?tsx?$/.test(file)) return 'not reachable from a test';
    return exported(source, name) ? undefined : 'not reachable from a test';
  },
  emit(abs, functions, out): GeneratedFile[] {
    const base = path.basename(abs).replace(/\.(m|c)?js$/, '');
    const rel = path.relative(out, abs).split(path.sep).join('/');
    const cases = functions.reduce((s, f) => s + f.cases.length, 0);
    const lines = [
      `// Characterization tests replayed from captured calls of ${commentSafe(path.basename(abs))} (telemetry-injector replay).`,
      '// They pin what the code returned or threw for these arguments when the events were recorded;',
      '// they replay no external effects, and the network is refused while they run.',
      "import assert from 'node:assert/strict';",
      "import dns from 'node:dns';",
      "import net from 'node:net';",
      "import { test } from 'node:test';",
      '',
      "const blocked = () => { throw new Error('replay: network access is blocked in replayed tests'); };",
      'net.Socket.prototype.connect = blocked;',
      'dns.lookup = blocked;',
      'dns.promises.lookup = blocked;',
      '',
      `const mod = await import(new URL(${js(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href);`,
      'const pick = (name) => mod[name] ?? mod.default?.[name];',
      'const thrownAs = (type) => (error) => (error !== null && typeof error === "object" ? error.name === type || error.constructor?.name === type : typeof error === type);',
    ];
    for (const f of functions) {
      lines.push('', `// ${commentSafe(f.file)}:${f.line}`);
      for (const [i, c] of f.cases.entries()) {
        const args = `[${c.args.map(([, v]) => v).join(', ')}]`;
        const title = `${f.name} replays captured call ${i + 1}: (${c.args.map(([k, v]) => `${k}=${v}`).join(', ')})`;
        const call = `pick(${js(f.name)})(...JSON.parse(${js(args)}))`;
        const body =
          c.outcome.kind === 'raises'
            ? `await assert.rejects(async () => ${call}, thrownAs(${js(c.outcome.type)}));`
            : c.outcome.kind === 'returns'
              ? `assert.deepStrictEqual(await ${call}, JSON.parse(${js(c.outcome.json)}));`
              : `await ${call};`;
        lines.push(`test(${js(title.length > 160 ? `${title.slice(0, 159)}…` : title)}, async () => {`, `  ${body}`, '});');
      }
    }
    return [{ path: `${base}.replay.test.mjs`, text: `${lines.join('\n')}\n`, functions: functions.length, cases }];
  },
};
