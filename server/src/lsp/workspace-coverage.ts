// Owns the `telemetry/coverage` request: coverage of the workspace and of each file, from the
// workspace store for files that are not open and from the open documents' own analyses.
// Must never answer while a scan is still running (the numbers would be partial), and never
// after the client cancelled.
import type { CancellationToken } from 'vscode-languageserver';
import type { CoverageParams, CoverageResult, FileCoverage } from '../../../protocol/coverage.js';
import { sumCounts } from '../config/coverage-rule.js';
import { requestCancelled } from './diagnostics.js';
import type { Session } from './session.js';
import { storeUri } from './workspace-scan.js';
import { coverageOf } from './workspace-store.js';

export async function workspaceCoverage(session: Session, params: CoverageParams | null, token: CancellationToken): Promise<CoverageResult> {
  if (!(await session.scanner.settled(token))) throw requestCancelled();
  const files = new Map<string, FileCoverage>();
  for (const entry of session.store.all()) {
    files.set(entry.uri, { uri: entry.uri, path: entry.relPath, language: entry.lang, version: null, ...entry.counts });
  }
  for (const document of session.documents.all()) {
    const snap = await session.analyzer.snapshot(document.uri);
    if (token.isCancellationRequested) throw requestCancelled();
    const key = storeUri(document.uri);
    // A document the server leaves alone (excluded, too large) counts as little as its diagnostics do.
    if (!snap) {
      files.delete(key);
      continue;
    }
    const counts = coverageOf(snap.analysis.functions, snap.requirements);
    files.set(key, { uri: document.uri, path: snap.relPath, language: snap.lang, version: snap.version, ...counts });
  }
  const wanted = params?.uris && new Set(params.uris.map(storeUri));
  const chosen = [...files].filter(([key]) => !wanted || wanted.has(key)).map(([, file]) => file);
  chosen.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  return { total: sumCounts(chosen), files: chosen };
}
