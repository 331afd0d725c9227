package statistics_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// releaseWorld is a partnership with an analyst, two coordinators and a
// year (2025) of registered victims whose children all came in November:
//
//	sex × age   child  adult | 2025   January–September
//	female        2      6   |   8     0 and 6
//	male          5      6   |  11     5 and 6
//
// With threshold 3 the year suppresses the square of female/male ×
// child/adult (2 is small); January–September has no small count and
// publishes everything, so the two together leave 2025's female children
// between 1 and 2.
type releaseWorld struct {
	env                    *apptest.Env
	analyst, coord, coord2 apptest.User
}

func newReleaseWorld(t *testing.T, env *apptest.Env) *releaseWorld {
	t.Helper()
	city := env.Org("Human Rights Office", accounts.Municipality)
	ngo := env.Org("Counselling Centre", accounts.NGO)
	w := &releaseWorld{env: env, analyst: env.User("analyst", access.Analyst, city), coord: env.User("coord", access.Coordinator, city),
		coord2: env.User("coord2", access.Coordinator, city)}
	worker := env.User("worker", access.CaseWorker, ngo)
	open := func(n int, month time.Month, gender string, child bool) {
		for i := range n {
			at := time.Date(2025, month, 1+i, 10, 0, 0, 0, time.UTC)
			in := cases.UnknownPerson(child, []string{"sexual"})
			in.Gender, in.Citizenships = gender, []string{"RO"}
			if !child {
				in.AgeBand = "25-34"
			}
			if _, err := env.App.CasesAsOf(func() time.Time { return at }).Open(context.Background(), worker.Actor, cases.NewCase{Person: in}); err != nil {
				t.Fatal(err)
			}
		}
	}
	open(6, time.March, "feminine", false)
	open(5, time.May, "masculine", true)
	open(6, time.July, "masculine", false)
	open(2, time.November, "feminine", true)
	return w
}

func (w *releaseWorld) prepare(t *testing.T, who apptest.User, from, to string, recipient string) (string, error) {
	t.Helper()
	f, _ := time.Parse(time.DateOnly, from)
	l, _ := time.Parse(time.DateOnly, to)
	return w.env.App.Statistics.Prepare(context.Background(), who.Actor, statistics.ReleaseInput{Preset: statistics.PresetCrimTHB,
		Period: statistics.Period{From: f, To: l}, Recipient: recipient, Organisation: "Federal Office", Threshold: 3})
}

func (w *releaseWorld) count(t *testing.T) int {
	t.Helper()
	list, err := w.env.App.Statistics.Releases(context.Background(), w.coord.Actor)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// wantKey fails unless err has code and message key.
func wantKey(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	apperrtest.Want(t, what, err, code, "")
	if got := apperr.As(err).Key; got != key {
		t.Errorf("%s: key %s, want %s", what, got, key)
	}
}

func TestReleases(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.StartWith(t, smallWorld(t, engine))
			w := newReleaseWorld(t, env)
			ctx := context.Background()
			svc := env.App.Statistics

			year, err := w.prepare(t, w.analyst, "2025-01-01", "2025-12-31", "National rapporteur")
			if err != nil {
				t.Fatalf("prepare year: %v", err)
			}
			r, err := svc.ReleaseByID(ctx, w.analyst.Actor, year)
			if err != nil || r.Status != statistics.ReleasePrepared || len(r.Tables) != 4 {
				t.Fatalf("prepared release = %+v, %v", r, err)
			}
			sexAge := r.Tables[3]
			if c, _ := sexAge.Cell(0, 0); c.Status != disclosure.Suppressed || c.Shown != 0 {
				t.Errorf("female children = %+v, want suppressed without a figure", c)
			}

			t.Run("nothing unapproved downloads", func(t *testing.T) {
				_, err := svc.Published(ctx, w.coord.Actor, year, "sdmx")
				wantKey(t, "Published", err, apperr.Conflict, "statistics.error.release_not_approved")
			})
			t.Run("the analyst cannot approve", func(t *testing.T) {
				err := svc.Approve(ctx, w.analyst.Actor, year)
				apperrtest.Want(t, "Approve", err, apperr.Forbidden, "")
			})
			t.Run("approval by the preparer is refused", func(t *testing.T) {
				own, err := w.prepare(t, w.coord, "2025-01-01", "2025-06-30", "Ministry")
				if err != nil {
					t.Fatal(err)
				}
				wantKey(t, "Approve own", svc.Approve(ctx, w.coord.Actor, own), apperr.Conflict, "statistics.error.release_own")
				if r, _ := svc.ReleaseByID(ctx, w.coord.Actor, own); r.Status != statistics.ReleasePrepared || r.DecidedBy != "" {
					t.Errorf("after refusal: %+v", r)
				}
				if err := svc.Reject(ctx, w.coord2.Actor, own); err != nil {
					t.Fatalf("reject: %v", err)
				}
				wantKey(t, "approve rejected", svc.Approve(ctx, w.coord2.Actor, own), apperr.Conflict, "statistics.error.release_decided")
				_, err = svc.Published(ctx, w.coord.Actor, own, "csv")
				wantKey(t, "download rejected", err, apperr.Conflict, "statistics.error.release_not_approved")
			})

			if err := svc.Approve(ctx, w.coord.Actor, year); err != nil {
				t.Fatalf("approve: %v", err)
			}
			pub, err := svc.Published(ctx, w.analyst.Actor, year, "sdmx")
			if err != nil || pub.Status != statistics.ReleaseApproved || pub.DeciderName != "coord" || pub.PreparerName != "analyst" {
				t.Fatalf("published = %+v, %v", pub, err)
			}
			var sdmx bytes.Buffer
			if err := pub.WriteSDMX(&sdmx); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(sdmx.String(), "dataflow,WAYMARK:DF_CRIM_THB_SEX_AGE(1.0),I,,FEMALE,,,CHILD,2025,,O,C\n") {
				t.Errorf("SDMX-CSV lacks the suppressed female children:\n%s", sdmx.String())
			}

			t.Run("a release revealing a suppressed cell by difference is refused", func(t *testing.T) {
				before := w.count(t)
				// "national rapporteur" is the same recipient, spelt otherwise.
				_, err := w.prepare(t, w.analyst, "2025-01-01", "2025-09-30", "  national   Rapporteur ")
				wantKey(t, "prepare Jan-Sep", err, apperr.Conflict, "statistics.error.release_reveals")
				e := apperr.As(err)
				if e.Args["cell"] != "female × child" || e.Args["table"] != "sex_age" || e.Args["period"] != "2025" {
					t.Errorf("refusal names %v", e.Args)
				}
				if n := w.count(t); n != before {
					t.Errorf("releases %d after the refusal, %d before", n, before)
				}
			})
			t.Run("another recipient may have it", func(t *testing.T) {
				if _, err := w.prepare(t, w.analyst, "2025-01-01", "2025-09-30", "Regional observatory"); err != nil {
					t.Fatal(err)
				}
			})
			t.Run("approval checks the ledger again", func(t *testing.T) {
				a, err := w.prepare(t, w.analyst, "2025-01-01", "2025-12-31", "Research council")
				if err != nil {
					t.Fatal(err)
				}
				b, err := w.prepare(t, w.analyst, "2025-01-01", "2025-09-30", "Research council")
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.Approve(ctx, w.coord2.Actor, a); err != nil {
					t.Fatal(err)
				}
				wantKey(t, "approve Jan-Sep", svc.Approve(ctx, w.coord2.Actor, b), apperr.Conflict, "statistics.error.release_reveals")
				if r, _ := svc.ReleaseByID(ctx, w.coord.Actor, b); r.Status != statistics.ReleasePrepared {
					t.Errorf("refused release is %s", r.Status)
				}
			})
			t.Run("the year after its twelve months is refused", func(t *testing.T) {
				// November's two girls are suppressed in November's release;
				// the year's published total of female children would give
				// them away.
				for m := time.January; m <= time.December; m++ {
					id, err := svc.Prepare(ctx, w.analyst.Actor, statistics.ReleaseInput{Preset: statistics.PresetCrimTHB,
						Period: statistics.Month(2025, m), Recipient: "Monthly bulletin", Threshold: 3})
					if err != nil {
						t.Fatalf("month %d: %v", m, err)
					}
					if err := svc.Approve(ctx, w.coord.Actor, id); err != nil {
						t.Fatalf("approve month %d: %v", m, err)
					}
				}
				_, err := svc.Prepare(ctx, w.analyst.Actor, statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025),
					Recipient: "Monthly bulletin", Threshold: 3})
				wantKey(t, "the year", err, apperr.Conflict, "statistics.error.release_reveals")
			})
			t.Run("bad input changes nothing", func(t *testing.T) {
				before := w.count(t)
				for name, tc := range map[string]struct {
					in    statistics.ReleaseInput
					field string
				}{
					"no recipient": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025)}, "recipient"},
					"rounding 7": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025), Recipient: "R",
						Rounding: 7}, "rounding"},
					"ends before it starts": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Recipient: "R",
						Period: statistics.Period{From: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)}}, "to"},
					"unknown preset": {statistics.ReleaseInput{Preset: "nope", Period: statistics.Year(2025), Recipient: "R"}, "preset"},
					"longer than ten years": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Recipient: "R",
						Period: statistics.Period{From: statistics.Year(2000).From, To: statistics.Year(2025).To}}, "to"},
					"threshold over maximum": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025), Recipient: "R", Threshold: 5000}, "threshold"},
					// A preparer lowering the threshold would read small counts in the preview.
					"threshold below the installation's": {statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025), Recipient: "R", Threshold: 2}, "threshold"},
				} {
					_, err := svc.Prepare(ctx, w.analyst.Actor, tc.in)
					apperrtest.Want(t, name, err, apperr.Invalid, "")
					if fe := apperr.As(err).Fields; len(fe) == 0 || fe[0].Field != tc.field {
						t.Errorf("%s: fields %+v, want %s", name, fe, tc.field)
					}
				}
				if n := w.count(t); n != before {
					t.Errorf("releases %d after bad input, %d before", n, before)
				}
			})
			t.Run("rounding and a category suppressed whole", func(t *testing.T) {
				id, err := svc.Prepare(ctx, w.analyst.Actor, statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025),
					Recipient: "Statistics office", Threshold: 3, Rounding: 5,
					Sensitive: []disclosure.CategoryRef{{Dimension: "exploitation", Category: "sexual"}}})
				if err != nil {
					t.Fatal(err)
				}
				r, err := svc.ReleaseByID(ctx, w.coord.Actor, id)
				if err != nil || r.Rounding != 5 || len(r.Sensitive) != 1 {
					t.Fatalf("release = %+v, %v", r, err)
				}
				for _, tab := range r.Tables {
					switch tab.Code {
					case "exploitation_sex":
						if c, _ := tab.Cell(0, disclosure.Total); c.Status != disclosure.Suppressed {
							t.Errorf("sexual exploitation in all = %+v, want suppressed as a whole", c)
						}
					case "legal_status_sex":
						// presumed × male is 11, shown as 10; the total over
						// published cells is their sum.
						if c, _ := tab.Cell(1, 1); c.Shown != 10 || !c.Rounded {
							t.Errorf("presumed men = %+v, want 10 rounded", c)
						}
						if c, _ := tab.Cell(1, disclosure.Total); !c.Recomputed || c.Shown != 20 {
							t.Errorf("presumed in all = %+v, want 10 + 10 recomputed", c)
						}
					}
				}
				_, err = svc.Prepare(ctx, w.analyst.Actor, statistics.ReleaseInput{Preset: statistics.PresetCrimTHB, Period: statistics.Year(2025),
					Recipient: "Statistics office", Sensitive: []disclosure.CategoryRef{{Dimension: "exploitation", Category: "organ_trade"}}})
				apperrtest.Want(t, "unknown category", err, apperr.Invalid, "sensitive")
			})
			t.Run("a case worker may not prepare", func(t *testing.T) {
				worker := env.User("worker2", access.CaseWorker, env.Org("Shelter", accounts.NGO))
				_, err := w.prepare(t, worker, "2025-01-01", "2025-12-31", "National rapporteur")
				apperrtest.Want(t, "case worker", err, apperr.Forbidden, "")
			})
			t.Run("every step is audited", func(t *testing.T) {
				entries, _, err := env.App.Audit.List(ctx, env.App.DB, access.SystemScope(), audit.Filter{Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, e := range entries {
					got[e.Action+" "+e.Outcome]++
				}
				for step, least := range map[string]int{
					"statistics.release.prepare allowed": 6, "statistics.release.approve allowed": 2,
					"statistics.release.reject allowed": 1, "statistics.release.download allowed": 1,
					// the differencing release and the case worker
					"statistics.release.prepare denied": 2,
					// the analyst, the preparer, the decided release, the
					// differencing release at approval
					"statistics.release.approve denied": 4,
				} {
					if got[step] < least {
						t.Errorf("audit has %d × %s, want at least %d", got[step], step, least)
					}
				}
			})
		})
	}
}

func TestSDMXTime(t *testing.T) {
	for want, p := range map[string]statistics.Period{
		"2025":             statistics.Year(2025),
		"2025-Q3":          statistics.Quarter(2025, 3),
		"2025-07":          statistics.Month(2025, time.July),
		"2025-01-01/P273D": {From: statistics.Year(2025).From, To: time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)},
	} {
		if got := statistics.SDMXTime(p); got != want {
			t.Errorf("SDMXTime(%s) = %s, want %s", p, got, want)
		}
	}
}

// smallWorld is the configuration of the releases' tests: their worlds
// hold a few persons, so the installation withholds counts up to 3.
func smallWorld(t *testing.T, engine storage.Engine) config.Config {
	cfg := apptest.Config(t, engine)
	cfg.SmallCounts = 3
	return cfg
}
