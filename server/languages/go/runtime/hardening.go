// Production hardening (issue 11): one stderr line per malformed OTel setting that the sampling
// and exporter code fall back from silently. Runs once, at package initialisation.
// Must never panic into the program, nor change what the settings mean, nor import beyond what
// the rest of the runtime does (a telemetry_nohttp build instruments the standard library in place).
package telemetry

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func init() {
	defer func() { _ = recover() }()
	checkOtelEnv(os.Getenv)
}

func checkOtelEnv(getenv func(string) string) {
	if s := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER")); s != "" && !samplers[strings.ToLower(s)] {
		warn(fmt.Sprintf("ignoring malformed OTEL_TRACES_SAMPLER=%s; using parentbased_always_on", clip(s, 40)))
	}
	if a := strings.TrimSpace(getenv("OTEL_TRACES_SAMPLER_ARG")); a != "" {
		if r, err := strconv.ParseFloat(a, 64); err != nil || !(r >= 0 && r <= 1) {
			warn(fmt.Sprintf("ignoring malformed OTEL_TRACES_SAMPLER_ARG=%s; using 1.0", clip(a, 40)))
		}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"} {
		raw := strings.TrimSpace(getenv(name))
		if raw == "" {
			continue
		}
		// No net/url: a build that instruments the standard library in place may be instrumenting it.
		lower, rest := strings.ToLower(raw), ""
		if strings.HasPrefix(lower, "http://") {
			rest = lower[len("http://"):]
		} else if strings.HasPrefix(lower, "https://") {
			rest = lower[len("https://"):]
		}
		if rest == "" || rest[0] == '/' || rest[0] == ':' {
			warn(fmt.Sprintf("%s=%s is not an http(s) URL; nothing is exported there", name, clip(raw, 80)))
		}
	}
}
