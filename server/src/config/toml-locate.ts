// Finds where a key sits in TOML text, for messages: the TOML parser answers values without
// positions, so a schema error at `rules[1].require` is located here by reading the table headers
// (`[a.b]`, `[[a.b]]`, counted per array of tables) and the `key =` lines of the text.
// Must never throw, and never be needed for correctness: at worst it answers line 1.

export type KeyPath = readonly (string | number)[];

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/**
 * The position of the deepest part of `path` the text spells out: the key's line, or its table's
 * header, or line 1. Items inside an array value (`require[2]`) are reported at the array's key.
 */
export function locateKey(text: string, path: KeyPath): TextPosition {
  let best: { depth: number; at: TextPosition } = { depth: 0, at: { line: 1, column: 1 } };
  let table: (string | number)[] = [];
  const arrayCounts = new Map<string, number>();
  const lines = text.split(/\r\n|\n|\r/);
  let multiline: string | undefined;
  lines.forEach((line, index) => {
    if (multiline) {
      if (line.includes(multiline)) multiline = undefined;
      return;
    }
    const header = /^(\s*)(\[\[?)\s*([^\]]+?)\s*\]\]?/.exec(line);
    let found: (string | number)[] | undefined;
    let column = 1;
    if (header) {
      const keys = splitKeys(header[3]!);
      if (header[2] === '[[') {
        const name = JSON.stringify(keys);
        const count = arrayCounts.get(name) ?? 0;
        arrayCounts.set(name, count + 1);
        table = [...keys, count];
      } else {
        table = keys;
      }
      found = table;
      column = header[1]!.length + 1;
    } else {
      const assignment = /^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=(.*)$/.exec(line);
      if (assignment) {
        found = [...table, ...splitKeys(assignment[2]!)];
        column = assignment[1]!.length + 1;
        const value = assignment[3]!;
        for (const quote of ['"""', "'''"]) {
          const first = value.indexOf(quote);
          if (first >= 0 && value.indexOf(quote, first + 3) < 0) multiline = quote;
        }
      }
    }
    if (!found) return;
    const depth = commonDepth(found, path);
    // Only a line whose whole path lies on the way to the target counts, and the deepest wins.
    if (depth === found.length && depth > best.depth) best = { depth, at: { line: index + 1, column } };
  });
  return best.at;
}

/** `a."b.c".d` -> ['a', 'b.c', 'd']. */
function splitKeys(dotted: string): string[] {
  const keys: string[] = [];
  const pattern = /\s*("([^"]*)"|'([^']*)'|[^.\s"']+)\s*(?:\.|$)/g;
  for (const match of dotted.matchAll(pattern)) keys.push(match[2] ?? match[3] ?? match[1]!);
  return keys;
}

function commonDepth(a: readonly (string | number)[], b: KeyPath): number {
  let depth = 0;
  while (depth < a.length && depth < b.length && a[depth] === b[depth]) depth++;
  return depth;
}
