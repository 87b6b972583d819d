// Python's queries write some nested nodes as wildcards narrowed by a field (or a field's token)
// that only one node type has, because tree-sitter analyses every typed parent node when it
// compiles a query and `check` pays that at start-up (server/languages/python/deep.scm). Each
// wildcard must match exactly what the typed node matches: checked against the grammar's own
// node-types.json (which a grammar update could change) and on text holding every probe form.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Language, Parser, Query } from 'web-tree-sitter';
import { querySource } from '../../server/src/parse/grammars.js';
import { python } from '../../server/languages/python/language.js';
import { packagePath } from '../../server/src/paths.js';

interface TypeRef {
  type: string;
  named: boolean;
}

interface NodeType extends TypeRef {
  fields?: Record<string, { types: TypeRef[] }>;
  children?: { types: TypeRef[] };
  subtypes?: TypeRef[];
}

const nodeTypes = new Map(
  (JSON.parse(readFileSync(packagePath('node_modules/tree-sitter-python/src/node-types.json'), 'utf8')) as NodeType[])
    .filter((t) => t.named)
    .map((t) => [t.type, t]),
);

/** The named node types (supertypes such as `expression` expanded) that can stand under `parent`, in `field` when given. */
function typesUnder(parent: string, field?: string): string[] {
  const node = nodeTypes.get(parent)!;
  const refs = field ? node.fields![field]!.types : [...(node.children?.types ?? []), ...Object.values(node.fields ?? {}).flatMap((f) => f.types)];
  const found = new Set<string>();
  const add = (ref: TypeRef): void => {
    if (!ref.named) return;
    const subtypes = nodeTypes.get(ref.type)?.subtypes;
    if (subtypes) subtypes.forEach(add);
    else found.add(ref.type);
  };
  refs.forEach(add);
  return [...found];
}

/** Whether `type` has `field`, holding one of `tokens` when given. */
function hasField(type: string, field: string, tokens?: string[]): boolean {
  const types = nodeTypes.get(type)?.fields?.[field]?.types;
  return !!types && (!tokens || types.some((t) => !t.named && tokens.includes(t.type)));
}

/**
 * Each wildcard form the queries use: the typed pattern it stands for, the field (and tokens) that
 * single the type out, and every place (parent, and field when the parent's field holds it) it stands.
 */
const forms = [
  { wildcard: '(_ function: (_) @x) @n', typed: '(call function: (_) @x) @n', type: 'call', field: 'function', at: [['boolean_operator', 'right']] },
  {
    wildcard: '(_ object: (_) @x attribute: (_)) @n',
    typed: '(attribute object: (_) @x attribute: (_)) @n',
    type: 'attribute',
    field: 'object',
    at: [['call', 'function'], ['boolean_operator', 'left']],
  },
  {
    wildcard: '(_ left: (_) @x operator: ["and" "or"]) @n',
    typed: '(boolean_operator left: (_) @x) @n',
    type: 'boolean_operator',
    field: 'operator',
    tokens: ['and', 'or'],
    at: [['expression_statement'], ['assignment', 'right']],
  },
  {
    wildcard: '(_ name: (identifier) @x) @n',
    typed: '(named_expression name: (identifier) @x) @n',
    type: 'named_expression',
    field: 'name',
    at: [['expression_statement'], ['parenthesized_expression'], ['assignment', 'right'], ['if_statement', 'condition']],
  },
  {
    wildcard: '(_ alias: (_) @x) @n',
    typed: '(as_pattern alias: (_) @x) @n',
    type: 'as_pattern',
    field: 'alias',
    at: [['with_item', 'value']],
  },
] as { wildcard: string; typed: string; type: string; field: string; tokens?: string[]; at: [string, string?][] }[];

// Every probe form, and near misses that must stay unmatched (assignments, other operators, subscripts).
const sample = [
  'import telemetry_runtime as _tm',
  'def f(a, b=1):',
  '    __tel = __r = _tm.on and _tm.enter("f", "m.py", 2, {"a": a})',
  '    __tel = _tm.on or _tm.enter("f")',
  '    __tel += _tm.on and _tm.enter("f")',
  '    __tel = _tm.on + _tm.enter("f")',
  '    __tel and _tm.var(__tel, 1, "x", x)',
  '    __tel or _tm.branch(__tel, 1, "if", "x")',
  '    __tel and _tm .caught(__tel, 1); __tel and _tm.fin(__tel, 1)',
  '    __tel and _tm.var(__tel)(1) and _tm[0](x) and not _tm.var',
  '    __tel = _tm.var(__tel); __tel += _tm.var(__tel); __tel + _tm.var(__tel)',
  '    __l0 = __tel and _tm.loop(__tel, 1, "for")',
  '    __l0 += __tel and _tm.loop(__tel, 1, "for")',
  '    __l0 and __l0.tick(); __l0 or __l0.done(); __l1 and __l2.done()',
  '    x = a.b.c(d)(e) - (f and g) or h[i]',
  '    (y := 1); z = (w := 2); f(k=(v := 3))',
  '    if (n := len(a)) > 1 or (m := 2): pass',
  '    with open(a) as (b, c), d as e, g: pass',
  '    return (__r := (x))',
  '',
].join('\n');

let language: Language;
let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  language = await Language.load(packagePath(python.grammar));
  parser = new Parser();
  parser.setLanguage(language);
});

afterAll(() => parser.delete());

function matches(source: string, text: string): string[] {
  const query = new Query(language, source);
  const tree = parser.parse(text)!;
  const found = query.matches(tree.rootNode).map((m) => m.captures.map((c) => `${c.name}:${c.node.type}@${c.node.startIndex}-${c.node.endIndex}`).join(' '));
  tree.delete();
  query.delete();
  return found.sort();
}

describe("the wildcard nodes in Python's queries", () => {
  it.each(forms)('stand for $type alone: no other node type that can stand where they do has the field $field', ({ type, field, tokens, at }) => {
    for (const [parent, parentField] of at) {
      const candidates = typesUnder(parent, parentField).filter((t) => hasField(t, field, tokens));
      expect({ parent, parentField, candidates }).toEqual({ parent, parentField, candidates: [type] });
    }
  });

  it.each(forms)('match the same nodes as $typed, where they stand', ({ wildcard, typed, at }) => {
    const where = (inner: string) => at.map(([parent, field]) => `(${parent} ${field ? `${field}: ` : ''}${inner})`).join('\n');
    const typedMatches = matches(where(typed), sample);
    expect(typedMatches.length).toBeGreaterThan(1);
    expect(matches(where(wildcard), sample)).toEqual(typedMatches);
  });

  it('leave the probe statements of the sample found as before, and the near misses unfound', () => {
    const query = new Query(language, querySource(python, python.scanQueries));
    const tree = parser.parse(sample)!;
    const kinds = query.matches(tree.rootNode).flatMap((m) => m.captures.filter((c) => c.name.startsWith('probe.')).map((c) => c.name));
    tree.delete();
    query.delete();
    // Two entries (`__tel = __r = … and …` and `__tel = … or …`; not the augmented assignment or the
    // `+`), the import, and each deep probe statement once (not the chained `and`, the assignments of a
    // call, the `+`, or `__l1 and __l2.done()`).
    expect(kinds.sort()).toEqual(
      ['probe.branch', 'probe.done', 'probe.entry', 'probe.entry', 'probe.exception', 'probe.exception', 'probe.import', 'probe.loop', 'probe.tick', 'probe.variable'].sort(),
    );
  });
});
