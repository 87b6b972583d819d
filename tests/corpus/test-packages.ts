// Packages in node_modules that are there only as material for tests/behaviour/ts-real-projects.test.ts
// (real TypeScript sources, pinned in devDependencies, with what they bring along). That test checks
// them; the walks over node_modules (the corpus and node --check) leave them out, so that the full
// tier's time stays what it was (they would more than triple the JavaScript those walks cover).
import { relative, sep } from 'node:path';

export const TEST_ONLY_PACKAGES = [
  '@anthropic-ai/sdk', 'json-schema-to-ts', 'ts-algebra', '@babel/runtime', 'zod',
  'rxjs', 'tslib',
  '@tanstack/query-core', '@tanstack/react-query', 'react', '@types/react', 'csstype',
  'vfile', 'vfile-message', 'unist-util-stringify-position', '@types/unist',
];

/** Whether `file` (under the node_modules folder `root`) belongs to none of TEST_ONLY_PACKAGES. */
export function outsideTestPackages(root: string): (file: string) => boolean {
  return (file) => {
    const rel = relative(root, file).split(sep).join('/');
    return !TEST_ONLY_PACKAGES.some((p) => rel.startsWith(`${p}/`));
  };
}
