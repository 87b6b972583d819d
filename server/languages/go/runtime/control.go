// Per-function switches with expiry: TELEMETRY_CONTROL (default .telemetry/control.json in the
// working directory at start) maps function ids (`file:name`, or `name`) and globs (`*`, `?`) to
// {enabled, expires_at, max_events_per_sec, capture_args}; "*" is the default; a function left out
// follows the global switch. A goroutine checks the file's modification time once a second and
// turns expired entries off; Enter only looks up a cached answer, and only while some rule exists.
// A malformed file is reported once per change on stderr and the last good state stays.
package telemetry

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type switchEntry struct {
	enabled     bool
	expiresAt   time.Time // zero: never
	maxPerSec   int64     // -1: the default call limit
	captureArgs bool
}

type switchRule struct {
	match func(id, name string) bool
	entry *switchEntry
}

var (
	globalOn atomic.Bool // DEBUG, TELEMETRY_ENABLED and SIGHUP; `on` adds the switches
	hasRules atomic.Bool // read by enter: false keeps it free of the lookup

	ctlMu    sync.Mutex
	ctlPath  string
	ctlStamp string
	ctlRules []switchRule
	ctlCache = map[[2]string]*switchEntry{}
	ctlAnyOn bool
)

// refreshOn sets what probes read: the global switch, or any function switched on.
func refreshOn() {
	ctlMu.Lock()
	switchedOn := ctlAnyOn
	ctlMu.Unlock()
	on.Store(globalOn.Load() || switchedOn)
}

func startSwitches() {
	path := os.Getenv("TELEMETRY_CONTROL")
	if path == "" {
		path = filepath.Join(".telemetry", "control.json")
	}
	ctlPath = absolute(path)
	pollSwitches()
	go func() {
		defer func() { _ = recover() }()
		for range time.Tick(time.Second) {
			if pollSwitches() {
				refreshOn()
			}
		}
	}()
}

// pollSwitches reloads the file when it changed and drops expired entries; true when anything changed.
func pollSwitches() bool {
	stamp := ""
	if st, err := os.Stat(ctlPath); err == nil {
		stamp = fmt.Sprintf("%d:%d", st.ModTime().UnixNano(), st.Size())
	}
	ctlMu.Lock()
	defer ctlMu.Unlock()
	changed := false
	if stamp != ctlStamp {
		ctlStamp = stamp
		if stamp == "" {
			changed = len(ctlRules) > 0
			ctlRules = nil
		} else if rules, err := readControl(ctlPath); err != nil {
			warn(fmt.Sprintf("ignoring malformed %s (%s); keeping the last good switches", ctlPath, clip(err.Error(), 120)))
		} else {
			ctlRules, changed = rules, true
		}
	}
	now := time.Now()
	live := ctlRules[:0:0]
	for _, r := range ctlRules {
		if r.entry.expiresAt.IsZero() || r.entry.expiresAt.After(now) {
			live = append(live, r)
		}
	}
	if len(live) != len(ctlRules) {
		ctlRules, changed = live, true
	}
	if changed {
		ctlCache = map[[2]string]*switchEntry{}
		ctlAnyOn = false
		for _, r := range ctlRules {
			ctlAnyOn = ctlAnyOn || r.entry.enabled
		}
		hasRules.Store(len(ctlRules) > 0)
		stateMu.Lock()
		limits = map[limitKey]*callLimit{} // rates may have changed
		stateMu.Unlock()
	}
	return changed
}

func readControl(path string) ([]switchRule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("not a JSON object")
	}
	var exact, globs, fallback []switchRule
	for key, value := range raw {
		entry := &switchEntry{enabled: true, maxPerSec: -1, captureArgs: true}
		if v, ok := value["enabled"]; ok {
			entry.enabled = v == true
		}
		if v, ok := value["capture_args"]; ok {
			entry.captureArgs = v != false
		}
		switch v := value["expires_at"].(type) {
		case nil:
		case string:
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, fmt.Errorf("%s: expires_at: %v", key, err)
			}
			entry.expiresAt = t
		case float64:
			entry.expiresAt = time.Unix(0, int64(v*1e9))
		default:
			return nil, fmt.Errorf("%s: expires_at is neither a time nor a number", key)
		}
		switch v := value["max_events_per_sec"].(type) {
		case nil:
		case float64:
			if v < 0 || v != float64(int64(v)) {
				return nil, fmt.Errorf("%s: max_events_per_sec is not a count", key)
			}
			entry.maxPerSec = int64(v)
		default:
			return nil, fmt.Errorf("%s: max_events_per_sec is not a count", key)
		}
		key := key
		onName := !strings.Contains(key, ":")
		pick := func(id, name string) string {
			if onName {
				return name
			}
			return id
		}
		switch {
		case key == "*":
			fallback = append(fallback, switchRule{func(string, string) bool { return true }, entry})
		case strings.ContainsAny(key, "*?"):
			var b strings.Builder
			for _, c := range key {
				switch c {
				case '*':
					b.WriteString(".*")
				case '?':
					b.WriteString(".")
				default:
					b.WriteString(regexp.QuoteMeta(string(c)))
				}
			}
			re := regexp.MustCompile("^(?s:" + b.String() + ")$")
			globs = append(globs, switchRule{func(id, name string) bool { return re.MatchString(pick(id, name)) }, entry})
		default:
			exact = append(exact, switchRule{func(id, name string) bool { return pick(id, name) == key }, entry})
		}
	}
	return append(append(exact, globs...), fallback...), nil
}

// switchFor returns the switch that applies to a function, or nil when none does.
func switchFor(name, file string) *switchEntry {
	ctlMu.Lock()
	defer ctlMu.Unlock()
	key := [2]string{file, name}
	if e, ok := ctlCache[key]; ok {
		return e
	}
	var found *switchEntry
	id := file + ":" + name
	for _, r := range ctlRules {
		if r.match(id, name) {
			found = r.entry
			break
		}
	}
	ctlCache[key] = found
	return found
}
