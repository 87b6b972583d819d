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
  /**
   * The command of a runtime-figures code lens, with arguments `[functionId, uri]`: answers a
   * FunctionTraceDetails and shows its message (editors without a trace viewer). The VS Code client
   * may open the viewer on the function id instead.
   */
  showFunctionTrace: 'telemetryInjector.showFunctionTrace',
  /**
   * Switches one function on for 10 minutes in the runtimes' control file (TraceCommandArgs); running
   * programs notice within a second. The function then carries a `traced` diagnostic until it expires.
   */
  traceFunction: 'telemetryInjector.traceFunction',
  /** Takes the function's entry out of the control file again (TraceCommandArgs). */
  stopTracing: 'telemetryInjector.stopTracing',
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

/** Arguments of addWithLlm: the document, its version, the function's name offset, the kinds to add. */
export type AddWithLlmArgs = [uri: string, version: number, offset: number, kinds?: string[]];

/** Arguments of addToFile and removeFromFile: the document and the version the command was issued for. */
export type FileCommandArgs = [uri: string, version: number];

/** Arguments of traceFunction and stopTracing: the document, and the function's control-file key (`file:name`). */
export type TraceCommandArgs = [uri: string, key: string];

/** The result of telemetryInjector.scanWorkspace. */
export interface ScanOutcome {
  /** Files analysed by this scan. */
  files: number;
  /** A newer scan, a cancelled progress or a shutdown stopped this one. */
  cancelled: boolean;
}
