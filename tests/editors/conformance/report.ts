// The conformance scenario's one shared checker: every client's test (a real editor, or a replay of
// an editor's captured capabilities) writes an editor-neutral JSON report, and this compares it with
// expected-report.json. Must never know which editor wrote a report beyond what the caller states
// (its diagnostics mode and the steps it cannot run, each with a reason).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

export const conformanceDir = path.dirname(fileURLToPath(import.meta.url));
export const conformanceWorkspace = path.join(conformanceDir, 'workspace');
export const expectedReportFile = path.join(conformanceDir, 'expected-report.json');

/** One diagnostic as every editor can report it: LSP's zero-based range, numeric severity. */
export interface ReportedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  source: string;
  message: string;
}

/** A step the editor cannot run, and why (the caller must list it, or the check fails). */
export interface Skipped {
  skipped: string;
}

export interface ConformanceReport {
  /** Which editor and version wrote it; not compared. */
  client: string;
  /** 1. The server started with the editor's own capabilities and chose push or pull from them. */
  started: { diagnosticsMode: 'push' | 'pull'; executeCommands: string[] };
  /** 2. Diagnostics of each workspace file (path relative to the workspace), sorted by position. */
  diagnostics: Record<string, ReportedDiagnostic[]>;
  /** 3. The actions offered on `greet`'s diagnostic in python/app.py, in the server's order. */
  actions: { title: string; kind: string }[];
  /** 4. "Add telemetry to `greet`" applied. */
  add: { matchesGolden: boolean; runtimeCreated: boolean; remaining: string[] };
  /** 6. "Remove telemetry from `greet`" applied to the result of 4. */
  remove: { originalBytes: boolean; remaining: string[] };
  /** 5. "Ignore `farewell` for telemetry" applied to the original file. */
  ignore: { lineAbove: string; remaining: string[] };
  /** 7. Fix-all, through the editor's own on-save setting where it has one; `via` is not compared. */
  fixAll: { matchesGolden: boolean; secondRunUnchanged: boolean; remaining: string[]; via: string } | Skipped;
  /** 8. Settings, at start and through didChangeConfiguration: the severities (or count) seen on python/app.py. */
  settings: {
    severityErrorAtStart: number[];
    enableFalseAtStart: number;
    enableFalseOnChange: number;
    severityHintOnChange: number[];
  };
  /** 9. After a restart, the servers of the first session still running. */
  restart: { orphanServers: number } | Skipped;
  /** 10. The error a missing server binary gives: it must name `setting`; the message is not compared. */
  missingServer: { setting: string; message: string } | Skipped;
}

export interface CheckOptions {
  diagnosticsMode: 'push' | 'pull';
  /** Steps this client cannot run, with the reason the report must give. */
  skip?: Partial<Record<'fixAll' | 'restart' | 'missingServer', string>>;
}

/** What differs from the expected report, as readable lines; empty when the report conforms. */
export function checkReport(report: ConformanceReport, options: CheckOptions): string[] {
  const expected = JSON.parse(fs.readFileSync(expectedReportFile, 'utf8')) as Record<string, unknown>;
  const problems: string[] = [];
  if (report.started?.diagnosticsMode !== options.diagnosticsMode) {
    problems.push(`started.diagnosticsMode: expected ${options.diagnosticsMode}, got ${String(report.started?.diagnosticsMode)}`);
  }
  const actual = structuredClone(report) as unknown as Record<string, unknown>;
  delete actual.client;
  delete (actual.started as Record<string, unknown> | undefined)?.diagnosticsMode;
  // The commands are a set: VS Code lists them sorted, other clients in the server's order.
  for (const side of [actual, expected]) {
    const started = side.started as { executeCommands?: string[] } | undefined;
    if (Array.isArray(started?.executeCommands)) started.executeCommands = [...started.executeCommands].sort();
  }
  for (const [step, reason] of Object.entries(options.skip ?? {})) {
    if (!isDeepStrictEqual(actual[step], { skipped: reason })) {
      problems.push(`${step}: expected {"skipped": ${JSON.stringify(reason)}}, got ${JSON.stringify(actual[step])}`);
    }
    delete actual[step];
    delete expected[step];
  }
  const fixAll = actual.fixAll as { via?: string } | undefined;
  if (fixAll && 'via' in fixAll) delete fixAll.via;
  const missing = actual.missingServer as { setting?: string; message?: string } | undefined;
  if (missing && !('skipped' in missing)) {
    if (!missing.setting || !missing.message?.includes(missing.setting)) {
      problems.push(`missingServer: the message must name the setting to fix: ${JSON.stringify(missing)}`);
    }
    actual.missingServer = { namesSetting: true };
  }
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (!isDeepStrictEqual(actual[key], expected[key])) {
      problems.push(`${key}:\n  expected ${JSON.stringify(expected[key])}\n  got      ${JSON.stringify(actual[key])}`);
    }
  }
  return problems;
}

/** Reads a report a client wrote; a missing or broken file is a failure worth reading. */
export function readReport(file: string): ConformanceReport {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ConformanceReport;
}

/** A fresh copy of the fixture workspace, in a temporary folder of its own. */
export function copyConformanceWorkspace(prefix = 'conformance-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(conformanceWorkspace, dir, { recursive: true });
  return dir;
}

/** The golden text of python/app.py after a step ("add-greet" or "fix-all"). */
export function golden(name: 'add-greet' | 'fix-all'): string {
  return fs.readFileSync(path.join(conformanceDir, 'golden', `app.${name}.py`), 'utf8');
}
