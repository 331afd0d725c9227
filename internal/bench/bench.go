// Package bench measures Waymark under load on this machine. It seeds
// synthetic organisations, users and audit records, starts the real HTTP
// stack on loopback next to a bare net/http handler, drives both with the
// same concurrent clients, and reports every figure as a ratio against the
// baseline measured in the same run, so results compare across machines.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pquerna/otp/totp"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Options size a run.
type Options struct {
	Config        config.Config
	Organisations int
	UsersPerOrg   int
	AuditRecords  int
	Clients       int
	Duration      time.Duration
	Out           io.Writer
	// Submissions is how many reports the sustained intake figure sends
	// (0 means 100); Flood how many submissions the flood sends (0 means
	// 10,000), from FloodSources loopback addresses (0 means 64) over
	// FloodClients connections at once (0 means 32), while ProbeClients
	// (0 means 4) load a staff page. With Duration under a second (a smoke
	// test) the zero sizes are 8, 500 and 4 addresses.
	Submissions  int
	Flood        int
	FloodSources int
	FloodClients int
	ProbeClients int
	// Cases is how many cases the case-management section seeds (0 skips
	// it); CasesOnly skips every other section; CasesReuse measures the
	// cases an earlier run seeded into the same database instead of
	// seeding; CasesExplain prints the query plans of the case queries.
	Cases        int
	CasesOnly    bool
	CasesReuse   bool
	CasesExplain bool
	// Mapping is how many responses the local-mapping section seeds into
	// one round (0 skips it; the size is 2,000); MappingOnly skips
	// every other section.
	Mapping     int
	MappingOnly bool
	// Procurement is how many sites the procurement section seeds into
	// one contract, with a site check of ten findings on each (0 skips it;
	// the size is 500); ProcurementOnly skips every other section.
	Procurement     int
	ProcurementOnly bool
	// StatisticsOnly runs the statistics section alone over Cases seeded
	// cases (or those of an earlier seed, with CasesReuse): the full
	// rebuild of the per-person facts, a refresh after a change and the
	// dashboard pages, against the raw SQL GROUP BY.
	StatisticsOnly bool
}

// Result is one measured target.
type Result struct {
	Name     string
	Requests int64
	Errors   int64
	PerSec   float64
	P50, P99 time.Duration
}

// Run seeds, measures and prints.
func Run(ctx context.Context, o Options) error {
	_, err := run(ctx, o)
	return err
}

// run is Run, returning the intake figures for tests to check.
func run(ctx context.Context, o Options) (IntakeResult, error) {
	var ir IntakeResult
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, o.Config, log, app.WithPasswordParams(auth.TestParams))
	if err != nil {
		return ir, err
	}
	defer a.Close()
	general := !o.CasesOnly && !o.MappingOnly && !o.ProcurementOnly && !o.StatisticsOnly
	switch {
	case o.CasesOnly:
		fmt.Fprintf(o.Out, "Waymark benchmark — %s, case management only, %d clients, %s per target\n", a.DB.Engine, o.Clients, o.Duration)
	case o.MappingOnly:
		fmt.Fprintf(o.Out, "Waymark benchmark — %s, local mapping only, %d clients, %s per target\n", a.DB.Engine, o.Clients, o.Duration)
	case o.ProcurementOnly:
		fmt.Fprintf(o.Out, "Waymark benchmark — %s, procurement only, %d clients, %s per target\n", a.DB.Engine, o.Clients, o.Duration)
	case o.StatisticsOnly:
		fmt.Fprintf(o.Out, "Waymark benchmark — %s, statistics only, %d clients, %s per target\n", a.DB.Engine, o.Clients, o.Duration)
	default:
		fmt.Fprintf(o.Out, "Waymark benchmark — %s, %d organisations × %d users, %d audit records, %d clients, %s per target\n",
			a.DB.Engine, o.Organisations, o.UsersPerOrg, o.AuditRecords, o.Clients, o.Duration)
	}
	var user, password string
	if general {
		start := time.Now()
		if user, password, err = seed(ctx, a, o); err != nil {
			return ir, fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(o.Out, "seeded in %s\n\n", time.Since(start).Round(time.Millisecond))
	}

	base, stopBase, err := listen(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}))
	if err != nil {
		return ir, err
	}
	defer stopBase()
	h, err := a.Handler()
	if err != nil {
		return ir, err
	}
	site, stopSite, err := listen(ctx, h)
	if err != nil {
		return ir, err
	}
	defer stopSite()
	bare := load(ctx, "bare net/http handler", base+"/", "", o)
	if general {
		cookie, err := signIn(site, user, password)
		if err != nil {
			return ir, fmt.Errorf("sign in: %w", err)
		}
		login := load(ctx, "GET /login (page)", site+"/login", "", o)
		me := load(ctx, "GET /api/v1/me (authenticated JSON)", site+"/api/v1/me", cookie, o)
		users := load(ctx, "GET /api/v1/users?limit=50 (scoped list)", site+"/api/v1/users?limit=50", cookie, o)
		printHTTP(o.Out, bare, login, me, users)

		if err := measureRecords(ctx, a, o); err != nil {
			return ir, err
		}
		if err := measureScreening(o); err != nil {
			return ir, err
		}
		if ir, err = measureIntake(ctx, a, o, site, cookie, bare); err != nil {
			return ir, err
		}
	}
	if (o.Cases > 0 || o.CasesReuse) && (general || o.CasesOnly) {
		if _, err := measureCases(ctx, a, o, site, bare); err != nil {
			return ir, fmt.Errorf("case management: %w", err)
		}
	}
	if o.Mapping > 0 && (general || o.MappingOnly) {
		if _, err := measureMapping(ctx, a, o, site, bare); err != nil {
			return ir, fmt.Errorf("local mapping: %w", err)
		}
	}
	if o.Procurement > 0 && (general || o.ProcurementOnly) {
		if _, err := measureProcurement(ctx, a, o, site, bare); err != nil {
			return ir, fmt.Errorf("procurement: %w", err)
		}
	}
	if (o.Cases > 0 || o.CasesReuse) && o.StatisticsOnly {
		if _, err := measureStatistics(ctx, a, o, site, bare); err != nil {
			return ir, fmt.Errorf("statistics: %w", err)
		}
	}
	return ir, nil
}

// seed creates the synthetic partnership. Passwords are hashed cheaply
// (seeding is not what is measured); one coordinator with TOTP signs in.
func seed(ctx context.Context, a *app.App, o Options) (string, string, error) {
	const password = "bench-passphrase-not-secret"
	var firstOrg string
	for i := range o.Organisations {
		org, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{
			Name: fmt.Sprintf("Bench organisation %04d", i), Kind: accounts.OrgKinds[i%len(accounts.OrgKinds)]})
		if err != nil {
			return "", "", err
		}
		if i == 0 {
			firstOrg = org.ID
		}
		for j := range o.UsersPerOrg {
			_, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{
				OrgID: org.ID, Username: fmt.Sprintf("u%04d-%03d", i, j), Role: access.Roles[j%len(access.Roles)],
				Password: password, Profile: accounts.Profile{DisplayName: fmt.Sprintf("Person %d-%d", i, j)}})
			if err != nil {
				return "", "", err
			}
		}
	}
	const user = "bench-coordinator"
	if _, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: firstOrg, Username: user,
		Role: access.Coordinator, Password: password, Profile: accounts.Profile{DisplayName: "Bench Coordinator"}}); err != nil {
		return "", "", err
	}
	for i := 0; i < o.AuditRecords; i += 500 {
		err := a.DB.Write(ctx, func(tx *storage.Tx) error {
			for j := i; j < min(i+500, o.AuditRecords); j++ {
				if _, err := a.Audit.Append(ctx, tx, audit.Entry{Action: "bench.seed", Outcome: audit.Done, SubjectType: "bench", SubjectID: fmt.Sprint(j)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", "", err
		}
	}
	return user, password, nil
}

func listen(ctx context.Context, h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Shutdown(ctx) }, nil
}

// signIn walks the real sign-in: password, authenticator enrolment with a
// code computed from the shown secret (an analyst has none), and returns
// the session cookie.
func signIn(site, user, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, form url.Values) (string, error) {
		req, _ := http.NewRequest(http.MethodPost, site+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return string(body), err
	}
	if _, err := post("/login", url.Values{"username": {user}, "password": {password}}); err != nil {
		return "", err
	}
	res, err := c.Get(site + "/login/enrol")
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	_, rest, ok := strings.Cut(string(page), `id="totp-secret">`)
	// An analyst works without a second factor: no enrolment, the
	// password's session is theirs.
	if ok {
		secret, _, _ := strings.Cut(rest, "<")
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			return "", err
		}
		if _, err := post("/login/enrol", url.Values{"code": {code}}); err != nil {
			return "", err
		}
	}
	u, _ := url.Parse(site)
	for _, ck := range jar.Cookies(u) {
		if strings.Contains(ck.Name, "waymark") {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("no session cookie after sign-in (enrolment page: status %d)", res.StatusCode)
}

// load drives target with o.Clients concurrent clients for o.Duration.
func load(ctx context.Context, name, target, cookie string, o Options) Result {
	tr := &http.Transport{MaxIdleConns: o.Clients, MaxIdleConnsPerHost: o.Clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	deadline := time.Now().Add(o.Duration)
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for range o.Clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				t := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(all)
	r := Result{Name: name, Requests: int64(len(all)), Errors: errs.Load(), PerSec: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.P50 = all[len(all)/2]
		r.P99 = all[len(all)*99/100]
	}
	return r
}

func printHTTP(w io.Writer, base Result, rs ...Result) {
	fmt.Fprintf(w, "%-46s %10s %9s %10s %10s %12s %10s %10s\n", "HTTP target", "req/s", "errors", "p50", "p99", "throughput×", "p50×", "p99×")
	for _, r := range append([]Result{base}, rs...) {
		fmt.Fprintf(w, "%-46s %10.0f %9d %10s %10s %12.3f %10.1f %10.1f\n", r.Name, r.PerSec, r.Errors,
			r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond),
			r.PerSec/base.PerSec, ratio(r.P50, base.P50), ratio(r.P99, base.P99))
	}
	fmt.Fprintln(w, "(× columns: ratio to the bare handler; throughput below 1 and latency above 1 are the cost of Waymark.)")
	fmt.Fprintln(w)
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// measureRecords times sealing and opening a record and an audit append,
// each in its own transaction, against a raw SQL insert in a transaction.
func measureRecords(ctx context.Context, a *app.App, o Options) error {
	const n = 300
	payload := []byte(strings.Repeat("Name Surname, Street 1, 1010 City, +43 1 234 567; ", 4))
	timeIt := func(f func(i int) error) (time.Duration, error) {
		start := time.Now()
		for i := range n {
			if err := f(i); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / n, nil
	}
	raw, err := timeIt(func(i int) error {
		return a.DB.Write(ctx, func(tx *storage.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)`, fmt.Sprint("bench-", i), storage.Now())
			return err
		})
	})
	if err != nil {
		return err
	}
	var sealed [n][]byte
	seal, err := timeIt(func(i int) error {
		return a.DB.Write(ctx, func(tx *storage.Tx) error {
			var err error
			sealed[i], err = a.Vault.Seal(ctx, tx, fmt.Sprint("bench/", i), "profile", payload)
			return err
		})
	})
	if err != nil {
		return err
	}
	open, err := timeIt(func(i int) error {
		return a.DB.Read(ctx, func(tx *storage.Tx) error {
			_, err := a.Vault.Open(ctx, tx, fmt.Sprint("bench/", i), "profile", sealed[i])
			return err
		})
	})
	if err != nil {
		return err
	}
	appendOne, err := timeIt(func(i int) error {
		return a.DB.Write(ctx, func(tx *storage.Tx) error {
			_, err := a.Audit.Append(ctx, tx, audit.Entry{Action: "bench.append", Outcome: audit.Done, SubjectID: fmt.Sprint(i)})
			return err
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "%-46s %12s %10s\n", "Per-record cost (own transaction each)", "time", "× raw SQL")
	for _, r := range []struct {
		name string
		d    time.Duration
	}{{"raw SQL insert (baseline)", raw}, {"encrypt a record (new data key + seal)", seal}, {"decrypt a record (unwrap + open)", open}, {"audit append (hash tree + signed checkpoint)", appendOne}} {
		fmt.Fprintf(o.Out, "%-46s %12s %10.2f\n", r.name, r.d.Round(time.Microsecond), ratio(r.d, raw))
	}
	return nil
}

// measureScreening times catalogue loading and one evaluation of a
// realistic screening, against decoding the same answers from JSON.
func measureScreening(o Options) error {
	const n = 2000
	start := time.Now()
	cat, err := screening.LoadCatalogue()
	if err != nil {
		return err
	}
	load := time.Since(start)
	in := screening.Input{Setting: "workplace_inspection", Answers: map[string]screening.Answer{}}
	for i, ind := range cat.Indicators {
		in.Answers[ind.ID] = []screening.Answer{screening.Yes, screening.No, screening.Unknown}[i%3]
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	timeIt := func(f func() error) (time.Duration, error) {
		start := time.Now()
		for range n {
			if err := f(); err != nil {
				return 0, err
			}
		}
		return time.Since(start) / n, nil
	}
	decode, err := timeIt(func() error { var v screening.Input; return json.Unmarshal(raw, &v) })
	if err != nil {
		return err
	}
	evaluate, err := timeIt(func() error { _, err := cat.Evaluate(in); return err })
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "\n%-46s %12s %10s\n", "Screening", "time", "× decode")
	fmt.Fprintf(o.Out, "%-46s %12s %10.2f\n", "decode the answers from JSON (baseline)", decode.Round(time.Microsecond/10), 1.0)
	fmt.Fprintf(o.Out, "%-46s %12s %10.2f\n", fmt.Sprintf("evaluate %d answers, every purpose", len(in.Answers)), evaluate.Round(time.Microsecond/10), ratio(evaluate, decode))
	fmt.Fprintf(o.Out, "%-46s %12s\n", "load and validate the catalogue (start-up)", load.Round(time.Microsecond))
	return nil
}
