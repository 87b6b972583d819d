// The code actions hand the engine the required kinds and the redact pattern of the document: the
// engine is the real one, watched through a thin wrapper; the session is reduced to what
// computeEdit touches (engine, runtime placement, client features).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../protocol/settings.js';
import type { FileRequirements } from '../../server/src/config/requirements.js';
import { Engine } from '../../server/src/engine/engine.js';
import type { EngineOptions } from '../../server/src/engine/types.js';
import { computeEdit, type ActionData } from '../../server/src/lsp/action-edits.js';
import type { Snapshot } from '../../server/src/lsp/analyzer.js';
import type { ClientFeatures } from '../../server/src/lsp/capabilities.js';
import type { Session } from '../../server/src/lsp/session.js';
import { LineIndex } from '../../server/src/text/positions.js';

const text = 'def parse(text):\n    return text.split(",")\n\n\ndef total(items):\n    n = 0\n    for item in items:\n        n += item\n    return n\n';
const uri = 'file:///repo/app.py';

let engine: Engine;
let snap: Snapshot;
const calls: EngineOptions[] = [];

const client: ClientFeatures = {
  name: 'test',
  pullDiagnostics: true,
  diagnosticRefresh: false,
  configuration: true,
  registerConfigurationChange: false,
  documentChanges: true,
  createFiles: true,
  applyEdit: true,
  resolveEdit: true,
  disabledActions: true,
  watchFiles: false,
  codeLensResolve: false,
  codeLensRefresh: false,
};

function session(): Session {
  const watched = {
    add: (...args: Parameters<Engine['add']>) => {
      calls.push(args[2]);
      return engine.add(...args);
    },
    ignore: engine.ignore.bind(engine),
    strip: engine.strip.bind(engine),
  };
  const runtime = { prepare: () => ({ options: { relPath: 'app.py', runtimeImport: 'telemetry_runtime' }, missing: [] }) };
  return { engine: watched, runtime, client } as unknown as Session;
}

beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('python');
  const tree = engine.parse('python', text);
  const requirements: FileRequirements = { kinds: ['function', 'loop'], functionTypes: ['*'], redact: 'pin|secret' };
  snap = {
    filePath: '/repo/app.py',
    root: '/repo',
    relPath: 'app.py',
    uri,
    version: 3,
    text,
    lang: 'python',
    settings: defaultSettings,
    requirements,
    analysis: engine.analyze('python', text, tree),
    lines: new LineIndex(text),
    tree,
  };
});

afterAll(() => snap?.tree.delete());

describe('the add actions', () => {
  it('pass the document’s required kinds and redact pattern to the engine (fixAll)', () => {
    calls.length = 0;
    const result = computeEdit(session(), snap, { uri, version: 3, action: 'addAll' });
    expect('edit' in result).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ kinds: ['function', 'loop'], redact: 'pin|secret' });
  });

  it('pass the kinds the diagnostic required when the quickfix carries them', () => {
    calls.length = 0;
    const offset = snap.analysis.functions.find((f) => f.name === 'total')!.nameRange.start;
    const data: ActionData = { uri, version: 3, action: 'add', offset, kinds: ['function', 'variable'] };
    computeEdit(session(), snap, data);
    expect(calls[0]).toMatchObject({ kinds: ['function', 'variable'], redact: 'pin|secret' });
  });
});
