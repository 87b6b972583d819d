//go:build amd64 || arm64

package telemetry

import "unsafe"

// getg returns the running goroutine's runtime struct (getg_amd64.s, getg_arm64.s).
func getg() unsafe.Pointer
