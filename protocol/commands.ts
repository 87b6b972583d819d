// Command ids the server handles through workspace/executeCommand (client -> server).
// Clients never register these ids themselves: the server lists them in executeCommandProvider.
// The prefix is the settings section's (`telemetryInjector`), never VS Code's own `telemetry.`.
// Never add an id here that the server does not handle.

export const Commands = {
  /** Adds telemetry to every function of a document, applied with workspace/applyEdit. */
  addToFile: 'telemetryInjector.addToFile',
  /** Removes every probe and the runtime import from a document, applied with workspace/applyEdit. */
  removeFromFile: 'telemetryInjector.removeFromFile',
  /**
   * Scans every workspace folder again (no arguments), with `$/progress`, and answers a ScanOutcome
   * once the scan ends. A newer scan cancels an older one, whose outcome is then `cancelled`.
   */
  scanWorkspace: 'telemetryInjector.scanWorkspace',
  /**
   * Adds telemetry to one function through the LLM (a function templates cannot serve), with
   * `$/progress` and cancellation; arguments AddWithLlmArgs. Applied with workspace/applyEdit once a
   * proposal passes every check.
   */
  addWithLlm: 'telemetryInjector.addWithLlm',
} as const;

/** Arguments of addWithLlm: the document, its version, the function's name offset, the kinds to add. */
export type AddWithLlmArgs = [uri: string, version: number, offset: number, kinds?: string[]];

/** Arguments of addToFile and removeFromFile: the document and the version the command was issued for. */
export type FileCommandArgs = [uri: string, version: number];

/** The result of telemetryInjector.scanWorkspace. */
export interface ScanOutcome {
  /** Files analysed by this scan. */
  files: number;
  /** A newer scan, a cancelled progress or a shutdown stopped this one. */
  cancelled: boolean;
}
