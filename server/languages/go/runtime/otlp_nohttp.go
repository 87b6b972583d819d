//go:build telemetry_nohttp

// A build without net/http (see otlp_http.go): no OTLP transport, so OTLP export stays off.
package telemetry

import "time"

type poster func(endpoint string, data []byte, headers map[string]string) (int, time.Duration)

func newPoster(time.Duration) poster { return nil }
