// Owns what `check --changed-since` calls a changed function: one whose lines (decorators to its
// end) meet a line the working tree added or changed since the ref, unless its text, indentation
// aside, is that of a function whose old lines the diff removed: a function moved (within a file,
// to another file, or into another indentation) without edits is not changed. A function of an
// untracked file is changed.
// Must never run git itself (git-diff.ts does) nor count coverage.
import fs from 'node:fs';
import path from 'node:path';
import { FunctionBlock } from '../cache/function-block.js';
import type { Engine } from '../engine/engine.js';
import type { FunctionSite } from '../engine/types.js';
import { overlaps, textAt, type LineSpan, type WorkingTreeDiff } from './git-diff.js';
import type { SourceFile } from './sources.js';

export class ChangedFunctions {
  private constructor(
    private readonly added: ReadonlyMap<string, readonly LineSpan[]>,
    private readonly untracked: ReadonlySet<string>,
    /** The texts of functions whose old lines the diff removed. */
    private readonly movedAway: ReadonlySet<string>,
  ) {}

  /** Reads the old side of every file the diff removes lines from, to know which functions left it. */
  static async of(diff: WorkingTreeDiff, engine: Engine): Promise<ChangedFunctions> {
    const added = new Map<string, LineSpan[]>();
    const movedAway = new Set<string>();
    for (const file of diff.files) {
      if (file.newPath !== null && file.added.length > 0) added.set(path.join(diff.top, file.newPath), file.added);
      const { oldPath } = file;
      if (oldPath === null || file.removed.length === 0) continue;
      const lang = engine.languageForPath(oldPath);
      const old = lang ? textAt(diff, oldPath) : undefined;
      if (!lang || old === undefined) continue;
      await engine.ready(lang);
      const lines = new GitLines(old);
      for (const site of engine.analyze(lang, old).functions) {
        const [first, last] = lines.span(site);
        const text = normalized(old, site);
        if (text !== undefined && overlaps(file.removed, first, last)) movedAway.add(text);
      }
    }
    return new ChangedFunctions(added, diff.untracked, movedAway);
  }

  /** Whether any of the file's lines changed: files that did not are not read at all. */
  touches(file: SourceFile): boolean {
    const real = realPath(file.filePath);
    return this.untracked.has(real) || this.added.has(real);
  }

  /** For each function of the file (in order), whether it changed. */
  changed(file: SourceFile, text: string, sites: readonly FunctionSite[]): boolean[] {
    const real = realPath(file.filePath);
    if (this.untracked.has(real)) return sites.map(() => true);
    const added = this.added.get(real) ?? [];
    const lines = new GitLines(text);
    return sites.map((site) => {
      const [first, last] = lines.span(site);
      if (!overlaps(added, first, last)) return false;
      const own = normalized(text, site);
      return own === undefined || !this.movedAway.has(own);
    });
  }
}

/** Line numbers as git counts them: only `\n` ends a line (LSP would count a lone `\r` too). */
class GitLines {
  /** Offset of each `\n`. */
  private readonly breaks: number[] = [];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.breaks.push(i);
  }

  /** 1-based first (decorators and all) and last line of a function. */
  span(site: FunctionSite): [number, number] {
    return [this.lineOf(site.headStart), this.lineOf(Math.max(site.range.start, site.range.end - 1))];
  }

  /** 1 + the number of breaks before `offset`. */
  private lineOf(offset: number): number {
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.breaks[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }
}

/** The function's lines (decorators included) without their common indentation. */
function normalized(text: string, site: FunctionSite): string | undefined {
  return FunctionBlock.of(text, { start: site.headStart, end: site.range.end })?.normalized;
}

function realPath(filePath: string): string {
  try {
    return fs.realpathSync(filePath);
  } catch {
    return filePath;
  }
}
