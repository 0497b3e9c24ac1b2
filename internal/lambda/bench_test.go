package lambda

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkInvokeWarm measures a warm invoke of the Go test function:
// the whole round trip through the Runtime API (/next delivery, the
// function's aws-lambda-go loop, /response).
func BenchmarkInvokeWarm(b *testing.B) {
	m := newManager(b, Options{Logger: discardLogger()})
	fn := goFunction(b)
	ctx := context.Background()
	payload := []byte(`{"action":"echo"}`)
	if _, err := m.Invoke(ctx, fn, payload, InvokeOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		res, err := m.Invoke(ctx, fn, payload, InvokeOptions{})
		if err != nil || res.FunctionError != "" {
			b.Fatal(err, res)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "µs/invoke")
}

// BenchmarkColdStart measures a first invoke of the Go test function:
// process start, runtime init and the invoke.
func BenchmarkColdStart(b *testing.B) {
	m := newManager(b, Options{Logger: discardLogger()})
	fn := goFunction(b)
	ctx := context.Background()
	b.ReportAllocs()
	var total time.Duration
	i := 0
	for b.Loop() {
		i++
		fn.Revision = strconv.Itoa(i)
		t0 := time.Now()
		res, err := m.Invoke(ctx, fn, []byte(`{}`), InvokeOptions{})
		total += time.Since(t0)
		if err != nil || res.FunctionError != "" {
			b.Fatal(err, res)
		}
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(i), "ms/cold-start")
}

// Budgets (integration budget for the Lambda proxy path): a cold start
// of a Go function completes in under 100 ms, and a warm invoke adds
// well under 300 µs over driving the function's runtime loop directly
// (bareRuntimeAPI). Medians of interleaved samples, so a slow moment on
// a busy machine hits both sides.
func TestLatencyBudgets(t *testing.T) {
	if testing.Short() {
		t.Skip("timing budget skipped in -short")
	}
	m := newManager(t, Options{Logger: discardLogger()})
	fn := goFunction(t)
	ctx := context.Background()
	payload := []byte(`{"action":"echo"}`)
	var cold []time.Duration
	for i := range 7 {
		fn.Revision = "cold-" + strconv.Itoa(i)
		t0 := time.Now()
		if res, err := m.Invoke(ctx, fn, payload, InvokeOptions{}); err != nil || res.FunctionError != "" {
			t.Fatal(err, res)
		}
		cold = append(cold, time.Since(t0))
	}
	bare := startBare(t)
	var warm, direct []time.Duration
	for range 400 {
		t0 := time.Now()
		if res, err := m.Invoke(ctx, fn, payload, InvokeOptions{}); err != nil || res.FunctionError != "" {
			t.Fatal(err, res)
		}
		t1 := time.Now()
		bare.invoke(payload)
		warm, direct = append(warm, t1.Sub(t0)), append(direct, time.Since(t1))
	}
	coldMed, warmMed, directMed := median(cold), median(warm), median(direct)
	t.Logf("cold start median %v; warm invoke median %v, direct runtime loop median %v, overhead %v",
		coldMed, warmMed, directMed, warmMed-directMed)
	if coldMed > 100*time.Millisecond {
		t.Errorf("cold start median %v, budget 100ms", coldMed)
	}
	if warmMed-directMed > 300*time.Microsecond {
		t.Errorf("warm invoke overhead %v over the direct runtime loop, budget 300µs", warmMed-directMed)
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
