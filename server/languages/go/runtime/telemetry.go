// Package telemetry is the runtime that telemetry-injector's probes call in Go code:
//
//	defer _tm.Exit(_tm.Enter("F", "pkg/f.go", 3, "a", a, "b", b))
//
// It owns the on/off switch (environment read once at init, SIGHUP toggles), span
// bookkeeping (ids, a stack per goroutine for parents), bounded and redacted previews of
// values, and writing one JSON event per line to TELEMETRY_FILE or to standard error.
//
// It must never: panic into the program or swallow the program's panics, read the
// environment per call, do more than one atomic load in Enter when telemetry is off, or
// change what the program prints. Standard library only; builds with Go 1.19.
package telemetry

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	mrand "math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	previewLimit = 100
	messageLimit = 500
	maxItems     = 8
	maxDepth     = 3
	redacted     = "<redacted>"
)

var (
	on      atomic.Bool
	dropped atomic.Uint64
	secret  = regexp.MustCompile(`(?i)pass(word)?|token|secret|key|auth|cookie|credential`)

	stateMu sync.Mutex
	states  = map[uint64]*goroutineState{} // by goroutine id; guarded by stateMu
	rng     *mrand.Rand                    // our own source: never reseed the program's; guarded by stateMu

	// Only a goroutine trace from Go 1.21 on names the goroutine that created it.
	creatorInTraces = goVersionAtLeast(runtime.Version(), 21)

	outMu        sync.Mutex
	outPath      string
	outFile      *os.File
	sinkFailed   bool
	stderrUsable bool
)

// Span is one instrumented call in progress.
type Span struct {
	name, file      string
	line            int
	cid             string
	traceID, spanID string
	parent          *Span
	gid             uint64
	start           time.Time
}

type goroutineState struct {
	stack []*Span
	busy  bool // the runtime is running user code (String, Error) for a preview
}

type field struct {
	key   string
	value any
}

func init() {
	on.Store(enabledFromEnv())
	// Absolute now: the file is opened at the first event, perhaps after os.Chdir.
	if outPath = os.Getenv("TELEMETRY_FILE"); outPath != "" {
		if abs, err := filepath.Abs(outPath); err == nil {
			outPath = abs
		}
	}
	// If fd 2 was closed at start, its number may later belong to another file, which must
	// not receive events.
	_, err := os.Stderr.Stat()
	stderrUsable = err == nil
	var seed [8]byte
	if _, err := crand.Read(seed[:]); err != nil {
		binary.LittleEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	}
	rng = mrand.New(mrand.NewSource(int64(binary.LittleEndian.Uint64(seed[:]))))
	watchSIGHUP()
}

func enabledFromEnv() bool {
	truthy := func(v string) bool {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "yes", "on":
			return true
		}
		return false
	}
	if v := strings.TrimSpace(os.Getenv("TELEMETRY_ENABLED")); v != "" {
		return truthy(v)
	}
	return truthy(os.Getenv("DEBUG"))
}

// watchSIGHUP makes SIGHUP toggle telemetry. A process started with SIGHUP ignored (nohup)
// keeps ignoring it. Note: once notified, SIGHUP no longer terminates the process.
func watchSIGHUP() {
	// SIGHUP is 1 on every Unix and on Windows; js/wasm has the type but not the name.
	sighup := syscall.Signal(1)
	if signal.Ignored(sighup) {
		return
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, sighup)
	go func() {
		for range c {
			if !toggle() {
				continue
			}
			outMu.Lock()
			sinkFailed = false // give an unwritable TELEMETRY_FILE another chance
			outMu.Unlock()
		}
	}()
}

func toggle() bool {
	for {
		old := on.Load()
		if on.CompareAndSwap(old, !old) {
			return !old
		}
	}
}

// On reports whether events are being written now. Guarding the probe with it,
//
//	if _tm.On() { defer _tm.Exit(_tm.Enter("F", "pkg/f.go", 3, "a", a)) }
//
// also spares the call site from boxing the arguments into ...any when telemetry is off,
// which Enter alone cannot avoid (the compiler must assume they escape).
func On() bool { return on.Load() }

// Dropped reports how many events were lost because the sink could not be written.
func Dropped() uint64 { return dropped.Load() }

// Enter starts a span for a call and returns it, or nil when telemetry is off. It is kept
// small enough to inline so that the off path is one atomic load at the call site.
func Enter(name, file string, line int, kv ...any) *Span {
	if !on.Load() {
		return nil
	}
	return enter(name, file, line, kv)
}

//go:noinline
func enter(name, file string, line int, kv []any) (span *Span) {
	defer func() {
		if recover() != nil {
			span = nil
		}
	}()
	gid := goroutineID()
	stateMu.Lock()
	st := states[gid]
	if st == nil {
		st = &goroutineState{}
		states[gid] = st
	}
	if st.busy { // a String method called by a preview is itself instrumented
		stateMu.Unlock()
		return nil
	}
	st.busy = true
	fresh := len(st.stack) == 0
	stateMu.Unlock()

	args := previewArgs(kv)
	creator, hasCreator := uint64(0), false
	if fresh && creatorInTraces {
		creator, hasCreator = creatorID()
	}

	stateMu.Lock()
	st.busy = false
	var parent *Span
	if n := len(st.stack); n > 0 {
		parent = st.stack[n-1]
	} else if cs := states[creator]; hasCreator && cs != nil && len(cs.stack) > 0 {
		parent = cs.stack[len(cs.stack)-1]
	}
	span = &Span{name: name, file: file, line: line, parent: parent, gid: gid}
	span.cid = newUUID()
	span.spanID = randomHex(8)
	if parent != nil {
		span.traceID = parent.traceID
	} else {
		span.traceID = randomHex(16)
	}
	st.stack = append(st.stack, span)
	stateMu.Unlock()

	var caller any
	if parent != nil {
		caller = parent.name
	}
	span.start = time.Now()
	emit("function_entry", span, field{"args", args}, field{"caller", caller})
	return span
}

// Exit is deferred directly, so its recover() sees the panic leaving the function: it
// records it as the exit's error and panics again with the same value. With a nil span it
// returns before recover(), so disabled telemetry leaves panics exactly as they were.
func Exit(s *Span) {
	if s == nil {
		return
	}
	if r := recover(); r != nil {
		s.finish(&r)
		panic(r)
	}
	// Before Go 1.21 (or with GODEBUG=panicnil=1) recover() returns nil for panic(nil)
	// but still stops it; a panic in progress must not be swallowed.
	if calledByPanic() {
		var r any
		s.finish(&r)
		panic(r)
	}
	s.finish(nil)
}

func calledByPanic() bool {
	var pcs [4]uintptr
	n := runtime.Callers(3, pcs[:]) // skip Callers, calledByPanic, Exit
	frame, _ := runtime.CallersFrames(pcs[:n]).Next()
	return frame.Function == "runtime.gopanic"
}

func (s *Span) finish(panicked *any) {
	defer func() { _ = recover() }()
	d := time.Since(s.start).Nanoseconds()
	if d <= 0 {
		d = 1
	}
	stateMu.Lock()
	if st := states[s.gid]; st != nil {
		for i := len(st.stack) - 1; i >= 0; i-- {
			if st.stack[i] == s {
				for j := i; j < len(st.stack); j++ {
					st.stack[j] = nil
				}
				st.stack = st.stack[:i]
				break
			}
		}
		if len(st.stack) == 0 && !st.busy {
			delete(states, s.gid) // goroutine ids are never reused
		}
	}
	stateMu.Unlock()
	fields := []field{{"duration_ns", d}}
	if panicked != nil {
		fields = append(fields, field{"error", []field{
			{"type", fmt.Sprintf("%T", *panicked)},
			{"message", clip(message(*panicked), messageLimit)},
		}})
	}
	emit("function_exit", s, fields...)
}

func message(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = "<unprintable>"
		}
	}()
	return fmt.Sprint(v)
}

// goroutineID parses "goroutine 18 [running]:", the first line of runtime.Stack.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	var id uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

// creatorID finds the goroutine that started this one from the trace's last line,
// "created by main.main in goroutine 1". Before Go 1.21 that line names no goroutine, so
// a goroutine's first instrumented call starts a new trace there.
func creatorID() (uint64, bool) {
	buf := make([]byte, 8<<10)
	n := runtime.Stack(buf, false)
	for n == len(buf) && len(buf) < 256<<10 {
		buf = make([]byte, 4*len(buf))
		n = runtime.Stack(buf, false)
	}
	return creatorFromTrace(string(buf[:n]))
}

func creatorFromTrace(text string) (uint64, bool) {
	i := strings.LastIndex(text, "\ncreated by ")
	if i < 0 {
		return 0, false
	}
	line := text[i+1:]
	if j := strings.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	k := strings.LastIndex(line, " in goroutine ")
	if k < 0 {
		return 0, false
	}
	id, err := strconv.ParseUint(line[k+len(" in goroutine "):], 10, 64)
	return id, err == nil
}

// goVersionAtLeast reports whether a runtime.Version() such as "go1.19.8" is at least
// go1.<minor>; development builds count as new.
func goVersionAtLeast(version string, minor int) bool {
	rest := strings.TrimPrefix(version, "go1.")
	if rest == version {
		return true
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n >= minor
}

func randomHex(n int) string {
	b := make([]byte, n)
	for allZero := true; allZero; {
		rng.Read(b)
		for _, c := range b {
			allZero = allZero && c == 0
		}
	}
	return hex.EncodeToString(b)
}

func newUUID() string {
	var b [16]byte
	rng.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
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
		} else if secret.MatchString(name) {
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
			if k := it.Key(); k.Kind() == reflect.String && secret.MatchString(k.String()) {
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
			if secret.MatchString(name) {
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

// emit writes one event line. Later event kinds (variable_change, branch, loop_entry,
// loop_exit, exception) call it with their own fields.
func emit(kind string, s *Span, extra ...field) {
	b := make([]byte, 0, 512)
	b = append(b, `{"event_type":`...)
	b = appendString(b, kind)
	b = append(b, `,"timestamp_ns":`...)
	b = strconv.AppendInt(b, time.Now().UnixNano(), 10)
	var parentCID any
	if s.parent != nil {
		parentCID = s.parent.cid
	}
	fields := append([]field{
		{"function_name", s.name},
		{"file", s.file},
		{"line", s.line},
		{"correlation_id", s.cid},
		{"parent_correlation_id", parentCID},
		{"trace_id", s.traceID},
		{"span_id", s.spanID},
	}, extra...)
	for _, f := range fields {
		b = append(b, ',')
		b = appendString(b, f.key)
		b = append(b, ':')
		b = appendValue(b, f.value)
	}
	write(append(b, '}', '\n'))
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case []field:
		b = append(b, '{')
		for i, f := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.key)
			b = append(b, ':')
			b = appendValue(b, f.value)
		}
		return append(b, '}')
	}
	return appendString(b, fmt.Sprint(v))
}

func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func write(line []byte) {
	outMu.Lock()
	defer outMu.Unlock()
	if outPath == "" {
		if !stderrUsable || writeStderr(line) != nil {
			dropped.Add(1)
		}
		return
	}
	if sinkFailed {
		dropped.Add(1)
		return
	}
	if outFile == nil {
		f, err := os.OpenFile(outPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			sinkFailed = true
			dropped.Add(1)
			return
		}
		outFile = f
	}
	if _, err := outFile.Write(line); err != nil {
		dropped.Add(1)
	}
}

// writeStderr writes with the system call rather than os.Stderr: os.File raises SIGPIPE
// and kills the program when fd 2 is a broken pipe, whereas a lost event must not.
func writeStderr(b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(syscall.Stderr, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return syscall.EIO
		}
		b = b[n:]
	}
	return nil
}
