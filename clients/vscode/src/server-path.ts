// Decides which telemetry-injector server the extension starts: the `telemetryInjector.path`
// setting, then the workspace's node_modules/.bin, then the server bundled in dist/server.
// Pure: takes the facts (setting, trust, folders, which files exist) and never touches VS Code,
// so the order and the messages are tested without an editor. Must never start anything.

/** The setting a user edits to choose the server; every message about a bad server names it. */
export const PathSetting = 'telemetryInjector.path';

export type ServerChoice =
  /** An executable, run as `<command> lsp --stdio`. */
  | { kind: 'executable'; command: string; origin: 'setting' | 'workspace' }
  /** The bundled server, a module forked with VS Code's own Node (TransportKind.ipc). */
  | { kind: 'bundled'; module: string }
  /** Nothing to start: `message` says why and names the setting to fix. */
  | { kind: 'missing'; message: string };

export interface ServerFacts {
  /** The `telemetryInjector.path` setting as VS Code resolved it ('' when unset). */
  setting: string;
  /** Workspace trust: an untrusted workspace must not choose the program that runs (its node_modules). */
  trusted: boolean;
  /** Workspace folder paths, in order. */
  folders: readonly string[];
  /** dist/server/main.js of this extension. */
  bundled: string;
  /** The Node version of VS Code's extension host (process.versions.node), which runs the bundled server. */
  nodeVersion: string;
  exists: (file: string) => boolean;
  join: (...parts: string[]) => string;
  isAbsolute: (file: string) => boolean;
}

export function chooseServer(facts: ServerFacts): ServerChoice {
  const setting = facts.setting.trim();
  // In an untrusted workspace VS Code answers the path setting from the user's settings only
  // (restrictedConfigurations): a value the user chose, so it is honoured there too.
  if (setting !== '') {
    if (!facts.trusted && !facts.isAbsolute(setting)) {
      // A relative path would name a file of the untrusted workspace.
      return { kind: 'missing', message: `A relative "${PathSetting}" (${setting}) names a file of this workspace, which is not trusted. Trust the workspace or make the path absolute.` };
    }
    // A relative path is taken from the first workspace folder, as a team's settings.json would mean it.
    const command = facts.isAbsolute(setting) || facts.folders.length === 0 ? setting : facts.join(facts.folders[0]!, setting);
    if (!facts.exists(command)) {
      return { kind: 'missing', message: `The telemetry-injector server "${command}" does not exist. Fix or clear the "${PathSetting}" setting.` };
    }
    return { kind: 'executable', command, origin: 'setting' };
  }
  if (facts.trusted) {
    for (const folder of facts.folders) {
      const command = facts.join(folder, 'node_modules', '.bin', 'telemetry-injector');
      if (facts.exists(command)) return { kind: 'executable', command, origin: 'workspace' };
    }
  }
  if (!facts.exists(facts.bundled)) {
    return { kind: 'missing', message: `The bundled telemetry-injector server is missing from this install (${facts.bundled}). Reinstall the extension or set "${PathSetting}".` };
  }
  if (!nodeAtLeast(facts.nodeVersion, BundledServerNode)) {
    return {
      kind: 'missing',
      message:
        `The bundled telemetry-injector server needs Node ${BundledServerNode.join('.')} or later, and this VS Code runs Node ${facts.nodeVersion}. ` +
        `Add telemetry-injector to the workspace's devDependencies, or set "${PathSetting}".`,
    };
  }
  return { kind: 'bundled', module: facts.bundled };
}

/** The server's oldest Node: crypto.hash (cache keys) came in 20.12. VS Code 1.82 to 1.91 run older ones. */
export const BundledServerNode = [20, 12] as const;

function nodeAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [actualMajor = 0, actualMinor = 0] = version.split('.').map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

/** What to say when a chosen server could not start or stopped: names the setting where it applies. */
export function failureMessage(choice: ServerChoice, detail: string): string {
  const what =
    choice.kind === 'executable'
      ? choice.origin === 'setting'
        ? `The telemetry-injector server set in "${PathSetting}" (${choice.command})`
        : `The workspace's telemetry-injector server (${choice.command})`
      : 'The bundled telemetry-injector server';
  const fix = choice.kind === 'executable' && choice.origin === 'setting' ? ` Fix or clear "${PathSetting}", then restart.` : ` Set "${PathSetting}" to another server, or restart.`;
  return `${what} ${detail}.${fix}`;
}
