// The diagnostic request telemetryInjector/stats (protocol/server-stats.ts): the main thread's
// event-loop delay since the previous read, for the benchmark; never advertised.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerStatsRequest, type ServerStats } from '../../protocol/server-stats.js';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

describe('telemetryInjector/stats', () => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  it('is not among the advertised capabilities', () => {
    expect(JSON.stringify(client.initializeResult.capabilities)).not.toContain(ServerStatsRequest.method);
  });

  it('reports the event-loop delay measured since the previous read, starting at the first', async () => {
    const first = await client.request<ServerStats>(ServerStatsRequest.method, undefined);
    expect(first.eventLoopDelay).toMatchObject({ samples: 0, maxMs: 0, resolutionMs: 1 });
    const doc = await client.open(path.join(workspace, 'service.py'), 'python', 'def handler(request):\n    return request\n');
    let stats = first;
    // The histogram samples once per free millisecond: work until it has some.
    for (let i = 0; i < 1000 && stats.eventLoopDelay.samples === 0; i++) {
      await client.diagnostics(doc);
      stats = await client.request<ServerStats>(ServerStatsRequest.method, undefined);
    }
    const delay = stats.eventLoopDelay;
    expect(delay.samples).toBeGreaterThan(0);
    expect(delay.p50Ms).toBeLessThanOrEqual(delay.p99Ms);
    expect(delay.p99Ms).toBeLessThanOrEqual(delay.maxMs);
  });
});
