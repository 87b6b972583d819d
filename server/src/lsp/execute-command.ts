// Owns workspace/executeCommand: the `telemetry.*` commands listed in executeCommandProvider,
// each applied through workspace/applyEdit.
// Must never apply an edit when the document is no longer at the version the command names.
import { ErrorCodes, LSPErrorCodes, ResponseError, type ExecuteCommandParams } from 'vscode-languageserver';
import { Commands } from '../../../protocol/commands.js';
import { computeEditOnPool, type ActionId } from './action-edits.js';
import type { Session } from './session.js';

const actions: Record<string, { action: ActionId; label: string }> = {
  [Commands.addToFile]: { action: 'addAll', label: 'Add telemetry to all functions in file' },
  [Commands.removeFromFile]: { action: 'removeAll', label: 'Remove telemetry from file' },
};

export const handledCommands = Object.keys(actions);

export async function executeCommand(session: Session, params: ExecuteCommandParams): Promise<null> {
  const command = actions[params.command];
  const [uri, version] = params.arguments ?? [];
  if (!command) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
  if (typeof uri !== 'string' || typeof version !== 'number') {
    throw new ResponseError(ErrorCodes.InvalidParams, `${params.command} takes [uri, version]`);
  }
  const snap = await session.analyzer.snapshot(uri);
  if (!snap) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not an open document the server checks`);
  if (snap.version !== version) {
    throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} is at version ${snap.version}, not ${version}`);
  }
  const result = await computeEditOnPool(session, snap, { uri, version, action: command.action });
  if ('disabled' in result) {
    session.logger.show('warning', result.disabled);
    return null;
  }
  const applied = await session.connection.workspace.applyEdit({ label: command.label, edit: result.edit });
  if (!applied.applied) session.logger.warn(`${command.label} was not applied: ${applied.failureReason ?? 'no reason given'}`);
  return null;
}
