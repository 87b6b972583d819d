// Sampling: what bounds the event volume when telemetry is on. Whole traces are kept or
// dropped (OTEL_TRACES_SAMPLER/_ARG, decided at a trace's root and followed below it); each
// function keeps its first TELEMETRY_CALLS_FIRST calls, then at most TELEMETRY_CALLS_PER_SEC,
// counting the rest into its next recorded exit (dropped_calls); loops nested in a sampled-out
// iteration are sampled out whole (loops.go). TELEMETRY_SAMPLING=off keeps everything.
// protocol/runtime-vectors.json fixes every rule here. It must never run on the disabled path.
package telemetry

import (
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	defaultCallsFirst  = 100
	defaultCallsPerSec = 10
)

var (
	samplers = map[string]bool{
		"always_on": true, "always_off": true, "traceidratio": true,
		"parentbased_always_on": true, "parentbased_always_off": true, "parentbased_traceidratio": true,
	}
	floatLiteral = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

	sampling = samplingFromEnv(os.Getenv)
	// TELEMETRY_SAMPLING=off keeps every event inside loops too, unless TELEMETRY_LOOP_EVENTS says otherwise.
	loopEvents = countFromEnv(loopEventsSetting(), defaultLoopEvents)
	limits     = map[limitKey]*callLimit{} // guarded by stateMu
	epoch      = time.Now()
)

type samplingConfig struct {
	sampling    bool
	sampler     string
	ratio       float64
	callsFirst  int64
	callsPerSec int64 // -1: no limit
}

type limitKey struct {
	name, file string
	line       int
}

func loopEventsSetting() string {
	if v := os.Getenv("TELEMETRY_LOOP_EVENTS"); v != "" || sampling.sampling {
		return v
	}
	return "all"
}

// countFromEnv reads a count such as TELEMETRY_LOOP_EVENTS: ASCII digits (surrounding blanks
// allowed) or "all" (-1: no limit). Anything else (-5, +4, 1e3, 4.5) is malformed: the default.
func countFromEnv(v string, def int64) int64 {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "all" {
		return -1
	}
	if len(v) == 0 || len(v) > 10 {
		return def
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return def
		}
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

func ratioFromEnv(v string) float64 {
	v = strings.TrimSpace(v)
	if !floatLiteral.MatchString(v) {
		return 1
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || r > 1 {
		return 1
	}
	return r
}

func samplingFromEnv(getenv func(string) string) samplingConfig {
	sampler := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")))
	if !samplers[sampler] {
		sampler = "parentbased_always_on"
	}
	first := countFromEnv(getenv("TELEMETRY_CALLS_FIRST"), defaultCallsFirst)
	if first < 0 {
		first = defaultCallsFirst
	}
	return samplingConfig{
		sampling:    strings.ToLower(strings.TrimSpace(getenv("TELEMETRY_SAMPLING"))) != "off",
		sampler:     sampler,
		ratio:       ratioFromEnv(getenv("OTEL_TRACES_SAMPLER_ARG")),
		callsFirst:  first,
		callsPerSec: countFromEnv(getenv("TELEMETRY_CALLS_PER_SEC"), defaultCallsPerSec),
	}
}

// keepTrace decides a root call's trace: the last 16 hex digits of the trace id, shifted
// right by one, against ratio * 2^63 (OpenTelemetry's Go SDK rule). Without a remote parent
// the parentbased_ samplers decide roots as their root sampler does.
func keepTrace(sampler string, ratio float64, traceID string) bool {
	switch {
	case strings.HasSuffix(sampler, "always_on"):
		return true
	case strings.HasSuffix(sampler, "always_off"):
		return false
	}
	x, err := strconv.ParseUint(traceID[16:], 16, 64)
	return err == nil && keepLow(ratio, x)
}

func keepLow(ratio float64, low uint64) bool { return low>>1 < uint64(ratio*(1<<63)) }

// keepSpanTrace is keepTrace for a span's own id, formatting nothing.
func keepSpanTrace(sampler string, ratio float64, t traceID) bool {
	switch {
	case strings.HasSuffix(sampler, "always_on"):
		return true
	case strings.HasSuffix(sampler, "always_off"):
		return false
	}
	return keepLow(ratio, binary.BigEndian.Uint64(t[8:]))
}

// loopKeeps: inside an open loop at iteration n, events (and loops nested in it) are kept
// while n <= limit or n is a power of two; limit -1 keeps all.
func loopKeeps(limit int64, n uint64) bool {
	return limit < 0 || n <= uint64(limit) || n&(n-1) == 0
}

// callLimit is one function's: the first calls are kept, then at most perSec in each
// one-second window; dropped counts the others until a recorded exit reports them.
type callLimit struct {
	first, perSec     int64
	window            int64 // -1 before the first window
	inWindow, dropped int64
}

func newCallLimit(first, perSec int64) *callLimit {
	return &callLimit{first: first, perSec: perSec, window: -1}
}

func (l *callLimit) allow(nowNs int64) bool {
	if l.first > 0 {
		l.first--
		return true
	}
	if l.perSec < 0 {
		return true
	}
	if l.window < 0 || nowNs-l.window >= int64(time.Second) {
		l.window, l.inWindow = nowNs, 0
	}
	if l.inWindow < l.perSec {
		l.inWindow++
		return true
	}
	l.dropped++
	return false
}

// admit decides, under stateMu, whether the new span s under parent is recorded or muted: a
// muted span writes nothing but stays current, so the calls below it are muted too.
func admit(s *Span, parent *Span) {
	if !sampling.sampling {
		return
	}
	key := limitKey{s.name, s.file, s.line}
	limit := limits[key]
	if limit == nil {
		perSec := sampling.callsPerSec
		if hasRules.Load() {
			if sw := switchFor(s.name, s.file); sw != nil && sw.maxPerSec >= 0 {
				perSec = sw.maxPerSec
			}
		}
		limit = newCallLimit(sampling.callsFirst, perSec)
		limits[key] = limit
	}
	switch {
	case parent != nil && parent.muted:
		s.muted, s.limited, s.owner = true, parent.limited, parent.owner
		if parent.limited {
			countDrop(parent.owner, limit, key)
		}
	case parent == nil && !keepSpanTrace(sampling.sampler, sampling.ratio, s.traceID):
		s.muted = true
	case !limit.allow(time.Since(epoch).Nanoseconds()):
		s.muted, s.limited, s.owner = true, true, parent
		countDrop(parent, limit, key)
	default:
		s.limit = limit
	}
}

// countDrop counts a call the limits left out where its figures will surface: in the nearest
// recorded span above it, whose exit reports it, or else in its own function's limit, which
// its next recorded exit reports. Under stateMu.
func countDrop(owner *Span, limit *callLimit, key limitKey) {
	if owner == nil {
		limit.dropped++
		return
	}
	if owner.drops == nil {
		owner.drops = map[limitKey]int64{}
	}
	owner.drops[key]++
}

// takeDropped returns function_exit's dropped_calls for s, and resets what it reports.
func takeDropped(s *Span) []any {
	stateMu.Lock()
	defer stateMu.Unlock()
	var found []any
	if s.limit != nil && s.limit.dropped > 0 {
		found = append(found, dropField(limitKey{s.name, s.file, s.line}, s.limit.dropped))
		s.limit.dropped = 0
	}
	for key, n := range s.drops {
		found = append(found, dropField(key, n))
	}
	s.drops = nil
	return found
}

func dropField(key limitKey, n int64) []field {
	return []field{{"function_name", key.name}, {"file", key.file}, {"line", key.line}, {"count", n}}
}
