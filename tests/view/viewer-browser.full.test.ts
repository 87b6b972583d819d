// The trace viewer in a real browser: `telemetry-injector view` (the built CLI) serves a synthetic
// event file with bad lines, and Debian's chromium, driven by playwright-core, checks that the
// timeline renders, search finds a trace and opens its call tree and sequence diagram, and clicking
// a function lists its calls. Screenshots go to tests/view/screenshots/ (gitignored) for a person.
// Full tier: needs /usr/bin/chromium and clients/vscode's dev dependencies (.ci/run installs both).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, repoRoot } from '../cli/helpers.js';
import { writeSyntheticEvents } from './synthetic-events.js';

const shots = path.join(repoRoot, 'tests/view/screenshots');

interface Locator {
  click(): Promise<void>;
  count(): Promise<number>;
  first(): Locator;
  innerText(): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string): Promise<string | null>;
  waitFor(options?: { state?: string; timeout?: number }): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  fill(selector: string, value: string): Promise<void>;
  locator(selector: string): Locator;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'pageerror', listener: (error: Error) => void): void;
  on(event: 'request', listener: (request: { url(): string }) => void): void;
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
const { chromium } = createRequire(path.join(repoRoot, 'clients/vscode/package.json'))('playwright-core') as {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> };
};

let dir: string;
let viewer: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;
const pageErrors: string[] = [];

/**
 * Waits until `selector` matches `want` elements (the page's CSP forbids evaluating strings in it),
 * for as long as the page loads wait (30 s): a browser on a loaded machine can take longer than 10 s.
 */
async function count(selector: string, want: (n: number) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  let n = await page.locator(selector).count();
  while (!want(n)) {
    if (Date.now() > deadline) throw new Error(`${selector}: ${n} elements`);
    await nextTurn();
    n = await page.locator(selector).count();
  }
}
const foreignRequests: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-viewer-'));
  const events = path.join(dir, 'events.jsonl');
  await writeSyntheticEvents(events, { traces: 60, lookups: 4 });
  fs.appendFileSync(events, 'not json\n{"event_type":"function_ex');
  viewer = spawn(process.execPath, [bin, 'view', events], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    viewer!.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const found = /trace viewer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (found) resolve(found[1]!);
    });
    viewer!.once('exit', (code) => reject(new Error(`view exited with ${code}: ${out}`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith(url)) foreignRequests.push(request.url());
  });
  fs.mkdirSync(shots, { recursive: true });
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (viewer?.exitCode === null) {
    const exited = new Promise((resolve) => viewer!.once('exit', resolve));
    viewer.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the trace viewer page', () => {
  it('renders the timeline and says how many lines it skipped', async () => {
    expect(Number(await page.locator('#timeline').getAttribute('data-bars'))).toBeGreaterThan(0);
    expect(await page.locator('#skipped').innerText()).toBe('2 lines skipped');
    expect(await page.locator('#summary').innerText()).toContain('360 calls · 60 traces');
    await page.screenshot({ path: path.join(shots, 'overview.png') });
  });

  it('finds a trace by id and opens its call tree with errors highlighted and links to the source', async () => {
    await page.fill('#search', '00000000000000000000000000000007');
    await count('#traces .trace-row', (n) => n === 1);
    await page.locator('#traces .trace-row').first().click();
    await count('#tree .node', (n) => n === 6);
    const head = await page.locator('#tree .node.failed .head').first().innerText();
    expect(head).toContain('handle_request');
    expect(head).toContain('raised KeyError: no such user');
    const link = await page.locator('#tree .node a.loc').first().getAttribute('href');
    expect(link).toBe(`vscode://file${dir}/app/server.py:10`);
    const inline = await page.locator('#tree .inline').allInnerTexts();
    expect(inline.some((text) => text.startsWith('variable change id = 6'))).toBe(true);
    await page.screenshot({ path: path.join(shots, 'call-tree.png') });
  });

  it('draws the selected trace as a sequence diagram', async () => {
    await page.locator('button[data-tab="sequence-pane"]').click();
    // Six calls: six arrows out and six returns back.
    expect(await page.locator('#sequence svg').getAttribute('data-messages')).toBe('12');
    await page.screenshot({ path: path.join(shots, 'sequence.png') });
  });

  it('lists the calls of a function clicked in the function table', async () => {
    await page.fill('#search', '');
    await page.locator('button[data-tab="functions-pane"]').click();
    await count('#functions tr.fn-row', (n) => n === 3);
    await page.locator('#functions tr.fn-row[data-fn="parse_query"]').click();
    await count('#calls .call-row', (n) => n > 0);
    const first = await page.locator('#calls .call-row').first().innerText();
    expect(first).toContain('parse_query(text="id=0")');
    expect(first).toContain('→ {"id": 0}');
    expect(await page.locator('#calls-of').innerText()).toBe('parse_query');
    await page.screenshot({ path: path.join(shots, 'function-calls.png') });
  });

  it("opens a function's calls from the address, as a code lens in VS Code does", async () => {
    await page.goto(`${url}?fn=lookup_user&file=app/db.py`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
    await count('#calls .call-row', (n) => n > 0);
    expect(await page.locator('#calls-of').innerText()).toBe('lookup_user');
  });

  it("opens the same events in the bundled speedscope's flame view", async () => {
    const href = await page.locator('#speedscope').getAttribute('href');
    expect(href).toMatch(/^\/speedscope\/index\.html#profileURL=/);
    const profile = await browser!.newPage({ viewport: { width: 1400, height: 700 } });
    profile.on('pageerror', (error) => pageErrors.push(`speedscope: ${error.message}`));
    profile.on('request', (request) => {
      if (!request.url().startsWith(url)) foreignRequests.push(request.url());
    });
    await profile.goto(new URL(href!, url).href);
    // speedscope shows the title the link passes once it has loaded and drawn the profile.
    await profile.locator('text=telemetry').first().waitFor({ timeout: 30_000 });
    await profile.screenshot({ path: path.join(shots, 'speedscope.png') });
  });

  it('loaded nothing from the network and threw no error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
