package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
)

// Defaults of the intake section.
const (
	defaultSubmissions  = 100
	defaultFlood        = 10000
	defaultFloodSources = 64
	defaultFloodClients = 32
	defaultProbeClients = 4
	// benchDifficulty is the proof of work the bench client solves for the
	// sustained figure. The server checks any difficulty with one hash, so
	// a lower one than production only saves the client's time.
	benchDifficulty = 12
)

// IntakeResult are the figures of the intake section.
type IntakeResult struct {
	// Hash is one argon2id receipt hash with the production parameters.
	Hash time.Duration
	// Sustained is POST /report with a valid proof of work, every one
	// stored: receipt hashing, encryption, audit.
	Sustained Result
	// Flood is the flood of submissions without proof of work against the
	// production limits.
	Flood Result
	// Accepted, Refused and Failed count the flood's answers: a receipt,
	// 429 (rate limit or full held queue), anything else.
	Accepted, Refused, Failed int64
	// Stored is how many reports the flood added; Growth the bytes the
	// database grew by during the flood.
	Stored int
	Growth int64
	// Calm and During are the staff page probe without and during the flood.
	Calm, During Result
}

// measureIntake drives the public report form over loopback: first the
// sustained rate of accepted submissions, then a flood against the
// production limits while a staff page is probed.
func measureIntake(ctx context.Context, a *app.App, o Options, staffSite, cookie string, bare Result) (IntakeResult, error) {
	var res IntakeResult
	o = o.intakeDefaults()
	hasher := app.ReceiptHasher(auth.DefaultParams)
	start := time.Now()
	if _, err := hasher.Hash("bench receipt code"); err != nil {
		return res, err
	}
	res.Hash = time.Since(start)

	// Sustained: limits out of the way, every submission is stored.
	sustained := intake.New(intake.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, Hasher: hasher, Catalogue: a.Screening, Log: a.Log,
		Config: intake.Config{Difficulty: benchDifficulty, MinDifficulty: benchDifficulty,
			SubmitsPerHour: 1 << 30, SubmitsPerHourAll: 1 << 30, SubmitsPerMinuteAll: 1 << 30, MaxHeld: 1 << 30}})
	site, stop, err := siteWith(ctx, a, sustained)
	if err != nil {
		return res, err
	}
	forms, err := solvedForms(ctx, site, o.Submissions)
	if err != nil {
		stop()
		return res, fmt.Errorf("prepare submissions: %w", err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	one := &http.Client{Transport: tr}
	s := submitAll(ctx, "POST /report with proof of work (stored)", site, forms, min(o.Clients, 16), func(int) *http.Client { return one })
	stop()
	res.Sustained = s.Result
	if s.Accepted != int64(len(forms)) {
		return res, fmt.Errorf("%d of %d sustained submissions were not accepted", int64(len(forms))-s.Accepted, len(forms))
	}

	// Flood: production limits, fresh windows; a staff page is probed
	// calm, then during the flood.
	if err := a.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE bucket LIKE 'intake.%'`)
		return err
	}); err != nil {
		return res, err
	}
	production := intake.New(intake.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, Hasher: hasher, Catalogue: a.Screening, Log: a.Log})
	site, stop, err = siteWith(ctx, a, production)
	if err != nil {
		return res, err
	}
	defer stop()
	me := staffSite + "/api/v1/me"
	res.Calm = probe(ctx, "GET /api/v1/me, calm", me, cookie, o.ProbeClients, time.After(o.Duration))
	before, err := reportCount(ctx, a.DB)
	if err != nil {
		return res, err
	}
	sizeBefore, err := dbBytes(ctx, a.DB)
	if err != nil {
		return res, err
	}
	floodDone := make(chan struct{})
	probed := make(chan Result, 1)
	go func() {
		probed <- probeUntil(ctx, "GET /api/v1/me, during the flood", me, cookie, o.ProbeClients, floodDone)
	}()
	srcs := newSources(o.FloodSources)
	defer srcs.close()
	f := submitAll(ctx, fmt.Sprintf("POST /report flood, no proof of work, %d addresses", o.FloodSources), site,
		floodForms(o.Flood), o.FloodClients, srcs.client)
	close(floodDone)
	res.During = <-probed
	res.Flood, res.Accepted, res.Refused, res.Failed = f.Result, f.Accepted, f.Refused, f.Failed
	after, err := reportCount(ctx, a.DB)
	if err != nil {
		return res, err
	}
	res.Stored = after - before
	sizeAfter, err := dbBytes(ctx, a.DB)
	if err != nil {
		return res, err
	}
	res.Growth = sizeAfter - sizeBefore
	printIntake(o, res, bare)
	return res, nil
}

// submitted is the outcome of submitAll.
type submitted struct {
	Result
	// Accepted got a receipt; Refused a 429; Failed anything else.
	Accepted, Refused, Failed int64
}

// submitAll sends every form with clients concurrent clients; the i-th form
// goes through clientFor(i).
func submitAll(ctx context.Context, name, site string, forms []form, clients int, clientFor func(i int) *http.Client) submitted {
	var next, accepted, refused, failed atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	began := time.Now()
	for range max(clients, 1) {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(forms) {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, site+"/report", bytes.NewReader(forms[i].body))
				req.Header.Set("Content-Type", forms[i].contentType)
				t := time.Now()
				res, err := clientFor(i).Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				mine = append(mine, time.Since(t))
				switch {
				case res.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`id="receipt-code"`)):
					accepted.Add(1)
				case res.StatusCode == http.StatusTooManyRequests:
					refused.Add(1)
				default:
					failed.Add(1)
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := summarise(name, all, time.Since(began))
	r.Errors = failed.Load()
	return submitted{Result: r, Accepted: accepted.Load(), Refused: refused.Load(), Failed: failed.Load()}
}

// probe drives a staff page with clients concurrent clients until stop.
func probe(ctx context.Context, name, target, cookie string, clients int, stop <-chan time.Time) Result {
	done := make(chan struct{})
	go func() {
		select {
		case <-stop:
		case <-ctx.Done():
		}
		close(done)
	}()
	return probeUntil(ctx, name, target, cookie, clients, done)
}

func probeUntil(ctx context.Context, name, target, cookie string, clients int, done <-chan struct{}) Result {
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for {
				select {
				case <-done:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
				req.Header.Set("Cookie", cookie)
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
		})
	}
	wg.Wait()
	r := summarise(name, all, time.Since(began))
	r.Errors = errs.Load()
	return r
}

func summarise(name string, all []time.Duration, elapsed time.Duration) Result {
	slices.Sort(all)
	r := Result{Name: name, Requests: int64(len(all)), PerSec: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.P50 = all[len(all)/2]
		r.P99 = all[len(all)*99/100]
	}
	return r
}

func reportCount(ctx context.Context, db *storage.DB) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&n)
	})
	return n, err
}

// dbBytes is the space the database takes: the SQLite file and its
// write-ahead log, or PostgreSQL's database size.
func dbBytes(ctx context.Context, db *storage.DB) (int64, error) {
	if db.Engine == storage.SQLite {
		var total int64
		for _, p := range []string{db.Path, db.Path + "-wal"} {
			fi, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return 0, err
			}
			total += fi.Size()
		}
		return total, nil
	}
	var n int64
	err := db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	})
	return n, err
}

func printIntake(o Options, r IntakeResult, bare Result) {
	w := o.Out
	fmt.Fprintf(w, "\n%-46s %10s %9s %10s %10s %12s\n", "Public report form (loopback HTTP)", "req/s", "errors", "p50", "p99", "throughput×")
	fmt.Fprintf(w, "%-46s %10.0f %9d %10s %10s %12.3f\n", bare.Name+" (baseline)", bare.PerSec, bare.Errors,
		bare.P50.Round(time.Microsecond), bare.P99.Round(time.Microsecond), 1.0)
	for _, x := range []Result{r.Sustained, r.Flood} {
		fmt.Fprintf(w, "%-46s %10.1f %9d %10s %10s %12.5f\n", x.Name, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond), x.PerSec/bare.PerSec)
	}
	fmt.Fprintf(w, "%-46s %10s %9s %10s\n", "one argon2id receipt hash (production cost)", "", "", r.Hash.Round(time.Microsecond))
	fmt.Fprintf(w, "sustained: %.1f submissions/s with receipt hashing and encryption, one submission processed at a time\n",
		r.Sustained.PerSec)
	fmt.Fprintf(w, "flood of %d: %d stored, %d refused (429), %d other; %d reports and %s added to the database\n",
		o.Flood, r.Accepted, r.Refused, r.Failed, r.Stored, mib(r.Growth))
	fmt.Fprintf(w, "\n%-46s %10s %9s %10s %10s %12s\n", "Staff page during the flood", "req/s", "errors", "p50", "p99", "p99× calm")
	for _, x := range []Result{r.Calm, r.During} {
		fmt.Fprintf(w, "%-46s %10.0f %9d %10s %10s %12.2f\n", x.Name, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond), ratio(x.P99, r.Calm.P99))
	}
	fmt.Fprintf(w, "(%d probe clients; the target is a p99 during the flood at most 2× the calm one.)\n", o.ProbeClients)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// intakeDefaults fills the zero sizes. A run of under a second per target
// is a smoke test (the cli's tests): it gets a small flood, so it stays a
// matter of seconds.
func (o Options) intakeDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Duration < time.Second {
		def(&o.Submissions, 8)
		def(&o.Flood, 500)
		def(&o.FloodSources, 4)
	}
	def(&o.Submissions, defaultSubmissions)
	def(&o.Flood, defaultFlood)
	def(&o.FloodSources, defaultFloodSources)
	def(&o.FloodClients, defaultFloodClients)
	def(&o.ProbeClients, defaultProbeClients)
	o.FloodSources = min(o.FloodSources, 250)
	if o.Clients <= 0 {
		o.Clients = 1
	}
	return o
}

// siteWith serves the app's whole handler with svc as its intake.
func siteWith(ctx context.Context, a *app.App, svc *intake.Service) (string, func(), error) {
	a.Intake = svc
	h, err := a.Handler()
	if err != nil {
		return "", nil, err
	}
	return listen(ctx, h)
}

// form is one report form ready to send.
type form struct {
	body        []byte
	contentType string
}

// reportForm encodes a report form as a browser does (multipart).
func reportForm(i int, challenge, nonce string) form {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range [][2]string{
		{"details", fmt.Sprintf("Bench report %d: several workers sleep in the back of a restaurant and never leave; "+
			"someone else holds their passports. Seen on three evenings this week.", i)},
		{"place_type", "other"}, {"area", "Bench district"}, {"seen_on", ""}, {"time_of_day", "evening"},
		{"people", "few"}, {"age_group", "adults"}, {"gender", "mixed"}, {"urgency", intake.UrgencySoon},
		{"contact", ""}, {"challenge", challenge}, {"nonce", nonce}, {"website", ""},
	} {
		_ = w.WriteField(f[0], f[1])
	}
	_ = w.Close()
	return form{body: b.Bytes(), contentType: w.FormDataContentType()}
}

// solvedForms fetches n forms from GET /report and solves their proofs of
// work, before anything is timed.
func solvedForms(ctx context.Context, site string, n int) ([]form, error) {
	out := make([]form, 0, n)
	for i := range n {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, site+"/report", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		page, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, err
		}
		challenge, ok := attr(string(page), `name="challenge" value="`)
		if !ok {
			return nil, fmt.Errorf("no challenge on the form (status %d)", res.StatusCode)
		}
		ds, _ := attr(string(page), `data-difficulty="`)
		difficulty, err := strconv.Atoi(ds)
		if err != nil {
			return nil, fmt.Errorf("no difficulty on the form")
		}
		out = append(out, reportForm(i, challenge, solve(challenge, difficulty)))
	}
	return out, nil
}

func attr(page, prefix string) (string, bool) {
	_, rest, ok := strings.Cut(page, prefix)
	if !ok {
		return "", false
	}
	v, _, _ := strings.Cut(rest, `"`)
	return html.UnescapeString(v), true
}

// solve finds a nonce as the form's script does.
func solve(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		nonce := strconv.Itoa(i)
		if intake.LeadingZeroBits(challenge, nonce) >= difficulty {
			return nonce
		}
	}
}

// floodForms are n distinct forms without a proof of work: what a script
// that does not pay sends.
func floodForms(n int) []form {
	out := make([]form, n)
	for i := range out {
		out[i] = reportForm(i, "", "")
	}
	return out
}

// sources are HTTP clients whose connections come from the loopback
// addresses 127.0.0.2, 127.0.0.3 …, so the server sees each as a separate
// client, as in a distributed flood. Where only 127.0.0.1 exists, a
// connection falls back to the default address.
type sources struct {
	clients []*http.Client
}

func newSources(n int) *sources {
	s := &sources{}
	for i := range n {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
		d := &net.Dialer{LocalAddr: local, Timeout: 5 * time.Second}
		tr := &http.Transport{MaxIdleConnsPerHost: 4, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				var fallback net.Dialer
				return fallback.DialContext(ctx, network, addr)
			}
			return c, nil
		}}
		s.clients = append(s.clients, &http.Client{Transport: tr})
	}
	return s
}

// client is the client of the i-th request.
func (s *sources) client(i int) *http.Client { return s.clients[i%len(s.clients)] }

func (s *sources) close() {
	for _, c := range s.clients {
		c.CloseIdleConnections()
	}
}
