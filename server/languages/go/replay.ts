// Replay for Go: one table test per package, in the package (so unexported functions are reachable),
// calling each function through reflect with arguments decoded from JSON into its parameter types.
// Go's runtime records no return values, so a case checks that the call panics with the same type
// (fmt %T) or completes without panicking; a case with a recorded return also compares it. Name
// resolution is refused in an init() (net.DefaultResolver), except in the standard library, where
// importing net from a package below it would be a cycle.
// Must never claim to check results Go's events do not carry.
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedFile, ReplayLanguage } from '../../src/replay/replay-language.js';
import { commentSafe } from '../../src/replay/replay-language.js';

const go = (text: string) => JSON.stringify(text);

/** The go.mod above a folder says `module std` in the standard library. */
function inStdlib(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    const mod = path.join(d, 'go.mod');
    if (fs.existsSync(mod)) return /^module\s+std\s*$/m.test(fs.readFileSync(mod, 'utf8'));
    if (path.dirname(d) === d) return false;
  }
}

const HELPERS = `
func replayValue(dec any, t reflect.Type) (reflect.Value, error) {
	if dec == nil {
		return reflect.Zero(t), nil
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := dec.(json.Number)
		if !ok {
			break
		}
		i, err := n.Int64()
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(i).Convert(t), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := dec.(json.Number)
		if !ok {
			break
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(u).Convert(t), nil
	case reflect.Float32, reflect.Float64:
		n, ok := dec.(json.Number)
		if !ok {
			break
		}
		f, err := n.Float64()
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(f).Convert(t), nil
	case reflect.String:
		if s, ok := dec.(string); ok {
			return reflect.ValueOf(s).Convert(t), nil
		}
	case reflect.Bool:
		if b, ok := dec.(bool); ok {
			return reflect.ValueOf(b).Convert(t), nil
		}
	case reflect.Slice, reflect.Array:
		items, ok := dec.([]any)
		if !ok {
			break
		}
		var out reflect.Value
		if t.Kind() == reflect.Slice {
			out = reflect.MakeSlice(t, len(items), len(items))
		} else if len(items) == t.Len() {
			out = reflect.New(t).Elem()
		} else {
			break
		}
		for i, item := range items {
			v, err := replayValue(item, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(v)
		}
		return out, nil
	case reflect.Map:
		fields, ok := dec.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			break
		}
		out := reflect.MakeMapWithSize(t, len(fields))
		for k, item := range fields {
			v, err := replayValue(item, t.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), v)
		}
		return out, nil
	case reflect.Interface:
		// A JSON value stands for an interface only when it implements it (any, mostly): an
		// io.Writer previewed as {} is not a map.
		if v := reflect.ValueOf(dec); v.Type().Implements(t) {
			return v, nil
		}
	}
	return reflect.Value{}, fmt.Errorf("a %T cannot become a %s", dec, t)
}

func replayCall(t *testing.T, fn any, args, outcome string) {
	t.Helper()
	f := reflect.ValueOf(fn)
	ft := f.Type()
	dec := json.NewDecoder(strings.NewReader(args))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil || len(raw) != ft.NumIn() {
		t.Skipf("replay: the captured arguments do not fit %s", ft)
	}
	in := make([]reflect.Value, len(raw))
	for i, a := range raw {
		v, err := replayValue(a, ft.In(i))
		if err != nil {
			t.Skipf("replay: argument %d: %v", i+1, err)
		}
		in[i] = v
	}
	var want []any
	od := json.NewDecoder(strings.NewReader(outcome))
	od.UseNumber()
	if err := od.Decode(&want); err != nil || len(want) != 2 {
		t.Fatalf("replay: bad outcome %s", outcome)
	}
	var out []reflect.Value
	panicked, panicType := func() (p bool, typ string) {
		defer func() {
			if r := recover(); r != nil {
				p, typ = true, fmt.Sprintf("%T", r)
			}
		}()
		if ft.IsVariadic() {
			out = f.CallSlice(in)
		} else {
			out = f.Call(in)
		}
		return false, ""
	}()
	switch want[0] {
	case "raises":
		if !panicked || panicType != want[1] {
			t.Fatalf("want a %v panic, got panicked=%v (%s)", want[1], panicked, panicType)
		}
	case "returns":
		if panicked {
			t.Fatalf("panicked with %s", panicType)
		}
		exp, err := replayValue(want[1], ft.Out(0))
		if err != nil {
			t.Skipf("replay: result: %v", err)
		}
		if !reflect.DeepEqual(out[0].Interface(), exp.Interface()) {
			t.Fatalf("got %#v, want %#v", out[0].Interface(), exp.Interface())
		}
	default:
		if panicked {
			t.Fatalf("panicked with %s; the captured call completed", panicType)
		}
	}
}
`;

export const goLanguage: ReplayLanguage = {
  id: 'go',
  owns: (file) => file.endsWith('.go'),
  recordsReturns: false,
  group: (abs) => path.dirname(abs),
  reachable(source, name, file) {
    // main and init are not callable; helpers of the package's own tests are not the code under test.
    if (name === 'main' || name === 'init' || file.endsWith('_test.go')) return 'not reachable from a test';
    return new RegExp(`^func\\s+${name}\\s*(\\[[^\\]]*\\])?\\(`, 'm').test(source) && !new RegExp(`^func\\s+${name}\\s*\\[`, 'm').test(source)
      ? undefined
      : 'not reachable from a test';
  },
  emit(abs, functions, _out, root): GeneratedFile[] {
    const source = fs.readFileSync(abs, 'utf8');
    const pkg = /^package\s+(\w+)/m.exec(source)?.[1] ?? 'main';
    const guard = !inStdlib(path.dirname(abs));
    const cases = functions.reduce((s, f) => s + f.cases.length, 0);
    const lines = [
      `// Characterization tests replayed from captured calls in ${commentSafe(path.basename(abs))} (telemetry-injector replay).`,
      "// Go's events carry no return values: each case checks that the call panics with the captured type,",
      '// or completes. They replay no external effects.',
      `package ${pkg}`,
      '',
      'import (',
      '\t"encoding/json"',
      '\t"fmt"',
      ...(guard ? ['\t"context"', '\t"errors"', '\t"net"'] : []),
      '\t"reflect"',
      '\t"strconv"',
      '\t"strings"',
      '\t"testing"',
      ')',
      '',
      ...(guard
        ? [
            '// Name resolution is refused while replayed tests run.',
            'func init() {',
            '\tnet.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {',
            '\t\treturn nil, errors.New("replay: network access is blocked in replayed tests")',
            '\t}}',
            '}',
          ]
        : ['// The standard library cannot import net here (an import cycle): the network is not blocked.']),
    ];
    for (const f of functions) {
      lines.push('', `// ${commentSafe(f.file)}:${f.line}`, `func TestReplay_${f.name}(t *testing.T) {`, '\tcases := []struct{ args, outcome string }{');
      for (const c of f.cases) {
        const args = `[${c.args.map(([, v]) => v).join(', ')}]`;
        const outcome = c.outcome.kind === 'returns' ? `["returns", ${c.outcome.json}]` : c.outcome.kind === 'raises' ? `["raises", ${go(c.outcome.type)}]` : '["completes", null]';
        lines.push(`\t\t{${go(args)}, ${go(outcome)}},`);
      }
      lines.push('\t}', '\tfor _, c := range cases {', `\t\tt.Run(c.args, func(t *testing.T) { replayCall(t, ${f.name}, c.args, c.outcome) })`, '\t}', '}');
    }
    lines.push(HELPERS);
    return [{ path: path.join(path.relative(root, path.dirname(abs)), `replay_${pkg}_test.go`), text: `${lines.join('\n')}`, functions: functions.length, cases }];
  },
};
