// Owns writing the results of inject and strip: changed sources in place or under --out (folders
// created as needed), and runtime files, which are only ever created, never overwritten.
// Must never write anything that a command did not compute, and never touch stdout.
import fs from 'node:fs';
import path from 'node:path';
import { writeRuntimeFiles, type RuntimeFile } from '../workspace/runtime-location.js';
import type { Reporter } from './reporter.js';
import { displayPath, message } from './sources.js';

export interface Change {
  /** The source as named in messages. */
  display: string;
  /** Where the new text goes. */
  dest: string;
  text: string;
}

/** Writes every change; failures are reported as errors. Returns the changes that were written. */
export function writeChanges<T extends Change>(changes: readonly T[], reporter: Reporter): T[] {
  return changes.filter((change) => {
    try {
      fs.mkdirSync(path.dirname(change.dest), { recursive: true });
      fs.writeFileSync(change.dest, change.text);
      return true;
    } catch (error) {
      reporter.error(`cannot write ${change.display}: ${message(error)}`);
      return false;
    }
  });
}

/** Creates the runtime files that do not exist yet; undefined (with an error) when one cannot be created. */
export function createRuntime(files: readonly RuntimeFile[], cwd: string, reporter: Reporter): RuntimeFile[] | undefined {
  const created: RuntimeFile[] = [];
  for (const file of files) {
    if (fs.existsSync(file.path)) continue;
    try {
      writeRuntimeFiles([file]);
      created.push(file);
    } catch (error) {
      reporter.error(`cannot create the runtime file ${displayPath(cwd, file.path)}: ${message(error)}; no source file was changed`);
      return undefined;
    }
  }
  return created;
}
