package plan_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// now is the tests' fixed clock: 2027-03-10, noon UTC.
var now = time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)

// fixture is the plan on a fresh database: the city (coordinator,
// analyst), social services, the NGO and the police, each with a user who
// may report progress, and a screener who may not.
type fixture struct {
	db  *storage.DB
	log *audit.Log
	svc *plan.Service
	// Organisation ids.
	city, social, ngo, police string
	coordinator, analyst      access.Actor
	socialworker, caseworker  access.Actor
	officer, screener         access.Actor
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "waymark-plan-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, log: audit.New(signer, verifier), city: "org-city", social: "org-social", ngo: "org-ngo", police: "org-police"}
	f.svc = plan.New(plan.Deps{DB: db, Audit: f.log, Now: func() time.Time { return now }, Zone: time.UTC})
	for id, kind := range map[string]string{f.city: "municipality", f.social: "social_services", f.ngo: "ngo", f.police: "police"} {
		f.exec(t, `INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`, id, "Org "+id, kind, storage.Now())
	}
	f.coordinator = f.user(t, f.city, "coordinator", access.Coordinator)
	f.analyst = f.user(t, f.city, "analyst", access.Analyst)
	f.socialworker = f.user(t, f.social, "socialworker", access.CaseWorker)
	f.caseworker = f.user(t, f.ngo, "caseworker", access.CaseWorker)
	f.officer = f.user(t, f.police, "police", access.PoliceContact)
	f.screener = f.user(t, f.ngo, "screener", access.Screener)
	return f
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) user(t *testing.T, org, username string, role access.Role) access.Actor {
	t.Helper()
	now := storage.Now()
	f.exec(t, `INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'unused', $5, $5, $5)`, "user-"+username, org, username, string(role), now)
	return access.Actor{UserID: "user-" + username, OrgID: org, Role: role}
}

// stored is a fingerprint of every plan table: counts and the measures'
// changing columns, so a test can show a refusal changed nothing.
func (f *fixture) stored(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.db.Read(ctx, func(tx *storage.Tx) error {
		for _, table := range []string{"plan_findings", "plan_rechecks", "plan_measures", "plan_measure_partners", "plan_measure_findings",
			"plan_indicators", "plan_progress", "plan_indicator_values"} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s=%d", table, n))
		}
		rows, err := tx.QueryContext(ctx, `SELECT objective, owner_org, start_on, due_on, next_review_on, status, dropped_reason FROM plan_measures ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c, d, e, g, h string
			if err := rows.Scan(&a, &b, &c, &d, &e, &g, &h); err != nil {
				return err
			}
			out = append(out, strings.Join([]string{a, b, c, d, e, g, h}, "|"))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("fingerprint: %v", err)
	}
	return strings.Join(out, "\n")
}

func (f *fixture) entries(t *testing.T, filter audit.Filter) []audit.Entry {
	t.Helper()
	filter.Limit = audit.MaxLimit
	entries, _, err := f.log.List(context.Background(), f.db, access.SystemScope(), filter)
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return entries
}

func (f *fixture) finding(t *testing.T, title string) plan.Finding {
	t.Helper()
	fd, err := f.svc.CreateFinding(context.Background(), f.coordinator, plan.FindingInput{
		Title: title, Description: "Seasonal workers on the farms east of the river are housed by their employer in containers.",
		Topic: plan.TopicLabour, AreaCode: "east", SourceKind: plan.FromMappingRound, SourceID: "round-1", Priority: plan.High,
	})
	if err != nil {
		t.Fatalf("create finding: %v", err)
	}
	return fd
}

// measure is an NGO measure with the police as partner, one indicator.
func (f *fixture) measure(findingIDs ...string) plan.MeasureInput {
	return plan.MeasureInput{
		Objective: "Outreach visits to the farm housing with the labour inspectorate", OwnerOrg: f.ngo, Partners: []string{f.police},
		StartOn: "2027-02-01", DueOn: "2027-06-30", NextReviewOn: "2027-04-01",
		Resources: "Two outreach workers, one day a week", Amount: "12000.50", Currency: "eur", Programme: "Riverton Safe Work 2027",
		Findings:   findingIDs,
		Indicators: []plan.IndicatorInput{{Name: "Sites visited", Unit: "sites", Baseline: "0", Target: "12"}, {}},
	}
}

func TestMeasureCreateAndEdit(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		fd := f.finding(t, "Workers housed by their employer")
		if fd.FollowUp != plan.FollowOpen || fd.SourceID != "round-1" {
			t.Errorf("new finding %+v, want open from round-1", fd)
		}
		m, err := f.svc.CreateMeasure(ctx, f.coordinator, f.measure(fd.ID))
		if err != nil {
			t.Fatalf("create measure: %v", err)
		}
		if m.OwnerOrg != f.ngo || len(m.Partners) != 1 || m.Partners[0].ID != f.police || m.Status != plan.Planned ||
			m.Amount != "12000.50" || m.Currency != "EUR" || len(m.Indicators) != 1 || m.Indicators[0].Target != 12 ||
			len(m.Findings) != 1 || m.Findings[0].ID != fd.ID || m.Overdue {
			t.Errorf("created measure %+v", m)
		}
		got, err := f.svc.Finding(ctx, f.coordinator, fd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FollowUp != plan.FollowPlanned || len(got.Measures) != 1 {
			t.Errorf("finding after a measure: %s with %d measures, want planned with 1", got.FollowUp, len(got.Measures))
		}

		in := f.measure(fd.ID)
		in.Objective = "Monthly outreach visits to the farm housing"
		in.Partners = []string{f.social}
		in.Amount, in.Currency = "", ""
		in.Indicators = []plan.IndicatorInput{
			{ID: m.Indicators[0].ID, Name: "Sites visited", Unit: "sites", Baseline: "0", Target: "15"},
			{Name: "Workers informed", Unit: "people", Baseline: "0", Target: "80"},
		}
		m, err = f.svc.UpdateMeasure(ctx, f.coordinator, m.ID, in)
		if err != nil {
			t.Fatalf("update measure: %v", err)
		}
		if m.Objective != in.Objective || len(m.Partners) != 1 || m.Partners[0].ID != f.social || m.Amount != "" ||
			len(m.Indicators) != 2 || m.Indicators[0].Target != 15 || m.Indicators[1].Name != "Workers informed" {
			t.Errorf("updated measure %+v", m)
		}
		for _, action := range []string{"plan.finding.create", "plan.measure.create", "plan.measure.update"} {
			if e := f.entries(t, audit.Filter{Action: action}); len(e) != 1 || e[0].ActorUserID != f.coordinator.UserID {
				t.Errorf("audit %s: %+v, want one entry by the coordinator", action, e)
			}
		}

		// Only the coordinator manages the plan.
		before := f.stored(t)
		if _, err := f.svc.CreateMeasure(ctx, f.caseworker, f.measure()); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("case worker creates a measure: %v, want forbidden", err)
		}
		if _, err := f.svc.UpdateMeasure(ctx, f.caseworker, m.ID, in); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("case worker edits a measure: %v, want forbidden", err)
		}
		if after := f.stored(t); after != before {
			t.Errorf("refused changes changed the plan:\n%s\nwant\n%s", after, before)
		}
		if e := f.entries(t, audit.Filter{Outcome: audit.Denied, ActorUserID: f.caseworker.UserID}); len(e) != 2 {
			t.Errorf("%d denied entries, want 2", len(e))
		}
	})
}

func TestBadMeasureChangesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		catalog, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.svc.CreateMeasure(ctx, f.coordinator, f.measure())
		if err != nil {
			t.Fatalf("create measure: %v", err)
		}
		before := f.stored(t)
		early := f.measure()
		early.StartOn, early.DueOn = "2027-05-01", "2027-04-30"
		_, err = f.svc.CreateMeasure(ctx, f.coordinator, early)
		apperrtest.Want(t, "create due before start", err, apperr.Invalid, "due_on")
		_, err = f.svc.UpdateMeasure(ctx, f.coordinator, m.ID, early)
		apperrtest.Want(t, "edit to due before start", err, apperr.Invalid, "due_on")

		for name, c := range map[string]struct {
			change func(*plan.MeasureInput)
			field  string
		}{
			"no objective":       {func(in *plan.MeasureInput) { in.Objective = " " }, "objective"},
			"unknown owner":      {func(in *plan.MeasureInput) { in.OwnerOrg = "org-nowhere" }, "owner_org"},
			"unknown partner":    {func(in *plan.MeasureInput) { in.Partners = []string{"org-nowhere"} }, "partners"},
			"unknown finding":    {func(in *plan.MeasureInput) { in.Findings = []string{"finding-nowhere"} }, "findings"},
			"bad date":           {func(in *plan.MeasureInput) { in.StartOn = "2027-02-30" }, "start_on"},
			"amount no currency": {func(in *plan.MeasureInput) { in.Currency = "" }, "currency"},
			"bad amount":         {func(in *plan.MeasureInput) { in.Amount = "12.345" }, "amount"},
			"dropped no reason":  {func(in *plan.MeasureInput) { in.Status = plan.Dropped }, "dropped_reason"},
			"bad indicator": {func(in *plan.MeasureInput) {
				in.Indicators = []plan.IndicatorInput{{Name: "Sites", Baseline: "none", Target: "3"}}
			}, "indicator_0"},
		} {
			in := f.measure()
			c.change(&in)
			_, err := f.svc.UpdateMeasure(ctx, f.coordinator, m.ID, in)
			apperrtest.Want(t, name, err, apperr.Invalid, c.field)
		}
		if after := f.stored(t); after != before {
			t.Errorf("refused input changed the plan:\n%s\nwant\n%s", after, before)
		}
		for _, lang := range []string{"en", "de"} {
			p := catalog.For(lang)
			for _, key := range errorKeys {
				if !p.Has(key) {
					t.Errorf("%s: %s is not translated", lang, key)
				}
			}
		}
	})
}

// errorKeys are every message key the package returns.
var errorKeys = []string{"actionplan.error.required", "actionplan.error.too_long", "actionplan.error.date", "actionplan.error.future",
	"actionplan.error.source_kind", "actionplan.error.source_id", "actionplan.error.topic", "actionplan.error.priority",
	"actionplan.error.result", "actionplan.error.owner", "actionplan.error.partner", "actionplan.error.finding",
	"actionplan.error.due_before_start", "actionplan.error.amount", "actionplan.error.currency", "actionplan.error.status",
	"actionplan.error.indicator_name", "actionplan.error.indicator_number", "actionplan.error.indicators",
	"actionplan.error.indicator_unknown", "actionplan.error.indicator_in_use", "actionplan.error.no_progress"}

func TestProgressByOwnerAndPartnersOnly(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		m, err := f.svc.CreateMeasure(ctx, f.coordinator, f.measure())
		if err != nil {
			t.Fatalf("create measure: %v", err)
		}
		sites := m.Indicators[0].ID
		before := f.stored(t)
		report := plan.ProgressInput{Status: plan.InProgress, Note: "Four sites visited.", Values: map[string]string{sites: "4"}}
		// Social services neither own the measure nor are a partner.
		err = f.svc.RecordProgress(ctx, f.socialworker, m.ID, report)
		apperrtest.Want(t, "another organisation reports", err, apperr.NotFound, "")
		// The plan is published to the partnership: they read the measure.
		if got, err := f.svc.Measure(ctx, f.socialworker, m.ID); err != nil || got.ReportableBy(f.socialworker) {
			t.Errorf("another organisation reads the measure: %v, reportable %v; want it read, not reportable", err, got.ReportableBy(f.socialworker))
		}
		if list, err := f.svc.Measures(ctx, f.socialworker, plan.MeasureFilter{}); err != nil || len(list) != 1 {
			t.Errorf("another organisation's list: %d measures, %v; want the plan's one", len(list), err)
		}
		for _, a := range []access.Actor{f.screener, f.analyst} {
			err = f.svc.RecordProgress(ctx, a, m.ID, report)
			apperrtest.Want(t, string(a.Role)+" reports", err, apperr.Forbidden, "")
		}
		if after := f.stored(t); after != before {
			t.Errorf("refused progress changed the plan:\n%s\nwant\n%s", after, before)
		}
		// Social services' report, the screener's and the analyst's report.
		if e := f.entries(t, audit.Filter{Action: string(access.ReportPlanProgress), Outcome: audit.Denied}); len(e) != 3 {
			t.Errorf("%d denied entries, want 3", len(e))
		}

		// The owner, the partner and the coordinator do.
		if err := f.svc.RecordProgress(ctx, f.caseworker, m.ID, report); err != nil {
			t.Fatalf("owner reports: %v", err)
		}
		if err := f.svc.RecordProgress(ctx, f.officer, m.ID, plan.ProgressInput{Status: plan.InProgress,
			Values: map[string]string{sites: "6,5"}, NextReviewOn: "2027-05-01"}); err != nil {
			t.Fatalf("partner reports: %v", err)
		}
		err = f.svc.RecordProgress(ctx, f.officer, m.ID, plan.ProgressInput{Status: plan.InProgress})
		apperrtest.Want(t, "a report that says nothing", err, apperr.Invalid, "note")
		err = f.svc.RecordProgress(ctx, f.officer, m.ID, plan.ProgressInput{Status: plan.Dropped})
		apperrtest.Want(t, "dropped without a reason", err, apperr.Invalid, "note")
		if err := f.svc.RecordProgress(ctx, f.coordinator, m.ID, plan.ProgressInput{Status: plan.Done, Note: "All sites visited.",
			Values: map[string]string{sites: "12"}}); err != nil {
			t.Fatalf("coordinator reports: %v", err)
		}
		got, err := f.svc.Measure(ctx, f.officer, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		ind := got.Indicators[0]
		if got.Status != plan.Done || got.NextReviewOn != "2027-05-01" || len(got.Progress) != 3 || got.Progress[0].Username != "coordinator" ||
			len(ind.Values) != 3 || ind.Values[1].Value != 6.5 || ind.Percent() != 100 {
			t.Errorf("after progress: %+v", got)
		}
		if e := f.entries(t, audit.Filter{Action: "plan.measure.progress"}); len(e) != 3 || e[0].SubjectOrgID != f.ngo {
			t.Errorf("progress audit %+v, want three entries on the NGO's measure", e)
		}
	})
}

func TestOverdueAndReviewDue(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		add := func(objective, start, due, review string, status plan.Status) plan.Measure {
			in := f.measure()
			in.Objective, in.StartOn, in.DueOn, in.NextReviewOn, in.Status = objective, start, due, review, status
			if status == plan.Dropped {
				in.DroppedReason = "Replaced by the regional programme."
			}
			m, err := f.svc.CreateMeasure(ctx, f.coordinator, in)
			if err != nil {
				t.Fatalf("create %s: %v", objective, err)
			}
			return m
		}
		late := add("late", "2027-01-01", "2027-03-09", "", plan.InProgress)
		review := add("review soon", "2027-01-01", "2027-09-30", "2027-03-15", plan.Planned)
		add("on time", "2027-01-01", "2027-09-30", "2027-04-30", plan.Planned)
		add("done late", "2027-01-01", "2027-02-01", "2027-02-01", plan.Done)
		add("dropped", "2027-01-01", "2027-02-01", "", plan.Dropped)
		add("due today", "2027-01-01", "2027-03-10", "", plan.Planned)

		list, err := f.svc.Overdue(ctx, f.coordinator)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != late.ID || !list[0].Overdue || list[1].ID != review.ID || list[1].Overdue || !list[1].ReviewDue {
			t.Errorf("overdue %+v, want the late measure, then the one due for review", list)
		}
		all, err := f.svc.Measures(ctx, f.coordinator, plan.MeasureFilter{})
		if err != nil || len(all) != 6 || all[0].ID != late.ID {
			t.Errorf("plan list: %d measures, %v; want 6, the overdue one first", len(all), err)
		}
		if mine, err := f.svc.Overdue(ctx, f.socialworker); err != nil || len(mine) != 0 {
			t.Errorf("social services' overdue: %d, %v; want none of the NGO's", len(mine), err)
		}
		if theirs, err := f.svc.Overdue(ctx, f.officer); err != nil || len(theirs) != 2 {
			t.Errorf("the partner's overdue: %d, %v; want 2", len(theirs), err)
		}
		if _, err := f.svc.Overdue(ctx, f.screener); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("screener's overdue: %v, want forbidden", err)
		}
	})
}

func TestRecheckRecorded(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		fd := f.finding(t, "Workers housed by their employer")
		other := f.finding(t, "No shelter place for men")
		in := f.measure(fd.ID)
		in.Status = plan.Done
		if _, err := f.svc.CreateMeasure(ctx, f.coordinator, in); err != nil {
			t.Fatal(err)
		}
		list, err := f.svc.FindingsBySource(ctx, f.coordinator, plan.FromMappingRound, "round-1")
		if err != nil || len(list) != 2 {
			t.Fatalf("findings of round-1: %d, %v", len(list), err)
		}
		follow := map[string]plan.FollowUp{}
		for _, x := range list {
			follow[x.ID] = x.FollowUp
		}
		if follow[fd.ID] != plan.FollowActed || follow[other.ID] != plan.FollowOpen {
			t.Errorf("follow-up %v, want acted and open", follow)
		}

		before := f.stored(t)
		for name, bad := range map[string]plan.RecheckInput{
			"future":    {Result: plan.Improved, CheckedOn: "2027-03-11", SourceKind: plan.FromMappingRound, SourceID: "round-2"},
			"no result": {Result: "better", CheckedOn: "2027-03-01", SourceKind: plan.FromMappingRound, SourceID: "round-2"},
			"no round":  {Result: plan.Improved, CheckedOn: "2027-03-01", SourceKind: plan.FromMappingRound},
		} {
			_, err := f.svc.RecheckFinding(ctx, f.coordinator, fd.ID, bad)
			apperrtest.Want(t, name, err, apperr.Invalid, "")
		}
		if _, err := f.svc.RecheckFinding(ctx, f.caseworker, fd.ID, plan.RecheckInput{Result: plan.Improved, CheckedOn: "2027-03-01",
			SourceKind: plan.FromEntered}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("case worker re-checks: %v, want forbidden", err)
		}
		if after := f.stored(t); after != before {
			t.Errorf("refused re-checks changed the plan")
		}

		r, err := f.svc.RecheckFinding(ctx, f.coordinator, fd.ID, plan.RecheckInput{Result: plan.Improved, CheckedOn: "2027-03-01",
			SourceKind: plan.FromMappingRound, SourceID: "round-2", Note: "Fewer containers seen; the employer rents flats now."})
		if err != nil {
			t.Fatalf("re-check: %v", err)
		}
		if r.Result != plan.Improved || r.SourceID != "round-2" || r.Username != "coordinator" {
			t.Errorf("re-check %+v", r)
		}
		list, err = f.svc.FindingsBySource(ctx, f.coordinator, plan.FromMappingRound, "round-1")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.ID == fd.ID && (x.FollowUp != plan.FollowRechecked || x.Latest == nil || x.Latest.Result != plan.Improved) {
				t.Errorf("re-checked finding %+v", x)
			}
		}
		if e := f.entries(t, audit.Filter{Action: "plan.finding.recheck"}); len(e) != 1 || e[0].SubjectID != fd.ID || e[0].Detail != "result=improved" {
			t.Errorf("re-check audit %+v", e)
		}
		if _, err := f.svc.RecheckFinding(ctx, f.coordinator, "finding-nowhere", plan.RecheckInput{Result: plan.Worse, CheckedOn: "2027-03-01",
			SourceKind: plan.FromEntered}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("re-check of no finding: %v, want not found", err)
		}
		// The plan is published to the partnership: the NGO and social
		// services read the finding; a screener does not.
		for _, a := range []access.Actor{f.caseworker, f.socialworker} {
			if _, err := f.svc.Finding(ctx, a, fd.ID); err != nil {
				t.Errorf("%s of %s reads the finding: %v", a.Role, a.OrgID, err)
			}
		}
		if _, err := f.svc.Finding(ctx, f.screener, fd.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a screener reads the finding: %v, want forbidden", err)
		}
	})
}

// TestReportableBy: the progress form is offered to the coordinator, the
// owner's and the partners' users, and nobody else.
func TestReportableBy(t *testing.T) {
	m := plan.Measure{OwnerOrg: "owner", Partners: []plan.Org{{ID: "partner"}}}
	for _, tc := range []struct {
		name  string
		actor access.Actor
		want  bool
	}{
		{"coordinator elsewhere", access.Actor{Role: access.Coordinator, OrgID: "city"}, true},
		{"owner's case worker", access.Actor{Role: access.CaseWorker, OrgID: "owner"}, true},
		{"partner's police contact", access.Actor{Role: access.PoliceContact, OrgID: "partner"}, true},
		{"another organisation's case worker", access.Actor{Role: access.CaseWorker, OrgID: "other"}, false},
		{"the owner's analyst", access.Actor{Role: access.Analyst, OrgID: "owner"}, false},
		{"the owner's screener", access.Actor{Role: access.Screener, OrgID: "owner"}, false},
	} {
		if got := m.ReportableBy(tc.actor); got != tc.want {
			t.Errorf("%s: ReportableBy = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The coordinator corrects a finding; where it came from stays; a case
// worker may not, and a correction that breaks a rule changes nothing.
func TestFindingCorrected(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		fd := f.finding(t, "Workers housed by ther employer")
		in := plan.FindingInput{Title: "Workers housed by their employer", Description: "Containers on the farms east of the river.",
			Topic: plan.TopicLabour, AreaCode: "east", Priority: plan.Medium}
		got, err := f.svc.UpdateFinding(ctx, f.coordinator, fd.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != in.Title || got.Description != in.Description || got.Priority != plan.Medium ||
			got.SourceKind != plan.FromMappingRound || got.SourceID != "round-1" {
			t.Fatalf("corrected finding %+v", got)
		}
		if e := f.entries(t, audit.Filter{Action: "plan.finding.update"}); len(e) != 1 || e[0].SubjectID != fd.ID {
			t.Fatalf("audit of the correction: %+v", e)
		}
		before := f.stored(t)
		_, err = f.svc.UpdateFinding(ctx, f.caseworker, fd.ID, in)
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("case worker corrects: %v", err)
		}
		bad := in
		bad.Title, bad.Topic = "", "weather"
		_, err = f.svc.UpdateFinding(ctx, f.coordinator, fd.ID, bad)
		if e := apperr.As(err); e.Code != apperr.Invalid || len(e.Fields) != 2 {
			t.Fatalf("bad correction: %v", err)
		}
		_, err = f.svc.UpdateFinding(ctx, f.coordinator, "no-such-finding", in)
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("missing finding: %v", err)
		}
		if after := f.stored(t); after != before {
			t.Fatalf("refused corrections changed the plan:\n%s\n%s", before, after)
		}
		if now, err := f.svc.Finding(ctx, f.coordinator, fd.ID); err != nil || now.Title != in.Title || now.Topic != plan.TopicLabour {
			t.Fatalf("after refused corrections: %+v, %v", now, err)
		}
	})
}
