// Bench (g), deep probes: one program per language that times, for each probe kind, a loop
// whose body holds that probe against the same loop without it, in one process. The probes
// are written by hand in the forms of the deep contract (server/languages/README.md, "Deep probes"), inside the
// entry/exit wrapper that the engine emits, so `__tel` is what it is in instrumented code.
// Each program prints {kind: [best baseline ns, best probed ns]} for the kinds it is asked for.
// Timings are CPU time of the process (Python: of the thread), taken in rounds that visit
// every kind and alternate which of the pair runs first, and the best of the rounds is kept:
// on a shared machine other processes then disturb the figures less.

export const DEEP_KINDS = ['variable', 'branch', 'loop tick', 'exception'] as const;
export type DeepKind = (typeof DEEP_KINDS)[number];

/** A loop body without and with the probe; `before`/`after` go around the probed loop only. */
interface Pair {
  base: string[];
  probe: string[];
  before?: string[];
  after?: string[];
}

const indent = (lines: string[], by: string) => lines.map((l) => by + l);
const names = (kind: DeepKind) => kind.replace(' ', '_');

export function pythonDeepProgram(): string {
  const pairs: Record<DeepKind, Pair> = {
    variable: { base: ['acc += i'], probe: ['acc += i', '__tel and _tm.var(__tel, 5, "acc", acc)'] },
    branch: {
      base: ['acc += i', 'if acc != 7:', '    acc ^= 1'],
      probe: ['acc += i', 'if acc != 7:', '    __tel and _tm.branch(__tel, 6, "if", "acc != 7")', '    acc ^= 1'],
    },
    'loop tick': {
      base: ['acc += i'],
      probe: ['__l0 and __l0.tick()', 'acc += i'],
      before: ['__l0 = __tel and _tm.loop(__tel, 4, "for")'],
      after: ['__l0 and __l0.done()'],
    },
    exception: {
      base: ['try:', '    acc += i', 'finally:', '    acc ^= 1'],
      probe: ['try:', '    acc += i', 'finally:', '    __tel and _tm.fin(__tel, 8)', '    acc ^= 1'],
    },
  };
  const fn = (name: string, body: string[], before: string[] = [], after: string[] = []) => [
    `def ${name}(n):`,
    `    __tel = _tm.on and _tm.enter("${name}", "bench_deep.py", 1, {"n": n})`,
    '    try:',
    '        acc = 0',
    ...indent(before, '        '),
    '        for i in range(n):',
    ...indent(body, '            '),
    ...indent(after, '        '),
    '        return _tm.ret(__tel, (acc))',
    '    except BaseException as __e: _tm.fail(__tel, __e); raise',
    '    finally: __tel and _tm.exit(__tel)',
    '',
  ];
  const defs = Object.entries(pairs).flatMap(([kind, p]) => [
    ...fn(`base_${names(kind as DeepKind)}`, p.base),
    ...fn(`probe_${names(kind as DeepKind)}`, p.probe, p.before, p.after),
  ]);
  const table = Object.keys(pairs).map((k) => `    ${JSON.stringify(k)}: (base_${names(k as DeepKind)}, probe_${names(k as DeepKind)}),`);
  return [
    'import json, sys, time',
    'import telemetry_runtime as _tm',
    '',
    ...defs,
    'PAIRS = {',
    ...table,
    '}',
    '',
    'def timed(fn, n):',
    '    start = time.thread_time_ns()',
    '    fn(n)',
    '    return time.thread_time_ns() - start',
    '',
    'n, reps, kinds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")',
    'best = {kind: [None, None] for kind in kinds}',
    'for kind in kinds:',
    '    for fn in PAIRS[kind]:',
    '        timed(fn, n // 10)',
    'for r in range(reps):',
    '    for kind in kinds:',
    '        for j in ((0, 1) if r % 2 == 0 else (1, 0)):',
    '            t = timed(PAIRS[kind][j], n)',
    '            if best[kind][j] is None or t < best[kind][j]:',
    '                best[kind][j] = t',
    'print(json.dumps(best))',
    '',
  ].join('\n');
}

export function nodeDeepProgram(): string {
  const pairs: Record<DeepKind, Pair> = {
    variable: { base: ['acc = (acc + i) | 0;'], probe: ['acc = (acc + i) | 0;', '__tel && _tm.var(__tel, 5, "acc", acc);'] },
    branch: {
      base: ['acc = (acc + i) | 0;', 'if (acc !== 7) {', '  acc ^= 1;', '}'],
      probe: ['acc = (acc + i) | 0;', 'if (acc !== 7) {', '  __tel && _tm.branch(__tel, 6, "if", "acc !== 7");', '  acc ^= 1;', '}'],
    },
    'loop tick': {
      base: ['acc = (acc + i) | 0;'],
      probe: ['__l0 && __l0.n++;', 'acc = (acc + i) | 0;'],
      before: ['const __l0 = __tel && _tm.loop(__tel, 4, "for");'],
      after: ['__l0 && _tm.done(__l0);'],
    },
    exception: {
      base: ['try {', '  acc = (acc + i) | 0;', '} finally {', '  acc ^= 1;', '}'],
      probe: ['try {', '  acc = (acc + i) | 0;', '} finally {', '  __tel && _tm.fin(__tel, 8);', '  acc ^= 1;', '}'],
    },
  };
  const fn = (name: string, body: string[], before: string[] = [], after: string[] = []) => [
    `function ${name}(n) {`,
    `  const __tel = _tm.on() && _tm.enter("${name}", "bench-deep.cjs", 1, { n }); try {`,
    '  let acc = 0;',
    ...indent(before, '  '),
    '  for (let i = 0; i < n; i++) {',
    ...indent(body, '    '),
    '  }',
    ...indent(after, '  '),
    '  return _tm.ret(__tel, (acc));',
    '  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }',
    '}',
    '',
  ];
  const defs = Object.entries(pairs).flatMap(([kind, p]) => [
    ...fn(`base_${names(kind as DeepKind)}`, p.base),
    ...fn(`probe_${names(kind as DeepKind)}`, p.probe, p.before, p.after),
  ]);
  const table = Object.keys(pairs).map((k) => `  ${JSON.stringify(k)}: [base_${names(k as DeepKind)}, probe_${names(k as DeepKind)}],`);
  return [
    "'use strict';",
    'const _tm = require("./telemetry-runtime.cjs");',
    '',
    ...defs,
    'const PAIRS = {',
    ...table,
    '};',
    '',
    'let sink = 0;',
    'const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };',
    'function timed(fn, n) {',
    '  const start = cpuNs();',
    '  sink ^= fn(n);',
    '  return cpuNs() - start;',
    '}',
    '',
    'const [n, reps, kinds] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4].split(",")];',
    'const best = Object.fromEntries(kinds.map((kind) => [kind, [Infinity, Infinity]]));',
    '// Many short calls first, so that V8 optimizes every function on entry rather than by OSR only.',
    'for (let w = 0; w < 2000; w++) for (const kind of kinds) for (const fn of PAIRS[kind]) sink ^= fn(Math.ceil(n / 1000));',
    'for (let r = 0; r < reps; r++) {',
    '  for (const kind of kinds) {',
    '    for (const j of r % 2 === 0 ? [0, 1] : [1, 0]) best[kind][j] = Math.min(best[kind][j], timed(PAIRS[kind][j], n));',
    '  }',
    '}',
    'if (sink === 0.5) console.error(sink);',
    'console.log(JSON.stringify(best));',
    '',
  ].join('\n');
}

/** package main of the bench module, at deep/main.go. */
export function goDeepProgram(runtimeImport: string): string {
  const pairs: Record<DeepKind, Pair> = {
    variable: { base: ['acc += i'], probe: ['acc += i', 'if _tm.On() {', '\t_tm.Var(5, "acc", acc)', '}'] },
    branch: {
      base: ['acc += i', 'if acc != 7 {', '\tacc ^= 1', '}'],
      probe: ['acc += i', 'if acc != 7 {', '\tif _tm.On() {', '\t\t_tm.Branch(6, "if", "acc != 7")', '\t}', '\tacc ^= 1', '}'],
    },
    'loop tick': {
      base: ['acc += i'],
      probe: ['__l0.Tick()', 'acc += i'],
      before: ['__l0 := _tm.Loop(4, "for")'],
      after: ['__l0.Done()'],
    },
    exception: {
      base: ['acc += i', 'if err != nil {', '\tacc ^= 1', '}'],
      probe: ['acc += i', 'if err != nil {', '\tif _tm.On() {', '\t\t_tm.Caught(7, err)', '\t}', '\tacc ^= 1', '}'],
    },
  };
  const camel = (kind: DeepKind) => names(kind).replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  const fn = (name: string, body: string[], before: string[] = [], after: string[] = []) => [
    '//go:noinline',
    `func ${name}(n int) int {`,
    '\tif _tm.On() {',
    `\t\tdefer _tm.Exit(_tm.Enter("${name}", "deep/main.go", 1, "n", n))`,
    '\t}',
    '\tacc, err := 0, errBench',
    ...indent(before, '\t'),
    '\tfor i := 0; i < n; i++ {',
    ...indent(body, '\t\t'),
    '\t}',
    ...indent(after, '\t'),
    '\t_ = err',
    '\treturn acc',
    '}',
    '',
  ];
  const defs = Object.entries(pairs).flatMap(([kind, p]) => [
    ...fn(`base${camel(kind as DeepKind)}`, p.base),
    ...fn(`probe${camel(kind as DeepKind)}`, p.probe, p.before, p.after),
  ]);
  const table = Object.keys(pairs).map((k) => `\t${JSON.stringify(k)}: {base${camel(k as DeepKind)}, probe${camel(k as DeepKind)}},`);
  return [
    'package main',
    '',
    'import (',
    '\t"encoding/json"',
    '\t"errors"',
    '\t"fmt"',
    '\t"os"',
    '\t"strconv"',
    '\t"strings"',
    '\t"syscall"',
    '',
    `\t_tm ${JSON.stringify(runtimeImport)}`,
    ')',
    '',
    'var errBench = errors.New("bench")',
    '',
    ...defs,
    'var pairs = map[string][2]func(int) int{',
    ...table,
    '}',
    '',
    'var sink int',
    '',
    '// cpuNs is the CPU time of the process, user and system.',
    'func cpuNs() int64 {',
    '\tvar u syscall.Rusage',
    '\tsyscall.Getrusage(syscall.RUSAGE_SELF, &u)',
    '\treturn u.Utime.Nano() + u.Stime.Nano()',
    '}',
    '',
    'func timed(fn func(int) int, n int) int64 {',
    '\tstart := cpuNs()',
    '\tsink ^= fn(n)',
    '\treturn cpuNs() - start',
    '}',
    '',
    'func main() {',
    '\tn, _ := strconv.Atoi(os.Args[1])',
    '\treps, _ := strconv.Atoi(os.Args[2])',
    '\tkinds := strings.Split(os.Args[3], ",")',
    '\tout := map[string][2]int64{}',
    '\tfor _, kind := range kinds {',
    '\t\tfor _, fn := range pairs[kind] {',
    '\t\t\ttimed(fn, n/10)',
    '\t\t}',
    '\t\tout[kind] = [2]int64{-1, -1}',
    '\t}',
    '\tfor r := 0; r < reps; r++ {',
    '\t\tfor _, kind := range kinds {',
    '\t\t\tbest := out[kind]',
    '\t\t\tfor _, j := range [2][2]int{{0, 1}, {1, 0}}[r%2] {',
    '\t\t\t\tif t := timed(pairs[kind][j], n); best[j] < 0 || t < best[j] {',
    '\t\t\t\t\tbest[j] = t',
    '\t\t\t\t}',
    '\t\t\t}',
    '\t\t\tout[kind] = best',
    '\t\t}',
    '\t}',
    '\tif sink == -1 {',
    '\t\tfmt.Fprintln(os.Stderr, sink)',
    '\t}',
    '\tb, _ := json.Marshal(out)',
    '\tfmt.Println(string(b))',
    '}',
    '',
  ].join('\n');
}
