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
   * The command of a runtime-figures code lens, with arguments `[functionId, uri]`: answers a
   * FunctionTraceDetails and shows its message (editors without a trace viewer). The VS Code client
   * may open the viewer on the function id instead.
   */
  showFunctionTrace: 'telemetryInjector.showFunctionTrace',
} as const;

/** Arguments of showFunctionTrace: the function id and the document it is in. */
export type FunctionTraceArgs = [functionId: string, uri: string];

/** What showFunctionTrace answers. */
export interface FunctionTraceDetails {
  id: string;
  /** The lens's figures and the breakdown (exceptions, slowest calls, loops), as plain text. */
  message: string;
  /** Where the function is (a location list for editors that show one). */
  locations: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }[];
}

/** Arguments of addToFile and removeFromFile: the document and the version the command was issued for. */
export type FileCommandArgs = [uri: string, version: number];

/** The result of telemetryInjector.scanWorkspace. */
export interface ScanOutcome {
  /** Files analysed by this scan. */
  files: number;
  /** A newer scan, a cancelled progress or a shutdown stopped this one. */
  cancelled: boolean;
}
