// Compile checks as data: the language's argv with {file}, {dir}, {out} and {runtime...} filled in
// a temporary folder, run only where the program is on PATH and the original passes it.
import { describe, expect, it } from 'vitest';
import { CompileChecker } from '../../../server/src/llm/propose/compile-check.js';

const runtime = [{ fileName: 'telemetry_runtime.py', content: 'on = False\n' }, { fileName: 'pkg/extra.txt', content: 'x' }];

describe('a compile check', () => {
  it('passes what compiles and names the line of what does not (python3 -m py_compile)', async () => {
    const checker = new CompileChecker();
    const input = { check: { name: 'py_compile', argv: ['python3', '-m', 'py_compile', '{file}'] }, fileName: 'a.py', runtime };
    expect(await checker.check(input, 'def f():\n    return 1\n', 'def f():\n    x = 1\n    return x\n')).toEqual({ ran: true, ok: true });
    const bad = await checker.check(input, 'def f():\n    return 1\n', 'def f():\n    return (1\n');
    expect(bad).toMatchObject({ ran: true, ok: false });
    expect('errors' in bad && bad.errors.join('\n')).toMatch(/line \d/);
  });

  it('is not run when its program is not on PATH, or when the original fails it too', async () => {
    const checker = new CompileChecker();
    const missing = { check: { name: 'x', argv: ['no-such-compiler-here', '{file}'] }, fileName: 'a.py', runtime };
    expect(await checker.check(missing, 'x', 'y')).toEqual({ ran: false, why: 'no-such-compiler-here is not on PATH' });
    const input = { check: { name: 'py_compile', argv: ['python3', '-m', 'py_compile', '{file}'] }, fileName: 'a.py', runtime };
    expect(await checker.check(input, 'def f(:\n', 'def f(:\n    pass\n')).toEqual({ ran: false, why: 'the original file does not pass it either' });
  });

  it('fills {file}, {dir}, {out} and {runtime...} with paths that exist, the runtime files beside the file', async () => {
    const checker = new CompileChecker();
    const script = 'const fs=require("fs"),p=require("path");const [f,d,o,...r]=process.argv.slice(1);' +
      'process.exit(fs.existsSync(f)&&p.dirname(f)===d&&fs.statSync(o).isDirectory()&&r.length===2&&r.every((x)=>fs.existsSync(x)&&x.startsWith(d))?0:1)';
    const input = { check: { name: 'probe', argv: [process.execPath, '-e', script, '{file}', '{dir}', '{out}', '{runtime...}'] }, fileName: 'src/a.py', runtime };
    expect(await checker.check(input, 'a', 'b')).toEqual({ ran: true, ok: true });
  });
});
