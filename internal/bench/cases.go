package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// CasesResult are the figures of the case-management section.
type CasesResult struct {
	// Cases were seeded with raw SQL; Opened more were opened through the
	// service (they have real encrypted identities) in Orgs organisations.
	Cases, Opened, Orgs int
	// Rows is every row the seed inserted, in Seed; Open is the time one
	// case takes to open through the service.
	Rows int64
	Seed time.Duration
	Open time.Duration
	// Size is the database's size after seeding.
	Size int64
	// Targets are the measured queries.
	Targets []CaseTarget
	// Seeded and After are the process's memory after seeding and after
	// the measurements.
	Seeded, After Memory
}

// CaseTarget is one case-management query measured through the service
// (and HTTP, where a route serves it) against its raw SQL.
type CaseTarget struct {
	Name string
	// Runs are the service call first, then any HTTP routes.
	Runs []Result
	// Raw is the SQL the service runs, run directly with the same clients.
	Raw Result
	// Err is the first error any run met.
	Err error
}

// Memory is the process's memory: the Go heap in use, the resident set
// and its peak (0 where /proc is not available).
type Memory struct {
	Heap, RSS, Peak int64
}

// caseSurname is the surname the name search looks for: one of the
// synthetic list, so about 1/len(benchSurnames) of the cases carry it.
const caseSurname = "ionescu"

// caseBench is the seeded case data and who the queries run as.
type caseBench struct {
	res CasesResult
	// actor is a case worker of the largest organisation (the one who sees
	// most cases), username and password their sign-in.
	actor              access.Actor
	username, password string
	// opened are the cases opened through the service.
	opened []string
}

// seedCaseBench seeds n cases with raw SQL, then opens a few more through
// the service as the bench worker, and prints what it did.
func seedCaseBench(ctx context.Context, a *app.App, n int, out io.Writer) (caseBench, error) {
	b := caseBench{password: "bench-passphrase-not-secret"}
	res := &b.res
	tag, codeAt := newRunTag()
	fmt.Fprintf(out, "\nCase management — seeding %d cases\n", n)
	start := time.Now()
	orgs, cum, err := seedCaseOrgs(ctx, a, n, tag, b.password)
	if err != nil {
		return b, err
	}
	res.Orgs = len(orgs)
	s := &caseSeed{a: a, out: out, r: rand.New(rand.NewPCG(1, 2)), now: a.Cases.Now(), orgs: orgs, cum: cum,
		tokens: map[string][]byte{}, kinds: cases.DeadlineKinds(), codeAt: codeAt, stmts: map[string]string{},
		late: map[cases.Stage]bool{}}
	s.perStmt = seedRows
	if a.DB.Engine == storage.SQLite {
		s.perStmt = seedRowsSQLite
	}
	slices.Sort(s.kinds)
	for _, st := range cases.Stages()[slices.Index(cases.Stages(), cases.Reflection):] {
		s.late[st] = st != cases.Closed
	}
	for _, w := range slices.Concat(benchGivenNames, benchSurnames) {
		s.tokens[w] = a.Vault.BlindIndex("case-name", []byte(w))
	}
	if err := s.seedCases(ctx, n); err != nil {
		return b, err
	}
	res.Cases, res.Rows = n, s.rows
	if err := settle(ctx, a.DB); err != nil {
		return b, err
	}
	res.Seed = time.Since(start)

	// The bench worker, and cases opened through the service: the case
	// page decrypts their identities.
	b.username = "cb" + tag + "-bench-worker"
	u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: orgs[0].id, Username: b.username,
		Role: access.CaseWorker, Password: b.password, Profile: accounts.Profile{DisplayName: "Bench case worker"}})
	if err != nil {
		return b, fmt.Errorf("create bench worker: %w", err)
	}
	b.actor = access.Actor{UserID: u.ID, OrgID: orgs[0].id, Role: access.CaseWorker}
	res.Opened = min(max(n/1000, 10), 1000)
	b.opened = make([]string, res.Opened)
	start = time.Now()
	for i := range b.opened {
		c, err := a.Cases.Open(ctx, b.actor, cases.NewCase{Person: cases.PersonInput{
			Person: cases.Person{GivenNames: benchGivenNames[i%len(benchGivenNames)], FamilyName: benchSurnames[i%len(benchSurnames)],
				BirthDate: "1994-03-17", Contact: "Through the case worker only; phone +43 1 000 000"},
			Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, Interpreter: true,
			ContactMethod: "through_worker", Exploitation: []string{"labour"}}})
		if err != nil {
			return b, fmt.Errorf("open case %d through the service: %w", i, err)
		}
		b.opened[i] = c.ID
	}
	res.Open = time.Since(start) / time.Duration(res.Opened)
	if res.Size, err = dbBytes(ctx, a.DB); err != nil {
		return b, err
	}
	res.Seeded = readMemory()
	fmt.Fprintf(out, "seeded %d cases (%d rows) in %d organisations in %s; opened %d more through the service, %s each\n",
		res.Cases, res.Rows, res.Orgs, res.Seed.Round(time.Second), res.Opened, res.Open.Round(time.Microsecond))
	fmt.Fprintf(out, "database: %s; memory after seeding: %s\n", mib(res.Size), res.Seeded)
	return b, nil
}

// reuseCaseBench finds the cases of an earlier seed in the same database
// (--cases-reuse), so queries can be measured again without seeding for
// minutes. The earlier bench worker has enrolled an authenticator since, so
// a new one joins the team of the cases the earlier ones opened.
func reuseCaseBench(ctx context.Context, a *app.App, out io.Writer) (caseBench, error) {
	b := caseBench{password: "bench-passphrase-not-secret"}
	const earlier = `SELECT id FROM users WHERE username LIKE 'cb%-bench-worker'`
	err := a.DB.Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT org_id FROM users WHERE username LIKE 'cb%-bench-worker' LIMIT 1`).Scan(&b.actor.OrgID)
		if err != nil {
			return fmt.Errorf("find the bench worker of an earlier seed: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM cases WHERE created_by IN (`+earlier+`) LIMIT 1000`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			b.opened = append(b.opened, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT org_id) FROM cases`).Scan(&b.res.Cases, &b.res.Orgs)
	})
	if err != nil {
		return b, err
	}
	if len(b.opened) == 0 {
		return b, fmt.Errorf("the bench workers of earlier seeds opened no cases")
	}
	tag, _ := newRunTag()
	b.username = "cb" + tag + "-bench-worker"
	u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: b.actor.OrgID, Username: b.username,
		Role: access.CaseWorker, Password: b.password, Profile: accounts.Profile{DisplayName: "Bench case worker"}})
	if err != nil {
		return b, fmt.Errorf("create bench worker: %w", err)
	}
	b.actor.UserID, b.actor.Role = u.ID, access.CaseWorker
	err = a.DB.Write(ctx, func(tx *storage.Tx) error {
		for _, id := range b.opened {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_members (case_id, user_id, org_id, added_by, added_at)
				VALUES ($1, $2, $3, $2, $4)`, id, u.ID, b.actor.OrgID, storage.Now()); err != nil {
				return fmt.Errorf("add the bench worker to case %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return b, err
	}
	b.res.Opened = len(b.opened)
	b.res.Cases -= b.res.Opened
	if b.res.Size, err = dbBytes(ctx, a.DB); err != nil {
		return b, err
	}
	b.res.Seeded = readMemory()
	fmt.Fprintf(out, "\nCase management — reusing %d seeded cases (+%d opened through the service) in %d organisations\n",
		b.res.Cases, b.res.Opened, b.res.Orgs)
	fmt.Fprintf(out, "database: %s; memory at start: %s\n", mib(b.res.Size), b.res.Seeded)
	return b, nil
}

// measureCases seeds o.Cases cases and measures the case list, the case
// page and the deadlines dashboard as the bench worker.
func measureCases(ctx context.Context, a *app.App, o Options, site string, bare Result) (CasesResult, error) {
	var b caseBench
	var err error
	if o.CasesReuse {
		b, err = reuseCaseBench(ctx, a, o.Out)
	} else {
		b, err = seedCaseBench(ctx, a, o.Cases, o.Out)
	}
	if err != nil {
		return b.res, err
	}
	// Planner statistics, as PostgreSQL's autovacuum would have gathered by
	// the time a database held this much; without them the first figures
	// measure a planner that has not yet seen the data.
	start := time.Now()
	if err := a.DB.Exec(ctx, "ANALYZE"); err != nil {
		return b.res, fmt.Errorf("analyze: %w", err)
	}
	fmt.Fprintf(o.Out, "statistics gathered (ANALYZE) in %s\n", time.Since(start).Round(time.Millisecond))
	res, actor, opened := b.res, b.actor, b.opened
	cookie, err := signIn(site, b.username, b.password)
	if err != nil {
		return res, fmt.Errorf("sign in as the bench worker: %w", err)
	}
	tr := &http.Transport{MaxIdleConns: o.Clients, MaxIdleConnsPerHost: o.Clients}
	defer tr.CloseIdleConnections()
	g := getter{client: &http.Client{Transport: tr}, site: site, cookie: cookie}
	stepped := actor
	stepped.SteppedUp = true
	scope, err := access.Authorize(actor, access.ViewCases)
	if err != nil {
		return res, err
	}
	q := url.QueryEscape
	page := func(i int) string { return opened[i%len(opened)] }
	targets := []caseTarget{
		{name: "case list: open, risk high",
			service: func(ctx context.Context, _ int) error {
				_, err := a.Cases.List(ctx, actor, cases.Filter{Stage: "open", Risk: "high"})
				return err
			},
			routes: fixed("/cases?stage=open&risk=high", "/api/v1/cases?stage=open&risk=high"),
			raw:    rawQueries(a, actor, cases.Filter{Stage: "open", Risk: "high"})},
		{name: "case list: name search (" + caseSurname + ")",
			service: func(ctx context.Context, _ int) error {
				_, err := a.Cases.List(ctx, actor, cases.Filter{Query: caseSurname})
				return err
			},
			routes: fixed("/cases?q="+q(caseSurname), "/api/v1/cases?q="+q(caseSurname)),
			raw:    rawQueries(a, actor, cases.Filter{Query: caseSurname})},
		{name: "case list: deadline overdue",
			service: func(ctx context.Context, _ int) error {
				_, err := a.Cases.List(ctx, actor, cases.Filter{Deadline: "overdue"})
				return err
			},
			routes: fixed("/cases?deadline=overdue", "/api/v1/cases?deadline=overdue"),
			raw:    rawQueries(a, actor, cases.Filter{Deadline: "overdue"})},
		{name: "case page: Get (audited read)",
			service: func(ctx context.Context, i int) error {
				_, err := a.Cases.Get(ctx, actor, page(i))
				return err
			},
			routes: []route{{func(i int) string { return "/cases/" + page(i) }}, {func(i int) string { return "/api/v1/cases/" + page(i) }}},
			raw: func(ctx context.Context, i int) error {
				return a.DB.Read(ctx, func(tx *storage.Tx) error {
					return rawCase(ctx, tx, scope, page(i), actor.UserID, false)
				})
			}},
		{name: "case identity: RevealPerson (decrypt)",
			service: func(ctx context.Context, i int) error {
				_, _, err := a.Cases.RevealPerson(ctx, stepped, page(i))
				return err
			},
			raw: func(ctx context.Context, i int) error {
				return a.DB.Read(ctx, func(tx *storage.Tx) error {
					return rawCase(ctx, tx, scope, page(i), actor.UserID, true)
				})
			}},
		{name: "deadlines dashboard: 14 days",
			service: func(ctx context.Context, _ int) error {
				_, err := a.Cases.Deadlines(ctx, actor, cases.DeadlineFilter{Days: 14})
				return err
			},
			routes: fixed("/deadlines?days=14", "/api/v1/deadlines?days=14"),
			raw: func(ctx context.Context, _ int) error {
				q, err := a.Cases.DeadlinesQuery(actor, cases.DeadlineFilter{Days: 14})
				if err != nil {
					return err
				}
				return a.DB.Read(ctx, func(tx *storage.Tx) error { return runQuery(ctx, tx, q) })
			}},
	}
	for _, t := range targets {
		ct := CaseTarget{Name: t.name}
		r, err := drive(ctx, "service", o.Clients, o.Duration, t.service)
		ct.Runs, ct.Err = append(ct.Runs, r), err
		for _, rt := range t.routes {
			path := rt.path(0)
			// A route too slow for the seeded size would stall the probe:
			// it gets as long as a measured call.
			pctx, cancel := context.WithTimeout(ctx, 2*o.Duration+10*time.Second)
			status, err := g.do(pctx, path)
			cancel()
			if err != nil || status != http.StatusOK {
				fmt.Fprintf(o.Out, "  (GET %s answers %d %v: not measured over HTTP)\n", path, status, err)
				continue
			}
			r, err := drive(ctx, "GET "+strings.Replace(path, page(0), "{id}", 1), o.Clients, o.Duration,
				func(ctx context.Context, i int) error { return g.get(ctx, rt.path(i)) })
			ct.Runs = append(ct.Runs, r)
			ct.Err = cmpErr(ct.Err, err)
		}
		ct.Raw, err = drive(ctx, "raw SQL", o.Clients, o.Duration, t.raw)
		ct.Err = cmpErr(ct.Err, err)
		res.Targets = append(res.Targets, ct)
	}
	res.After = readMemory()
	printCases(o.Out, o, res, bare)
	if o.CasesExplain {
		if err := explainCases(ctx, a, o.Out, actor, scope, page(0)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// settle makes the seeded database look like one that grew over time:
// PostgreSQL's statistics are current (autovacuum would analyse the new
// rows within a minute), and SQLite's write-ahead log is folded into the
// file so the file size is the database size. SQLite gets no ANALYZE,
// because Waymark never runs one.
func settle(ctx context.Context, db *storage.DB) error {
	q := `PRAGMA wal_checkpoint(TRUNCATE)`
	if db.Engine == storage.Postgres {
		q = `ANALYZE`
	}
	if err := db.Exec(ctx, q); err != nil {
		return fmt.Errorf("settle the seeded database: %w", err)
	}
	return nil
}

// caseTarget is one query to measure.
type caseTarget struct {
	name    string
	service func(ctx context.Context, i int) error
	routes  []route
	raw     func(ctx context.Context, i int) error
}

// route is an HTTP path that may serve a target; the i-th request gets path(i).
type route struct{ path func(i int) string }

func fixed(paths ...string) []route {
	var out []route
	for _, p := range paths {
		out = append(out, route{func(int) string { return p }})
	}
	return out
}

// rawQueries runs the statements of the case list (cases.ListQueries) in
// one read transaction and reads every row: the list without the service.
func rawQueries(a *app.App, actor access.Actor, f cases.Filter) func(ctx context.Context, i int) error {
	return func(ctx context.Context, _ int) error {
		qs, err := a.Cases.ListQueries(actor, f)
		if err != nil {
			return err
		}
		return a.DB.Read(ctx, func(tx *storage.Tx) error {
			for _, q := range qs {
				if err := runQuery(ctx, tx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// runQuery runs one statement and reads every row.
func runQuery(ctx context.Context, tx *storage.Tx, q cases.Query) error {
	rows, err := tx.QueryContext(ctx, q.SQL, q.Args...)
	if err != nil {
		return err
	}
	return drain(rows)
}

// rawCase runs the queries of the case gate (loadAccess) for a case of the
// actor's own organisation, and with identity the read of the sealed
// identity.
func rawCase(ctx context.Context, tx *storage.Tx, scope access.Scope, id, userID string, identity bool) error {
	if err := runQuery(ctx, tx, cases.CaseQuery(scope, id)); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND user_id = $2`, id, userID).Scan(&n); err != nil {
		return err
	}
	if identity {
		var sealed []byte
		return tx.QueryRowContext(ctx, `SELECT identity FROM cases WHERE id = $1`, id).Scan(&sealed)
	}
	return nil
}

// drain reads every row into raw bytes, as cheaply as database/sql allows.
func drain(rows *sql.Rows) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// getter sends the bench worker's requests.
type getter struct {
	client       *http.Client
	site, cookie string
}

func (g getter) do(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.site+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Cookie", g.cookie)
	res, err := g.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

func (g getter) get(ctx context.Context, path string) error {
	code, err := g.do(ctx, path)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", strings.SplitN(path, "?", 2)[0], code)
	}
	return err
}

// drive calls fn from clients goroutines for d; the i-th call of the run
// gets i. It returns the figures and the first error. A call still running
// well after d is cancelled and counts as an error, so a query too slow
// for the seeded size shows as timed out instead of stalling the run.
func drive(ctx context.Context, name string, clients int, d time.Duration, fn func(ctx context.Context, i int) error) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*d+10*time.Second)
	defer cancel()
	var next, errs atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var first error
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	began := time.Now()
	for range max(clients, 1) {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				err := fn(ctx, int(next.Add(1)-1))
				mine = append(mine, time.Since(t))
				if err != nil {
					errs.Add(1)
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := summarise(name, all, time.Since(began))
	r.Errors = errs.Load()
	return r, first
}

// cmpErr keeps the first of two errors.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// readMemory reads the Go heap in use and, on Linux, the resident set.
func readMemory() Memory {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := Memory{Heap: int64(ms.HeapInuse)}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return m
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			m.RSS = kb << 10
		case "VmHWM":
			m.Peak = kb << 10
		}
	}
	return m
}

func (m Memory) String() string {
	if m.RSS == 0 {
		return "Go heap in use " + mib(m.Heap)
	}
	return fmt.Sprintf("Go heap in use %s, RSS %s (peak %s)", mib(m.Heap), mib(m.RSS), mib(m.Peak))
}

func printCases(w io.Writer, o Options, r CasesResult, bare Result) {
	fmt.Fprintf(w, "\n%-44s %-34s %9s %7s %9s %9s │ %7s %6s %6s │ %7s %6s %6s\n", "Case management, "+strconv.Itoa(o.Clients)+" clients",
		"run", "req/s", "errors", "p50", "p99", "thr×", "p50×", "p99×", "thr×", "p50×", "p99×")
	fmt.Fprintf(w, "%-44s %-34s %9s %7s %9s %9s │ %-21s │ %-21s\n", "", "", "", "", "", "", "vs bare handler", "vs raw SQL")
	row := func(target, run string, x, raw Result) {
		fmt.Fprintf(w, "%-44s %-34s %9.0f %7d %9s %9s │ %7.3f %6.1f %6.1f │ %7.3f %6.1f %6.1f\n", target, run, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond),
			x.PerSec/bare.PerSec, ratio(x.P50, bare.P50), ratio(x.P99, bare.P99),
			x.PerSec/raw.PerSec, ratio(x.P50, raw.P50), ratio(x.P99, raw.P99))
	}
	row("bare net/http handler (baseline)", "HTTP", bare, bare)
	for _, t := range r.Targets {
		for i, x := range t.Runs {
			name := t.Name
			if i > 0 {
				name = ""
			}
			row(name, x.Name, x, t.Raw)
		}
		row("", t.Raw.Name, t.Raw, t.Raw)
	}
	fmt.Fprintln(w, "(service runs call internal/cases directly, in process; HTTP runs go through the whole stack on loopback.")
	fmt.Fprintln(w, " raw SQL is the same SQL run directly with the same clients, each in a read transaction.)")
	fmt.Fprintf(w, "memory after the run: %s\n", r.After)
	for _, t := range r.Targets {
		if t.Err != nil {
			fmt.Fprintf(w, "%s: first error: %v\n", t.Name, t.Err)
		}
	}
}

// explainCases prints the query plans of the raw queries.
func explainCases(ctx context.Context, a *app.App, w io.Writer, actor access.Actor, scope access.Scope, caseID string) error {
	db := a.DB
	prefix := "EXPLAIN QUERY PLAN "
	if db.Engine == storage.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	type plan struct {
		name string
		q    cases.Query
	}
	var plans []plan
	for _, l := range []struct {
		name string
		f    cases.Filter
	}{
		{"case list: open, risk high", cases.Filter{Stage: "open", Risk: "high"}},
		{"case list: name search", cases.Filter{Query: caseSurname}},
		{"case list: deadline overdue", cases.Filter{Deadline: "overdue"}},
	} {
		qs, err := a.Cases.ListQueries(actor, l.f)
		if err != nil {
			return err
		}
		for i, q := range qs {
			plans = append(plans, plan{fmt.Sprintf("%s (part %d of %d)", l.name, i+1, len(qs)), q})
		}
	}
	dq, err := a.Cases.DeadlinesQuery(actor, cases.DeadlineFilter{Days: 14})
	if err != nil {
		return err
	}
	plans = append(plans, plan{"case page", cases.CaseQuery(scope, caseID)}, plan{"deadlines dashboard", dq})
	for _, p := range plans {
		fmt.Fprintf(w, "\n-- plan: %s\n", p.name)
		err := explain(ctx, db, w, prefix+p.q.SQL, p.q.Args)
		if err != nil && (errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline exceeded")) && prefix != "EXPLAIN " {
			// EXPLAIN ANALYZE runs the query: one too slow to finish gets
			// the planner's estimate instead.
			fmt.Fprintln(w, "(did not finish within 30s; the plan without ANALYZE:)")
			err = explain(ctx, db, w, "EXPLAIN "+p.q.SQL, p.q.Args)
		}
		if err != nil {
			return fmt.Errorf("explain %s: %w", p.name, err)
		}
	}
	return nil
}

// explain prints one plan, giving up after 30 seconds.
func explain(ctx context.Context, db *storage.DB, w io.Writer, q string, args []any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if db.Engine == storage.Postgres {
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				fmt.Fprintln(w, line)
			}
			return rows.Err()
		}
		// SQLite's plan is rows of (id, parent, _, detail): indent by depth.
		depth := map[int64]int{}
		for rows.Next() {
			var id, parent, unused int64
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			depth[id] = depth[parent] + 1
			fmt.Fprintf(w, "%s%s\n", strings.Repeat("  ", depth[id]-1), detail)
		}
		return rows.Err()
	})
}
