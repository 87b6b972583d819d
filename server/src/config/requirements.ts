// Owns which probe kinds a file requires: layers of requirements (the team file, the editor's
// settings) applied in order, each one's `require` then every matching `[[rules]]` entry, so that
// whatever comes later wins. Also carries the redact pattern the same way. Plain data in and out.
// Must never read files or settings: callers hand in the layers.
import path from 'node:path';
import picomatch from 'picomatch';
import type { RequirementRule } from '../../../protocol/settings.js';
import { DEFAULT_REDACT, PROBE_KINDS, type LanguageId, type ProbeKind } from '../engine/types.js';
import { toPosix } from '../workspace/file-filter.js';

/** One source of requirements, before its globs are compiled. */
export interface RequirementSource {
  /** The folder rule `paths` are relative to: the team file's, or the workspace folder. */
  base: string;
  /** Replaces what was required before; absent or null: unchanged. */
  require?: readonly ProbeKind[] | null;
  rules?: readonly RequirementRule[];
  redact?: string | null;
}

/** What one file requires: shared by diagnostics, coverage, code actions and the CLI. */
export interface FileRequirements {
  /** Probe kinds required of every function, in PROBE_KINDS order. */
  kinds: ProbeKind[];
  /** Grammar node types of the functions that must carry them (`requireKinds`); `*` means all. */
  functionTypes: readonly string[];
  /** Regex source of names never previewed (EngineOptions.redact). */
  redact: string;
}

/** A source with its globs compiled once. */
export class RequirementLayer {
  private readonly rules: { rule: RequirementRule; matches: (relPath: string) => boolean }[];

  constructor(readonly source: RequirementSource) {
    this.rules = (source.rules ?? []).map((rule) => ({
      rule,
      matches: rule.paths ? picomatch([...rule.paths], { dot: true }) : () => true,
    }));
  }

  /** The kinds required after this layer, given those required before it. */
  apply(kinds: readonly ProbeKind[], filePath: string, lang: LanguageId): readonly ProbeKind[] {
    let result = this.source.require ?? kinds;
    if (this.rules.length === 0) return result;
    const relative = path.relative(this.source.base, filePath);
    const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    const relPath = toPosix(relative);
    for (const { rule, matches } of this.rules) {
      if (rule.languages && !rule.languages.includes(lang)) continue;
      if (rule.paths && !(inside && matches(relPath))) continue;
      result = rule.require;
    }
    return result;
  }
}

/** Every kind, the default of `require`. */
export const everyKind: readonly ProbeKind[] = PROBE_KINDS;

/** Layers in order: later ones win. Undefined entries (no team file, no settings) are skipped. */
export function resolveRequirements(
  layers: readonly (RequirementLayer | undefined)[],
  filePath: string,
  lang: LanguageId,
  functionTypes: readonly string[] = ['*'],
): FileRequirements {
  let kinds: readonly ProbeKind[] = everyKind;
  let redact = DEFAULT_REDACT;
  for (const layer of layers) {
    if (!layer) continue;
    kinds = layer.apply(kinds, filePath, lang);
    if (layer.source.redact) redact = layer.source.redact;
  }
  return { kinds: PROBE_KINDS.filter((kind) => kinds.includes(kind)), functionTypes, redact };
}
