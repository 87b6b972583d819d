// Deep probes: variables, branches and errors inside an instrumented call. Each is guarded
// at the call site,
//
//	if _tm.On() { _tm.Var(REL, "x", x) }
//
// so that when telemetry is off no argument is boxed and nothing is called. There is no
// frame variable in Go: a probe finds its call's span on the goroutine's span stack. REL is
// the probe's line relative to the function's.
package telemetry

import "fmt"

// Var writes variable_change with a bounded preview of value, or "<redacted>" when name
// matches TELEMETRY_REDACT.
func Var(rel int, name string, value any) {
	defer func() { _ = recover() }()
	st, s := current()
	if s == nil || s.muted || s.sampledOut() {
		return
	}
	if redactedName(name) {
		emitRedacted(s, rel, name)
		return
	}
	if varLine(s, s.line+rel, name, value) {
		return
	}
	var shown string
	var gen []field
	asBusy(st, func() { shown, gen = preview(value), genAI(value) })
	if gen != nil { // an LLM response: see genai.go
		emitAt("variable_change", s, s.line+rel, field{"variable", name}, field{"value", shown}, field{"gen_ai", gen})
		return
	}
	emitAt("variable_change", s, s.line+rel, field{"variable", name}, field{"value", shown})
}

// VarRef is Var for a variable the engine passes by address, one whose value may hold a lock
// (`x := T{...}` with T unknown to the engine): go vet's copylocks reports passing such a value,
// never its address. The pointer does not escape, so the variable stays on the stack when off.
func VarRef[T any](rel int, name string, p *T) {
	if p != nil {
		Var(rel, name, *p)
	}
}

// Redacted writes variable_change for a variable whose value the engine left out.
func Redacted(rel int, name string) {
	defer func() { _ = recover() }()
	if _, s := current(); s != nil && !s.muted && !s.sampledOut() {
		emitRedacted(s, rel, name)
	}
}

func emitRedacted(s *Span, rel int, name string) {
	emitAt("variable_change", s, s.line+rel, field{"variable", name}, field{"value", redacted}, field{"redacted", true})
}

// Branch writes branch for the branch taken (if, else, case, default, select-case,
// type-case) and the text of its condition, when it has one.
func Branch(rel int, label string, condition ...string) {
	defer func() { _ = recover() }()
	_, s := current()
	if s == nil || s.muted || s.sampledOut() {
		return
	}
	text := ""
	if len(condition) > 0 {
		text = condition[0]
	}
	if branchLine(s, s.line+rel, label, text) {
		return
	}
	var cond any
	if text != "" {
		cond = text
	}
	emitAt("branch", s, s.line+rel, field{"branch", label}, field{"condition", cond})
}

// Caught writes exception with clause "error", first thing inside `if err != nil {`.
func Caught(rel int, err any) {
	defer func() { _ = recover() }()
	st, s := current()
	if s == nil || s.muted {
		return
	}
	var info any
	if err != nil {
		asBusy(st, func() { info = errorFields(err) })
	}
	emitAt("exception", s, s.line+rel, field{"clause", "error"}, field{"error", info})
}

// errorFields is an event's error: the value's Go type and its message, bounded.
func errorFields(v any) []field {
	return []field{{"type", fmt.Sprintf("%T", v)}, {"message", clip(message(v), messageLimit)}}
}
