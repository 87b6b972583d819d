// Everything instrumented still compiles, Python: py_compile compiles each original of the standard
// library and its instrumented copy (written by the corpus test, tests/corpus/python-stdlib.test.ts,
// which checked the round trip on the same output). A copy must compile wherever its original does,
// and must not bring a new compiler warning (an escape sequence copied into a probe's string, say),
// nor move a docstring out of its place.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { cleanEnv, log, mapLimit, PARALLEL, probeKindsIn, run, seconds } from './harness.js';

// Reads [original, copy] pairs; compiles each original, then its copy when the original compiled;
// prints one JSON report. Warnings are compared by category and message, not position. Each
// finding carries its cause when it is one of the engine bugs below, else "unexplained".
const COMPILE = String.raw`
import ast, importlib.util, io, json, os, py_compile, sys, tempfile, tokenize, warnings
pairs = json.load(open(sys.argv[1]))
cfile = os.path.join(tempfile.mkdtemp(), "x.pyc")

def source(path):
    with open(path, "rb") as f:
        return importlib.util.decode_source(f.read())

def compile_one(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            py_compile.compile(path, cfile=cfile, doraise=True)
            error = None
        except py_compile.PyCompileError as e:
            error = e.msg.strip().splitlines()[-1]
    return error, sorted("%s: %s" % (w.category.__name__, w.message) for w in caught)

def docstrings(text):
    # {qualified name: [(docstring, node)]} for the module, classes and functions.
    found = {}
    def visit(node, prefix):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found.setdefault(prefix or "<module>", []).append((ast.get_docstring(node, clean=False), node))
        for child in ast.iter_child_nodes(node):
            named = isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            visit(child, (prefix + "." + child.name if prefix else child.name) if named else prefix)
    visit(ast.parse(text), "")
    return found

def several_literals(text, node):
    # The docstring is written as several string literals ("a" "b").
    segment = ast.get_source_segment(text, node.body[0].value) or ""
    tokens = tokenize.generate_tokens(io.StringIO(segment).readline)
    return sum(1 for t in tokens if t.type == tokenize.STRING) > 1

def leading_comment(text):
    # The file starts with comment lines (a #! line, a licence) before its docstring.
    for line in text.splitlines():
        if line.strip():
            return line.lstrip().startswith("#")
    return False

report = {"checked": 0, "failedBefore": [], "findings": [], "newWarnings": []}
for original, copy in pairs:
    error, before = compile_one(original)
    if error:
        report["failedBefore"].append(original)
        continue
    report["checked"] += 1
    text = source(original)
    error, after = compile_one(copy)
    if error:
        future = "from __future__ imports must occur at the beginning" in error
        cause = "import-before-docstring" if future and leading_comment(text) else "unexplained"
        report["findings"].append({"file": copy, "problem": error, "cause": cause})
        continue
    for w in before:
        if w in after:
            after.remove(w)
    report["newWarnings"].extend("%s: %s" % (copy, w) for w in after)
    old, new = docstrings(text), docstrings(source(copy))
    for name in sorted(old):
        if [d for d, _ in old[name]] == [d for d, _ in new.get(name, [])]:
            continue
        if name == "<module>" and leading_comment(text):
            cause = "import-before-docstring"
        elif any(d is not None and several_literals(text, node) for d, node in old[name]):
            cause = "concatenated-docstring"
        else:
            cause = "unexplained"
        report["findings"].append({"file": copy, "problem": "docstring of %s lost" % name, "cause": cause})
json.dump(report, sys.stdout)
`;

interface Finding {
  file: string;
  problem: string;
  cause: keyof typeof FOUND_ENGINE_BUGS | 'unexplained';
}

interface CompileReport {
  checked: number;
  failedBefore: string[];
  /** Copies that no longer compile, or whose module, class or function lost its docstring. */
  findings: Finding[];
  newWarnings: string[];
}

/**
 * Engine bugs this test found (fixed in e621d3c), named when a finding looks like one of them again.
 */
const FOUND_ENGINE_BUGS = {
  'import-before-docstring':
    'in a file that starts with comment lines (a #! line, a licence) before its docstring, the runtime ' +
    'import goes after the comments and before the docstring: the module loses __doc__, and a ' +
    '`from __future__` import after the docstring becomes a SyntaxError. Reproducer: ' +
    '`# c\\n"""Doc."""\\nfrom __future__ import annotations\\ndef f():\\n    return 1\\n`',
  'concatenated-docstring':
    'a docstring written as several string literals ("a" "b", or "Doc.""" which is "Doc." then "") is ' +
    'not taken for one: the entry probe goes before it and the function loses __doc__. ' +
    'Reproducer: `def g():\\n    "a" "b"\\n    return 2\\n`',
} as const;

/** py_compile over [original, copy] pairs, two python3 processes at once; fails on any finding. */
export async function expectPythonCompiles(pairs: readonly [string, string][], dir: string): Promise<void> {
  const started = performance.now();
  const sample = pairs.find(([source]) => source.endsWith('/json/decoder.py'));
  const kinds = sample ? [...probeKindsIn(readFileSync(sample[1], 'utf8'))] : [];
  // Two halves, one python3 each: the machine has two cores.
  const halves = [pairs.filter((_, i) => i % 2 === 0), pairs.filter((_, i) => i % 2 === 1)];
  const reports = await mapLimit(halves, PARALLEL, async (half, i) => {
    writeFileSync(join(dir, `pairs-${i}.json`), JSON.stringify(half));
    const compiled = await run('python3', ['-c', COMPILE, join(dir, `pairs-${i}.json`)], {
      cwd: dir,
      env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }),
    });
    expect(compiled.code, compiled.stderr).toBe(0);
    return JSON.parse(compiled.stdout) as CompileReport;
  });
  const report: CompileReport = {
    checked: reports[0].checked + reports[1].checked,
    failedBefore: reports.flatMap((r) => r.failedBefore),
    findings: reports.flatMap((r) => r.findings),
    newWarnings: reports.flatMap((r) => r.newWarnings),
  };
  log(
    `python compile: py_compile: ${report.checked} instrumented stdlib files compiled, ` +
      `${report.findings.filter((f) => !f.problem.startsWith('docstring')).length} failures, ` +
      `${report.newWarnings.length} new warnings, ${report.findings.filter((f) => f.problem.startsWith('docstring')).length} docstrings lost; ${report.failedBefore.length} originals do not compile ` +
      `(test data) and are not counted; ${seconds(started)} s`,
  );
  log(`python compile: probe kinds beyond entry/exit (json/decoder.py): ${kinds.length ? kinds.join(', ') : 'none'}`);
  for (const f of report.findings.slice(0, 40)) {
    const known = f.cause === 'unexplained' ? '' : ` (the bug "${f.cause}" again: ${FOUND_ENGINE_BUGS[f.cause]})`;
    log(`python compile: ${relative(dir, f.file)}: ${f.problem}${known}`);
  }
  for (const line of report.newWarnings.slice(0, 20)) log(`python compile: ${line}`);
  expect(pairs.length).toBeGreaterThan(1500);
  expect(report.checked).toBe(pairs.length - report.failedBefore.length);
  expect(report.failedBefore.length).toBeLessThan(40);
  expect(report.findings.map((f) => `${f.file}: ${f.problem}`)).toEqual([]);
  expect(report.newWarnings).toEqual([]);
}
