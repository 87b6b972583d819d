// Owns how the server hears about files changed on disk: a workspace/didChangeWatchedFiles
// watcher registered dynamically for the supported source files and .gitignore files, for clients
// that declare dynamicRegistration; each event reads the file again, and a changed .gitignore or
// team file (telemetry.toml, .telemetry.toml, pyproject.toml) scans the workspace again. Clients that cannot watch are served on open, save and close instead.
// Must never register a watcher with a client that did not declare dynamic registration for it.
import { DidChangeWatchedFilesNotification, type Connection, type FileEvent, type FileSystemWatcher } from 'vscode-languageserver';
import { TeamFileNames } from '../../../protocol/team-file.js';
import { languages } from '../languages/registry.js';
import type { Logger } from './logger.js';
import { isTeamFile, type Session } from './session.js';

export function fileWatchers(): FileSystemWatcher[] {
  const extensions = [...new Set(languages.flatMap((l) => l.extensions.map((e) => e.slice(1))))];
  return [
    { globPattern: `**/*.{${extensions.join(',')}}` },
    { globPattern: '**/.gitignore' },
    { globPattern: `**/{${TeamFileNames.join(',')}}` },
  ];
}

export function registerFileWatchers(connection: Connection, logger: Logger): void {
  connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: fileWatchers() }).catch((error: unknown) => {
    logger.warn(`could not register a file watcher; closed files are read again only on close: ${String(error)}`);
  });
}

export function filesChanged(session: Session, changes: readonly FileEvent[]): void {
  if (changes.some((change) => isTeamFile(change.uri))) {
    session.teamFilesChanged();
    return;
  }
  if (changes.some((change) => change.uri.endsWith('/.gitignore'))) {
    void session.scanner.scan();
    return;
  }
  void session.scanner.refresh(changes.map((change) => change.uri));
}
