// Goroutine ids without a stack trace. runtime.Stack formats the whole stack to reach the id on
// its first line, over half of an enabled call's cost; where getg (a two-instruction assembly
// function, amd64 and arm64) exists, the id is read from the runtime's goroutine struct at an
// offset found at start, by matching runtime.Stack's ids on three goroutines. When no offset
// matches all three (another architecture, a changed struct), every id comes from runtime.Stack.
// It must never guess: an offset is used only once it has been checked.
package telemetry

import (
	"runtime"
	"unsafe"
)

// goidOffset is the id's offset in the goroutine struct, or -1: use runtime.Stack.
var goidOffset = findGoidOffset()

// goroutineID returns the calling goroutine's id.
func goroutineID() uint64 {
	if goidOffset >= 0 {
		return *(*uint64)(unsafe.Add(getg(), goidOffset))
	}
	return stackGoroutineID()
}

// stackGoroutineID parses "goroutine 18 [running]:", the first line of runtime.Stack.
func stackGoroutineID() uint64 {
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

type goroutineSample struct {
	g  unsafe.Pointer
	id uint64
}

func sampleGoroutine() goroutineSample { return goroutineSample{getg(), stackGoroutineID()} }

func findGoidOffset() (offset int) {
	defer func() {
		if recover() != nil {
			offset = -1
		}
	}()
	if getg() == nil {
		return -1
	}
	// The goroutines stay alive until all are read: a finished goroutine's struct is reused.
	samples := []goroutineSample{sampleGoroutine()}
	c, release := make(chan goroutineSample), make(chan struct{})
	defer close(release)
	for i := 0; i < 2; i++ {
		go func() {
			c <- sampleGoroutine()
			<-release
		}()
		samples = append(samples, <-c)
	}
	// The goroutine struct is larger than 256 bytes in every Go release; the id sits well inside.
	for off := 0; off < 256; off += 8 {
		all := true
		for _, s := range samples {
			all = all && *(*uint64)(unsafe.Add(s.g, off)) == s.id
		}
		if all {
			return off
		}
	}
	return -1
}
