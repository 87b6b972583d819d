// Previews: what an event shows of a value. Bounded in length, items and depth, with
// secret-looking names (password, token, key, ...) redacted, and never panicking, whatever
// the value's String or Error method does.
package telemetry

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
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
			s = "<unrepresentable>"
		}
	}()
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(v), 0)
	return clip(b.String(), previewLimit)
}

// writeValue is a bounded %v: a few items per collection, a few levels deep, and it stops
// once the text is long enough to be clipped anyway, so a huge value costs little.
func writeValue(b *strings.Builder, v reflect.Value, depth int) {
	if b.Len() > previewLimit {
		return
	}
	if !v.IsValid() {
		b.WriteString("nil")
		return
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		b.WriteString("nil")
		return
	}
	if v.CanInterface() {
		switch x := v.Interface().(type) {
		case error:
			b.WriteString(clip(x.Error(), previewLimit))
			return
		case fmt.Stringer:
			b.WriteString(clip(x.String(), previewLimit))
			return
		}
	}
	switch v.Kind() {
	case reflect.String:
		b.WriteString(strconv.Quote(clip(v.String(), previewLimit)))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits()))
	case reflect.Complex64, reflect.Complex128:
		b.WriteString(strconv.FormatComplex(v.Complex(), 'g', -1, v.Type().Bits()))
	case reflect.Pointer:
		b.WriteByte('&')
		if depth >= maxDepth {
			b.WriteString("…")
			return
		}
		writeValue(b, v.Elem(), depth+1)
	case reflect.Interface:
		writeValue(b, v.Elem(), depth)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i := 0; i < v.Len() && depth < maxDepth; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			if i == maxItems || b.Len() > previewLimit {
				b.WriteString("…")
				break
			}
			writeValue(b, v.Index(i), depth+1)
		}
		b.WriteByte(']')
	case reflect.Map:
		b.WriteString("map[")
		it := v.MapRange()
		for i := 0; depth < maxDepth && it.Next(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			if i == maxItems || b.Len() > previewLimit {
				b.WriteString("…")
				break
			}
			writeValue(b, it.Key(), depth+1)
			b.WriteByte(':')
			if k := it.Key(); k.Kind() == reflect.String && secretKey(k.String()) {
				b.WriteString(redacted)
			} else {
				writeValue(b, it.Value(), depth+1)
			}
		}
		b.WriteByte(']')
	case reflect.Struct:
		b.WriteByte('{')
		t := v.Type()
		for i := 0; i < v.NumField() && depth < maxDepth; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			if i == maxItems || b.Len() > previewLimit {
				b.WriteString("…")
				break
			}
			name := t.Field(i).Name
			b.WriteString(name)
			b.WriteByte(':')
			if secretKey(name) {
				b.WriteString(redacted)
			} else {
				writeValue(b, v.Field(i), depth+1)
			}
		}
		b.WriteByte('}')
	default: // chan, func, unsafe pointer
		b.WriteString(v.Type().String())
	}
}

func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
