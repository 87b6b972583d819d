// The model side of end-to-end tests: a loopback server's `answer` that reads the function's file,
// name and line from the prompt and answers what a correct model would: the template engine's
// instrumentation (languages with templates), or the function as a hand-instrumented copy of the
// file holds it (languages without). Never used by the product.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../../server/src/engine/engine.js';
import type { LanguageId, ProbeKind } from '../../../server/src/engine/types.js';
import type { LoopbackCall } from '../loopback/index.js';
import { templateAnswer } from './template-answer.js';

export interface ModelOptions {
  /** The project the CLI instruments: prompts name files relative to it. */
  root: string;
  /** For languages without templates: the hand-instrumented copy of a file, by its path relative to the root. */
  handInstrumented?: Record<string, string>;
  /** The kinds the model adds (default all): a model that leaves out what the compiler rejected. */
  kinds?: readonly ProbeKind[];
}

/** Grammars of every language the prompts may name must be loaded (engine.ready) before calls arrive. */
export function templateModel(engine: Engine, options: ModelOptions): (call: LoopbackCall) => string {
  return (call) => {
    const file = /FILE "([^"]+)"/.exec(call.prompt)?.[1];
    const line = Number(/LINE (\d+)/.exec(call.prompt)?.[1]);
    const name = /NAME "([^"]+)"/.exec(call.prompt)?.[1];
    if (!file || !name) return 'no function in the prompt';
    const lang = engine.languageForPath(file) as LanguageId;
    const text = readFileSync(path.join(options.root, file), 'utf8').replace(/^\uFEFF/, '');
    const need = engine.add(lang, text, { relPath: file, runtimeImport: 'rt', forceLlm: true }).needsLlm.find((n) => n.line === line && n.name === name);
    if (!need) return `no function ${name} at line ${line} of ${file}`;
    const hand = options.handInstrumented?.[file];
    if (hand) {
      const site = engine.analyze(lang, hand).functions.find((f) => f.name === name && f.instrumented);
      return JSON.stringify({ code: site ? hand.slice(site.range.start, site.range.end) : '' });
    }
    return JSON.stringify({ code: templateAnswer(engine, lang, text, need, file, options.kinds) });
  };
}
