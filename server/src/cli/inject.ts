// `telemetry-injector inject <paths…>`: adds to every function the probe kinds it lacks of those its
// team file requires (./team.ts), in place or under --out, and creates the runtime module where it is missing (the placement rules are the
// language server's, from ../workspace/runtime-location.ts). Everything is computed before anything
// is written, so a runtime that cannot be provided leaves every file untouched.
// Must never overwrite an existing runtime file, and never write anything under --dry-run.
import path from 'node:path';
import { defaultSettings } from '../../../protocol/settings.js';
import { requirementState } from '../config/coverage-rule.js';
import type { FileRequirements } from '../config/requirements.js';
import type { AddResult } from '../engine/engine.js';
import type { FunctionSite } from '../engine/types.js';
import { isInside } from '../workspace/file-filter.js';
import { goModuleOf, locateRuntime, missingRuntimeFiles, type RuntimeFile, type RuntimeLocation } from '../workspace/runtime-location.js';
import { byteSize, ExitCode, needPaths, noIgnoreFlag, noIgnoreOption, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';
import { eachSource, jobsFlag, jobsOption, parseJobs } from './jobs.js';
import { collectSources, displayPath, message, outputPath, resolveRoot, runtimeTemplates, type SourceFile } from './sources.js';
import { llmFlags, llmOptions, LlmStage, parseLlmFlags, type LlmFlagValues } from './llm-stage.js';
import { configFlag, configOption, teamRequirements } from './team.js';
import { createRuntime, writeChanges, type Change } from './write.js';

export const injectHelp = {
  usage:
    'inject <paths…> [--dry-run] [--out DIR] [--config FILE] [--root DIR] [--runtime-path DIR] [--no-ignore] [--max-file-size N] [--jobs N] ' +
    '[--force-llm | --no-llm] [--budget USD] [--max-parallel N]',
  summary: 'add the telemetry the team file requires to every function that lacks it, and create the runtime module where missing',
  flags: [
    ['--dry-run', 'print what would change and write nothing'],
    ['--out DIR', 'write changed files under DIR at their path relative to the root; originals stay as they are'],
    configFlag,
    ['--root DIR', 'the project root (default: the current folder); a path outside it is its own root'],
    ['--runtime-path DIR', 'existing folder, relative to the root (Go: to the module root), for the runtime (default: .)'],
    noIgnoreFlag,
    ['--max-file-size N', 'skip larger files, in bytes, or with k/m (default: 2m)'],
    jobsFlag,
    ...llmFlags,
  ],
} as const;

interface InjectFlags extends LlmFlagValues {
  'dry-run'?: boolean;
  config?: string;
  out?: string;
  root?: string;
  'runtime-path'?: string;
  'max-file-size'?: string;
  'no-ignore'?: boolean;
  jobs?: string;
}

const settingName = '--runtime-path';

export async function inject(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<InjectFlags>('inject', args, {
    'dry-run': { type: 'boolean' },
    out: { type: 'string' },
    root: { type: 'string' },
    'runtime-path': { type: 'string' },
    'max-file-size': { type: 'string' },
    ...noIgnoreOption,
    ...configOption,
    ...jobsOption,
    ...llmOptions,
  });
  needPaths('inject', positionals);
  if (values.out === '') throw new UsageError('--out needs a folder');
  const maxFileSize = byteSize('--max-file-size', values['max-file-size']) ?? defaultSettings.maxFileSize;
  const root = resolveRoot(ctx.cwd, values.root);
  const out = values.out === undefined ? undefined : path.resolve(ctx.cwd, values.out);
  const runtimePath = values['runtime-path'] ?? defaultSettings.runtimePath;
  const jobs = parseJobs(values.jobs);
  const llm = parseLlmFlags(values);
  const engine = await ctx.engine();
  const { reporter, stdout } = ctx;

  const files = await collectSources(positionals, engine, { cwd: ctx.cwd, root, noIgnore: values['no-ignore'] }, reporter);
  const required = await teamRequirements(files, values.config, ctx.cwd, reporter);
  if (!required) return ExitCode.error;
  const templates = runtimeTemplates(engine);
  const changes: (Change & { added: string[] })[] = [];
  const skipped: { display: string; name: string; reason: string }[] = [];
  const runtime = new Map<string, RuntimeFile>();
  const runtimeErrors = new Set<string>();
  /** --dry-run: the functions the LLM would be asked for (instrument leaves none: it proposes or skips). */
  const wouldAsk: { display: string; name: string; reason: string }[] = [];
  const stage = new LlmStage(llm, root, reporter, files.length);
  try {
    await eachSource(files, { jobs, maxFileSize, reporter }, {
      start: async (file, { text, bom }, pool): Promise<Planned> => {
        const { requirements } = required.get(file)!;
        const located = locateRuntime({
          lang: file.lang,
          base: runtimeBase(file),
          runtimePath,
          filePath: file.filePath,
          relPath: file.relPath,
          templates: templates(file.lang),
          settingName,
        });
        if ('error' in located) {
          // Only a file that would change needs the runtime.
          const { functions } = await pool.run({ kind: 'analyze', lang: file.lang, text });
          return { error: located.error, needed: lacksAny(functions, requirements) };
        }
        // Only what is required, and only into functions that lack some of it.
        const options = { ...located.options, kinds: requirements.kinds, redact: requirements.redact, ...(llm.force && { forceLlm: true }) };
        const select = { lacking: { kinds: requirements.kinds, functionTypes: [...requirements.functionTypes] } };
        const first = await pool.run({ kind: 'add', lang: file.lang, text, options, select });
        // A dry run never calls the model: it lists the functions that would need it.
        const result = values['dry-run']
          ? await stage.withoutCalls(file.lang, text, options, select, first)
          : await stage.instrument(file.lang, text, options.relPath, options, select, first);
        return { located, result: { ...result, text: bom + result.text } };
      },
      finish: (file, outcome) => {
        stage.filesDone++;
        if (!outcome.ok) {
          reporter.error(`cannot instrument ${file.display}: ${message(outcome.error)}`);
          return;
        }
        const planned = outcome.value;
        if ('error' in planned) {
          if (planned.needed) runtimeErrors.add(planned.error);
          return;
        }
        const { located, result } = planned;
        for (const s of result.skipped) skipped.push({ display: file.display, ...s });
        for (const n of result.needsLlm) wouldAsk.push({ display: file.display, name: n.name, reason: n.reason });
        if (result.changes.length === 0) return;
        const needed = runtimeTargets(located, file, out);
        if ('error' in needed) {
          runtimeErrors.add(needed.error);
          return;
        }
        for (const target of needed.files) runtime.set(target.path, target);
        changes.push({ display: file.display, dest: outputPath(file, out), text: result.text, added: result.added });
      },
    });
  } finally {
    await stage.close();
  }
  const stop = stage.summary();
  if (runtimeErrors.size > 0) {
    for (const error of runtimeErrors) reporter.error(`${error}; no file was changed`);
    return ExitCode.error;
  }
  const toCreate = [...runtime.values()];
  for (const s of skipped) stdout.write(`${s.display}: skipped \`${s.name}\`: ${s.reason}\n`);
  if (values['dry-run']) {
    for (const change of changes) stdout.write(`${change.display}: would instrument ${change.added.join(', ')}\n`);
    for (const n of wouldAsk) stdout.write(`${n.display}: would ask the LLM for \`${n.name}\` (${n.reason})\n`);
    for (const file of toCreate) stdout.write(`would create ${displayPath(ctx.cwd, file.path)}\n`);
    const asks = wouldAsk.length > 0 ? `${wouldAsk.length} ${plural(wouldAsk.length, 'function')} would need the LLM (not asked in a dry run)\n` : '';
    stdout.write(summary(changes, skipped, toCreate.length, true) + asks + stop);
    return reporter.errors > 0 ? ExitCode.error : ExitCode.ok;
  }
  const created = createRuntime(toCreate, ctx.cwd, reporter);
  if (!created) return ExitCode.error;
  for (const file of created) stdout.write(`created ${displayPath(ctx.cwd, file.path)}\n`);
  const written = writeChanges(changes, reporter);
  stdout.write(summary(written, skipped, created.length, false) + stop);
  return reporter.errors > 0 ? ExitCode.error : ExitCode.ok;
}

/**
 * The folder --runtime-path is relative to: the root, or for Go the module root when the module
 * lies inside the root (the runtime is a package of the module, so it must sit inside it).
 */
function runtimeBase(file: SourceFile): string {
  if (file.lang !== 'go') return file.root;
  const module = goModuleOf(file.filePath);
  return 'error' in module || !isInside(module.dir, file.root) ? file.root : module.dir;
}

/** The runtime files this change needs at its destination, that are not there yet. */
function runtimeTargets(
  located: { dir: string; files: RuntimeFile[] },
  file: SourceFile,
  out: string | undefined,
): { files: RuntimeFile[] } | { error: string } {
  if (out === undefined) {
    const missing = missingRuntimeFiles(located, settingName);
    return 'error' in missing ? missing : { files: missing.missing };
  }
  if (located.dir !== file.root && !isInside(located.dir, file.root)) {
    return { error: `the runtime path ${located.dir} (${settingName}) is outside ${file.root}, so it has no place under --out` };
  }
  return { files: located.files.map((f) => ({ path: outputPath({ filePath: f.path, root: file.root }, out), content: f.content })) };
}

/** One file's work: its runtime's place and the instrumented text (BOM restored), or why the runtime has no place. */
type Planned = { located: RuntimeLocation; result: AddResult } | { error: string; needed: boolean };

function lacksAny(functions: readonly FunctionSite[], requirements: FileRequirements): boolean {
  return functions.some((f) => requirementState(f, requirements) === 'missing');
}

function summary(changes: readonly { added: string[] }[], skipped: readonly { reason: string }[], runtimeFiles: number, dryRun: boolean): string {
  const functions = changes.reduce((sum, change) => sum + change.added.length, 0);
  const verb = dryRun ? 'would be ' : '';
  const lines = [
    `${changes.length} ${plural(changes.length, 'file')} ${dryRun ? 'would change' : 'changed'}, ` +
      `${functions} ${plural(functions, 'function')} ${verb}instrumented, ` +
      `${runtimeFiles} runtime ${plural(runtimeFiles, 'file')} ${dryRun ? 'would be created' : 'created'}, ` +
      `${skipped.length} skipped`,
  ];
  const reasons = new Map<string, number>();
  for (const s of skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1])) lines.push(`  ${count} skipped: ${reason}`);
  return `${lines.join('\n')}\n`;
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
