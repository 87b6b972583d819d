// Ids: 32-hex trace ids, 16-hex span ids and UUIDv4 correlation ids, from a generator of
// our own seeded once from crypto/rand, so the program's math/rand is never reseeded.
package telemetry

import (
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	mrand "math/rand"
	"time"
)

var rng = newRand() // guarded by stateMu

func newRand() *mrand.Rand {
	var seed [8]byte
	if _, err := crand.Read(seed[:]); err != nil {
		binary.LittleEndian.PutUint64(seed[:], uint64(time.Now().UnixNano()))
	}
	return mrand.New(mrand.NewSource(int64(binary.LittleEndian.Uint64(seed[:]))))
}

// randomHex returns n random bytes in hex, never all zero (an invalid OpenTelemetry id).
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
