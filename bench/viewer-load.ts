// Row (k) of `npm run bench`: the trace viewer on a 1-million-event file. Writes the file
// (tests/view/synthetic-events.ts) in a temporary folder, starts the real `telemetry-injector view`
// on it, and measures the time until it serves (the stream-parse and the index), then, where Debian's
// chromium and clients/vscode's playwright-core are installed, the time until the page has rendered
// its first screen (summary, functions, first page of traces, timeline). Memory is the server
// process's peak RSS (VmHWM). Run alone: `node dist/bench/viewer-load.js [--events 1000000]`.
// Must never leave the file or a process behind.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { eventsPerTrace, writeSyntheticEvents } from '../tests/view/synthetic-events.js';

export interface ViewerLoadCost {
  events: number;
  mb: number;
  /** From start until the server answers: stream-parse, call trees, aggregates, timeline rows. */
  indexSeconds: number;
  /** From start until the page's first screen is drawn in chromium; null without a browser. */
  firstRenderSeconds: number | null;
  peakRssMiB: number;
  /** The server's CPU time (user + system) until it served: the figure a busy machine does not inflate. */
  indexCpuSeconds: number;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const LOOKUPS = 4;

/** utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Browser {
  newPage(): Promise<{ goto(url: string): Promise<unknown>; locator(s: string): { waitFor(o: { timeout: number }): Promise<void> } }>;
  close(): Promise<void>;
}

function browserLauncher(): (() => Promise<Browser>) | undefined {
  if (!fs.existsSync('/usr/bin/chromium')) return undefined;
  try {
    const { chromium } = createRequire(path.join(root, 'clients/vscode/package.json'))('playwright-core') as {
      chromium: { launch(o: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> };
    };
    return () => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  } catch {
    return undefined;
  }
}

export async function measureViewerLoad(events = 1_000_000): Promise<ViewerLoadCost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-viewer-bench-'));
  const file = path.join(dir, 'events.jsonl');
  const launch = browserLauncher();
  const browser = launch ? await launch() : undefined;
  try {
    const written = await writeSyntheticEvents(file, { traces: Math.ceil(events / eventsPerTrace(LOOKUPS)), lookups: LOOKUPS });
    const mb = fs.statSync(file).size / 1024 / 1024;
    const started = performance.now();
    const server = spawn(process.execPath, [path.join(root, 'bin/telemetry-injector.js'), 'view', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const found = /trace viewer at (\S+)/.exec(out);
          if (found) resolve(found[1]!);
        });
        server.once('exit', (code) => reject(new Error(`view exited with ${code}: ${out}`)));
      });
      const indexSeconds = (performance.now() - started) / 1000;
      const indexCpuSeconds = cpuSeconds(server.pid!);
      let firstRenderSeconds: number | null = null;
      if (browser) {
        const page = await browser.newPage();
        await page.goto(url);
        await page.locator('body[data-ready="true"]').waitFor({ timeout: 120_000 });
        firstRenderSeconds = (performance.now() - started) / 1000;
      }
      return { events: written, mb, indexSeconds, indexCpuSeconds, firstRenderSeconds, peakRssMiB: peakRss(server.pid!) };
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  } finally {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { events: { type: 'string' } } });
  console.log(JSON.stringify(await measureViewerLoad(Number(values.events ?? 1_000_000)), null, 2));
}
