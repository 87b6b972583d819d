// Fixed-shape events: function_entry and function_exit written straight into a pooled line
// buffer, without a []field, boxing or reflection, when they go to JSONL only (with OTLP the
// exporter needs the fields, and emitAt builds them). An argument of a common type (integers,
// floats, bools, nil, short plain strings) is previewed by appending its text, exactly as
// preview would write it (protocol/runtime-vectors.json); any other value goes through preview.
// It must never write a line that differs from the one emitAt would write for the same event.
package telemetry

import (
	"strconv"
	"sync/atomic"
	"time"
)

// entryLine writes function_entry for s with its arguments' previews, or returns false when
// emitAt must (OTLP is on). Called while the goroutine is busy: a String method records nothing.
func entryLine(s *Span, kv []any) bool {
	if exporter != nil {
		return false
	}
	bp := linePool.Get().(*[]byte)
	b := appendHead((*bp)[:0], "function_entry", s, s.line, time.Now().UnixNano())
	b = append(b, `,"args":{`...)
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		name, ok := kv[i].(string)
		if !ok {
			name = "arg" + strconv.Itoa(i/2)
		}
		b = appendString(b, name)
		b = append(b, ':')
		switch {
		case i+1 >= len(kv):
			b = append(b, `"null"`...)
		case redactedName(name):
			b = append(b, `"<redacted>"`...)
		default:
			b = appendArgPreview(b, kv[i+1])
		}
	}
	b = append(b, `},"caller":`...)
	if s.parent != nil {
		b = appendString(b, s.parent.name)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	linePool.Put(bp)
	return true
}

// exitLine writes a plain function_exit (no error, no dropped calls), or returns false when
// emitAt must.
func exitLine(s *Span, d, ts int64) bool {
	if exporter != nil {
		return false
	}
	bp := linePool.Get().(*[]byte)
	b := appendHead((*bp)[:0], "function_exit", s, s.line, ts)
	b = append(b, `,"duration_ns":`...)
	b = strconv.AppendInt(b, d, 10)
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	linePool.Put(bp)
	return true
}

// appendArgPreview appends preview(v) as a JSON string.
func appendArgPreview(b []byte, v any) []byte {
	if out, ok := appendFastPreview(b, v); ok {
		return out
	}
	return appendString(b, preview(v))
}

// appendFastPreview appends preview(v) as a JSON string when v is of a type it knows, and reports
// whether it did. Only exact built-in types: a named type may have a String method, which preview
// calls.
func appendFastPreview(b []byte, v any) ([]byte, bool) {
	b = append(b, '"')
	switch x := v.(type) {
	case nil:
		b = append(b, "null"...)
	case int:
		b = strconv.AppendInt(b, int64(x), 10)
	case int64:
		b = strconv.AppendInt(b, x, 10)
	case int32:
		b = strconv.AppendInt(b, int64(x), 10)
	case int16:
		b = strconv.AppendInt(b, int64(x), 10)
	case int8:
		b = strconv.AppendInt(b, int64(x), 10)
	case uint:
		b = strconv.AppendUint(b, uint64(x), 10)
	case uint64:
		b = strconv.AppendUint(b, x, 10)
	case uint32:
		b = strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		b = strconv.AppendUint(b, uint64(x), 10)
	case uint8:
		b = strconv.AppendUint(b, uint64(x), 10)
	case uintptr:
		b = strconv.AppendUint(b, uint64(x), 10)
	case bool:
		b = strconv.AppendBool(b, x)
	case float64:
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
	case float32:
		b = strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	case string:
		if !plainShort(x) {
			return b[:len(b)-1], false
		}
		// preview quotes it ("x"), and the event quotes the preview again.
		b = append(b, '\\', '"')
		b = append(b, x...)
		b = append(b, '\\', '"')
	default:
		return b[:len(b)-1], false
	}
	return append(b, '"'), true
}

// varLine writes variable_change for a value of a type appendFastPreview knows (never an LLM
// response), or returns false when Var must take the general way.
func varLine(s *Span, line int, name string, value any) bool {
	if exporter != nil {
		return false
	}
	bp := linePool.Get().(*[]byte)
	defer linePool.Put(bp)
	b := appendHead((*bp)[:0], "variable_change", s, line, time.Now().UnixNano())
	b = append(b, `,"variable":`...)
	b = appendString(b, name)
	b = append(b, `,"value":`...)
	b, ok := appendFastPreview(b, value)
	*bp = b
	if !ok {
		return false
	}
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	return true
}

// branchLine writes branch (condition "" is null), or returns false when emitAt must.
func branchLine(s *Span, line int, label, condition string) bool {
	if exporter != nil {
		return false
	}
	bp := linePool.Get().(*[]byte)
	b := appendHead((*bp)[:0], "branch", s, line, time.Now().UnixNano())
	b = append(b, `,"branch":`...)
	b = appendString(b, label)
	b = append(b, `,"condition":`...)
	if condition == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, condition)
	}
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	linePool.Put(bp)
	return true
}

// loopLine writes loop_entry (exit false) or loop_exit, or returns false when emitAt must.
func loopLine(s *Span, l *LoopSpan, exit bool, d int64) bool {
	if exporter != nil {
		return false
	}
	bp := linePool.Get().(*[]byte)
	kind := "loop_entry"
	if exit {
		kind = "loop_exit"
	}
	b := appendHead((*bp)[:0], kind, s, l.line, time.Now().UnixNano())
	b = append(b, `,"loop":`...)
	b = appendString(b, l.kind)
	if exit {
		b = append(b, `,"iterations":`...)
		b = strconv.AppendUint(b, l.n, 10)
		b = append(b, `,"duration_ns":`...)
		b = strconv.AppendInt(b, d, 10)
		b = append(b, `,"suppressed":`...)
		b = strconv.AppendUint(b, l.suppressed, 10)
	}
	b = append(b, '}', '\n')
	write(b)
	*bp = b
	linePool.Put(bp)
	return true
}

// plainShort: s is printable ASCII with nothing to escape, and short enough that its quoted
// preview is never clipped.
func plainShort(s string) bool {
	if len(s)+2 > previewLimit {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// redactedName caches redactName's answer per parameter name: names come from probes, a few per
// function. Readers load an immutable map; a new name copies it (emptied past a bound).
var redactCache atomic.Pointer[map[string]bool]

func redactedName(name string) bool {
	if m := redactCache.Load(); m != nil {
		if hidden, found := (*m)[name]; found {
			return hidden
		}
	}
	hidden := redactName.MatchString(name)
	for {
		old := redactCache.Load()
		next := map[string]bool{name: hidden}
		if old != nil && len(*old) < 4096 {
			for k, v := range *old {
				next[k] = v
			}
		}
		if redactCache.CompareAndSwap(old, &next) {
			return hidden
		}
	}
}
