// The proposal loop for the functions of one file that the engine reported in `needsLlm`: builds
// each prompt (masked for a remote provider), heals each proposal through the engine's check and
// the language's compile check, learns lessons, and returns the accepted plans with their
// provenance for engine.add(…, { adopted }). Shared by the CLI and the language server.
// Must never touch a file: only engine.add() turns what it returns into edits.
import path from 'node:path';
import { proposalSpan, type AdoptedProposal, type Engine, type NeedsLlm } from '../../engine/engine.js';
import type { Plan } from '../../engine/plan.js';
import { DEFAULT_REDACT, type LanguageId, type ProbeKind } from '../../engine/types.js';
import { languageById } from '../../languages/registry.js';
import { probeVocabularyOf } from '../../languages/probe-vocabulary.js';
import type { LlmClient } from '../types.js';
import { CompileChecker } from './compile-check.js';
import { heal, type Spent, type Verdict } from './heal.js';
import type { LessonStore } from './lessons.js';
import { besideImport } from '../../workspace/runtime-location.js';
import { maskSecrets, remask } from './mask.js';
import { apiLines, planPrompt, SYSTEM_PROMPT } from './prompt.js';

export interface ProposerOptions {
  client: LlmClient;
  /** The engine whose checkProposal() judges proposals (grammars load on demand). */
  engine: Engine;
  lessons: LessonStore;
  compile?: CompileChecker;
  /** Mask secrets in function text (a remote provider). */
  mask: boolean;
  strongLast?: boolean;
  /** The answer's token ceiling (default 4,096, or four times the function's own size when larger). */
  maxTokens?: number;
}

export interface FileToPropose {
  lang: LanguageId;
  text: string;
  relPath: string;
  /** The file on disk, where a compile check finds the project's own tools (`node_modules/.bin/tsc`). */
  path?: string;
  /** EngineOptions.esm: how the runtime import is written. */
  esm?: boolean;
  kinds?: readonly ProbeKind[];
  redact?: string;
}

export interface FunctionOutcome {
  need: NeedsLlm;
  adopted?: AdoptedProposal;
  /** Why no proposal was accepted. */
  failed?: string;
  spent: Spent;
}

const ALL_KINDS: readonly ProbeKind[] = ['function', 'variable', 'branch', 'loop', 'exception'];

export class Proposer {
  readonly compile: CompileChecker;

  constructor(private readonly options: ProposerOptions) {
    this.compile = options.compile ?? new CompileChecker();
  }

  /** Proposes for one function; `signal` aborts between and during calls. */
  async propose(file: FileToPropose, need: NeedsLlm, signal?: AbortSignal): Promise<FunctionOutcome> {
    const { engine, client, lessons } = this.options;
    const spec = languageById(file.lang);
    const api = probeVocabularyOf(spec);
    const none: Spent = { attempts: 0, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    if (!api) return { need, failed: `the ${file.lang} runtime describes no API for proposals (probe-vocabulary.json)`, spent: none };
    await engine.ready(file.lang);
    const span = proposalSpan(file.text, need.range);
    const code = file.text.slice(span.start, span.end);
    const masked = this.options.mask ? maskSecrets(code, file.redact ?? DEFAULT_REDACT) : { text: code, secrets: new Map<string, string>() };
    const prompt = planPrompt({
      language: file.lang,
      api: apiLines(spec.runtimeApi, api.doc),
      code: masked.text,
      name: need.name,
      relPath: file.relPath,
      line: need.line,
      kinds: need.lacks.length ? need.lacks : file.kinds ?? ALL_KINDS,
      lessons: lessons.relevant(file.lang, code),
      ...(need.checkFailed && { checkFailed: remask(need.checkFailed, masked) }),
    });
    const check = async (proposal: string): Promise<Verdict<Plan>> => {
      const verdict = engine.checkProposal(file.lang, file.text, need.offset, proposal);
      if (!verdict.ok) return verdict;
      const validations = [...verdict.validations];
      if (spec.compileChecks) {
        const input = { fileName: path.basename(file.relPath), runtime: engine.runtimeFiles(file.lang), from: file.path && path.dirname(file.path) };
        // The whole file as it would be written, its import naming the runtime the check lays beside it.
        const whole = engine.withImport(file.lang, verdict.text, { runtimeImport: besideImport(file.lang, spec.runtimeFiles, spec.runtimeSubdir), esm: file.esm });
        const report = await this.compile.checkAll(spec.compileChecks, input, file.text, whole);
        const failed = report.failed;
        if (failed) return { ok: false, errors: failed.errors.map((e) => `compile: ${failed.name}: ${e}`) };
        validations.push(...report.passed.map((name) => `compile:${name}`));
      }
      return { ok: true, plan: verdict.plan, validations };
    };
    const maxTokens = this.options.maxTokens ?? Math.max(4096, Math.ceil(code.length));
    const outcome = await heal(
      client,
      {
        system: SYSTEM_PROMPT,
        prompt,
        masked,
        check,
        maxTokens,
        strongLast: this.options.strongLast,
        functionId: `${file.relPath}::${need.name}::${need.kind}`,
        file: file.relPath,
      },
      signal,
    );
    if (!outcome.ok) return { need, failed: outcome.errors[0] ?? 'no proposal passed the checks', spent: pickSpent(outcome) };
    if (outcome.lesson) {
      const probe = (line: string) => line.includes(`${api.module}.`) || line.includes(api.span) || new RegExp(`\\b${api.handlePrefix}\\d`).test(line);
      // Lessons go into later prompts for other functions: what they keep is masked like a prompt.
      const redact = file.redact ?? DEFAULT_REDACT;
      const masked = (t: string) => maskSecrets(t, redact).text;
      lessons.learn(file.lang, outcome.lesson.errors.map(masked), masked(outcome.lesson.failed), masked(outcome.code), probe);
    }
    const provenance = {
      model: outcome.model ?? 'unknown',
      ...(outcome.endpoint && { endpoint: outcome.endpoint }),
      attempts: outcome.attempts,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      costUsd: outcome.costUsd,
      validations: outcome.validations,
    };
    return { need, adopted: { offset: need.offset, plan: outcome.plan, provenance }, spent: pickSpent(outcome) };
  }

  /** What a request would use: the model names for titles, or why the layer cannot be used. */
  describe(): ReturnType<LlmClient['describe']> {
    return this.options.client.describe();
  }
}

function pickSpent(s: Spent): Spent {
  const { attempts, calls, inputTokens, outputTokens, costUsd, model, endpoint } = s;
  return { attempts, calls, inputTokens, outputTokens, costUsd, ...(model && { model }), ...(endpoint && { endpoint }) };
}
