// LLM-call-aware probes: a variable whose value is the response of an OpenAI, Anthropic or Ollama
// call (the Go SDKs' response structs, a struct of the same shape decoded from their JSON, or the
// JSON decoded into a map) gets a gen_ai object on its variable_change event, with OpenTelemetry
// GenAI names, read from the value's own fields by reflection. No SDK is imported, no method of
// the value is called, and Var calls this only while telemetry is on. Cost is priced where events
// are summarised (`metrics --events`), not here.
package telemetry

import (
	"reflect"
	"sync"
)

const (
	notLLM = iota
	openAIChat
	anthropicMessage
	ollamaChat
)

// shapes caches what each struct type is, so a value's fields are looked up by name once per type.
var shapes sync.Map // reflect.Type -> int

// genAI is the gen_ai object of an LLM response, or nil for any other value (or one whose
// fields cannot be read, such as a nil embedded pointer).
func genAI(v any) (found []field) {
	defer func() {
		if recover() != nil {
			found = nil
		}
	}()
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Struct:
		return genAIStruct(rv)
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			return genAIMap(rv)
		}
	}
	return nil
}

func shapeOf(t reflect.Type) int {
	if known, ok := shapes.Load(t); ok {
		return known.(int)
	}
	has := func(name string, kinds ...reflect.Kind) bool {
		f, ok := t.FieldByName(name)
		if !ok {
			return false
		}
		for _, k := range kinds {
			if f.Type.Kind() == k {
				return true
			}
		}
		return false
	}
	shape := notLLM
	switch {
	case has("Model", reflect.String) && has("Done", reflect.Bool) && has("PromptEvalCount", reflect.Int, reflect.Int64) && has("EvalCount", reflect.Int, reflect.Int64):
		shape = ollamaChat
	case has("Model", reflect.String) && has("Object", reflect.String) && has("Choices", reflect.Slice) && has("Usage", reflect.Struct):
		shape = openAIChat
	case has("Model", reflect.String) && has("Type", reflect.String) && has("Role", reflect.String) && has("StopReason", reflect.String) && has("Usage", reflect.Struct):
		shape = anthropicMessage
	}
	shapes.Store(t, shape)
	return shape
}

func genAIStruct(rv reflect.Value) []field {
	shape := shapeOf(rv.Type())
	if shape == notLLM || fieldString(rv, "Model") == nil {
		return nil // a zero value, declared before it is filled in, is no response yet
	}
	switch shape {
	case ollamaChat:
		var reasons []any
		if r := fieldString(rv, "DoneReason"); r != nil {
			reasons = append(reasons, r)
		}
		return genAIFields("ollama", fieldString(rv, "Model"), fieldInt(rv, "PromptEvalCount"), fieldInt(rv, "EvalCount"), reasons)
	case openAIChat:
		if kind := fieldString(rv, "Object"); kind != "chat.completion" && kind != "text_completion" {
			return nil
		}
		usage := rv.FieldByName("Usage")
		var reasons []any
		choices := rv.FieldByName("Choices")
		for i := 0; i < choices.Len() && i < 16; i++ {
			if c := reflect.Indirect(choices.Index(i)); c.Kind() == reflect.Struct {
				if r := fieldString(c, "FinishReason"); r != nil {
					reasons = append(reasons, r)
				}
			}
		}
		return genAIFields("openai", fieldString(rv, "Model"), fieldInt(usage, "PromptTokens"), fieldInt(usage, "CompletionTokens"), reasons)
	case anthropicMessage:
		if fieldString(rv, "Type") != "message" || fieldString(rv, "Role") != "assistant" {
			return nil
		}
		usage := rv.FieldByName("Usage")
		var reasons []any
		if r := fieldString(rv, "StopReason"); r != nil {
			reasons = append(reasons, r)
		}
		return genAIFields("anthropic", fieldString(rv, "Model"), fieldInt(usage, "InputTokens"), fieldInt(usage, "OutputTokens"), reasons)
	}
	return nil
}

// genAIMap reads a response decoded from JSON into a map: the wire names of the three APIs.
func genAIMap(rv reflect.Value) []field {
	get := func(m reflect.Value, key string) any {
		for m.IsValid() && m.Kind() == reflect.Interface && !m.IsNil() {
			m = m.Elem()
		}
		if !m.IsValid() || m.Kind() != reflect.Map || m.Type().Key().Kind() != reflect.String {
			return nil
		}
		v := m.MapIndex(reflect.ValueOf(key).Convert(m.Type().Key()))
		if !v.IsValid() || (v.Kind() == reflect.Interface && v.IsNil()) {
			return nil
		}
		return v.Interface()
	}
	sub := func(key string) reflect.Value { return reflect.ValueOf(get(rv, key)) }
	text := func(v any) any {
		if s, ok := v.(string); ok {
			return s
		}
		return nil
	}
	if text(get(rv, "model")) == nil {
		return nil // every response names the model that answered: most maps stop here
	}
	kind := get(rv, "object")
	switch {
	case kind == "chat.completion" || kind == "text_completion":
		var reasons []any
		if choices, ok := get(rv, "choices").([]any); ok {
			for i, c := range choices {
				if i >= 16 {
					break
				}
				if r := text(get(reflect.ValueOf(c), "finish_reason")); r != nil {
					reasons = append(reasons, r)
				}
			}
		}
		return genAIFields("openai", text(get(rv, "model")), jsonInt(get(sub("usage"), "prompt_tokens")), jsonInt(get(sub("usage"), "completion_tokens")), reasons)
	case get(rv, "type") == "message" && get(rv, "role") == "assistant":
		var reasons []any
		if r := text(get(rv, "stop_reason")); r != nil {
			reasons = append(reasons, r)
		}
		return genAIFields("anthropic", text(get(rv, "model")), jsonInt(get(sub("usage"), "input_tokens")), jsonInt(get(sub("usage"), "output_tokens")), reasons)
	}
	if _, done := get(rv, "done").(bool); done && text(get(rv, "model")) != nil && get(rv, "created_at") != nil {
		var reasons []any
		if r := text(get(rv, "done_reason")); r != nil && r != "" {
			reasons = append(reasons, r)
		}
		return genAIFields("ollama", text(get(rv, "model")), jsonInt(get(rv, "prompt_eval_count")), jsonInt(get(rv, "eval_count")), reasons)
	}
	return nil
}

func genAIFields(provider string, model, in, out any, reasons []any) []field {
	if reasons == nil {
		reasons = []any{}
	}
	return []field{
		{"gen_ai.provider.name", provider},
		{"gen_ai.request.model", nil}, // no SDK's response echoes the model asked for
		{"gen_ai.response.model", model},
		{"gen_ai.usage.input_tokens", in},
		{"gen_ai.usage.output_tokens", out},
		{"gen_ai.response.finish_reasons", reasons},
	}
}

// fieldString is a string-kinded field's value (SDK enums are named string types), or nil when
// the field is missing or empty. Value.String works on unexported fields and calls no method.
func fieldString(rv reflect.Value, name string) any {
	if rv.Kind() != reflect.Struct {
		return nil
	}
	f := rv.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.String || f.Len() == 0 {
		return nil
	}
	return f.String()
}

func fieldInt(rv reflect.Value, name string) any {
	if rv.Kind() != reflect.Struct {
		return nil
	}
	f := rv.FieldByName(name)
	if !f.IsValid() {
		return nil
	}
	switch f.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n := f.Int(); n >= 0 {
			return n
		}
	}
	return nil
}

// jsonInt is a token count as encoding/json decodes it into an any: a float64 holding an integer.
func jsonInt(v any) any {
	if f, ok := v.(float64); ok && f >= 0 && f == float64(int64(f)) {
		return int64(f)
	}
	return nil
}
