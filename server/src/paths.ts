// Locates files shipped with the package (grammars, queries, runtimes) from both the
// TypeScript sources (vitest) and the compiled dist/ tree. Never reads user files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('telemetry-injector: package root not found');
    dir = parent;
  }
  return dir;
}

export const packageRoot = findRoot();

export function packagePath(...parts: string[]): string {
  return join(packageRoot, ...parts);
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
