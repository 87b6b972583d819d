// Checks values against the JSON schemas in protocol/ (the ones editors use) with Ajv, and words
// each failure for a person: where (`rules[1].require[0]`), what is wrong, and what was found.
// Shared by the team file and the settings, so neither keeps a second copy of its rules.
// Must never throw on a bad value: a failure is data.
import { createRequire } from 'node:module';
import type { Ajv, AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import type { KeyPath } from './toml-locate.js';

export interface SchemaProblem {
  /** Where in the checked value, e.g. ['rules', 1, 'require', 0]; [] for the value itself. */
  path: KeyPath;
  message: string;
}

export type Check = (value: unknown) => SchemaProblem[];

export function schemaCheck(schema: AnySchema): Check {
  return schemaChecks({ schema }).schema!;
}

// Ajv is required on first use (about 17 ms of `check`'s start-up when no team file or setting
// needs checking). The VS Code extension's bundler cannot follow this require, so its build ships
// Ajv and its dependencies as packages beside the bundle (clients/vscode/build.mjs).
const loadAjv = (): typeof Ajv => (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv;

/** One checker per schema, compiled lazily by one Ajv instance (creating an instance is the costly part). */
export function schemaChecks<K extends string>(schemas: Record<K, AnySchema>): Record<K, Check> {
  let ajv: Ajv | undefined;
  const checks = {} as Record<K, Check>;
  for (const key of Object.keys(schemas) as K[]) {
    let validate: ValidateFunction | undefined;
    checks[key] = (value) => {
      // strict: false lets the shipped schemas carry editor-only keywords (markdownDescription,
      // x-taplo); verbose gives each error its schema, whose keys feed "did you mean".
      ajv ??= new (loadAjv())({ allErrors: true, strict: false, verbose: true });
      validate ??= ajv.compile(schemas[key]);
      return validate(value) ? [] : problems(validate, value);
    };
  }
  return checks;
}

function problems(validate: ValidateFunction, value: unknown): SchemaProblem[] {
  const errors = validate.errors ?? [];
  const result: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const problem = describe(error, value);
    const key = `${JSON.stringify(problem.path)} ${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push(problem);
    }
  }
  return result;
}

function describe(error: ErrorObject, root: unknown): SchemaProblem {
  const path = pointerToPath(error.instancePath, root);
  const found = valueAt(root, path);
  const where = path.length > 0 ? `\`${pathText(path)}\`` : 'the table';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(((error.parentSchema as { properties?: object } | undefined)?.properties ?? {}));
      const near = known.find((k) => k !== '$schema' && distance(k, key) <= 2);
      const inside = path.length > 0 ? ` in ${where}` : '';
      return { path: [...path, key], message: `unknown key \`${key}\`${inside}${near ? ` (did you mean \`${near}\`?)` : ''}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, message: `${where} is ${JSON.stringify(found)}; expected one of ${allowed}` };
    }
    case 'type':
      return { path, message: `${where} must be ${article(String(params.type))}, not ${describeValue(found)}` };
    case 'required':
      return { path, message: `${where} needs \`${String(params.missingProperty)}\`` };
    case 'uniqueItems':
      return { path, message: `${where} lists ${JSON.stringify((found as unknown[])[Number(params.i)])} twice` };
    case 'minItems':
      return { path, message: `${where} must not be empty` };
    case 'minLength':
      return { path, message: `${where} must not be empty` };
    default:
      return { path, message: `${where} ${error.message ?? 'does not match the schema'}` };
  }
}

/** `/rules/1/require` -> ['rules', 1, 'require'], numbers where the value is an array. */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let value = root;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(value) ? Number(part) : part;
    path.push(key);
    value = (value as Record<string | number, unknown> | undefined)?.[key];
  }
  return path;
}

function valueAt(root: unknown, path: KeyPath): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | undefined)?.[key], root);
}

/** ['rules', 1, 'require'] -> `rules[1].require`. */
export function pathText(path: KeyPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return value instanceof Date ? 'a date' : 'a table';
  return `${typeof value === 'string' ? 'the string' : typeof value === 'number' || typeof value === 'bigint' ? 'the number' : 'the value'} ${JSON.stringify(typeof value === 'bigint' ? Number(value) : value)}`;
}

function article(type: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'a table', string: 'a string', integer: 'an integer', boolean: 'true or false' };
  return type.split(',').map((t) => words[t] ?? t).join(' or ');
}

/** Levenshtein distance, for "did you mean" on short keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
