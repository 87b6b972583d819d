// Replay for Python: one pytest module per source file, a `parametrize`d test per function. Cases
// hold JSON text decoded with json.loads (exact integers), calls pass arguments as the function's
// signature takes them (positional, keyword, `*args`, `**kwargs`), and
// the socket module is patched before the code under test is imported, so no test reaches the network.
// Must never import the module by file path (that would load it twice): it is imported by its
// dotted name, from the folder above its outermost package.
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedFile, ReplayLanguage } from '../../src/replay/replay-language.js';
import { commentSafe } from '../../src/replay/replay-language.js';

const py = (text: string) => JSON.stringify(text);

export const python: ReplayLanguage = {
  id: 'python',
  owns: (file) => file.endsWith('.py'),
  recordsReturns: true,
  group: (abs) => abs,
  reachable(source, name) {
    return new RegExp(`^(async\\s+)?def\\s+${name}\\s*\\(`, 'm').test(source) ? undefined : 'not reachable from a test';
  },
  emit(abs, functions, out): GeneratedFile[] {
    let dir = path.dirname(abs);
    const parts = [path.basename(abs, '.py')];
    while (fs.existsSync(path.join(dir, '__init__.py'))) {
      parts.unshift(path.basename(dir));
      dir = path.dirname(dir);
    }
    const module = parts.join('.');
    const root = path.relative(out, dir) || '.';
    const cases = functions.reduce((s, f) => s + f.cases.length, 0);
    const lines = [
      `# Characterization tests replayed from captured calls of ${commentSafe(module)} (telemetry-injector replay).`,
      '# They pin what the code returned or raised for these arguments when the events were recorded;',
      '# they replay no external effects, and the network is blocked while they run.',
      'import asyncio',
      'import importlib',
      'import inspect',
      'import json',
      'import os',
      'import socket',
      'import sys',
      '',
      'import pytest',
      '',
      '',
      'def _blocked(*args, **kwargs):',
      '    raise OSError("replay: network access is blocked in replayed tests")',
      '',
      '',
      'socket.socket.connect = _blocked',
      'socket.socket.connect_ex = _blocked',
      'socket.create_connection = _blocked',
      'socket.getaddrinfo = _blocked',
      '',
      `sys.path.insert(0, os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ${py(root)})))`,
      `_module = importlib.import_module(${py(module)})`,
      '',
      '',
      '# The runtime records each parameter under its name, `*args` and `**kwargs` included: the',
      '# signature says how each one is passed.',
      'def _call(fn, args):',
      '    positional, keywords, by_name = [], {}, False',
      '    for p in inspect.signature(fn).parameters.values():',
      '        if p.name not in args:',
      '            by_name = True',
      '            continue',
      '        value = args[p.name]',
      '        if p.kind is p.VAR_POSITIONAL:',
      '            positional.extend(value)',
      '        elif p.kind is p.VAR_KEYWORD:',
      '            keywords.update(value)',
      '        elif p.kind is p.KEYWORD_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and by_name):',
      '            keywords[p.name] = value',
      '        else:',
      '            positional.append(value)',
      '    result = fn(*positional, **keywords)',
      '    if inspect.isawaitable(result):',
      '        result = asyncio.run(result)',
      '    return result',
      '',
    ];
    for (const f of functions) {
      const rows = f.cases.map((c) => {
        const args = `{${c.args.map(([k, v]) => `${py(k)}: ${v}`).join(', ')}}`;
        const outcome = c.outcome.kind === 'returns' ? `["returns", ${c.outcome.json}]` : c.outcome.kind === 'raises' ? `["raises", ${py(c.outcome.type)}]` : '["completes", null]';
        return `    (${py(args)}, ${py(outcome)}),`;
      });
      lines.push(
        '',
        `# ${commentSafe(f.file)}:${f.line}`,
        `@pytest.mark.parametrize("args, outcome", [`,
        ...rows,
        '])',
        `def test_${f.name}_replays_captured_calls(args, outcome):`,
        `    fn = getattr(_module, ${py(f.name)})`,
        '    args = json.loads(args)',
        '    kind, expected = json.loads(outcome)',
        '    if kind == "raises":',
        '        with pytest.raises(BaseException) as raised:',
        '            _call(fn, args)',
        '        assert type(raised.value).__name__ == expected',
        '    elif kind == "returns":',
        '        assert _call(fn, args) == expected',
        '    else:',
        '        _call(fn, args)',
      );
    }
    return [{ path: `test_replay_${module.replace(/\./g, '_')}.py`, text: `${lines.join('\n')}\n`, functions: functions.length, cases }];
  },
};
