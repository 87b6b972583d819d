// Owns what the editor shows and does about per-function switches: the `traced` diagnostics
// ("traced for 7 more minutes") on the instrumented functions the control file switches on now,
// and the traceFunction / stopTracing commands that write it (server/src/workspace/control-file.ts,
// the same writer as `telemetry-injector trace`). Each control file in use is watched (stat polling,
// so one that does not exist yet, or is replaced by a rename, is still seen), and one timer fires
// when the next entry expires or its minutes left change; either tells the session to refresh.
// Must never write the control file except on a command, nor throw on a malformed one (the last
// good entries stay, and the problem is logged once per change).
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, ResponseError, DiagnosticSeverity, type Diagnostic, type ExecuteCommandParams } from 'vscode-languageserver';
import { DiagnosticSource, TracedCode, type TracedData } from '../../../protocol/code-actions.js';
import { Commands } from '../../../protocol/commands.js';
import { controlKey, DefaultTraceMs, type ControlEntry, type ControlFile } from '../../../protocol/control.js';
import type { FunctionSite } from '../engine/types.js';
import { controlFilePath, entryFor, expiry, liveEntries, readControlFile, switchedOff, switchedOn, writeControlFile } from '../workspace/control-file.js';
import type { Snapshot } from './analyzer.js';
import type { Logger } from './logger.js';

/** How often a watched control file's modification time is read: the runtimes' own cadence. */
const PollMs = 1000;

interface Watched {
  entries: ControlFile;
  /** The last malformed content's stamp, so that one bad write is logged once. */
  badStamp?: string;
}

export const handledTraceCommands: string[] = [Commands.traceFunction, Commands.stopTracing];

export class TracedFunctions {
  private readonly files = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly changed: () => void,
    private readonly logger: Logger,
  ) {}

  /** The control file the document's runtime reads (TELEMETRY_CONTROL, else beside the runtime module). */
  controlFileOf(snap: Pick<Snapshot, 'root' | 'settings'>): string {
    return controlFilePath(snap.root, path.resolve(snap.root, snap.settings.runtimePath));
  }

  /** The live, enabled entry that switches `site` on, or undefined. */
  tracing(snap: Snapshot, site: FunctionSite, now = Date.now()): { key: string; entry: ControlEntry } | undefined {
    if (!site.instrumented) return undefined;
    const found = entryFor(liveEntries(this.entries(this.controlFileOf(snap)), now), snap.relPath, site.name);
    return found?.entry.enabled ? found : undefined;
  }

  diagnostics(snap: Snapshot | undefined): Diagnostic[] {
    if (!snap) return [];
    const now = Date.now();
    return snap.analysis.functions.flatMap((site) => {
      const found = this.tracing(snap, site, now);
      if (!found) return [];
      const ends = expiry(found.entry);
      const data: TracedData = { key: found.key, expires_at: found.entry.expires_at ?? null };
      const diagnostic: Diagnostic = {
        range: snap.lines.rangeOf(site.nameRange),
        severity: DiagnosticSeverity.Information,
        source: DiagnosticSource,
        code: TracedCode,
        message: `\`${site.name}\` is traced ${ends === Infinity ? 'until switched off' : `for ${minutes(ends - now)}`}`,
        data,
      };
      return [diagnostic];
    });
  }

  /** traceFunction / stopTracing: [uri, key], for the document's control file. */
  async execute(snap: Snapshot | undefined, params: ExecuteCommandParams): Promise<null> {
    const [uri, key] = params.arguments ?? [];
    if (typeof uri !== 'string' || typeof key !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${params.command} takes [uri, key]`);
    if (!snap) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not an open document the server checks`);
    const file = this.controlFileOf(snap);
    try {
      const entries = readControlFile(file);
      writeControlFile(file, params.command === Commands.traceFunction ? switchedOn(entries, key, DefaultTraceMs) : switchedOff(entries, key));
    } catch (error) {
      this.logger.show('error', `could not switch ${key} in ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
    this.reload(file);
    return null;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const file of this.files.keys()) fs.unwatchFile(file);
    this.files.clear();
  }

  private entries(file: string): ControlFile {
    let watched = this.files.get(file);
    if (!watched) {
      watched = { entries: {} };
      this.files.set(file, watched);
      this.load(file, watched);
      // Node calls the listener once for a file that does not exist (both stats zeroed): no change.
      fs.watchFile(file, { interval: PollMs, persistent: false }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload(file);
      });
      this.schedule();
    }
    return watched.entries;
  }

  private reload(file: string): void {
    const watched = this.files.get(file);
    if (!watched) return;
    this.load(file, watched);
    this.schedule();
    this.changed();
  }

  private load(file: string, watched: Watched): void {
    try {
      watched.entries = readControlFile(file);
      watched.badStamp = undefined;
    } catch (error) {
      const stamp = stampOf(file);
      if (stamp !== watched.badStamp) this.logger.warn(`ignoring the malformed control file ${file}: ${String(error)}; keeping the last good switches`);
      watched.badStamp = stamp;
    }
  }

  /** One timer for the soonest moment a shown diagnostic changes: an expiry, or its minutes left going down. */
  private schedule(): void {
    clearTimeout(this.timer);
    const now = Date.now();
    let next = Infinity;
    for (const { entries } of this.files.values()) {
      for (const entry of Object.values(liveEntries(entries, now))) {
        const ends = expiry(entry);
        if (!entry.enabled || ends === Infinity) continue;
        const left = ends - now;
        next = Math.min(next, now + (left - (Math.ceil(left / 60_000) - 1) * 60_000));
      }
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => {
      this.schedule();
      this.changed();
    }, Math.max(next - now, 0) + 5);
    this.timer.unref();
  }
}

/** "7 more minutes", rounded up as the runtimes count it, "1 more minute" at the end. */
function minutes(ms: number): string {
  const n = Math.max(1, Math.ceil(ms / 60_000));
  return n === 1 ? '1 more minute' : `${n} more minutes`;
}

function stampOf(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return '';
  }
}

/** The control-file key of a function in this document. */
export function traceKeyOf(snap: Pick<Snapshot, 'relPath'>, site: Pick<FunctionSite, 'name'>): string {
  return controlKey(snap.relPath, site.name);
}
