// Turns event files into characterization tests: reads the events once into a call forest,
// selects the calls that can be replayed exactly (select-calls.ts), and has each language write its
// test files under `out`. Answers what it wrote and how many calls it skipped, by reason.
// Must never run the code under test, never overwrite a file outside `out`.
import fs from 'node:fs';
import path from 'node:path';
import { CallForest } from '../trace/call-tree.js';
import { emptyCounts, readEvents, type ReadCounts } from '../trace/event-stream.js';
import { goLanguage } from '../../languages/go/replay.js';
import { javascript } from '../../languages/javascript/replay.js';
import { python } from '../../languages/python/replay.js';
import type { GeneratedFile, ReplayLanguage } from './replay-language.js';
import { selectCalls, type FunctionCases, type SkipReason } from './select-calls.js';

export const REPLAY_LANGUAGES: readonly ReplayLanguage[] = [python, javascript, goLanguage];

export interface ReplayResult {
  read: ReadCounts;
  calls: number;
  functions: number;
  cases: number;
  duplicates: number;
  skipped: Partial<Record<SkipReason, number>>;
  files: { path: string; functions: number; cases: number }[];
}

export interface ReplayOptions {
  events: readonly string[];
  /** Where relative `file` fields of events resolve. */
  root: string;
  out: string;
  languages?: readonly ReplayLanguage['id'][];
}

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const forest = new CallForest();
  const read = emptyCounts();
  for (const file of options.events) for await (const { event } of readEvents(file, read)) forest.add(event);
  forest.finish();

  const sources = new Map<string, string | null>();
  const sourceOf = (file: string) => {
    const abs = path.resolve(options.root, file);
    if (!sources.has(abs)) sources.set(abs, fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : null);
    return { abs, text: sources.get(abs)! };
  };
  const languageOf = (file: string) => REPLAY_LANGUAGES.find((l) => l.owns(file));
  const chosen = (lang: ReplayLanguage | undefined) => lang !== undefined && (!options.languages || options.languages.includes(lang.id));

  const selection = selectCalls(forest, {
    recordsReturns: (file) => languageOf(file)?.recordsReturns ?? true,
    reachable(file, name): SkipReason | undefined {
      const lang = languageOf(file);
      if (!chosen(lang)) return 'language not selected';
      const { text } = sourceOf(file);
      if (text === null) return 'source not found';
      return lang!.reachable(text, name, file);
    },
  });

  const groups = new Map<string, { lang: ReplayLanguage; abs: string; functions: FunctionCases[] }>();
  for (const f of selection.functions) {
    const lang = languageOf(f.file)!;
    const { abs } = sourceOf(f.file);
    const key = `${lang.id}\0${lang.group(abs)}`;
    const group = groups.get(key) ?? { lang, abs, functions: [] };
    group.functions.push(f);
    groups.set(key, group);
  }
  const files: GeneratedFile[] = [];
  for (const { lang, abs, functions } of groups.values()) files.push(...lang.emit(abs, functions, options.out, options.root));
  const seen = new Set<string>();
  for (const file of files) {
    // Two sources with one name (a/util.py, b/util.py) must not overwrite each other's tests.
    let target = file.path;
    for (let n = 2; seen.has(target); n++) {
      target = file.path.endsWith('_test.go') ? file.path.replace(/_test\.go$/, `_${n}_test.go`) : file.path.replace(/(\.[^./]+)(\.[^./]+)?$/, `_${n}$1$2`);
    }
    seen.add(target);
    file.path = target;
    const abs = path.join(options.out, target);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, file.text);
  }
  return {
    read,
    calls: selection.calls,
    functions: selection.functions.length,
    cases: selection.functions.reduce((s, f) => s + f.cases.length, 0),
    duplicates: selection.duplicates,
    skipped: Object.fromEntries(selection.skipped),
    files: files.map(({ path: p, functions, cases }) => ({ path: p, functions, cases })),
  };
}
