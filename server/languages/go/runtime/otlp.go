// OTLP export (http/json), when OTEL_EXPORTER_OTLP_ENDPOINT or a signal's own endpoint is set.
// A call becomes a span when it exits; loop exits become its span events; variable, branch and
// exception events become log records (or span events with TELEMETRY_OTLP_EVENTS=span). A
// goroutine sends batches; the program only appends to a bounded queue. Go has no exit hook:
// what is queued is sent when the instrumented main returns, within OTEL_EXPORTER_OTLP_TIMEOUT
// (os.Exit and a crash skip it). It must never block a probe on the network.
package telemetry

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	otlpQueue = 2048
	otlpBatch = 512
)

var exporter = startOTLP(os.Getenv)

type otlpConfig struct {
	traces, logs string
	headers      map[string]string
	timeout      time.Duration
	resource     map[string]string
	spanEvents   bool
}

type otlpEvent = map[string]any

type otlpExporter struct {
	config   otlpConfig
	resource map[string]any
	scope    map[string]any
	poster   poster // otlp_http.go; nil in a build without net/http

	mu      sync.Mutex
	spans   []any
	logs    []any
	started bool
	wake    chan struct{}
	idle    *sync.Cond // signalled when a round of sending ends

	sending         bool
	dropped, failed int64
	sent            int64
	deadline        time.Time // set by flush: no retry after it
}

func warn(text string) {
	if stderrUsable {
		_ = writeStderr([]byte("telemetry: " + text + "\n"))
	}
}

// pairs reads W3C-baggage-like `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES).
func pairs(text, what string) map[string]string {
	found := map[string]string{}
	for _, item := range strings.Split(text, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		key, err1 := url.PathUnescape(strings.TrimSpace(k))
		value, err2 := url.PathUnescape(strings.TrimSpace(v))
		if !ok || strings.TrimSpace(k) == "" || err1 != nil || err2 != nil {
			warn(fmt.Sprintf("ignoring malformed %s entry %q", what, clip(item, 80)))
			continue
		}
		found[key] = value
	}
	return found
}

func otlpFromEnv(getenv func(string) string) *otlpConfig {
	base := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	traces := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
	logs := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"))
	if base == "" && traces == "" && logs == "" {
		return nil
	}
	if base != "" {
		base = strings.TrimRight(base, "/")
		if traces == "" {
			traces = base + "/v1/traces"
		}
		if logs == "" {
			logs = base + "/v1/logs"
		}
	}
	protocol := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
	if protocol == "" {
		protocol = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_PROTOCOL"))
	}
	if protocol != "" && protocol != "http/json" {
		warn(fmt.Sprintf("OTEL_EXPORTER_OTLP_PROTOCOL=%s is not supported; sending http/json", clip(protocol, 40)))
	}
	timeout := 10 * time.Second
	if t := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TIMEOUT")); t != "" {
		if n := countFromEnv(t, -2); n >= 0 && t != "all" {
			timeout = time.Duration(n) * time.Millisecond
		} else {
			warn(fmt.Sprintf("ignoring malformed OTEL_EXPORTER_OTLP_TIMEOUT=%s", clip(t, 40)))
		}
	}
	headers := pairs(getenv("OTEL_EXPORTER_OTLP_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS")
	resource := pairs(getenv("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES")
	if name := strings.TrimSpace(getenv("OTEL_SERVICE_NAME")); name != "" {
		resource["service.name"] = name
	} else if resource["service.name"] == "" {
		resource["service.name"] = "unknown_service:go"
	}
	if resource["telemetry.sdk.name"] == "" {
		resource["telemetry.sdk.name"] = "telemetry-injector"
	}
	if resource["telemetry.sdk.language"] == "" {
		resource["telemetry.sdk.language"] = "go"
	}
	return &otlpConfig{
		traces: traces, logs: logs, headers: headers, timeout: timeout, resource: resource,
		spanEvents: strings.ToLower(strings.TrimSpace(getenv("TELEMETRY_OTLP_EVENTS"))) == "span",
	}
}

func startOTLP(getenv func(string) string) *otlpExporter {
	c := otlpFromEnv(getenv)
	if c == nil {
		return nil
	}
	var attrs []any
	for k, v := range c.resource {
		attrs = append(attrs, attr(k, v))
	}
	p := newPoster(c.timeout)
	if p == nil {
		warn("this build has no OTLP transport (built with -tags telemetry_nohttp); OTLP export is off")
		return nil
	}
	e := &otlpExporter{
		config:   *c,
		resource: map[string]any{"attributes": attrs},
		scope:    map[string]any{"name": "telemetry-injector", "version": "1"},
		poster:   p,
		wake:     make(chan struct{}, 1),
	}
	e.idle = sync.NewCond(&e.mu)
	return e
}

func attr(key string, value any) map[string]any {
	switch v := value.(type) {
	case bool:
		return map[string]any{"key": key, "value": map[string]any{"boolValue": v}}
	case int:
		return map[string]any{"key": key, "value": map[string]any{"intValue": strconv.Itoa(v)}} // 64-bit integers are strings
	case int64:
		return map[string]any{"key": key, "value": map[string]any{"intValue": strconv.FormatInt(v, 10)}}
	case uint64:
		return map[string]any{"key": key, "value": map[string]any{"intValue": strconv.FormatUint(v, 10)}}
	case string:
		return map[string]any{"key": key, "value": map[string]any{"stringValue": v}}
	}
	return map[string]any{"key": key, "value": map[string]any{"stringValue": fmt.Sprint(value)}}
}

// detail is an inner event's own fields as attributes (code.line.number for its line).
func detail(line int, extra []field) []any {
	attrs := []any{attr("code.line.number", line)}
	for _, f := range extra {
		switch v := f.value.(type) {
		case nil:
		case []field:
			for _, g := range v {
				attrs = append(attrs, attr("telemetry."+f.key+"."+g.key, g.value))
			}
		default:
			attrs = append(attrs, attr("telemetry."+f.key, v))
		}
	}
	return attrs
}

func (e *otlpExporter) event(kind string, s *Span, line int, ts int64, extra []field) {
	if kind != "loop_exit" && kind != "function_entry" && kind != "loop_entry" {
		e.mu.Lock()
		full := len(e.spans)+len(e.logs) >= otlpQueue
		if full {
			e.dropped++ // full: not worth building the record
		}
		e.mu.Unlock()
		if full {
			return
		}
	}
	switch {
	case kind == "function_exit":
		e.span(s, ts, extra)
	case kind == "function_entry" || kind == "loop_entry":
	case kind == "loop_exit" || e.config.spanEvents:
		s.otel = append(s.otel, otlpEvent{"timeUnixNano": strconv.FormatInt(ts, 10), "name": kind, "attributes": detail(line, extra)})
	default:
		severity := 9
		if kind == "exception" {
			severity = 17
		}
		e.log(kind, s, ts, severity, detail(line, extra))
	}
}

func (e *otlpExporter) span(s *Span, ts int64, extra []field) {
	var attrs []field // after the code and argument attributes, which the record writes from its fields
	var duration int64
	var failure []field
	for _, f := range extra {
		switch f.key {
		case "duration_ns":
			duration, _ = f.value.(int64)
		case "error":
			failure, _ = f.value.([]field)
		case "dropped_calls":
			var n int64
			for _, d := range f.value.([]any) {
				n += d.([]field)[3].value.(int64)
			}
			attrs = append(attrs, field{"telemetry.dropped_calls", n})
		}
	}
	record := &otlpSpan{traceID: s.traceID, spanID: s.spanID, name: s.name, file: s.file, line: s.line, args: s.args, start: ts - duration, end: ts, events: s.otel}
	if s.parent != nil {
		record.parentID, record.hasParent = s.parent.spanID, true
	}
	if failure != nil {
		typ, _ := failure[0].value.(string)
		msg, _ := failure[1].value.(string)
		record.failed, record.message = true, msg // status ERROR
		attrs = append(attrs, field{"error.type", typ})
		e.log("exception", s, ts, 17, []any{
			attr("code.line.number", s.line), attr("telemetry.exception.type", typ), attr("telemetry.exception.message", msg),
		})
	}
	record.attrs = attrs
	e.put(true, record)
}

func (e *otlpExporter) log(kind string, s *Span, ts int64, severity int, attrs []any) {
	t := strconv.FormatInt(ts, 10)
	text := "INFO"
	if severity >= 17 {
		text = "ERROR"
	}
	e.put(false, map[string]any{
		"timeUnixNano": t, "observedTimeUnixNano": t, "severityNumber": severity, "severityText": text,
		"eventName": kind, "body": map[string]any{"stringValue": kind},
		"attributes": append([]any{attr("code.function.name", s.name), attr("code.file.path", s.file)}, attrs...),
		"traceId":    s.traceID.String(), "spanId": s.spanID.String(),
	})
}

func (e *otlpExporter) put(span bool, item any) {
	e.mu.Lock()
	if len(e.spans)+len(e.logs) >= otlpQueue {
		e.dropped++
		e.mu.Unlock()
		return
	}
	if span {
		e.spans = append(e.spans, item)
	} else {
		e.logs = append(e.logs, item)
	}
	full := len(e.spans) >= otlpBatch || len(e.logs) >= otlpBatch
	if !e.started {
		e.started = true
		go e.run()
	}
	e.mu.Unlock()
	if full {
		e.poke()
	}
}

func (e *otlpExporter) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *otlpExporter) run() {
	defer func() { _ = recover() }()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
		case <-e.wake:
		}
		e.sendAll()
	}
}

// sendAll sends batches until the queue is empty.
func (e *otlpExporter) sendAll() {
	e.mu.Lock()
	if e.sending {
		e.mu.Unlock()
		return
	}
	e.sending = true
	for len(e.spans) > 0 || len(e.logs) > 0 {
		var endpoint string
		var body map[string]any
		var count int
		if len(e.spans) > 0 {
			n := min(len(e.spans), otlpBatch)
			batch := e.spans[:n]
			e.spans = e.spans[n:]
			endpoint, count = e.config.traces, n
			body = map[string]any{"resourceSpans": []any{map[string]any{"resource": e.resource, "scopeSpans": []any{map[string]any{"scope": e.scope, "spans": batch}}}}}
		} else {
			n := min(len(e.logs), otlpBatch)
			batch := e.logs[:n]
			e.logs = e.logs[n:]
			endpoint, count = e.config.logs, n
			body = map[string]any{"resourceLogs": []any{map[string]any{"resource": e.resource, "scopeLogs": []any{map[string]any{"scope": e.scope, "logRecords": batch}}}}}
		}
		deadline := e.deadline
		e.mu.Unlock()
		ok := endpoint != "" && e.send(endpoint, body, deadline)
		e.mu.Lock()
		if ok {
			e.sent += int64(count)
		} else {
			e.failed += int64(count)
		}
	}
	e.sending = false
	e.idle.Broadcast()
	e.mu.Unlock()
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// send POSTs one batch; it retries 429/502/503/504 and connection errors with backoff and
// jitter, honouring Retry-After, until the deadline; never a partial success.
func (e *otlpExporter) send(endpoint string, body map[string]any, deadline time.Time) bool {
	data, err := json.Marshal(body)
	if err != nil {
		return false
	}
	if deadline.IsZero() {
		t := e.config.timeout
		if t < time.Second {
			t = time.Second
		}
		deadline = time.Now().Add(3 * t)
	}
	delay := 100 * time.Millisecond
	for {
		status, retryAfter := e.post(endpoint, data)
		if status >= 200 && status < 300 {
			return true
		}
		if status != 0 && status != 429 && status != 502 && status != 503 && status != 504 {
			return false
		}
		wait := retryAfter
		if wait < 0 {
			wait = time.Duration(float64(delay) * (0.5 + rand.Float64()))
		}
		e.mu.Lock()
		if !e.deadline.IsZero() && e.deadline.Before(deadline) {
			deadline = e.deadline
		}
		e.mu.Unlock()
		if time.Now().Add(wait).After(deadline) {
			return false
		}
		time.Sleep(wait)
		if delay *= 2; delay > 5*time.Second {
			delay = 5 * time.Second
		}
	}
}

// post returns the status (0 for a connection error) and Retry-After, or -1 without one.
func (e *otlpExporter) post(endpoint string, data []byte) (int, time.Duration) {
	return e.poster(endpoint, data, e.config.headers)
}

// flush sends what is queued and waits for it, at most OTEL_EXPORTER_OTLP_TIMEOUT.
func (e *otlpExporter) flush() {
	e.mu.Lock()
	e.deadline = time.Now().Add(e.config.timeout)
	started := e.started
	e.mu.Unlock()
	if !started {
		return
	}
	done := make(chan struct{})
	go func() {
		e.sendAll()
		e.mu.Lock()
		for e.sending {
			e.idle.Wait()
		}
		e.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(e.config.timeout):
	}
}

// OTLPStats reports how many spans and log records the OTLP exporter sent, failed to deliver
// and dropped because its queue was full; all zero when no OTLP endpoint is set.
func OTLPStats() (sent, failed, dropped int64) {
	if exporter == nil {
		return 0, 0, 0
	}
	exporter.mu.Lock()
	defer exporter.mu.Unlock()
	return exporter.sent, exporter.failed, exporter.dropped
}

// Flush writes the events TELEMETRY_FILE has pending and sends what the OTLP exporter holds,
// waiting at most OTEL_EXPORTER_OTLP_TIMEOUT; call it before os.Exit. The instrumented main calls
// it as it returns.
func Flush() {
	flushSink()
	if exporter != nil {
		exporter.flush()
	}
}
