package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// load is one bounded load run's result.
type load struct {
	RPS      float64
	P50, P99 time.Duration
	Requests int
	Errors   int // socket errors + non-2xx/3xx responses
}

// target is what a load run sends.
type target struct {
	URL    string
	Method string            // GET when empty
	Body   string            // sent with Method
	Header map[string]string // extra request headers
}

// wrkRunner drives wrk (Debian package `wrk`), always against 127.0.0.1.
type wrkRunner struct {
	bin string
	dir string // scratch directory for request scripts
}

// run drives conns connections at tg for dur. wrk bounds the run by -d
// and the harness bounds wrk by a context deadline on top.
func (w *wrkRunner) run(ctx context.Context, tg target, conns int, dur time.Duration) (load, error) {
	if !strings.HasPrefix(tg.URL, "http://127.0.0.1:") {
		return load{}, fmt.Errorf("refusing to load %s: only 127.0.0.1 is a target", tg.URL)
	}
	threads := 2
	if conns < threads {
		threads = conns
	}
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns),
		"-d" + strconv.Itoa(int(dur.Seconds())) + "s", "--timeout", "5s", "--latency"}
	if tg.Method != "" && tg.Method != "GET" || len(tg.Header) > 0 {
		script, err := w.script(tg)
		if err != nil {
			return load{}, err
		}
		args = append(args, "-s", script)
	}
	args = append(args, tg.URL)
	rctx, cancel := context.WithTimeout(ctx, dur+20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(rctx, w.bin, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return load{}, fmt.Errorf("wrk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return parseWrk(string(out))
}

// script writes a wrk Lua script setting the method, body and headers.
func (w *wrkRunner) script(tg target) (string, error) {
	var b strings.Builder
	m := tg.Method
	if m == "" {
		m = "GET"
	}
	fmt.Fprintf(&b, "wrk.method = %q\n", m)
	if tg.Body != "" {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaString(tg.Body))
	}
	for k, v := range tg.Header {
		fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaString(k), luaString(v))
	}
	f, err := os.CreateTemp(w.dir, "req-*.lua")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		return "", err
	}
	return filepath.Clean(f.Name()), nil
}

// luaString quotes s as a Lua long-bracket-free string literal.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// parseWrk reads requests/s, p50, p99 and errors from wrk --latency
// output.
func parseWrk(out string) (load, error) {
	var l load
	var haveRPS, have50, have99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return l, fmt.Errorf("wrk requests/sec %q: %w", f[1], err)
			}
			l.RPS, haveRPS = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return l, err
			}
			if f[0] == "50%" {
				l.P50, have50 = d, true
			} else {
				l.P99, have99 = d, true
			}
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			n, err := strconv.Atoi(f[0])
			if err != nil {
				return l, fmt.Errorf("wrk request count %q: %w", f[0], err)
			}
			l.Requests = n
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, err := strconv.Atoi(strings.TrimSuffix(f[i+1], ","))
				if err != nil {
					return l, fmt.Errorf("wrk socket errors %q: %w", sc.Text(), err)
				}
				l.Errors += n
			}
		case strings.HasPrefix(strings.TrimSpace(sc.Text()), "Non-2xx or 3xx responses:"):
			n, err := strconv.Atoi(f[len(f)-1])
			if err != nil {
				return l, fmt.Errorf("wrk non-2xx %q: %w", sc.Text(), err)
			}
			l.Errors += n
		}
	}
	if !haveRPS || !have50 || !have99 {
		return l, errors.New("wrk output lacks Requests/sec or latency distribution:\n" + out)
	}
	return l, nil
}

// parseWrkDuration reads wrk's "123.45us", "1.20ms", "2.00s", "1.00m".
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("wrk duration %q: %w", s, err)
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk duration %q: unknown unit", s)
}
