// The bytes of the two files per cache entry: the plan file (a header line with a checksum, then
// the relocatable plan as JSON) and its index file (provenance: where the plan came from, when it
// was created, which validations it passed). Owns both formats; never touches the disk.
// A file that fails any check here is corrupt: callers count it and never use it.
import { hash } from 'node:crypto';
import { asRelocatable, type RelocatablePlan } from './relocate.js';

export const ENTRY_FORMAT = 1;

export type PlanSource =
  | { kind: 'template' }
  | {
      kind: 'llm';
      model: string;
      attempts: number;
      endpoint?: string;
      inputTokens?: number;
      outputTokens?: number;
      costUsd?: number;
    };

export interface Provenance {
  source: PlanSource;
  /** The template version the plan was made with (cache stats and verify spot outdated entries). */
  templateVersion: string;
  /** Checks the plan passed before it was stored, e.g. `reparse`, `strip-roundtrip`, `relocation`. */
  validations: string[];
}

export interface IndexEntry extends Provenance {
  format: typeof ENTRY_FORMAT;
  key: string;
  lang: string;
  /** ISO time the entry was written; its last use is the plan file's modification time. */
  created: string;
}

interface PlanHeader {
  format: typeof ENTRY_FORMAT;
  key: string;
  lang: string;
  sum: string;
}

export function planFileText(key: string, lang: string, plan: RelocatablePlan): string {
  const body = JSON.stringify(plan);
  const header: PlanHeader = { format: ENTRY_FORMAT, key, lang, sum: checksum(body) };
  return `${JSON.stringify(header)}\n${body}`;
}

/** The plan stored for `key`, or undefined when the text is truncated, altered or not a plan. */
export function parsePlanFile(text: string, key: string): { lang: string; plan: RelocatablePlan } | undefined {
  const cut = text.indexOf('\n');
  if (cut < 0) return undefined;
  const header = parseJson(text.slice(0, cut)) as Partial<PlanHeader> | undefined;
  const body = text.slice(cut + 1);
  if (!header || header.format !== ENTRY_FORMAT || header.key !== key || typeof header.lang !== 'string') return undefined;
  if (header.sum !== checksum(body)) return undefined;
  const plan = asRelocatable(parseJson(body));
  return plan && { lang: header.lang, plan };
}

export function indexFileText(key: string, lang: string, provenance: Provenance, created: Date): string {
  const { source, templateVersion, validations } = provenance;
  const entry: IndexEntry = { format: ENTRY_FORMAT, key, lang, source, templateVersion, created: created.toISOString(), validations };
  return `${JSON.stringify(entry)}\n`;
}

export function parseIndexFile(text: string, key: string): IndexEntry | undefined {
  const v = parseJson(text) as Partial<IndexEntry> | undefined;
  if (!v || v.format !== ENTRY_FORMAT || v.key !== key || typeof v.lang !== 'string' || typeof v.created !== 'string') return undefined;
  if (typeof v.templateVersion !== 'string' || Number.isNaN(Date.parse(v.created))) return undefined;
  if (!Array.isArray(v.validations) || !v.validations.every((x) => typeof x === 'string')) return undefined;
  const s = v.source as Partial<PlanSource & { model: unknown; attempts: unknown }> | undefined;
  const ok = s?.kind === 'template' || (s?.kind === 'llm' && typeof s.model === 'string' && Number.isInteger(s.attempts));
  return ok ? (v as IndexEntry) : undefined;
}

function checksum(body: string): string {
  return hash('sha256', body, 'hex').slice(0, 32);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
