package sitechecks_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/mod/sumdb/note"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// now is the tests' fixed clock: 2027-03-10, noon UTC.
var now = time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)

// fixture is a cleaning contract with its site (City Hall) and a second
// contract with its own site, the procurement officer, the coordinator
// (who reads) and a case worker (who may do neither).
type fixture struct {
	db                          *storage.DB
	log                         *audit.Log
	proc                        *procurement.Service
	screenings                  *screening.Store
	svc                         *sitechecks.Service
	officer, coordinator, other access.Actor
	contract, site              string
	otherContract, otherSite    string
}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(rand.Reader, "waymark-sitechecks-test")
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
	log := audit.New(signer, verifier)
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, log: log}
	f.proc = procurement.New(procurement.Deps{DB: db, Audit: log, Now: func() time.Time { return now }})
	f.screenings = screening.NewStore(db, log, cat)
	f.svc = sitechecks.New(sitechecks.Deps{DB: db, Audit: log, Procurement: f.proc, Screenings: f.screenings,
		Now: func() time.Time { return now }, Zone: time.UTC})
	f.exec(t, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('org-city', 'City', 'municipality', $1), ('org-ngo', 'NGO', 'ngo', $1)`, now)
	f.officer = f.user(t, "org-city", "procurement", access.ProcurementOfficer)
	f.coordinator = f.user(t, "org-city", "coordinator", access.Coordinator)
	f.other = f.user(t, "org-ngo", "caseworker", access.CaseWorker)
	f.contract, f.site = f.contractWithSite(t, ctx, "Cleaning of City Hall", "City Hall")
	f.otherContract, f.otherSite = f.contractWithSite(t, ctx, "Building works at the school", "School building site")
	return f
}

func (f *fixture) contractWithSite(t *testing.T, ctx context.Context, subject, site string) (string, string) {
	t.Helper()
	sup, err := f.proc.CreateSupplier(ctx, f.officer, procurement.SupplierInput{LegalName: subject + " Ltd", Country: "DE"})
	if err != nil {
		t.Fatalf("supplier: %v", err)
	}
	c, err := f.proc.CreateContract(ctx, f.officer, procurement.ContractInput{Authority: "City", Subject: subject, CPV: "90910000-9",
		Value: "100000", Currency: "EUR", StartsOn: "2027-01-01", EndsOn: "2027-12-31", SupplierID: sup.ID})
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	s, err := f.proc.CreateSite(ctx, f.officer, c.ID, procurement.SiteInput{SupplierID: sup.ID, Name: site, Address: "Market Square 1",
		Country: "DE", Type: "premises", Workers: "12"})
	if err != nil {
		t.Fatalf("site: %v", err)
	}
	return c.ID, s.ID
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
	f.exec(t, `INSERT INTO users (id, org_id, username, role, password_hash, password_changed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'unused', $5, $5, $5)`, "user-"+username, org, username, string(role), now)
	return access.Actor{UserID: "user-" + username, OrgID: org, Role: role}
}

// stored counts the rows of the site checks' tables.
func (f *fixture) stored(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.db.Read(ctx, func(tx *storage.Tx) error {
		for _, table := range []string{"site_checks", "site_check_findings", "site_check_actions", "site_check_screenings", "screenings"} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s=%d", table, n))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// cityHall is the demo's check: workers without their own papers and no
// day off, contracts shown, nothing else wrong.
func cityHall() url.Values {
	return url.Values{"announced": {"unannounced"}, "public_premises": {"yes"}, "workers_present": {"9"}, "workers_spoken": {"4"},
		"spoken_apart": {"yes"}, "contracts_shown": {"yes"}, "payslips_shown": {"yes"}, "pay_below_minimum": {"no"}, "pay_withheld": {"no"},
		"hours_recorded": {"yes"}, "hours_excessive": {"unknown"}, "no_day_off": {"yes"}, "housed_by_employer": {"no"},
		"documents_held": {"yes"}, "site_notes": {"Night shift cleaning team of a subcontractor."}}
}

func (f *fixture) record(t *testing.T, values url.Values) sitechecks.Check {
	t.Helper()
	c, _, err := f.svc.Record(context.Background(), f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.site, CheckedOn: "2027-03-09",
		Inspectors: "Two procurement officers", Organisation: "City"}, values, "en")
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return c
}

func TestRecordDerivesFindings(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		c := f.record(t, cityHall())
		if c.Findings != 2 || c.Critical != 1 || c.WorkersSpoken() != 4 || !c.SignsAboutWorkers() {
			t.Fatalf("check: %d findings, %d critical, %d spoken, signs %v", c.Findings, c.Critical, c.WorkersSpoken(), c.SignsAboutWorkers())
		}
		if got := c.FindingList[0].Signal + "/" + string(c.FindingList[0].Severity) + " " + c.FindingList[1].Signal + "/" + string(c.FindingList[1].Severity); got != "documents_held/critical no_day_off/high" {
			t.Errorf("findings %s, want the papers first", got)
		}
		ctx := context.Background()
		// A finding edited and one added by hand; an action overdue.
		if _, err := f.svc.EditFinding(ctx, f.officer, c.FindingList[1].ID, sitechecks.FindingInput{Severity: sitechecks.Critical,
			Description: "Seven-day weeks on the night shift."}); err != nil {
			t.Fatal(err)
		}
		added, err := f.svc.AddFinding(ctx, f.officer, c.ID, sitechecks.FindingInput{Severity: sitechecks.Low, Description: "No notice of workers' rights."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddAction(ctx, f.officer, c.FindingList[0].ID, sitechecks.ActionInput{Action: "Return all documents to the workers",
			Owner: sitechecks.BySupplier, DueOn: "2027-03-01", Verification: "Unannounced visit", Status: sitechecks.Open}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddAction(ctx, f.officer, added.ID, sitechecks.ActionInput{Action: "Post a rights notice", Owner: sitechecks.ByOrganisation,
			DueOn: "2027-02-01", Verification: "Photo of the notice", VerifiedOn: "2027-02-02", Status: sitechecks.Verified}); err != nil {
			t.Fatal(err)
		}
		c, err = f.svc.Check(ctx, f.coordinator, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Findings != 3 || c.Critical != 2 || c.OpenCount != 1 || c.Overdue != 1 {
			t.Errorf("after edits: %d findings, %d critical, %d open, %d overdue; want 3, 2, 1, 1", c.Findings, c.Critical, c.OpenCount, c.Overdue)
		}
		if d := c.FindingList[1].Description; d != "Seven-day weeks on the night shift." {
			t.Errorf("edited description %q", d)
		}
		_, l, err := f.svc.ChecksOfContract(ctx, f.coordinator, f.contract)
		if err != nil || len(l.Checks) != 1 || l.Overdue != 1 || l.Findings != 3 || len(l.OverdueActions) != 1 ||
			l.OverdueActions[0].Severity != sitechecks.Critical || l.SiteNames[f.site] != "City Hall" {
			t.Errorf("contract list: %+v, %v", l, err)
		}
		if _, l, err := f.svc.ChecksOfContract(ctx, f.coordinator, f.otherContract); err != nil || len(l.Checks) != 0 {
			t.Errorf("the other contract lists %d checks, %v", len(l.Checks), err)
		}
		// Every change is in the audit log, codes only.
		entries, _, err := f.log.List(ctx, db, access.SystemScope(), audit.Filter{Action: "site_check.*", SubjectID: c.ID, Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
			if strings.Contains(e.Detail, "Seven-day") || strings.Contains(e.Detail, "documents") {
				t.Errorf("audit detail %q holds text", e.Detail)
			}
		}
		if fmt.Sprint(actions) != "map[site_check.action.create:2 site_check.create:1 site_check.finding.create:1 site_check.finding.update:1]" {
			t.Errorf("audited %v", actions)
		}
		// The case worker reads no checks and changes nothing.
		before := f.stored(t)
		if _, err := f.svc.Check(ctx, f.other, c.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("case worker reads a check: %v", err)
		}
		if _, err := f.svc.AddFinding(ctx, f.coordinator, c.ID, sitechecks.FindingInput{Severity: sitechecks.Low, Description: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("coordinator adds a finding: %v", err)
		}
		if after := f.stored(t); after != before {
			t.Errorf("refusals changed %s to %s", before, after)
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.record(t, cityHall())
		before := f.stored(t)
		fieldOf := func(err error) string {
			var out []string
			for _, fe := range apperr.As(err).Fields {
				out = append(out, fe.Field+":"+fe.Key)
			}
			return strings.Join(out, ",")
		}
		// A site of another contract is refused.
		_, _, err := f.svc.Record(ctx, f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.otherSite, CheckedOn: "2027-03-09",
			Inspectors: "Officers", Organisation: "City"}, cityHall(), "en")
		if got := fieldOf(err); got != "site_id:sitechecks.error.site_other_contract" {
			t.Errorf("site of another contract: %s (%v)", got, err)
		}
		// A date in the future, no inspectors, more workers spoken to than present.
		bad := cityHall()
		bad.Set("workers_spoken", "20")
		_, _, err = f.svc.Record(ctx, f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.site, CheckedOn: "2027-04-01",
			Organisation: "City"}, bad, "en")
		if got := fieldOf(err); !strings.Contains(got, "checked_on:sitechecks.error.future") || !strings.Contains(got, "inspectors:sitechecks.error.required") ||
			!strings.Contains(got, "workers_spoken:") {
			t.Errorf("bad check: %s", got)
		}
		if _, err := f.svc.AddAction(ctx, f.officer, c.FindingList[0].ID, sitechecks.ActionInput{Action: "Return documents", Owner: "landlord",
			DueOn: "soon", Verification: "", Status: sitechecks.Verified}); fieldOf(err) != "owner:sitechecks.error.choose,due_on:sitechecks.error.date,verification:sitechecks.error.required,verified_on:sitechecks.error.verified_on_missing" {
			t.Errorf("bad action: %s", fieldOf(err))
		}
		if _, err := f.svc.AddFinding(ctx, f.officer, c.ID, sitechecks.FindingInput{Severity: "urgent"}); fieldOf(err) != "severity:sitechecks.error.choose,description:sitechecks.error.required" {
			t.Errorf("bad finding: %s", fieldOf(err))
		}
		if after := f.stored(t); after != before {
			t.Errorf("bad input changed %s to %s", before, after)
		}
		// Every key is translated in both languages.
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"sitechecks.error.site_other_contract", "sitechecks.error.future", "sitechecks.error.required",
			"sitechecks.error.choose", "sitechecks.error.date", "sitechecks.error.no_signs"} {
			for _, lang := range []string{"en", "de"} {
				if !cat.For(lang).Has(key) {
					t.Errorf("%s lacks %s", lang, key)
				}
			}
		}
	})
}

func TestScreenTheWorkers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.record(t, cityHall())
		sc, err := f.svc.StartScreening(ctx, f.officer, c.ID)
		if err != nil {
			t.Fatalf("start screening: %v", err)
		}
		got, err := f.screenings.Get(ctx, f.officer, sc.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]screening.Answer{"core.does_work": screening.Yes, "core.documents_held": screening.Yes,
			"work.excessive_hours": screening.Yes, "work.public_subcontractor": screening.Yes}
		if got.Setting != sitechecks.Setting || got.Status != screening.StatusDraft || fmt.Sprint(got.Answers) != fmt.Sprint(want) {
			t.Errorf("screening %s %s %v, want a draft at the procurement site check with %v", got.Setting, got.Status, got.Answers, want)
		}
		c, err = f.svc.Check(ctx, f.coordinator, c.ID)
		if err != nil || c.Screenings != 1 || c.ScreeningList[0].ScreeningID != sc.ID || c.ScreeningList[0].Username != "procurement" {
			t.Errorf("the check does not show the screening started: %+v, %v", c.ScreeningList, err)
		}
		// A check without signs about workers opens no screening; the
		// coordinator, who may not screen, starts none.
		quiet := cityHall()
		quiet.Set("documents_held", "no")
		quiet.Set("no_day_off", "no")
		q := f.record(t, quiet)
		before := f.stored(t)
		if _, err := f.svc.StartScreening(ctx, f.officer, q.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("screening from a quiet check: %v", err)
		}
		if _, err := f.svc.StartScreening(ctx, f.coordinator, c.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("coordinator starts a screening: %v", err)
		}
		if after := f.stored(t); after != before {
			t.Errorf("refused screenings changed %s to %s", before, after)
		}
	})
}

func TestExports(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.record(t, cityHall())
		if _, err := f.svc.AddAction(ctx, f.officer, c.FindingList[0].ID, sitechecks.ActionInput{Action: "Return all documents to the workers",
			Owner: sitechecks.BySupplier, DueOn: "2027-03-01", Verification: "Unannounced visit", Status: sitechecks.Open}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.EditFinding(ctx, f.officer, c.FindingList[1].ID, sitechecks.FindingInput{Severity: sitechecks.High,
			Description: "=HYPERLINK(\"x\")"}); err != nil {
			t.Fatal(err)
		}
		e, err := f.svc.ExportContract(ctx, f.coordinator, f.contract)
		if err != nil {
			t.Fatal(err)
		}
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.WriteCSV(&buf, cat.For("de")); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// The heading, the finding with its action, the finding without.
		if len(rows) != 3 || rows[0][2] != "Einsatzort" || rows[1][2] != "City Hall" || rows[1][9] != "kritisch" ||
			rows[1][10] != "Beschäftigte haben ihre Ausweispapiere nicht selbst." || rows[1][11] != "Return all documents to the workers" ||
			rows[1][17] != "ja" || rows[2][10] != `'=HYPERLINK("x")` || rows[2][11] != "" {
			t.Errorf("CSV rows: %q", rows)
		}
		buf.Reset()
		if err := e.WriteXLSX(&buf, cat.For("en")); err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		xrows, err := wb.GetRows("Site checks")
		if err != nil {
			t.Fatal(err)
		}
		if len(xrows) != 3 || xrows[0][0] != "Check" || xrows[1][9] != "critical" || xrows[2][10] != `=HYPERLINK("x")` {
			t.Errorf("XLSX rows: %q", xrows)
		}
	})
}

func TestSeedBench(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, err := f.proc.Contract(ctx, f.officer, f.contract)
		if err != nil {
			t.Fatal(err)
		}
		sites := []string{f.site}
		for i := range 3 {
			s, err := f.proc.CreateSite(ctx, f.officer, f.contract, procurement.SiteInput{SupplierID: c.SupplierID, Name: fmt.Sprintf("Site %d", i),
				Address: "Street 1", Country: "DE", Type: "office"})
			if err != nil {
				t.Fatal(err)
			}
			sites = append(sites, s.ID)
		}
		if err := f.svc.SeedBench(ctx, f.officer, f.contract, sites); err != nil {
			t.Fatal(err)
		}
		_, l, err := f.svc.ChecksOfContract(ctx, f.coordinator, f.contract)
		if err != nil || len(l.Checks) != 4 || l.Findings != 4*sitechecks.BenchFindingsPerCheck || l.Overdue != 2 || l.OpenCount != 4 {
			t.Errorf("bench seed: %d checks, %d findings, %d open, %d overdue, %v", len(l.Checks), l.Findings, l.OpenCount, l.Overdue, err)
		}
	})
}

// A contract's checks are listed a page at a time, newest first, with the
// totals over all of them; the exports still read them all.
func TestCheckPages(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, err := f.proc.Contract(ctx, f.officer, f.contract)
		if err != nil {
			t.Fatal(err)
		}
		n := sitechecks.CheckPageSize + 5
		var sites []string
		for i := range n {
			s, err := f.proc.CreateSite(ctx, f.officer, f.contract, procurement.SiteInput{SupplierID: c.SupplierID, Name: fmt.Sprintf("Site %02d", i),
				Address: "Street 1", Country: "DE", Type: "office"})
			if err != nil {
				t.Fatal(err)
			}
			sites = append(sites, s.ID)
		}
		if err := f.svc.SeedBench(ctx, f.officer, f.contract, sites); err != nil {
			t.Fatal(err)
		}
		_, all, err := f.svc.ChecksOfContract(ctx, f.coordinator, f.contract)
		if err != nil || len(all.Checks) != n {
			t.Fatalf("all checks: %d, %v", len(all.Checks), err)
		}
		// Findings and actions carry their contract, which the totals read.
		var findings, actions int
		if err := f.db.Read(ctx, func(tx *storage.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM site_check_findings WHERE contract_id = $1`, f.contract).Scan(&findings); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM site_check_actions WHERE contract_id = $1`, f.contract).Scan(&actions)
		}); err != nil || findings != all.Findings || actions == 0 {
			t.Fatalf("findings and actions of the contract: %d and %d (want %d findings), %v", findings, actions, all.Findings, err)
		}
		_, first, err := f.svc.CheckPage(ctx, f.coordinator, f.contract, 0)
		if err != nil || len(first.Checks) != sitechecks.CheckPageSize || first.Total != n {
			t.Fatalf("first page: %d of %d, %v", len(first.Checks), first.Total, err)
		}
		_, second, err := f.svc.CheckPage(ctx, f.coordinator, f.contract, sitechecks.CheckPageSize)
		if err != nil || len(second.Checks) != 5 || second.Offset != sitechecks.CheckPageSize {
			t.Fatalf("second page: %d from %d, %v", len(second.Checks), second.Offset, err)
		}
		seen := map[string]bool{}
		listed := 0
		for _, ch := range append(first.Checks, second.Checks...) {
			seen[ch.ID] = true
			listed += ch.Findings
		}
		if len(seen) != n || listed != all.Findings {
			t.Errorf("the pages hold %d distinct checks with %d findings, want %d with %d", len(seen), listed, n, all.Findings)
		}
		for _, l := range []sitechecks.List{first, second} {
			if l.Findings != all.Findings || l.Critical != all.Critical || l.OpenCount != all.OpenCount || l.Overdue != all.Overdue ||
				l.Screenings != all.Screenings || len(l.OverdueActions) > sitechecks.CheckPageSize {
				t.Errorf("page totals %+v differ from all %+v", l, all)
			}
		}
	})
}
