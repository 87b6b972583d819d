// Bench (b) and (d): the real server over stdio with VS Code's capabilities (pull diagnostics,
// lazy resolve). (b) single-character edits on a ~2,500-line file, each followed by a pull;
// (d) fixAll on a file of about 100 functions, code action plus resolve.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { percentile } from './stats.js';

const EDITOR = 'vscode-languageclient-11.0.0';

/** A Python file of `count` small functions, ~25 lines each. */
export function pythonFile(count: number): string {
  const parts: string[] = ['"""Generated for the benchmark."""', ''];
  for (let i = 0; i < count; i++) {
    parts.push(
      `def handler_${i}(request, retries=3):`,
      `    """Handle request ${i}."""`,
      '    total = 0',
      '    for attempt in range(retries):',
      '        try:',
      `            total += len(request) * ${i}`,
      '        except TypeError as error:',
      '            total -= 1',
      '            if attempt > 1:',
      '                raise ValueError(str(error))',
      '        else:',
      '            break',
      '    if total > 100:',
      '        return total // 2',
      '    elif total < 0:',
      '        return 0',
      '    values = [x * 2 for x in range(total % 7)]',
      '    while values:',
      '        values.pop()',
      '    with open(__file__) as handle:',
      '        first = handle.readline()',
      '    return total + len(first)',
      '',
      '',
    );
  }
  return parts.join('\n');
}

export interface ServerLatency {
  editP50: number;
  editP95: number;
  editLines: number;
  fixAllMs: number;
  fixAllFunctions: number;
}

/** `server`: another build's main.js, to measure it side by side. */
export async function measureServerLatency(server?: string): Promise<ServerLatency> {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-lsp-'));
  const big = join(workspace, 'big.py');
  const bigText = pythonFile(105);
  writeFileSync(big, bigText);
  const fixAll = join(workspace, 'hundred.py');
  writeFileSync(fixAll, pythonFile(100));
  const client = await LspClient.start({ editor: EDITOR, workspace, server });
  try {
    const doc = await client.open(big, 'python');
    await client.diagnostics(doc);
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      // Alternate typing and deleting one character inside a function body.
      const at = bigText.indexOf('total = 0', (i * 997) % (bigText.length - 100));
      const text = i % 2 === 0 ? bigText.slice(0, at) + 'x' + bigText.slice(at) : bigText;
      const start = performance.now();
      await client.change(doc, text);
      await client.diagnostics(doc);
      samples.push(performance.now() - start);
    }
    const hundred = await client.open(fixAll, 'python');
    await client.diagnostics(hundred);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      const [action] = await client.codeActions(hundred, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, ['source.fixAll.telemetry']);
      const edit = await client.editOf(action);
      times.push(performance.now() - start);
      if (!edit) throw new Error('bench: fixAll returned no edit');
    }
    return {
      editP50: percentile(samples, 50),
      editP95: percentile(samples, 95),
      editLines: bigText.split('\n').length,
      fixAllMs: percentile(times, 50),
      fixAllFunctions: 100,
    };
  } finally {
    await client.shutdown();
  }
}
