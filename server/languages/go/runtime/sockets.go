//go:build !telemetry_nohttp

// Socket events, opt-in: Go has no process-wide hook for connections, so a program wraps its dial
// function with Dialer (an http.Transport's DialContext, or its own net.Dialer's). A connection
// dialled under a recorded call, while telemetry is on, counts its bytes and writes one
// `socket_connection` event, with that call's identity, when it is closed. The call is the one
// current on the dialling goroutine or, for a dial on a goroutine of its own (http.Transport
// dials on one), on the goroutine that started it (Go 1.21 and later name it).
// Must never change what the wrapped connection does, nor panic into the program.
package telemetry

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// socketsOff: TELEMETRY_SOCKETS=off makes Dialer return the dial function as it is.
var socketsOff = func() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("TELEMETRY_SOCKETS"))) {
	case "off", "false", "0", "no":
		return true
	}
	return false
}()

// Dialer wraps a dial function of net.Dialer.DialContext's shape:
//
//	transport := &http.Transport{DialContext: telemetry.Dialer((&net.Dialer{}).DialContext)}
func Dialer(dial func(ctx context.Context, network, address string) (net.Conn, error)) func(ctx context.Context, network, address string) (net.Conn, error) {
	if socketsOff || dial == nil {
		return dial
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		span := dialingSpan()
		start := time.Now()
		conn, err := dial(ctx, network, address)
		if err != nil || span == nil || conn == nil {
			return conn, err
		}
		protocol := "tcp"
		switch network {
		case "udp", "udp4", "udp6":
			protocol = "udp"
		case "unix", "unixgram", "unixpacket":
			protocol = "unix"
		}
		return &countedConn{Conn: conn, span: span, start: start, protocol: protocol, address: address}, nil
	}
}

// dialingSpan is the recorded call a dial belongs to, or nil.
func dialingSpan() (span *Span) {
	defer func() {
		if recover() != nil {
			span = nil
		}
	}()
	if !on.Load() {
		return nil
	}
	if _, s := current(); s != nil {
		if s.muted {
			return nil
		}
		return s
	}
	if !creatorInTraces {
		return nil
	}
	creator, ok := creatorID()
	if !ok {
		return nil
	}
	stateMu.Lock()
	defer stateMu.Unlock()
	if st := states[creator]; st != nil && len(st.stack) > 0 && !st.stack[len(st.stack)-1].muted {
		return st.stack[len(st.stack)-1]
	}
	return nil
}

type countedConn struct {
	net.Conn
	span          *Span
	start         time.Time
	protocol      string
	address       string
	sent, receive atomic.Int64
	once          sync.Once
}

func (c *countedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.receive.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.sent.Add(int64(n))
	return n, err
}

func (c *countedConn) Close() error {
	c.once.Do(c.report)
	return c.Conn.Close()
}

func (c *countedConn) report() {
	defer func() { _ = recover() }()
	d := time.Since(c.start).Nanoseconds()
	if d <= 0 {
		d = 1
	}
	var source any
	if a := c.Conn.LocalAddr(); a != nil && c.protocol != "unix" {
		source = a.String()
	}
	destination := c.address
	if a := c.Conn.RemoteAddr(); a != nil && a.String() != "" {
		destination = a.String()
	}
	emitRecord("socket_connection", c.span,
		field{"source", source}, field{"destination", destination}, field{"protocol", c.protocol},
		field{"bytes_sent", c.sent.Load()}, field{"bytes_received", c.receive.Load()}, field{"duration_ns", d})
}

// emitRecord writes an event about a call that may have exited: JSONL as emitAt writes it, and
// for OTLP always a log record (a span event could no longer join a span that was already sent).
func emitRecord(kind string, s *Span, extra ...field) {
	ts := time.Now().UnixNano()
	if exporter != nil {
		exporter.log(kind, s, ts, 9, detail(s.line, extra))
		if outPath == "" {
			return
		}
	}
	var parentCID any
	if s.parent != nil {
		parentCID = s.parent.cid.String()
	}
	fields := append([]field{
		{"function_name", s.name}, {"file", s.file}, {"line", s.line}, {"correlation_id", s.cid.String()},
		{"parent_correlation_id", parentCID}, {"trace_id", s.traceID.String()}, {"span_id", s.spanID.String()},
	}, extra...)
	b := make([]byte, 0, 512)
	b = append(b, `{"event_type":`...)
	b = appendString(b, kind)
	b = append(b, `,"timestamp_ns":`...)
	b = strconv.AppendInt(b, ts, 10)
	for _, f := range fields {
		b = append(b, ',')
		b = appendString(b, f.key)
		b = append(b, ':')
		b = appendValue(b, f.value)
	}
	write(append(b, '}', '\n'))
}
