// Ids: 32-hex trace ids, 16-hex span ids and UUIDv4 correlation ids, from a generator of
// our own seeded once from crypto/rand, so the program's math/rand is never reseeded. A span
// holds its ids as bytes; they are written as hex straight into an event line, allocating nothing.
// Correlation and span ids come in blocks of 256 calls (a random UUIDv4 and a random 7-byte span
// id prefix per block, the call's own last byte), as in the Python and Node runtimes; trace ids
// stay fully random, since the ratio sampler reads them.
package telemetry

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand"
	"time"
)

var rng = newRand() // guarded by stateMu

type (
	traceID [16]byte
	spanID  [8]byte
	uuid    [16]byte
)

func newRand() *mrand.Rand {
	var seed [8]byte
	if _, err := crand.Read(seed[:]); err != nil {
		binary.LittleEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	}
	return mrand.New(mrand.NewSource(int64(binary.LittleEndian.Uint64(seed[:]))))
}

// fillRandom fills b with random bytes, never all zero (an invalid OpenTelemetry id). Under stateMu.
func fillRandom(b []byte) {
	for {
		for i := 0; i < len(b); i += 8 {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], rng.Uint64())
			copy(b[i:], w[:])
		}
		for _, c := range b {
			if c != 0 {
				return
			}
		}
	}
}

func newTraceID() (t traceID) { fillRandom(t[:]); return }
func newSpanID() (s spanID)   { fillRandom(s[:]); return }

// The current block of correlation and span ids; guarded by stateMu.
var (
	blockUUID uuid
	blockSpan spanID
	blockLeft int
)

// nextIDs returns a new call's correlation and span ids. Under stateMu.
func nextIDs() (uuid, spanID) {
	if blockLeft == 0 {
		blockUUID = newUUID()
		fillRandom(blockSpan[:7]) // never all zero, whatever the last byte
		blockLeft = 256
	}
	blockLeft--
	u, s := blockUUID, blockSpan
	u[15] = byte(blockLeft)
	s[7] = byte(blockLeft)
	return u, s
}

func newUUID() (u uuid) {
	fillRandom(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return
}

func (t traceID) String() string { return hex.EncodeToString(t[:]) }
func (s spanID) String() string  { return hex.EncodeToString(s[:]) }
func (u uuid) String() string    { return string(appendUUID(make([]byte, 0, 36), u)) }

// hexPairs holds each byte's two hex digits, so that an id byte costs one lookup.
var hexPairs = func() (t [512]byte) {
	const digits = "0123456789abcdef"
	for i := 0; i < 256; i++ {
		t[2*i], t[2*i+1] = digits[i>>4], digits[i&0xf]
	}
	return
}()

func appendHex(b []byte, id []byte) []byte {
	for _, c := range id {
		b = append(b, hexPairs[2*int(c):2*int(c)+2]...)
	}
	return b
}

// appendUUID writes u in its 8-4-4-4-12 form.
func appendUUID(b []byte, u uuid) []byte {
	b = appendHex(b, u[0:4])
	b = append(b, '-')
	b = appendHex(b, u[4:6])
	b = append(b, '-')
	b = appendHex(b, u[6:8])
	b = append(b, '-')
	b = appendHex(b, u[8:10])
	b = append(b, '-')
	return appendHex(b, u[10:16])
}
