// Builds the extension (build.mjs) and packs it with vsce into dist-vsix/telemetry-injector.vsix.
// Everything the extension runs is bundled in dist/, so vsce packs no node_modules (--no-dependencies).
// Must never publish: this only writes the .vsix.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist-vsix', 'telemetry-injector.vsix');

execFileSync(process.execPath, [path.join(here, 'build.mjs')], { stdio: 'inherit' });
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.rmSync(out, { force: true });
const vsce = path.join(here, 'node_modules', '@vscode', 'vsce', 'vsce');
// --skip-license: the repository's licence is the package's "license" field (MIT); there is no file to ship.
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--out', out], { cwd: here, stdio: 'inherit' });
console.log(out);
