// Lessons: a validated failure -> fix pair becomes a lesson for that language, kept next to the
// plan cache (`<cache>/lessons/<language>.jsonl`, one JSON object a line, appended). The most
// relevant few (by the words they share with the function) go into later prompts.
// Must never hold a secret: lessons keep the check's error and the probe lines of the fix, never
// the function's own lines. A missing or unwritable folder means no lessons, never a failure.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Lesson {
  error: string;
  /** Probe lines the fix added that the failed proposal lacked. */
  fix: string[];
}

const MAX_KEPT = 200;
const WORDS = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

export class LessonStore {
  private readonly loaded = new Map<string, Lesson[]>();

  /** `dir`: the plan cache's folder; absent: lessons live in memory only. */
  constructor(private readonly dir?: string) {}

  /** The `count` lessons sharing most words with `code`, as prompt lines. */
  relevant(lang: string, code: string, count = 3): string[] {
    const words = new Set(code.match(WORDS) ?? []);
    const scored = this.of(lang).map((l) => {
      const own = new Set(`${l.error} ${l.fix.join(' ')}`.match(WORDS) ?? []);
      let shared = 0;
      for (const w of own) if (words.has(w)) shared++;
      return { l, score: shared / (own.size || 1) };
    });
    return scored
      .sort((a, b) => b.score - a.score)
      .slice(0, count)
      .map(({ l }) => `when a check said "${l.error}", the accepted fix used: ${l.fix.map((f) => `\`${f}\``).join(', ')}`);
  }

  /** Records what fixed `errors`: the probe lines `fixed` has that `failed` lacked. */
  learn(lang: string, errors: readonly string[], failed: string, fixed: string, isProbe: (line: string) => boolean): void {
    const before = new Set(failed.split(/\r?\n|\r/).map((l) => l.trim()));
    const fix = fixed
      .split(/\r?\n|\r/)
      .map((l) => l.trim())
      .filter((l) => l && !before.has(l) && isProbe(l))
      .slice(0, 3);
    const error = generic(errors[0] ?? '');
    if (!error || fix.length === 0) return;
    const lessons = this.of(lang);
    if (lessons.some((l) => l.error === error)) return;
    const lesson = { error, fix };
    lessons.push(lesson);
    if (lessons.length > MAX_KEPT) lessons.shift();
    if (!this.dir) return;
    try {
      mkdirSync(path.join(this.dir, 'lessons'), { recursive: true });
      appendFileSync(this.file(lang), `${JSON.stringify(lesson)}\n`);
    } catch {
      // Lessons are an aid: without a writable folder they last for this process.
    }
  }

  private of(lang: string): Lesson[] {
    let lessons = this.loaded.get(lang);
    if (lessons) return lessons;
    lessons = [];
    if (this.dir) {
      try {
        for (const line of readFileSync(this.file(lang), 'utf8').split('\n')) {
          const l = parse(line);
          if (l) lessons.push(l);
        }
      } catch {
        // No lessons yet.
      }
    }
    this.loaded.set(lang, lessons.slice(-MAX_KEPT));
    return this.loaded.get(lang)!;
  }

  private file(lang: string): string {
    return path.join(this.dir!, 'lessons', `${lang.replace(/[^\w-]/g, '_')}.jsonl`);
  }
}

/** The error without what is particular to one function: line numbers and quoted code. */
function generic(error: string): string {
  return error.replace(/^line \d+: /, '').replace(/`[^`]*`/g, '`…`').slice(0, 200);
}

function parse(line: string): Lesson | undefined {
  try {
    const v = JSON.parse(line) as Partial<Lesson>;
    return typeof v.error === 'string' && Array.isArray(v.fix) && v.fix.every((f) => typeof f === 'string') ? (v as Lesson) : undefined;
  } catch {
    return undefined;
  }
}
