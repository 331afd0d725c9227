package statistics_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// labourAnswers give reasonable grounds for labour exploitation.
var labourAnswers = map[string]screening.Answer{
	"core.does_work": "yes", "core.arranged_by_others": "yes", "rec.job_different": "yes", "rec.terms_worse": "yes",
	"work.excessive_hours": "yes", "core.money_taken": "yes", "core.documents_held": "yes", "core.debt": "yes",
}

type world struct {
	env                     *apptest.Env
	coord, analyst, worker  apptest.User
	screener, workerB, polC apptest.User
	orgA, orgB, orgC        string
}

func newWorld(t *testing.T, engine storage.Engine) *world {
	env := apptest.Start(t, engine)
	w := &world{env: env}
	city := env.Org("Human Rights Office", accounts.Municipality)
	w.orgA = env.Org("Outreach NGO", accounts.NGO)
	w.orgB = env.Org("Counselling Centre", accounts.NGO)
	w.orgC = env.Org("City Police", accounts.Police)
	w.coord = env.User("coord", access.Coordinator, city)
	w.analyst = env.User("analyst", access.Analyst, city)
	w.screener = env.User("screener", access.Screener, w.orgA)
	w.worker = env.User("worker", access.CaseWorker, w.orgA)
	w.workerB = env.User("workerb", access.CaseWorker, w.orgB)
	w.polC = env.User("police", access.CaseWorker, w.orgC)
	return w
}

// handOver screens a person at A, refers them to B, which accepts (a case
// at B), and C opens its own case from the same referral: one person, two
// cases. It returns the referral.
func (w *world) handOver(t *testing.T) identification.Referral {
	t.Helper()
	ctx := context.Background()
	app := w.env.App
	if err := app.Identification.SetProtocol(ctx, w.coord.Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: w.orgB}}); err != nil {
		t.Fatal(err)
	}
	store := screening.NewStore(app.DB, app.Audit, app.Screening)
	thirty := 30
	sc, err := store.Create(ctx, w.screener.Actor, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: &thirty}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SaveAnswers(ctx, w.screener.Actor, sc.ID, labourAnswers); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Complete(ctx, w.screener.Actor, sc.ID); err != nil {
		t.Fatal(err)
	}
	r, err := app.Identification.Refer(ctx, w.screener.Actor, identification.NewReferral{ScreeningID: sc.ID, Purposes: []string{"labour"},
		To: w.orgB, PersonAgreed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Identification.Accept(ctx, w.workerB.Actor, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Identification.Decide(ctx, w.workerB.Actor, r.ID, identification.NewDecision{Stage: identification.StageReasonableGrounds,
		Outcome: identification.OutcomePositive, Kind: identification.KindInitial, Grounds: "Consistent account.",
		DecidedOn: time.Now().UTC().Format(identification.DateLayout)}); err != nil {
		t.Fatal(err)
	}
	in := cases.UnknownPerson(false, []string{"labour"})
	in.Gender, in.AgeBand, in.Citizenships = "masculine", "25-34", []string{"RO"}
	if _, err := app.Cases.Open(ctx, w.polC.Actor, cases.NewCase{Origin: cases.FromReferral, OriginID: r.ID, Person: in}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) direct(t *testing.T, n int, citizenship string) {
	t.Helper()
	for range n {
		in := cases.UnknownPerson(false, []string{"sexual"})
		in.Gender, in.AgeBand, in.Citizenships = "feminine", "18-24", []string{citizenship}
		if _, err := w.env.App.Cases.Open(context.Background(), w.worker.Actor, cases.NewCase{Person: in}); err != nil {
			t.Fatal(err)
		}
	}
}

func row(t *testing.T, c statistics.Chart, code string) statistics.Row {
	t.Helper()
	for _, r := range c.Rows {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("chart %s has no row %s", c.ID, code)
	return statistics.Row{}
}

func chart(t *testing.T, d statistics.Dashboard, id string) statistics.Chart {
	t.Helper()
	for _, c := range d.Charts {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no chart %s", id)
	return statistics.Chart{}
}

// TestPersonCountedOnce: a person screened at A, referred to B (which
// accepts and opens a case) and taken on by C from the same referral has
// two cases and counts once; two persons with direct cases count twice.
// The coordinator sees every figure; the analyst sees the small counts
// suppressed, a known zero as 0; other roles are refused and audited.
func TestPersonCountedOnce(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			ctx := context.Background()
			w.handOver(t)
			w.direct(t, 2, "DE")
			var cases int
			if err := w.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&cases)
			}); err != nil || cases != 4 {
				t.Fatalf("cases: %d %v", cases, err)
			}

			d, err := w.env.App.Statistics.Dashboard(ctx, w.coord.Actor, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d.Protected || d.ByMonth.Total.Shown() != 3 {
				t.Fatalf("coordinator: protected %v, persons assisted %d, want 3", d.Protected, d.ByMonth.Total.Shown())
			}
			if g := row(t, chart(t, d, statistics.ByGender), "masculine").Cell.Shown(); g != 1 {
				t.Errorf("masculine persons: %d, want 1 (the person of two cases)", g)
			}
			cit := chart(t, d, statistics.ByCitizenship)
			if row(t, cit, statistics.EU).Cell.Shown() != 1 || row(t, cit, statistics.National).Cell.Shown() != 2 {
				t.Errorf("citizenship groups: %+v", cit.Rows)
			}
			if f := row(t, chart(t, d, statistics.ByForm), "labour").Cell.Shown(); f != 1 {
				t.Errorf("labour: %d", f)
			}
			if d.Referrals.Total.Shown() != 1 || !d.Acceptance.Shown || d.Acceptance.Percent != 100 {
				t.Errorf("referrals: %+v %+v", d.Referrals.Total, d.Acceptance)
			}
			for _, q := range d.Quarters {
				want := map[statistics.Indicator]int{statistics.Assisted: 3, statistics.Referred: 1, statistics.Accepted: 1,
					statistics.Grounds: 1, statistics.GroundsPositive: 1}[q.Indicator]
				if got := q.Cells[4].Shown(); got != want {
					t.Errorf("%s in the year: %d, want %d", q.Indicator, got, want)
				}
			}
			if tm := d.Timings[1]; tm.N != 1 {
				t.Errorf("time to grounds over %d persons, want 1", tm.N)
			}

			a, err := w.env.App.Statistics.Dashboard(ctx, w.analyst.Actor, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Protected || !a.ByMonth.Total.Withheld() || a.ByMonth.Total.Shown() != 0 {
				t.Fatalf("analyst's total: %+v", a.ByMonth.Total)
			}
			if r := row(t, chart(t, a, statistics.ByGender), "masculine"); !r.Cell.Withheld() {
				t.Errorf("analyst sees the one masculine person: %+v", r.Cell)
			}
			if r := row(t, chart(t, a, statistics.ByGender), "transgender_masculine"); !r.Cell.KnownZero() {
				t.Errorf("a known zero is not shown as such: %+v", r.Cell)
			}
			if a.Acceptance.Shown || !a.Timings[1].Withheld {
				t.Errorf("analyst sees a rate or timing over one person: %+v %+v", a.Acceptance, a.Timings[1])
			}

			if _, err := w.env.App.Statistics.Dashboard(ctx, w.analyst.Actor, time.Now().Year()+1); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("a future year: %v", err)
			}
			for _, u := range []apptest.User{w.worker, w.screener} {
				if _, err := w.env.App.Statistics.Dashboard(ctx, u.Actor, 0); !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("%s: %v", u.Actor.Role, err)
				}
			}
			var refused int
			if err := w.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'statistics.view' AND outcome <> 'allowed'`).Scan(&refused)
			}); err != nil || refused != 2 {
				t.Fatalf("refusals audited: %d %v", refused, err)
			}
		})
	}
}

// TestDashboardPage: the coordinator's page shows the charts with their
// tables and summaries, in German too; the analyst's shows "suppressed";
// a case worker is refused.
func TestDashboardPage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.handOver(t)
			w.direct(t, 12, "DE")
			get := func(u apptest.User, path, lang string) (*http.Response, string) {
				return w.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: u.Cookie,
					Header: map[string]string{"Accept-Language": lang}})
			}
			res, body := get(w.coord, "/statistics", "en")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("coordinator: %d", res.StatusCode)
			}
			for _, want := range []string{"Persons assisted by month", `<svg class="chart" viewBox="0 0 320`, `role="img"`, `id="gender-masculine"`,
				"Most persons: Feminine, 12 of 13.", `id="table-quarters"`, "Referral acceptance: 100 %"} {
				if !strings.Contains(body, want) {
					t.Errorf("coordinator's page lacks %q", want)
				}
			}
			res, body = get(w.analyst, "/statistics", "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "unterdrückt") || !strings.Contains(body, ", 13 von 13.") ||
				!strings.Contains(body, "13 Personen insgesamt; die Zahlen nach Kategorie sind unterdrückt.") {
				t.Fatalf("analyst: %d %s", res.StatusCode, body)
			}
			if strings.Contains(body, ">1</td>") {
				t.Error("the analyst sees a count of 1")
			}
			if res, _ := get(w.worker, "/statistics", "en"); res.StatusCode != http.StatusForbidden {
				t.Fatalf("case worker: %d", res.StatusCode)
			}
			// The page is drawn once per version of the facts and language: the
			// coordinator's German page is German, and a new case shows at once.
			if _, body := get(w.coord, "/statistics", "de"); !strings.Contains(body, "Die meisten Personen: Weiblich, 12 von 13.") {
				t.Error("the German page was served from the English drawing")
			}
			w.direct(t, 1, "DE")
			if _, body := get(w.coord, "/statistics", "en"); !strings.Contains(body, "Most persons: Feminine, 13 of 14.") {
				t.Error("a new case is not on the page drawn before it")
			}
			if res, body := get(w.coord, "/statistics?year=1999", "en"); res.StatusCode != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Choose a year from 2000") {
				t.Fatalf("bad year: %d", res.StatusCode)
			}
		})
	}
}
