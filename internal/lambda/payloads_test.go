package lambda

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Runtime API …/error: a JSON object from the runtime is the Invoke
// error payload as is; anything else is wrapped with the
// Lambda-Runtime-Function-Error-Type header's type.
func TestErrorPayload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, header, want string }{
		{"JSON object passes through", `{"errorType":"TypeError","errorMessage":"x","trace":["a"]}`, "TypeError", `{"errorType":"TypeError","errorMessage":"x","trace":["a"]}`},
		{"object with leading space passes through", " \n{\"a\":1}", "", " \n{\"a\":1}"},
		{"plain text wrapped with header type", `boom`, "Custom", `{"errorType":"Custom","errorMessage":"boom"}`},
		{"empty body without header is Runtime.Unknown", ``, "", `{"errorType":"Runtime.Unknown","errorMessage":""}`},
		{"JSON array is wrapped", `[1]`, "", `{"errorType":"Runtime.Unknown","errorMessage":"[1]"}`},
		{"truncated object is wrapped", `{"a":`, "E", `{"errorType":"E","errorMessage":"{\"a\":"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(errorPayload([]byte(tc.body), tc.header)); got != tc.want {
				t.Errorf("errorPayload(%q, %q) = %s, want %s", tc.body, tc.header, got, tc.want)
			}
		})
	}
}

// Lambda's error documents for timeouts and exits.
func TestErrorDocuments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, got, want string }{
		{"timeout is Sandbox.Timedout with two decimals", string(timeoutDoc("r1", 3*time.Second)),
			`{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: r1 Error: Task timed out after 3.00 seconds"}`},
		{"exit status is Runtime.ExitError", string(exitDoc("r2", "exit status 1")),
			`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r2 Error: Runtime exited with error: exit status 1"}`},
		{"signal is Runtime.ExitError", string(exitDoc("r3", "signal: killed")),
			`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r3 Error: Runtime exited with error: signal: killed"}`},
		{"clean exit has no reason", string(exitDoc("r4", "exit status 0")),
			`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r4 Error: Runtime exited without providing a reason"}`},
		{"oversized response", string(tooLargeDoc()),
			`{"errorType":"Function.ResponseSizeTooLarge","errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %s\nwant %s", tc.got, tc.want)
			}
		})
	}
}

// Ids have Lambda's shapes: request ids are v4 UUIDs, trace ids X-Ray
// headers, log streams "YYYY/MM/DD/[version]hex".
func TestIDShapes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, got, pattern string }{
		{"request id is a v4 UUID", newRequestID(), `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"trace id is an X-Ray header", newTraceID(now), `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`},
		{"log stream", newLogStream(now, "$LATEST"), `^2026/11/21/\[\$LATEST\][0-9a-f]{32}$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !regexp.MustCompile(tc.pattern).MatchString(tc.got) {
				t.Errorf("%q does not match %s", tc.got, tc.pattern)
			}
		})
	}
	if a, b := newRequestID(), newRequestID(); a == b {
		t.Error("request ids repeat")
	}
}

// Function output is split into lines; an invoke's tail keeps the last
// TailSize bytes.
func TestLogSinkLinesAndTail(t *testing.T) {
	t.Parallel()
	var buf logBuf
	s := &logSink{log: jsonLogger(&buf)}
	inv := &invocation{id: "req-1", tail: &tail{}}
	s.inv = inv
	s.consume([]byte("one\ntw"))
	s.consume([]byte("o\nthree"))
	if got := string(inv.tail.bytes()); got != "one\ntwo\n" {
		t.Errorf("tail = %q", got)
	}
	if !strings.Contains(buf.String(), `"msg":"two","request_id":"req-1"`) {
		t.Errorf("log = %s", buf.String())
	}
	s.consume([]byte(strings.Repeat("x", 3*TailSize) + "\nend\n"))
	if b := inv.tail.bytes(); len(b) != TailSize || !strings.HasSuffix(string(b), "x\nend\n") {
		t.Errorf("tail of %d bytes ends %q", len(b), b[len(b)-10:])
	}
}

func FuzzErrorPayload(f *testing.F) {
	for _, s := range []string{`{"errorType":"E","errorMessage":"m"}`, `boom`, ``, `[1]`, `{"a":`, " {}", "\xff"} {
		f.Add([]byte(s), "Runtime.Unknown")
	}
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		out := errorPayload(body, header)
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("errorPayload(%q) = %q: not a JSON object: %v", body, out, err)
		}
	})
}

func FuzzLogSink(f *testing.F) {
	for _, s := range []string{"a\nb\n", "no newline", "\n\n\n", strings.Repeat("y", maxLine+10)} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		s := &logSink{log: discardLogger()}
		inv := &invocation{id: "r", tail: &tail{}}
		s.inv = inv
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		s.consume(data[:cut])
		s.consume(data[cut:])
		if len(inv.tail.bytes()) > TailSize {
			t.Fatalf("tail %d bytes", len(inv.tail.bytes()))
		}
		if len(s.partial) >= maxLine {
			t.Fatalf("partial line of %d bytes kept", len(s.partial))
		}
	})
}
