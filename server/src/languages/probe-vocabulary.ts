// The probe vocabulary of a language as data (`probe-vocabulary.json` in the folder that holds its
// runtime): what a probe may call, the names probes own, the keywords probe statements use, and
// (for languages with templates) the API text the LLM is shown; a language without templates
// describes its API to the model in LanguageSpec.runtimeApi instead. Read by the proposal check
// (what an inserted token may be) and by the prompt.
// Must never be edited by code: the language folder is the one source.
import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';
import type { LanguageSpec } from './spec.js';

export interface ProbeVocabulary {
  /** How probes name the runtime (`_tm`, `_tm.Telemetry`, `crate::telemetry_runtime`). */
  module: string;
  /** The current call's span (`__tel`). */
  span: string;
  /** Other names only probes bind (`__e`). */
  reserved: string[];
  /** Loop handles are this prefix plus digits. */
  handlePrefix: string;
  /** What probes may name after `module.` */
  members: string[];
  /** What probes may name after a loop handle and a dot. */
  handleMembers: string[];
  /** Keywords and built-in names probe statements use. */
  keywords: string[];
  /** Comments the probe forms hold, verbatim (Python's joined-body `try:`). */
  comments: string[];
  /** The API and the probe forms, shown to the model verbatim (absent: LanguageSpec.runtimeApi). */
  doc?: string[];
}

const cache = new Map<string, ProbeVocabulary | null>();

/** The probe vocabulary of `spec`, or null when its folder has none (the LLM cannot serve it then). */
export function probeVocabularyOf(spec: LanguageSpec): ProbeVocabulary | null {
  const folder = spec.runtimeFolder ?? spec.folder;
  let api = cache.get(folder);
  if (api === undefined) {
    try {
      api = JSON.parse(readFileSync(packagePath(folder, 'probe-vocabulary.json'), 'utf8')) as ProbeVocabulary;
    } catch {
      api = null;
    }
    cache.set(folder, api);
  }
  return api;
}
