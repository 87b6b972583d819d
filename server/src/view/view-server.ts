// Serves the trace viewer on 127.0.0.1: the page's own bundled files (server/src/view/page/) and
// the index's bounded JSON pages under /api/. The page loads nothing from the network.
// Must never listen beyond loopback, never answer a Host header other than its own (a page on
// another site must not read the events through DNS rebinding), never serve files outside page/.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { packagePath } from '../paths.js';
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

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

export async function serveView(index: ViewIndex, port = 0): Promise<ViewServer> {
  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    const { port: own } = server.address() as AddressInfo;
    if (host !== `127.0.0.1:${own}` && host !== `localhost:${own}`) {
      res.writeHead(403).end('wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    try {
      if (url.pathname.startsWith('/api/')) return json(res, answer(index, url));
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
