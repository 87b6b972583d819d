// Builds the extension into dist/: the client (dist/extension.js, CommonJS for VS Code's extension
// host) and the repository's language server (dist/server/, ES modules forked with VS Code's own
// Node) with the files the server reads at run time: grammars, queries, runtimes, its package.json.
// Must never read anything outside this repository, nor write outside dist/.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const dist = path.join(here, 'dist');
const server = path.join(dist, 'server');
const rootPackage = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));

fs.rmSync(dist, { recursive: true, force: true });

await esbuild.build({
  entryPoints: { extension: path.join(here, 'src/extension.ts') },
  outdir: dist,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // VS Code 1.82's extension host runs Node 18.
  target: 'node18',
  external: ['vscode'],
  // No source maps: they would double the .vsix, and the sources are in the repository.
  sourcemap: false,
  logLevel: 'warning',
});

await esbuild.build({
  entryPoints: { main: path.join(here, 'src/server-entry.ts'), worker: path.join(repo, 'server/src/pool/worker.ts'), view: path.join(here, 'src/view-entry.ts') },
  outdir: server,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // piscina starts its own worker file next to its code, so it ships as a package (below).
  // @datadog/sketches-js requires protobufjs only inside its (unused) protobuf encoder, lazily.
  external: ['piscina', 'protobufjs/minimal'],
  // The CommonJS dependencies (vscode-languageserver) call require() for Node's modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // No source maps: they would double the .vsix, and the sources are in the repository.
  sourcemap: false,
  logLevel: 'warning',
});

// piscina require()s the file it starts in each worker thread: a CommonJS entry that imports the
// bundled worker (server/src/pool/worker-entry.cts says why).
await esbuild.build({
  entryPoints: { 'worker-entry': path.join(repo, 'server/src/pool/worker-entry.cts') },
  outdir: server,
  outExtension: { '.js': '.cjs' },
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
});

/** Copies a repository file or folder to the same place under dist/server (packagePath's root). */
function ship(relative, filter = () => true) {
  fs.cpSync(path.join(repo, relative), path.join(server, relative), { recursive: true, filter });
}

// The server finds its files from the nearest package.json (server/src/paths.ts).
fs.writeFileSync(
  path.join(server, 'package.json'),
  JSON.stringify({ name: rootPackage.name, version: rootPackage.version, private: true, type: 'module' }, null, 2) + '\n',
);
// web-tree-sitter loads tree-sitter.wasm next to the module that imports it: the two bundles.
fs.copyFileSync(path.join(repo, 'node_modules/web-tree-sitter/tree-sitter.wasm'), path.join(server, 'tree-sitter.wasm'));
for (const grammar of fs.readdirSync(path.join(repo, 'node_modules')).filter((name) => name.startsWith('tree-sitter-'))) {
  for (const wasm of fs.readdirSync(path.join(repo, 'node_modules', grammar)).filter((name) => name.endsWith('.wasm'))) ship(`node_modules/${grammar}/${wasm}`);
}
ship('node_modules/piscina/package.json');
ship('node_modules/piscina/LICENSE');
ship('node_modules/piscina/dist', (file) => !file.endsWith('.map') && !file.endsWith('.d.ts'));
// Ajv is required on first use (server/src/config/schema-check.ts): it ships as packages, with its
// dependencies, their CommonJS files only.
for (const dep of ['ajv', 'fast-deep-equal', 'fast-uri', 'json-schema-traverse', 'require-from-string']) {
  const root = path.join(repo, 'node_modules', dep);
  // Tests, benchmarks, typings and sources (Ajv's lib/ is TypeScript; fast-uri's lib/ is its code).
  const unused = new Set(['test', 'benchmark', 'spec', 'es6', 'types', '.github', ...(dep === 'ajv' ? ['lib'] : [])].map((name) => path.join(root, name)));
  ship(`node_modules/${dep}`, (file) => !unused.has(file) && (fs.statSync(file).isDirectory() || /\.(c?js|json)$|^licen[cs]e/i.test(path.basename(file))));
}
// The price table (server/src/llm/prices.ts) is required on first use, which the bundler cannot
// follow: it ships as a package, its CommonJS build only.
ship('node_modules/@pydantic/genai-prices/package.json');
ship('node_modules/@pydantic/genai-prices/LICENSE');
ship('node_modules/@pydantic/genai-prices/dist/index.cjs');
// Queries, runtime modules and the descriptors whose source is part of the cache key.
ship('server/languages', (file) => !file.endsWith('README.md'));
ship('server/src/engine/plan.ts');
ship('server/src/engine/sites.ts');
// The trace viewer's page (served by dist/server/view.js).
ship('server/src/view/page');
// speedscope's release (MIT, its LICENSE with it), which the viewer serves for flame graphs.
ship('node_modules/speedscope/package.json');
ship('node_modules/speedscope/LICENSE');
ship('node_modules/speedscope/dist/release', (file) => !file.endsWith('.map'));

// tomlValidation: the team file's schema, for TOML extensions that read it.
fs.copyFileSync(path.join(repo, 'protocol/team-file-schema.json'), path.join(dist, 'team-file-schema.json'));
