//go:build !telemetry_nohttp

// The OTLP transport over net/http. A build with -tags telemetry_nohttp leaves it out (and with it
// net/http), for programs that net/http itself depends on, such as the standard library's own
// packages instrumented in place; OTLP export is then off.
package telemetry

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// poster sends one OTLP request and returns the status (0 for a connection error) and
// Retry-After, or -1 without one.
type poster func(endpoint string, data []byte, headers map[string]string) (int, time.Duration)

func newPoster(timeout time.Duration) poster {
	client := &http.Client{
		Timeout: timeout,
		// A redirect is a misconfigured endpoint, not a place to send telemetry to: its 3xx status
		// fails the batch at once, where following it (or calling it a connection error) would retry.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(endpoint string, data []byte, headers map[string]string) (int, time.Duration) {
		req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(data))
		if err != nil {
			return 0, -1
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, -1
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // a huge or endless body is not read to its end
		if n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && n >= 0 {
			return resp.StatusCode, time.Duration(n) * time.Second
		}
		return resp.StatusCode, -1
	}
}
