// otlpSpan: a finished span as the OTLP exporter queues it, fields rather than maps, written as
// OTLP JSON by MarshalJSON when its batch is sent. A call so builds no maps and boxes nothing for
// its span; the JSON is the one the maps gave (keys in another order). It must never hold a
// reference the span's goroutine still writes to.
package telemetry

import (
	"encoding/json"
	"fmt"
	"strconv"
)

type otlpSpan struct {
	traceID    traceID
	spanID     spanID
	parentID   spanID
	hasParent  bool
	name, file string
	line       int
	args       []field // the entry's previews: attributes telemetry.arg.<name>
	start, end int64
	failed     bool
	message    string      // the error's message, when failed
	events     []otlpEvent // span events, gathered by the span's goroutine until its exit
	attrs      []field     // attributes after the code and argument ones, typed as attr types them
}

func (o *otlpSpan) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 384)
	b = append(b, `{"traceId":"`...)
	b = appendHex(b, o.traceID[:])
	b = append(b, `","spanId":"`...)
	b = appendHex(b, o.spanID[:])
	b = append(b, '"')
	if o.hasParent {
		b = append(b, `,"parentSpanId":"`...)
		b = appendHex(b, o.parentID[:])
		b = append(b, '"')
	}
	b = append(b, `,"name":`...)
	b = appendString(b, o.name)
	b = append(b, `,"kind":1,"startTimeUnixNano":"`...)
	b = strconv.AppendInt(b, o.start, 10)
	b = append(b, `","endTimeUnixNano":"`...)
	b = strconv.AppendInt(b, o.end, 10)
	b = append(b, `","status":{`...)
	if o.failed {
		b = append(b, `"code":2,"message":`...)
		b = appendString(b, o.message)
	}
	b = append(b, '}')
	if len(o.events) > 0 {
		events, err := json.Marshal(o.events)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"events":`...)
		b = append(b, events...)
	}
	b = append(b, `,"attributes":[`...)
	b = appendAttr(b, "code.function.name", o.name)
	b = append(b, ',')
	b = appendAttr(b, "code.file.path", o.file)
	b = append(b, ',')
	b = appendAttr(b, "code.line.number", o.line)
	for _, a := range o.args {
		b = append(b, ',')
		b = append(b, `{"key":"telemetry.arg.`...)
		at := len(b)
		b = appendString(b, a.key)
		b = append(b[:at], b[at+1:]...) // the name's opening quote: the prefix is inside the string
		b = appendAttrValue(b, a.value)
	}
	for _, a := range o.attrs {
		b = append(b, ',')
		b = appendAttr(b, a.key, a.value)
	}
	return append(b, ']', '}'), nil
}

// appendAttr writes what attr(key, value) would marshal to.
func appendAttr(b []byte, key string, value any) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, key)
	return appendAttrValue(b, value)
}

// appendAttrValue writes an attribute's value and closes it.
func appendAttrValue(b []byte, value any) []byte {
	b = append(b, `,"value":{`...)
	switch v := value.(type) {
	case bool:
		b = append(b, `"boolValue":`...)
		b = strconv.AppendBool(b, v)
		return append(b, '}', '}')
	case int: // 64-bit integers are strings
		b = append(b, `"intValue":"`...)
		b = strconv.AppendInt(b, int64(v), 10)
	case int64:
		b = append(b, `"intValue":"`...)
		b = strconv.AppendInt(b, v, 10)
	case uint64:
		b = append(b, `"intValue":"`...)
		b = strconv.AppendUint(b, v, 10)
	case string:
		b = append(b, `"stringValue":`...)
		b = appendString(b, v)
		return append(b, '}', '}')
	default:
		b = append(b, `"stringValue":`...)
		b = appendString(b, fmt.Sprint(value))
		return append(b, '}', '}')
	}
	return append(b, '"', '}', '}')
}
