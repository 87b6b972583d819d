// `telemetry-injector view <events.jsonl…> [--port N] [--open] [--format chrome|speedscope --out FILE]`:
// reads the event files once and either serves the trace viewer on 127.0.0.1 until interrupted, or
// writes them in another tool's format. Prints the address (or what it wrote) and how many lines it skipped.
// Must never listen beyond loopback, never modify an event file, and never wait on the browser it opens.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { otherVersionMessage } from '../trace/event-stream.js';
import { writeChrome, writeSpeedscope } from '../view/exports.js';
import { ViewIndex } from '../view/view-index.js';
import { serveView } from '../view/view-server.js';
import { ExitCode, needPaths, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

export const viewHelp = {
  usage: 'view <events.jsonl…> [--port N] [--open] [--format chrome|speedscope] [--out FILE]',
  summary: 'open event files in a local trace viewer (timeline, call trees, figures), or export them for Perfetto or speedscope',
  flags: [
    ['--port N', 'the port on 127.0.0.1 (default: a free one)'],
    ['--open', 'open the page in the default browser'],
    ['--format chrome|speedscope', 'write Chrome trace-event JSON (Perfetto, chrome://tracing) or speedscope JSON instead of serving'],
    ['--out FILE', 'where --format writes (default: stdout)'],
  ],
} as const;

interface Options {
  port?: string;
  open?: boolean;
  format?: string;
  out?: string;
}

export async function view(args: readonly string[], ctx: CliContext): Promise<number | void> {
  const { values, positionals } = parse<Options>('view', args, {
    port: { type: 'string' },
    open: { type: 'boolean' },
    format: { type: 'string' },
    out: { type: 'string' },
  });
  needPaths('view', positionals, 'event file');
  if (values.format !== undefined && values.format !== 'chrome' && values.format !== 'speedscope') {
    throw new UsageError(`view: --format is chrome or speedscope, not "${values.format}"`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`view: --port wants a port number, not "${values.port}"`);
  const files = positionals.map((arg) => path.resolve(ctx.cwd, arg));
  for (const [i, file] of files.entries()) {
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) ctx.reporter.error(`no such event file: ${positionals[i]}`);
  }
  if (ctx.reporter.errors > 0) return ExitCode.error;

  const index = await ViewIndex.load(files, ctx.cwd);
  const summary = index.summary();
  for (const file of index.files) {
    const message = otherVersionMessage(file, file.path);
    if (message) ctx.reporter.warn(message);
  }
  const skipped = summary.skipped
    ? `; ${summary.skipped} lines skipped (${index.files.map((f) => `${f.path}: ${f.malformed} malformed, ${f.unknownType} of unknown type${f.otherVersion ? `, ${f.otherVersion} of schema version ${f.otherVersionSeen}` : ''}`).join('; ')})`
    : '';
  const read = `${summary.calls} calls in ${summary.traces} traces, ${summary.functions} functions${skipped}`;

  if (values.format) {
    const out = values.out ? fs.createWriteStream(path.resolve(ctx.cwd, values.out)) : undefined;
    const sink = out ?? ctx.stdout;
    if (!out && summary.skipped) ctx.reporter.note(read);
    const counts = values.format === 'chrome' ? writeChrome(index, sink) : writeSpeedscope(index, sink, path.basename(files[0]!));
    if (out) {
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
      const clamped = counts.clamped ? `; ${counts.clamped} async calls clamped to nest` : '';
      ctx.stdout.write(`${values.out}: ${values.format} JSON, ${read}${clamped}\n`);
    }
    return ExitCode.ok;
  }

  const server = await serveView(index, port);
  ctx.stdout.write(`${read}\ntrace viewer at ${server.url} (Ctrl+C to stop)\n`);
  if (values.open) openBrowser(server.url, ctx);
  const stop = () => void server.close().then(() => process.exit(ExitCode.ok));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Hands the address to the desktop's opener and forgets it: the viewer never waits on a browser. */
function openBrowser(url: string, ctx: CliContext): void {
  const [command, ...args] =
    process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  const child = spawn(command!, args, { stdio: 'ignore', detached: true });
  child.on('error', () => ctx.reporter.note(`could not open a browser (${command}); open ${url} yourself`));
  child.unref();
}
