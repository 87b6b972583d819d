// A separate process for the plan cache tests (run with vite-node), so that the cache is shared
// across processes for real and so a process can run with limits the test process should not
// have (a file size limit, another user). Prints one JSON line on stdout.
//   add <cacheDir> <file>...  engine.add on each file with and without the cache: same results?
//   put <cacheDir> <count>    puts <count> fixed entries, each twice, as fast as it can
import { readFileSync } from 'node:fs';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { Engine } from '../../server/src/engine/engine.js';
import { childEntry, LANGUAGES, options } from './helpers.js';

const [mode, dir, ...rest] = process.argv.slice(2);
const logs: string[] = [];
const cache = new PlanCache({ dir, log: (m) => logs.push(m) });

if (mode === 'add') {
  const plain = await Engine.create();
  const cached = await Engine.create({ cache });
  let same = true;
  for (const file of rest) {
    const lang = plain.languageForPath(file)!;
    await Promise.all(LANGUAGES.map((l) => Promise.all([plain.ready(l), cached.ready(l)])));
    const text = readFileSync(file, 'utf8');
    const a = plain.add(lang, text, options(lang, file));
    const b = cached.add(lang, text, options(lang, file));
    same &&= JSON.stringify(a) === JSON.stringify(b);
  }
  await cache.flush();
  process.stdout.write(`${JSON.stringify({ same, counters: cache.counters, logs })}\n`);
} else if (mode === 'put') {
  const count = Number(rest[0]);
  const provenance = { source: { kind: 'template' as const }, templateVersion: 'child', validations: ['relocation'] };
  for (let round = 0; round < 2; round++) {
    // A new cache per round: the memory of the first would skip the second round's writes.
    const writer = round === 0 ? cache : new PlanCache({ dir, log: (m) => logs.push(m) });
    for (let i = 0; i < count; i++) {
      const { key, plan } = childEntry(i);
      writer.put(key, 'python', plan, provenance);
    }
    await writer.flush();
    if (round === 1) Object.assign(cache.counters, { writes: cache.counters.writes + writer.counters.writes });
  }
  process.stdout.write(`${JSON.stringify({ counters: cache.counters, logs })}\n`);
}
