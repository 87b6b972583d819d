// Maps language ids and file extensions to the descriptors in server/languages/<id>/.
// Adding a language means adding its folder and one line here.
import { extname } from 'node:path';
import { go } from '../../languages/go/language.js';
import { java } from '../../languages/java/language.js';
import { javascript } from '../../languages/javascript/language.js';
import { python } from '../../languages/python/language.js';
import { rust } from '../../languages/rust/language.js';
import { tsx, typescript } from '../../languages/typescript/language.js';
import type { LanguageId } from '../engine/types.js';
import type { LanguageSpec } from './spec.js';

export const languages: readonly LanguageSpec[] = [python, javascript, typescript, tsx, go, java, rust];

const byId = new Map<LanguageId, LanguageSpec>(languages.map((l) => [l.id, l]));
const byExtension = new Map<string, LanguageSpec>(
  languages.flatMap((l) => l.extensions.map((e) => [e, l] as const)),
);

export function languageById(id: LanguageId): LanguageSpec {
  const spec = byId.get(id);
  if (!spec) throw new Error(`unknown language: ${id}`);
  return spec;
}

export function languageForPath(path: string): LanguageSpec | undefined {
  if (path.endsWith('.d.ts') || path.endsWith('.d.mts') || path.endsWith('.d.cts')) return undefined;
  return byExtension.get(extname(path).toLowerCase());
}

/** LSP languageId values as editors send them. */
export function languageForLspId(lspId: string): LanguageSpec | undefined {
  const aliases: Record<string, LanguageId> = {
    python: 'python',
    javascript: 'javascript',
    javascriptreact: 'javascript',
    typescript: 'typescript',
    typescriptreact: 'tsx',
    go: 'go',
    java: 'java',
    rust: 'rust',
  };
  const id = aliases[lspId];
  return id ? byId.get(id) : undefined;
}
