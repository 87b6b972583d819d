// Serves the trace viewer on 127.0.0.1: the page's own bundled files (server/src/view/page/) and
// the index's bounded JSON pages under /api/. The page loads nothing from the network.
// Must never listen beyond loopback, never answer a Host header other than its own (a page on
// another site must not read the events through DNS rebinding), never serve files outside page/.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { packagePath } from '../paths.js';
import { writeSpeedscope } from './exports.js';
import type { ViewIndex } from './view-index.js';

const PAGE_DIR = packagePath('server', 'src', 'view', 'page');
const ASSETS: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/draw.js': ['draw.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};
// The page's own files only; frames allowed so VS Code's webview can embed it.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";

// speedscope's MIT-licensed release (flame graph, left-heavy and sandwich views), served as it
// ships, with its LICENSE; it loads the profile from /api/speedscope. Its script compiles WebAssembly
// and sets inline styles, which its own CSP allows. Absent (a bundle without it), the link is hidden.
const SPEEDSCOPE_CSP =
  "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self' blob:";
const SPEEDSCOPE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

function speedscopeFiles(): Map<string, string> {
  const files = new Map<string, string>();
  try {
    const root = path.dirname(createRequire(import.meta.url).resolve('speedscope/package.json'));
    const release = path.join(root, 'dist', 'release');
    for (const name of fs.readdirSync(release)) if (!name.endsWith('.map')) files.set(`/speedscope/${name}`, path.join(release, name));
    files.set('/speedscope/LICENSE', path.join(root, 'LICENSE'));
  } catch {
    // Not installed: the page hides its link.
  }
  return files;
}

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

export async function serveView(index: ViewIndex, port = 0): Promise<ViewServer> {
  // Only the files listed here are served: a request names a key, never a path.
  const speedscope = speedscopeFiles();
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    const { port: own } = server.address() as AddressInfo;
    if (host !== `127.0.0.1:${own}` && host !== `localhost:${own}`) {
      res.writeHead(403).end('wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    try {
      if (url.pathname === '/api/speedscope') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        writeSpeedscope(index, res, index.files.map((f) => f.path).join(', '));
        return void res.end();
      }
      if (url.pathname === '/api/summary') return json(res, { ...index.summary(), speedscope: speedscope.size > 0 });
      if (url.pathname.startsWith('/api/')) return json(res, answer(index, url));
      const bundled = speedscope.get(url.pathname === '/speedscope/' ? '/speedscope/index.html' : url.pathname);
      if (bundled) {
        res.writeHead(200, { 'content-type': SPEEDSCOPE_TYPES[path.extname(bundled)] ?? 'application/octet-stream', 'content-security-policy': SPEEDSCOPE_CSP });
        return void res.end(fs.readFileSync(bundled));
      }
      if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
      const asset = ASSETS[url.pathname];
      if (!asset) return void res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': asset[1], 'content-security-policy': CSP, 'cache-control': 'no-store' });
      res.end(fs.readFileSync(`${PAGE_DIR}/${asset[0]}`));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, body: unknown): void {
  if (body === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function num(url: URL, key: string, fallback: number): number {
  const value = Number(url.searchParams.get(key));
  return url.searchParams.has(key) && Number.isFinite(value) ? value : fallback;
}

function answer(index: ViewIndex, url: URL): unknown {
  switch (url.pathname) {
    case '/api/summary':
      return index.summary();
    case '/api/functions':
      return index.functions();
    case '/api/timeline': {
      const span = index.last - index.first;
      return index.timeline(num(url, 'from', 0), num(url, 'to', span), num(url, 'px', 1000));
    }
    case '/api/traces':
      return index.traces(url.searchParams.get('q') ?? '', num(url, 'offset', 0), num(url, 'limit', 100));
    case '/api/calls':
      return index.calls(num(url, 'fn', -1), num(url, 'offset', 0), num(url, 'limit', 100));
    case '/api/trace': {
      const id = url.searchParams.get('id');
      const t = id !== null ? index.forest.traceOfId(id) : url.searchParams.has('call') ? index.traceByCall(num(url, 'call', -1)) : num(url, 'index', -1);
      return t === undefined || t < 0 || t >= index.forest.traceIds.length ? undefined : index.tree(t);
    }
    default:
      return undefined;
  }
}
