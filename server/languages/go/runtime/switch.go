// The on/off switch: read from DEBUG and TELEMETRY_ENABLED once at start, toggled by
// SIGHUP. Probes read it with one atomic load.
package telemetry

import (
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
)

var on atomic.Bool

func init() {
	globalOn.Store(enabledFromEnv(os.Getenv))
	startSwitches()
	refreshOn()
	watchSIGHUP()
}

func enabledFromEnv(getenv func(string) string) bool {
	truthy := func(v string) bool {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1", "true", "yes", "on":
			return true
		}
		return false
	}
	if v := strings.TrimSpace(getenv("TELEMETRY_ENABLED")); v != "" {
		return truthy(v)
	}
	return truthy(getenv("DEBUG"))
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
			if toggle() {
				retrySink() // give an unwritable TELEMETRY_FILE another chance
			}
		}
	}()
}

// toggle flips the global switch and reports whether it is now on.
func toggle() bool {
	for {
		old := globalOn.Load()
		if globalOn.CompareAndSwap(old, !old) {
			refreshOn()
			return !old
		}
	}
}
