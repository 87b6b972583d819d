// Checks every language's sites query (its .scm files) against the grammar that uses it: each query must
// compile (a misspelt node or field name fails here, not in a user's editor), and every capture
// name it uses must be one that server/src/engine/sites.ts reads.
import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Language, Parser, Query } from 'web-tree-sitter';
import { languages } from '../../server/src/languages/registry.js';
import type { LanguageSpec } from '../../server/src/languages/spec.js';
import { querySource } from '../../server/src/parse/grammars.js';
import { packagePath } from '../../server/src/paths.js';
import { isDeepCapture } from '../../server/src/engine/sites.js';

/** The capture names sites.ts gives meaning to. Names starting with `_` only feed predicates. */
const readCaptures = [
  'function', 'name', 'body', 'function.named', 'scope', 'class', 'class.receiver', 'class.name',
  'param', 'return.value', 'return.type', 'yield', 'yield.unused', 'await', 'super', 'prologue', 'prologue.module', 'module.syntax',
  'string', 'comment', 'package', 'probe.entry', 'probe.import', 'probe.call', 'error',
];

const grammars = new Map<string, Language>();

beforeAll(async () => {
  await Parser.init();
  for (const spec of languages) grammars.set(spec.id, await Language.load(packagePath(spec.grammar)));
});

function compile(spec: LanguageSpec, source = querySource(spec)): Query {
  return new Query(grammars.get(spec.id)!, source);
}

describe('the sites queries', () => {
  it('exist for every language folder, and every folder belongs to a language', () => {
    const folders = readdirSync(packagePath('server/languages'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `server/languages/${d.name}`);
    expect([...new Set(languages.map((l) => l.folder))].sort()).toEqual(folders.sort());
  });

  it.each(languages.map((l) => [l.id, l] as const))('compile against the %s grammar', (_, spec) => {
    const query = compile(spec);
    expect(query.captureNames).toContain('function');
    query.delete();
  });

  it.each(languages.map((l) => [l.id, l] as const))('use only capture names sites.ts reads (%s)', (_, spec) => {
    const query = compile(spec);
    const unknown = query.captureNames.filter((name) => !name.startsWith('_') && !readCaptures.includes(name) && !isDeepCapture(name));
    query.delete();
    expect(unknown).toEqual([]);
  });

  it.each(languages.map((l) => [l.id, l] as const))('have a light scan query that compiles and reads only known captures (%s)', (_, spec) => {
    const query = compile(spec, querySource(spec, spec.scanQueries));
    const unknown = query.captureNames.filter((name) => !name.startsWith('_') && !readCaptures.includes(name) && !isDeepCapture(name));
    const full = compile(spec);
    // Every capture the scan reads is one the full query has: the scan is a subset, never a dialect.
    const foreign = query.captureNames.filter((name) => !full.captureNames.includes(name));
    query.delete();
    full.delete();
    expect(unknown).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('would fail on a node name the grammar does not have', () => {
    const python = languages.find((l) => l.id === 'python')!;
    expect(() => compile(python, '(function_defintion) @function')).toThrow();
    expect(() => compile(python, '(function_definition nmae: (identifier) @name) @function')).toThrow();
  });
});

describe('the capture list in this test', () => {
  it('names only captures that sites.ts (or site-owners.ts, for what a function owns) mentions', () => {
    const source = ['sites.ts', 'site-owners.ts'].map((f) => readFileSync(packagePath(`server/src/engine/${f}`), 'utf8')).join('\n');
    expect(readCaptures.filter((name) => !source.includes(`'${name}'`))).toEqual([]);
  });

  it('names only captures some query uses', () => {
    const used = new Set<string>();
    for (const spec of languages) {
      const query = compile(spec);
      for (const name of query.captureNames) used.add(name);
      query.delete();
    }
    expect(readCaptures.filter((name) => !used.has(name))).toEqual([]);
  });
});
