// The `telemetry-injector` command line: picks the subcommand, prints help and the version, creates
// the process's one engine on first use, and turns usage errors and crashes into exit code 2.
// Must never write results to stderr or messages to stdout, and never call process.exit (stdout
// must drain; `lsp` keeps running after run() returns) except once the reader has closed stdout.
import type { Engine } from '../engine/engine.js';
import { packageVersion } from '../paths.js';
import { ExitCode, UsageError } from './args.js';
import type { CliContext, Output } from './context.js';
import { Reporter, type ErrorStream } from './reporter.js';

interface Help {
  usage: string;
  summary: string;
  flags: readonly (readonly [string, string])[];
}

type Command = (args: readonly string[], ctx: CliContext) => Promise<number | void>;

// Each command's module is imported only when that command runs (or help lists it): `check` must
// not pay for loading the language server, the LLM SDKs or the trace model (start-up, bench (m)).
const commands: Record<string, () => Promise<{ run: Command; help: Help }>> = {
  lsp: () => import('./lsp.js').then((m) => ({ run: m.lsp, help: m.lspHelp })),
  check: () => import('./check.js').then((m) => ({ run: m.check, help: m.checkHelp })),
  inject: () => import('./inject.js').then((m) => ({ run: m.inject, help: m.injectHelp })),
  strip: () => import('./strip.js').then((m) => ({ run: m.strip, help: m.stripHelp })),
  report: () => import('./report.js').then((m) => ({ run: m.report, help: m.reportHelp })),
  export: () => import('./export.js').then((m) => ({ run: m.exportEvents, help: m.exportHelp })),
  trace: () => import('./trace.js').then((m) => ({ run: m.trace, help: m.traceHelp })),
  metrics: () => import('./metrics.js').then((m) => ({ run: m.metrics, help: m.metricsHelp })),
  cache: () => import('./cache.js').then((m) => ({ run: (args: readonly string[]) => m.runCache([...args]), help: m.cacheHelp })),
  view: () => import('./view.js').then((m) => ({ run: m.view, help: m.viewHelp })),
  replay: () => import('./replay.js').then((m) => ({ run: m.replayCommand, help: m.replayHelp })),
  llm: () => import('./llm.js').then((m) => ({ run: m.llm, help: m.llmHelp })),
};

export interface RunOptions {
  cwd?: string;
  stdout?: Output;
  stderr?: ErrorStream;
}

/** Runs one command line; resolves to the exit code, or undefined while the language server runs. */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number | undefined> {
  const stdout = options.stdout ?? process.stdout;
  const reporter = new Reporter(options.stderr ?? process.stderr);
  const [name, ...args] = argv;
  if (name === undefined) return usageError(reporter, 'missing command (lsp, check, inject, strip or report)');
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic !== undefined && !Object.hasOwn(commands, topic)) return usageError(reporter, `unknown command: ${topic}`);
    stdout.write(topic ? commandHelp(topic, (await commands[topic]!()).help) : await mainHelp());
    return ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    stdout.write(`${version()}\n`);
    return ExitCode.ok;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) return usageError(reporter, `unknown command: ${name}`);
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    stdout.write(commandHelp(name, command.help));
    return ExitCode.ok;
  }
  // `check … | head` closes stdout early: stop quietly instead of crashing on EPIPE.
  if (stdout === process.stdout && name !== 'lsp') {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? ExitCode.ok);
    });
  }
  let engine: Promise<Engine> | undefined;
  const ctx: CliContext = {
    cwd: options.cwd ?? process.cwd(),
    stdout,
    reporter,
    engine: () => (engine ??= import('../engine/engine.js').then(({ Engine }) => Engine.create())),
  };
  try {
    const code = await command.run(args, ctx);
    return code ?? undefined;
  } catch (error) {
    if (error instanceof UsageError) return usageError(reporter, error.message, error.hint);
    reporter.error(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.error;
  }
}

function usageError(reporter: Reporter, message: string, hint = true): number {
  for (const line of message.split('\n')) reporter.error(line);
  if (hint) reporter.note('run `telemetry-injector --help` for usage');
  return ExitCode.error;
}

async function mainHelp(): Promise<string> {
  const names = Object.keys(commands);
  const helps = Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await commands[n]!()).help] as const)));
  const width = Math.max(...names.map((n) => n.length));
  const lines = [
    `telemetry-injector ${version()}: finds functions without telemetry and adds or removes probes`,
    '(Python, JavaScript, TypeScript/TSX, Go).',
    '',
    'Usage: telemetry-injector <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${helps[n]!.summary}`),
    `  ${'help'.padEnd(width)}  this text, or \`help <command>\` for one command`,
    '',
    ...names.flatMap((n) => [...commandLines(helps[n]!), '']),
    'Options:',
    '  -h, --help     this text (after a command: that command\'s help)',
    '  -v, --version  the version',
    '',
    'Exit codes: 0 ok; 1 findings (missing telemetry, coverage below the floor, hand-edited probes);',
    '2 usage errors, bad paths, unreadable files, or a runtime module that cannot be created.',
    'Progress goes to stderr when more than 50 files are processed; results go to stdout.',
  ];
  return `${lines.join('\n')}\n`;
}

function commandHelp(name: string, help: Help): string {
  return `${[`telemetry-injector ${name}: ${help.summary}`, '', ...commandLines(help)].join('\n')}\n`;
}

function commandLines(help: Help): string[] {
  const width = Math.max(...help.flags.map(([flag]) => flag.length));
  return [`telemetry-injector ${help.usage}`, ...help.flags.map(([flag, text]) => `    ${flag.padEnd(width)}  ${text}`)];
}

function version(): string {
  return packageVersion();
}
