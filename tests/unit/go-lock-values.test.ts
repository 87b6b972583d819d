// Go probes that go vet would object to, decided from syntax in server/languages/go/deep.scm: no
// variable probe passes a lock value in plain sight (a `sync.X{}`/`atomic.X{}` literal or a `var` of
// such a type: copylocks reports the call; a struct literal of another type is passed by address),
// and nothing follows a loop without a condition (a terminating statement: a `Done()` after it is a
// "missing return"). Round trip and idempotence hold.
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('go');
});

function instrument(text: string): string {
  const opts = { relPath: 'x.go', runtimeImport: 'example.com/m/telemetry' };
  const added = engine.add('go', text, opts);
  expect(added.skipped).toEqual([]);
  expect(engine.strip('go', added.text).text).toBe(text);
  expect(engine.add('go', added.text, opts).text).toBe(added.text);
  return added.text;
}

const probed = (out: string) => [...out.matchAll(/_tm\.Var\(\d+, "(\w+)"/g)].map((m) => m[1]);

describe('Go variable probes and lock values', () => {
  it('gives no probe to a variable bound to a sync or atomic value, and probes pointers and other values', () => {
    const src = [
      'package p',
      '',
      'import (',
      '\t"sync"',
      '\t"sync/atomic"',
      ')',
      '',
      'type T struct{ n int }',
      '',
      'var once sync.Once',
      '',
      'func f() int {',
      '\tmu := sync.Mutex{}',
      '\tvar wg sync.WaitGroup = sync.WaitGroup{}',
      '\tvar rw = sync.RWMutex{}',
      '\tvar n atomic.Int64 = atomic.Int64{}',
      '\tp := atomic.Pointer[T]{}',
      '\tonce = sync.Once{}',
      '\tk, c := 1, sync.Cond{}',
      '\tptr := &sync.Mutex{}',
      '\tt := T{n: 1}',
      '\tsyncish := len("sync.Mutex{}")',
      '\tmu.Lock()',
      '\tmu.Unlock()',
      '\twg.Wait()',
      '\trw.RLock()',
      '\t_ = p.Load()',
      '\t_ = c',
      '\tptr.Lock()',
      '\treturn int(n.Load()) + t.n + k + syncish',
      '}',
      '',
    ].join('\n');
    const out = instrument(src);
    expect(probed(out)).toEqual(['ptr', 'syncish']);
    expect(out).toContain('\tt := T{n: 1}\n\tif _tm.On() { _tm.VarRef(9, "t", &t) }\n');
  });

  it('passes a variable built from a struct literal by address, the form go vet accepts for a value holding a lock', () => {
    const src = ['package p', '', 'type S struct{ n int }', '', 'func g() int {', '\ts := S{}', '\tvar u = S{n: 2}', '\ts = S{n: 1}', '\tn := s.n + u.n', '\treturn n', '}', ''].join('\n');
    const out = instrument(src);
    expect(out).toContain('\ts := S{}\n\tif _tm.On() { _tm.VarRef(1, "s", &s) }\n');
    expect(out).toContain('\tvar u = S{n: 2}\n\tif _tm.On() { _tm.VarRef(2, "u", &u) }\n');
    expect(out).toContain('\ts = S{n: 1}\n\tif _tm.On() { _tm.VarRef(3, "s", &s) }\n');
    expect(out).toContain('\tn := s.n + u.n\n\tif _tm.On() { _tm.Var(4, "n", n) }\n');
    // A model may write the same form: the proposal check accepts VarRef with `&name`.
    const fn = out.slice(out.indexOf('func g'));
    expect(engine.checkProposal('go', src, src.indexOf('g()'), fn)).toMatchObject({ ok: true });
  });

  it('adds nothing after a for loop with no condition, which ends the function', () => {
    const src = [
      'package p',
      '',
      'func first(xs []int) int {',
      '\tfor i := 0; ; i++ {',
      '\t\tif xs[i] > 0 {',
      '\t\t\treturn i',
      '\t\t}',
      '\t}',
      '}',
      '',
      'func bounded(xs []int) int {',
      '\tfor i := 0; i < len(xs); i++ {',
      '\t\txs[i]++',
      '\t}',
      '\treturn 0',
      '}',
      '',
    ].join('\n');
    const out = instrument(src);
    const first = out.slice(out.indexOf('func first'), out.indexOf('func bounded'));
    expect(first).toContain('__l0.Tick()');
    expect(first).toMatch(/\t}\n}\n\n$/);
    expect(first).not.toContain('.Done()');
    expect(out.slice(out.indexOf('func bounded'))).toContain('__l0.Done()\n\treturn 0');
  });
});
