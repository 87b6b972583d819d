// Command ids the server handles through workspace/executeCommand (client -> server).
// Clients never register these ids themselves: the server lists them in executeCommandProvider.
// Never add an id here that the server does not handle.

export const Commands = {
  /** Adds telemetry to every function of a document, applied with workspace/applyEdit. */
  addToFile: 'telemetry.addToFile',
  /** Removes every probe and the runtime import from a document, applied with workspace/applyEdit. */
  removeFromFile: 'telemetry.removeFromFile',
} as const;

/** Arguments of both commands: the document and the version the command was issued for. */
export type FileCommandArgs = [uri: string, version: number];
