// Previews: what an event shows of a value. Bounded in length, items and depth, with
// secret-looking names (password, token, key, ...) redacted, and never panicking, whatever
// the value's String or Error method does.
package telemetry

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"
)

const (
	previewLimit = 100
	messageLimit = 500
	maxItems     = 8
	maxDepth     = 3
	redacted     = "<redacted>"
)

const defaultRedact = `pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session`

var (
	// Names (parameters, variables) whose values are never previewed: TELEMETRY_REDACT.
	redactName = redactFromEnv(os.Getenv("TELEMETRY_REDACT"))
	// Keys and fields inside a previewed value are also checked against this wider list:
	// data such as an "Authorization" header is not named by the program's own identifiers.
	secret = regexp.MustCompile(`(?i)pass(word)?|token|secret|key|auth|cookie|credential`)
)

// redactFromEnv compiles the pattern case-insensitively. One that does not compile (RE2
// has no lookaround) redacts every value: failing open would show what was meant hidden.
func redactFromEnv(source string) *regexp.Regexp {
	if source == "" {
		source = defaultRedact
	}
	if re, err := regexp.Compile("(?i)" + source); err == nil {
		return re
	}
	return regexp.MustCompile("")
}

func secretKey(name string) bool {
	return secret.MatchString(name) || redactName.MatchString(name)
}

func previewArgs(kv []any) []field {
	args := make([]field, 0, (len(kv)+1)/2)
	for i := 0; i < len(kv); i += 2 {
		name, ok := kv[i].(string)
		if !ok {
			name = "arg" + strconv.Itoa(i/2)
		}
		if i+1 >= len(kv) {
			args = append(args, field{name, preview(nil)})
		} else if redactName.MatchString(name) {
			args = append(args, field{name, redacted})
		} else {
			args = append(args, field{name, preview(kv[i+1])})
		}
	}
	return args
}

func preview(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = unrepresentable(v)
		}
	}()
	b := previewPool.Get().(*previewBuf)
	defer previewPool.Put(b)
	b.b = b.b[:0]
	writeOne(b, reflect.ValueOf(v), 0)
	if cut := clipAt(b.b, previewLimit); cut >= 0 {
		b.b = append(b.b[:cut], "…"...)
	}
	return string(b.b)
}

// previewBuf is a preview being written; previewPool keeps them, so a preview allocates its result only.
type previewBuf struct{ b []byte }

var (
	previewPool  = sync.Pool{New: func() any { return &previewBuf{b: make([]byte, 0, 2*previewLimit)} }}
	errorType    = reflect.TypeOf((*error)(nil)).Elem()
	stringerType = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
)

func (p *previewBuf) str(s string) { p.b = append(p.b, s...) }
func (p *previewBuf) byte1(c byte) { p.b = append(p.b, c) }
func (p *previewBuf) rune1(r rune) { p.b = utf8.AppendRune(p.b, r) }

// unrepresentable is what a preview or a message shows of a value it could not read.
func unrepresentable(v any) string {
	return "<unrepresentable " + fmt.Sprintf("%T", v) + ">"
}

// writeOne writes one value; if its String or Error method panics, only this value falls
// back to <unrepresentable T> and its neighbours still show.
func writeOne(b *previewBuf, v reflect.Value, depth int) {
	mark := len(b.b)
	defer func() {
		if recover() != nil {
			b.b = b.b[:mark]
			if v.IsValid() && v.CanInterface() {
				b.str(unrepresentable(v.Interface()))
			} else {
				b.str("<unrepresentable>")
			}
		}
	}()
	writeValue(b, v, depth)
}

// writeValue is the canonical preview (protocol/runtime-vectors.json): null, true/false,
// numbers, JSON-quoted strings, [a, b] and {"k": v}, a few items per collection, a few levels
// deep, stopping once the text is long enough to be clipped anyway, so a huge value costs little.
func writeValue(b *previewBuf, v reflect.Value, depth int) {
	if len(b.b) > previewLimit {
		return
	}
	if !v.IsValid() {
		b.str("null")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			b.str("null")
			return
		}
	}
	// Only a value with an Error or String method is boxed (v.Interface copies a non-pointer value).
	if t := v.Type(); v.CanInterface() && (t.Implements(errorType) || t.Implements(stringerType)) {
		switch x := v.Interface().(type) {
		case error:
			b.str(clip(x.Error(), previewLimit))
			return
		case fmt.Stringer:
			b.str(clip(x.String(), previewLimit))
			return
		}
	}
	switch v.Kind() {
	case reflect.String:
		writeQuoted(b, clip(v.String(), previewLimit+1))
	case reflect.Bool:
		b.b = strconv.AppendBool(b.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.b = strconv.AppendInt(b.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.b = strconv.AppendUint(b.b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		b.b = strconv.AppendFloat(b.b, v.Float(), 'g', -1, v.Type().Bits())
	case reflect.Complex64, reflect.Complex128:
		b.str(strconv.FormatComplex(v.Complex(), 'g', -1, v.Type().Bits()))
	case reflect.Pointer:
		b.byte1('&')
		writeValue(b, v.Elem(), depth)
	case reflect.Interface:
		writeValue(b, v.Elem(), depth)
	case reflect.Slice, reflect.Array:
		n := v.Len()
		writeItems(b, "[", "]", n, depth, func(i int) { writeOne(b, v.Index(i), depth+1) })
	case reflect.Map:
		keys := mapKeys(v)
		writeItems(b, "{", "}", len(keys), depth, func(i int) {
			k := keys[i]
			writeOne(b, k, depth+1)
			b.str(": ")
			if k.Kind() == reflect.String && secretKey(k.String()) {
				b.str(redacted)
			} else {
				writeOne(b, v.MapIndex(k), depth+1)
			}
		})
	case reflect.Struct:
		t := v.Type()
		writeItems(b, "{", "}", v.NumField(), depth, func(i int) {
			name := t.Field(i).Name
			b.str(name)
			b.str(": ")
			if secretKey(name) {
				b.str(redacted)
			} else {
				writeOne(b, v.Field(i), depth+1)
			}
		})
	default: // chan, func, unsafe pointer
		b.str(v.Type().String())
	}
}

// writeItems writes open, at most maxItems items and "…" for the rest, and close; a
// non-empty collection deeper than maxDepth is open…close.
func writeItems(b *previewBuf, open, close string, n, depth int, item func(int)) {
	b.str(open)
	if n > 0 && depth >= maxDepth {
		b.str("…")
	}
	for i := 0; i < n && depth < maxDepth; i++ {
		if i > 0 {
			b.str(", ")
		}
		if i == maxItems || len(b.b) > previewLimit {
			b.str("…")
			break
		}
		item(i)
	}
	b.str(close)
}

// mapKeys returns a map's keys, sorted by their preview as fmt sorts maps, when the map is
// small enough to sort cheaply; a larger map shows its first keys in iteration order.
func mapKeys(v reflect.Value) []reflect.Value {
	const sortable = 64
	if v.Len() > sortable {
		keys := make([]reflect.Value, 0, maxItems+1)
		it := v.MapRange()
		for len(keys) <= maxItems && it.Next() {
			keys = append(keys, it.Key())
		}
		return keys
	}
	keys := v.MapKeys()
	shown := make([]string, len(keys))
	for i, k := range keys {
		shown[i] = preview(k.Interface())
	}
	sort.Sort(byShown{keys, shown})
	return keys
}

type byShown struct {
	keys  []reflect.Value
	shown []string
}

func (s byShown) Len() int           { return len(s.keys) }
func (s byShown) Less(i, j int) bool { return s.shown[i] < s.shown[j] }
func (s byShown) Swap(i, j int) {
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
	s.shown[i], s.shown[j] = s.shown[j], s.shown[i]
}

// writeQuoted writes s as JSON.stringify writes a string: \" \\ \b \f \n \r \t, other
// control characters as \u00XX, invalid UTF-8 as U+FFFD, everything else as it is.
func writeQuoted(b *previewBuf, s string) {
	const hexDigits = "0123456789abcdef"
	b.byte1('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.byte1('\\')
			b.rune1(r)
		case '\b':
			b.str(`\b`)
		case '\f':
			b.str(`\f`)
		case '\n':
			b.str(`\n`)
		case '\r':
			b.str(`\r`)
		case '\t':
			b.str(`\t`)
		default:
			if r < 0x20 {
				b.str(`\u00`)
				b.byte1(hexDigits[r>>4])
				b.byte1(hexDigits[r&0xf])
			} else {
				b.rune1(r)
			}
		}
	}
	b.byte1('"')
}

// clipAt is where clip cuts b (the byte offset of its limit-th code point, which … replaces), or
// -1 when b is short enough.
func clipAt(b []byte, limit int) int {
	if len(b) <= limit {
		return -1
	}
	n, cut := 0, 0
	for i := 0; i < len(b); {
		if n == limit-1 {
			cut = i
		}
		if n == limit {
			return cut
		}
		_, size := utf8.DecodeRune(b[i:])
		i += size
		n++
	}
	return -1
}

// clip keeps at most limit characters (code points), the last being … when s was longer.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := 0
	cut := 0
	for i := range s {
		if n == limit-1 {
			cut = i
		}
		if n == limit {
			return s[:cut] + "…"
		}
		n++
	}
	return s
}
