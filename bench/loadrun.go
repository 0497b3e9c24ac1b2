package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// contestant is one server under the same load.
type contestant struct {
	Name    string
	Target  target
	Portico bool // errors fail the scenario
}

// loadResult is the median of the rounds of one contestant at one
// concurrency.
type loadResult struct {
	RPS, P50, P99 float64 // req/s, µs, µs
	Errors        int     // summed over rounds
	Requests      int     // summed over rounds
}

// loadTable holds one scenario's results: contestant -> concurrency.
type loadTable struct {
	title, ref  string
	contestants []contestant
	concs       []int
	res         map[string]map[int]*loadResult
}

// drive runs every contestant at every concurrency level, interleaved
// (round r runs A B C at c=1, then c=32, ...), after one unrecorded
// warm-up run each, and keeps the median of the rounds.
func (h *harness) drive(ctx context.Context, title, ref string, cs []contestant) (*loadTable, error) {
	if h.wrk == nil {
		return nil, fmt.Errorf("wrk is not installed (apt-get install -y wrk)")
	}
	for _, c := range cs {
		if _, err := check(ctx, c.Target); err != nil {
			return nil, fmt.Errorf("%s does not answer: %w", c.Name, err)
		}
	}
	// one unrecorded run each, as long as a recorded one: lets Lambda
	// functions reach their warm concurrency and JITs settle
	warm := h.o.duration
	for _, c := range cs {
		if _, err := h.wrk.run(ctx, c.Target, 32, warm); err != nil {
			return nil, err
		}
	}
	samples := map[string]map[int][]load{}
	for _, c := range cs {
		samples[c.Name] = map[int][]load{}
	}
	for r := 0; r < h.o.rounds; r++ {
		for _, conc := range h.o.concs {
			for _, c := range cs {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				l, err := h.wrk.run(ctx, c.Target, conc, h.o.duration)
				if err != nil {
					return nil, err
				}
				h.logf("  round %d  c=%-3d %-44s %9.0f req/s  p50 %7.0fµs  p99 %7.0fµs  errors %d",
					r+1, conc, c.Name, l.RPS, us(l.P50), us(l.P99), l.Errors)
				samples[c.Name][conc] = append(samples[c.Name][conc], l)
			}
		}
	}
	t := &loadTable{title: title, ref: ref, contestants: cs, concs: h.o.concs, res: map[string]map[int]*loadResult{}}
	for _, c := range cs {
		t.res[c.Name] = map[int]*loadResult{}
		for _, conc := range h.o.concs {
			ls := samples[c.Name][conc]
			lr := &loadResult{}
			var rps, p50, p99 []float64
			for _, l := range ls {
				rps, p50, p99 = append(rps, l.RPS), append(p50, us(l.P50)), append(p99, us(l.P99))
				lr.Errors += l.Errors
				lr.Requests += l.Requests
			}
			lr.RPS, lr.P50, lr.P99 = median(rps), median(p50), median(p99)
			t.res[c.Name][conc] = lr
		}
	}
	var errs []string
	for _, c := range cs {
		for _, conc := range h.o.concs {
			if n := t.res[c.Name][conc].Errors; n > 0 {
				if c.Portico {
					errs = append(errs, fmt.Sprintf("%s at c=%d: %d errors", c.Name, conc, n))
				} else {
					h.note("%s: %s had %d errors at concurrency %d", title, c.Name, n, conc)
				}
			}
		}
	}
	h.sections = append(h.sections, t.markdown())
	if len(errs) > 0 {
		return t, fmt.Errorf("Portico errors under load: %s", strings.Join(errs, "; "))
	}
	return t, nil
}

// ratio is a's requests/s over b's at conc; 0 when either is missing.
func (t *loadTable) ratio(a, b string, conc int) float64 {
	ra, rb := t.res[a][conc], t.res[b][conc]
	if ra == nil || rb == nil || rb.RPS == 0 {
		return 0
	}
	return ra.RPS / rb.RPS
}

func (t *loadTable) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", t.title)
	fmt.Fprintf(&b, "| contestant | conc. | req/s | p50 | p99 | errors | req/s vs %s |\n|---|--:|--:|--:|--:|--:|--:|\n", t.ref)
	for _, conc := range t.concs {
		for _, c := range t.contestants {
			r := t.res[c.Name][conc]
			ratio := "—"
			if x := t.ratio(c.Name, t.ref, conc); x > 0 {
				ratio = fmt.Sprintf("%.2fx", x)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %d | %s |\n", c.Name, conc, fmtRPS(r.RPS), fmtUS(r.P50), fmtUS(r.P99), r.Errors, ratio)
		}
	}
	return b.String()
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtRPS(x float64) string {
	switch {
	case x >= 10000:
		return fmt.Sprintf("%.1fk", x/1000)
	case x >= 1000:
		return fmt.Sprintf("%.2fk", x/1000)
	default:
		return fmt.Sprintf("%.0f", x)
	}
}

func fmtUS(x float64) string {
	switch {
	case x >= 10000:
		return fmt.Sprintf("%.1f ms", x/1000)
	case x >= 1000:
		return fmt.Sprintf("%.2f ms", x/1000)
	default:
		return fmt.Sprintf("%.0f µs", x)
	}
}
