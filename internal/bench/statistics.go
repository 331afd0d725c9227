package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Targets of issue 14 item 7.
const (
	rebuildTarget   = 60 * time.Second
	refreshTarget   = time.Second
	statisticTarget = 200 * time.Millisecond
)

// StatisticsResult are the figures of the statistics section.
type StatisticsResult struct {
	Cases, Persons int
	// RecordsSQL is the raw SQL GROUP BY of the records the facts are
	// derived from (persons by form of exploitation, over every case), the
	// baseline of Rebuild; FactsSQL the raw GROUP BY of the stored facts
	// the dashboard's first chart counts (the year's persons assisted by
	// form), the baseline of Refresh and Visible.
	RecordsSQL, FactsSQL time.Duration
	Rebuild              time.Duration
	// Refresh is a refresh after one case changed through the case gate;
	// Visible the time from that change until a dashboard computed anew
	// shows it (the refresh and the year's figures, as the first request
	// after a change pays).
	Refresh, Visible time.Duration
	// Analyst and Coordinator are GET /statistics at Options.Clients;
	// FactsLoad the raw GROUP BY of the facts at as many clients.
	Analyst, Coordinator, FactsLoad Result
	Err                             error
}

// rawRecords counts persons by form of exploitation straight from the
// cases, keyed as the model keys them: the GROUP BY the facts replace.
const rawRecords = `SELECT c.exploitation, COUNT(DISTINCT CASE WHEN r.screening_id IS NOT NULL THEN 'S:' || r.screening_id
		WHEN p.screening_id IS NOT NULL THEN 'S:' || p.screening_id
		WHEN c.origin = 'import' AND c.origin_id <> '' THEN 'I:' || c.origin_id ELSE 'C:' || c.id END)
	FROM cases c LEFT JOIN referrals r ON c.origin = 'referral' AND r.id = c.origin_id
		LEFT JOIN reports p ON c.origin = 'report' AND p.id = c.origin_id
	GROUP BY c.exploitation`

// rawFacts counts the year's persons assisted by form from the stored
// facts: one of the GROUP BYs a dashboard's figures amount to.
const rawFacts = `SELECT p.form, COUNT(*) FROM stat_events e JOIN stat_persons p ON p.person_key = e.person_key
	WHERE e.year = $1 AND e.indicator = 'assisted' GROUP BY p.form`

func measureStatistics(ctx context.Context, a *app.App, o Options, site string, bare Result) (StatisticsResult, error) {
	var res StatisticsResult
	var b caseBench
	var err error
	if o.CasesReuse {
		b, err = reuseCaseBench(ctx, a, o.Out)
	} else {
		b, err = seedCaseBench(ctx, a, o.Cases, o.Out)
	}
	if err != nil {
		return res, err
	}
	res.Cases = b.res.Cases + b.res.Opened
	if err := a.DB.Exec(ctx, "ANALYZE"); err != nil {
		return res, fmt.Errorf("analyze: %w", err)
	}
	year := a.Cases.Now().UTC().Year()
	once := func(q string, args ...any) (time.Duration, error) {
		start := time.Now()
		err := a.DB.Read(ctx, func(tx *storage.Tx) error {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			return drain(rows)
		})
		return time.Since(start), err
	}
	fmt.Fprintf(o.Out, "\nStatistics — %d cases\n", res.Cases)
	if res.RecordsSQL, err = once(rawRecords); err != nil {
		return res, fmt.Errorf("raw GROUP BY of the records: %w", err)
	}
	start := time.Now()
	rebuilt, err := a.Statistics.Rebuild(ctx)
	if err != nil {
		return res, fmt.Errorf("rebuild: %w", err)
	}
	res.Rebuild, res.Persons = time.Since(start), rebuilt.Persons
	if err := settle(ctx, a.DB); err != nil {
		return res, err
	}
	if err := a.DB.Exec(ctx, "ANALYZE"); err != nil {
		return res, fmt.Errorf("analyze: %w", err)
	}
	if res.FactsSQL, err = once(rawFacts, year); err != nil {
		return res, fmt.Errorf("raw GROUP BY of the facts: %w", err)
	}

	analyst, coordinator, password := "sa"+b.username, "sc"+b.username, b.password
	var analystActor access.Actor
	for _, u := range []struct {
		name string
		role access.Role
	}{{analyst, access.Analyst}, {coordinator, access.Coordinator}} {
		created, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: b.actor.OrgID, Username: u.name, Role: u.role,
			Password: password, Profile: accounts.Profile{DisplayName: "Bench " + string(u.role)}})
		if err != nil {
			return res, fmt.Errorf("create bench %s: %w", u.role, err)
		}
		if u.role == access.Analyst {
			analystActor = access.Actor{UserID: created.ID, OrgID: b.actor.OrgID, Role: access.Analyst}
		}
	}
	cookies := map[string]string{}
	for _, u := range []string{analyst, coordinator} {
		if cookies[u], err = signIn(site, u, password); err != nil {
			return res, fmt.Errorf("sign in as %s: %w", u, err)
		}
	}
	// The first page computes the year's figures; later ones are served
	// from them until the facts change.
	if _, err := pageSize(ctx, site+"/statistics", cookies[analyst]); err != nil {
		return res, err
	}

	// One change through the case gate, then the refresh that takes it in.
	if err := changeOne(ctx, a, b); err != nil {
		return res, err
	}
	start = time.Now()
	if _, err := a.Statistics.Refresh(ctx, false); err != nil {
		return res, fmt.Errorf("refresh: %w", err)
	}
	res.Refresh = time.Since(start)
	if err := changeOne(ctx, a, b); err != nil {
		return res, err
	}
	start = time.Now()
	if _, err := a.Statistics.Dashboard(ctx, analystActor, year); err != nil {
		return res, fmt.Errorf("dashboard after a change: %w", err)
	}
	res.Visible = time.Since(start)
	// The coordinator's figures of this version are computed before they
	// are measured too.
	if _, err := pageSize(ctx, site+"/statistics", cookies[coordinator]); err != nil {
		return res, err
	}

	res.Analyst = load(ctx, "GET /statistics (analyst)", site+"/statistics", cookies[analyst], o)
	res.Coordinator = load(ctx, "GET /statistics (coordinator)", site+"/statistics", cookies[coordinator], o)
	res.FactsLoad, res.Err = drive(ctx, "raw SQL GROUP BY of the facts", o.Clients, o.Duration, func(ctx context.Context, _ int) error {
		return a.DB.Read(ctx, func(tx *storage.Tx) error {
			rows, err := tx.QueryContext(ctx, rawFacts, year)
			if err != nil {
				return err
			}
			return drain(rows)
		})
	})
	printStatistics(o.Out, o, res, bare)
	return res, nil
}

// changeOne moves one of the cases the bench worker opened on to its next
// stage (not closing it), through the case gate as any change is made; an
// earlier run over the same seed may have moved some already.
func changeOne(ctx context.Context, a *app.App, b caseBench) error {
	for _, id := range b.opened {
		got, err := a.Cases.Get(ctx, b.actor, id)
		if err != nil {
			return fmt.Errorf("read the case to change: %w", err)
		}
		for _, to := range got.Case.Stage.Next() {
			if to == cases.Closed {
				continue
			}
			if _, err := a.Cases.MoveStage(ctx, b.actor, id, to, ""); err != nil {
				return fmt.Errorf("change a case: %w", err)
			}
			return nil
		}
	}
	return fmt.Errorf("no case the bench worker opened can move on")
}

func printStatistics(w io.Writer, o Options, r StatisticsResult, bare Result) {
	fmt.Fprintf(w, "%d persons in %d cases\n", r.Persons, r.Cases)
	fmt.Fprintf(w, "%-46s %12s %12s\n", "Statistics, once", "time", "× raw SQL")
	for _, x := range []struct {
		name    string
		d, base time.Duration
	}{
		{"raw SQL GROUP BY of the records (baseline)", r.RecordsSQL, r.RecordsSQL},
		{"full rebuild of the facts", r.Rebuild, r.RecordsSQL},
		{"raw SQL GROUP BY of the facts (baseline)", r.FactsSQL, r.FactsSQL},
		{"refresh after one change", r.Refresh, r.FactsSQL},
		{"change to dashboard computed anew", r.Visible, r.FactsSQL},
	} {
		fmt.Fprintf(w, "%-46s %12s %12.1f\n", x.name, x.d.Round(time.Millisecond), ratio(x.d, x.base))
	}
	fmt.Fprintf(w, "\n%-44s %9s %7s %9s %9s │ %7s %6s %6s │ %7s %6s %6s\n", fmt.Sprintf("Statistics, %d clients", o.Clients),
		"req/s", "errors", "p50", "p99", "thr×", "p50×", "p99×", "thr×", "p50×", "p99×")
	fmt.Fprintf(w, "%-44s %9s %7s %9s %9s │ %-21s │ %-21s\n", "", "", "", "", "", "vs bare handler", "vs raw SQL")
	for _, x := range []Result{bare, r.Analyst, r.Coordinator, r.FactsLoad} {
		fmt.Fprintf(w, "%-44s %9.1f %7d %9s %9s │ %7.3f %6.1f %6.1f │ %7.3f %6.1f %6.1f\n", x.Name, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond),
			x.PerSec/bare.PerSec, ratio(x.P50, bare.P50), ratio(x.P99, bare.P99),
			x.PerSec/r.FactsLoad.PerSec, ratio(x.P50, r.FactsLoad.P50), ratio(x.P99, r.FactsLoad.P99))
	}
	fmt.Fprintln(w, "(a dashboard page is computed once per version of the facts and year; the pages above are served from it.)")
	fmt.Fprintf(w, "target: full rebuild of %d cases under %s: %s, %s\n", r.Cases, rebuildTarget, r.Rebuild.Round(time.Millisecond), verdict(r.Rebuild, rebuildTarget))
	fmt.Fprintf(w, "target: refresh after a change under %s: %s, %s; the change on a dashboard computed anew: %s, %s\n", refreshTarget,
		r.Refresh.Round(time.Millisecond), verdict(r.Refresh, refreshTarget), r.Visible.Round(time.Millisecond), verdict(r.Visible, refreshTarget))
	for _, x := range []Result{r.Analyst, r.Coordinator} {
		fmt.Fprintf(w, "target: %s p99 under %s at %d clients: p99 %s, %s\n", x.Name, statisticTarget, o.Clients,
			x.P99.Round(time.Millisecond), verdict(x.P99, statisticTarget))
	}
	if r.Err != nil {
		fmt.Fprintf(w, "statistics: first error: %v\n", r.Err)
	}
}
