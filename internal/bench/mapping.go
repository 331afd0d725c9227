package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/storage"
)

// The targets for the local mapping.
const (
	aggregateTarget = 200 * time.Millisecond
	reportTarget    = 300 * time.Millisecond
)

// MappingResult are the figures of the mapping section.
type MappingResult struct {
	// Responses answered the Questions of the bench questionnaire through
	// the service in Seed; Texts of their free-text answers wait for
	// review, Accepted were accepted into the report.
	Responses, Questions, Texts, Accepted int
	Seed                                  time.Duration
	// Aggregate is mapping.Aggregate of the round, one call at a time,
	// each after a respondent answered again; Unchanged the same calls
	// with nothing new; Scan the raw SQL reading the same rows (the
	// baseline); Counts the counting done in the database's JSON
	// functions instead.
	Aggregate, Unchanged, Scan, Counts Timing
	// Report is GET /mapping/rounds/{id}/report at Options.Clients;
	// ReportScan the baseline's SQL at as many clients; PageBytes the
	// report page's size.
	Report, ReportScan Result
	PageBytes          int64
	// Err is the first error a measured run met.
	Err error
}

// Timing is one operation run n times in a row.
type Timing struct {
	Name     string
	Runs     int
	P50, P99 time.Duration
}

// timeRuns runs fn one call at a time for d (at least 5 and at most 1,000
// calls) and returns the median and the 99th percentile. prepare, if
// any, runs untimed before each call.
func timeRuns(ctx context.Context, name string, d time.Duration, prepare, fn func(ctx context.Context) error) (Timing, error) {
	var all []time.Duration
	deadline := time.Now().Add(d)
	for len(all) < 5 || (time.Now().Before(deadline) && len(all) < 1000) {
		if prepare != nil {
			if err := prepare(ctx); err != nil {
				return Timing{Name: name}, fmt.Errorf("%s: %w", name, err)
			}
		}
		t := time.Now()
		if err := fn(ctx); err != nil {
			return Timing{Name: name}, fmt.Errorf("%s: %w", name, err)
		}
		all = append(all, time.Since(t))
	}
	slices.Sort(all)
	return Timing{Name: name, Runs: len(all), P50: all[len(all)/2], P99: all[len(all)*99/100]}, nil
}

// mappingRows is the statement mapping.Aggregate reads a round's
// responses with.
const mappingRows = `SELECT respondent_kind, respondent_role, anonymous, answers FROM mapping_responses
	WHERE round_id = $1 AND questionnaire_id = $2`

// mappingCounts counts every (respondent type, question, answer) of the
// round in the database's JSON functions: the counting part of the
// aggregation (not the medians, nor the split of multiple choices) done
// in SQL.
func mappingCounts(engine storage.Engine) string {
	each := `json_each(p.answers, '$.values') j`
	if engine == storage.Postgres {
		each = `jsonb_each_text(p.answers::jsonb -> 'values') j`
	}
	return `SELECT p.respondent_kind, p.respondent_role, p.anonymous, j.key, j.value, COUNT(*)
		FROM mapping_responses p, ` + each + `
		WHERE p.round_id = $1 AND p.questionnaire_id = $2 GROUP BY 1, 2, 3, 4, 5`
}

// measureMapping seeds a round of o.Mapping responses to the 60-question
// bench questionnaire and measures its aggregation and its report page.
func measureMapping(ctx context.Context, a *app.App, o Options, site string, bare Result) (MappingResult, error) {
	res := MappingResult{Questions: mappingQuestions}
	tag, _ := newRunTag()
	fmt.Fprintf(o.Out, "\nLocal mapping — seeding a round of %d responses × %d questions through the service\n", o.Mapping, mappingQuestions)
	start := time.Now()
	b, err := seedMappingBench(ctx, a, o.Mapping, tag)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	if err := settle(ctx, a.DB); err != nil {
		return res, err
	}
	res.Seed = time.Since(start)
	res.Responses, res.Texts, res.Accepted = b.responses, b.texts, b.accepted
	fmt.Fprintf(o.Out, "seeded %d responses (%d free texts sealed, %d accepted) in %s, %s each\n", res.Responses, res.Texts, res.Accepted,
		res.Seed.Round(time.Millisecond), (res.Seed / time.Duration(max(res.Responses, 1))).Round(time.Microsecond))

	read := func(q string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return a.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, q, b.round, b.q)
				if err != nil {
					return err
				}
				return drain(rows)
			})
		}
	}
	aggregate := func(ctx context.Context) error {
		agg, err := a.Mapping.Aggregate(ctx, b.coordinator, b.round, b.q)
		if err == nil && agg.Responses != res.Responses {
			err = fmt.Errorf("aggregated %d responses, want %d", agg.Responses, res.Responses)
		}
		return err
	}
	// Before each timed aggregation one respondent answers again, as in
	// an open round, so a service that keeps results until the round
	// changes still adds the round up every time.
	rng := rand.New(rand.NewPCG(5, 6))
	answerAgain := func(ctx context.Context) error {
		_, err := a.Mapping.Respond(ctx, b.again, b.round, b.q, mappingAnswers(rng), "en", false)
		return err
	}
	if res.Scan, err = timeRuns(ctx, "raw SQL: read the round's rows (baseline)", o.Duration, nil, read(mappingRows)); err != nil {
		return res, err
	}
	if res.Aggregate, err = timeRuns(ctx, "mapping.Aggregate, after a new answer", o.Duration, answerAgain, aggregate); err != nil {
		return res, err
	}
	if res.Unchanged, err = timeRuns(ctx, "mapping.Aggregate, round unchanged", o.Duration, nil, aggregate); err != nil {
		return res, err
	}
	if res.Counts, err = timeRuns(ctx, "raw SQL: count the answers in JSON", o.Duration, nil, read(mappingCounts(a.DB.Engine))); err != nil {
		return res, err
	}

	cookie, err := signIn(site, b.username, b.password)
	if err != nil {
		return res, fmt.Errorf("sign in as the bench coordinator: %w", err)
	}
	path := "/mapping/rounds/" + b.round + "/report"
	if res.PageBytes, err = pageSize(ctx, site+path, cookie); err != nil {
		return res, err
	}
	res.Report = load(ctx, "GET /mapping/rounds/{id}/report", site+path, cookie, o)
	res.ReportScan, res.Err = drive(ctx, "raw SQL: read the round's rows", o.Clients, o.Duration,
		func(ctx context.Context, _ int) error { return read(mappingRows)(ctx) })
	printMapping(o.Out, o, res, bare)
	return res, nil
}

// pageSize fetches the page once: it must answer 200, and its size is
// part of what the page costs.
func pageSize(ctx context.Context, target, cookie string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", req.URL.Path, res.StatusCode)
	}
	return n, err
}

func printMapping(w io.Writer, o Options, r MappingResult, bare Result) {
	fmt.Fprintf(w, "\n%-46s %6s %10s %10s %10s %10s\n", "Aggregation, one call at a time", "runs", "p50", "p99", "p50×", "p99×")
	for _, t := range []Timing{r.Scan, r.Aggregate, r.Unchanged, r.Counts} {
		fmt.Fprintf(w, "%-46s %6d %10s %10s %10.1f %10.1f\n", t.Name, t.Runs, t.P50.Round(time.Microsecond), t.P99.Round(time.Microsecond),
			ratio(t.P50, r.Scan.P50), ratio(t.P99, r.Scan.P99))
	}
	fmt.Fprintln(w, "(× columns: ratio to reading the same rows with raw SQL.)")
	fmt.Fprintf(w, "target: aggregating %d responses × %d questions under %s: p99 %s, %s\n", r.Responses, r.Questions, aggregateTarget,
		r.Aggregate.P99.Round(time.Millisecond), verdict(r.Aggregate.P99, aggregateTarget))

	fmt.Fprintf(w, "\n%-44s %9s %7s %9s %9s │ %7s %6s %6s │ %7s %6s %6s\n", fmt.Sprintf("Mapping report, %d clients", o.Clients),
		"req/s", "errors", "p50", "p99", "thr×", "p50×", "p99×", "thr×", "p50×", "p99×")
	fmt.Fprintf(w, "%-44s %9s %7s %9s %9s │ %-21s │ %-21s\n", "", "", "", "", "", "vs bare handler", "vs raw SQL")
	for _, x := range []Result{bare, r.Report, r.ReportScan} {
		fmt.Fprintf(w, "%-44s %9.1f %7d %9s %9s │ %7.3f %6.1f %6.1f │ %7.3f %6.1f %6.1f\n", x.Name, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond),
			x.PerSec/bare.PerSec, ratio(x.P50, bare.P50), ratio(x.P99, bare.P99),
			x.PerSec/r.ReportScan.PerSec, ratio(x.P50, r.ReportScan.P50), ratio(x.P99, r.ReportScan.P99))
	}
	fmt.Fprintf(w, "(the report page is %s as the coordinator reads it; raw SQL reads the round's rows with as many clients.)\n", kib(r.PageBytes))
	fmt.Fprintf(w, "target: report page p99 under %s at %d clients: p99 %s, %s\n", reportTarget, o.Clients,
		r.Report.P99.Round(time.Millisecond), verdict(r.Report.P99, reportTarget))
	if r.Err != nil {
		fmt.Fprintf(w, "mapping: first error: %v\n", r.Err)
	}
}

func verdict(d, target time.Duration) string {
	if d < target {
		return "met"
	}
	return "MISSED"
}

func kib(n int64) string { return fmt.Sprintf("%.0f KiB", float64(n)/1024) }
