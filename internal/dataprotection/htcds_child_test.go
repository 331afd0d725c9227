package dataprotection_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// childFromReferral opens the case of a girl of about 15 as the NGO
// accepting a youth welfare office's referral: her screening counted papers
// held, threats, being kept in, earnings taken and drugs, and she was
// smuggled and is separated from her parents. The worker then records her
// age band as estimated, 12–17.
func (f *fixture) childFromReferral(t *testing.T) cases.Case {
	t.Helper()
	ctx := context.Background()
	youth := f.env.Org("Youth Welfare Office", accounts.ChildProtection)
	screener := f.env.User("youth-screener", access.Screener, youth)
	store := screening.NewStore(f.env.App.DB, f.env.App.Audit, f.env.App.Screening)
	fifteen := 15
	sc, err := store.Create(ctx, screener.Actor, screening.Start{Setting: "outreach", Age: screening.Age{Years: &fifteen, Estimated: true}})
	if err != nil {
		t.Fatalf("create screening: %v", err)
	}
	yes := map[string]screening.Answer{}
	for _, q := range []string{"core.does_crime", "core.arranged_by_others", "core.documents_held", "core.threats_violence", "core.not_free",
		"core.money_taken", "ctl.drugs", "chi.separated", "rec.smuggled"} {
		yes[q] = screening.Yes
	}
	if _, err := store.SaveAnswers(ctx, screener.Actor, sc.ID, yes); err != nil {
		t.Fatalf("save answers: %v", err)
	}
	if _, err := store.Complete(ctx, screener.Actor, sc.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	ngo := f.worker.Actor.OrgID
	r, err := f.env.App.Identification.Refer(ctx, screener.Actor, identification.NewReferral{
		ScreeningID: sc.ID, Purposes: []string{"criminality"}, To: ngo, GuardianInvolved: true})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	if _, err := f.env.App.Identification.Accept(ctx, f.worker.Actor, r.ID); err != nil {
		t.Fatalf("accept: %v", err)
	}
	// The day of acceptance goes out as cas_IncomingReferralDate; a fixed
	// one keeps the golden file stable.
	f.exec(t, `UPDATE referrals SET responded_at = $1 WHERE id = $2`, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), r.ID)
	c, ok, err := f.cases.ByOrigin(ctx, f.worker.Actor, cases.FromReferral, r.ID)
	if err != nil || !ok {
		t.Fatalf("case of the referral: %v %v", ok, err)
	}
	c, err = f.cases.UpdatePerson(ctx, stepped(f.worker), c.ID, cases.PersonInput{Gender: "feminine", AgeBand: "12-17",
		Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_worker", Exploitation: []string{"criminality"}})
	if err != nil {
		t.Fatalf("record the age band: %v", err)
	}
	if !c.Child || !c.AgeEstimated || c.AgeBand != "12-17" {
		t.Fatalf("the case is not a child's: %+v", c.Demographics)
	}
	return c
}

// TestHTCDSChildRoundTrip: a child's case leaves as a child (age band and
// presumption, never a birth date) with the methods of control,
// vulnerabilities and referral its screening and referral give, and comes
// back as a child's case to which the guardian rule applies.
func TestHTCDSChildRoundTrip(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.childFromReferral(t)
			doc, err := f.svc.ExportHTCDS(ctx, f.worker.Actor, c.ID, dataprotection.Pseudonymous)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			golden(t, "htcds_child.json", doc)
			data, _ := json.Marshal(doc)
			imported, warnings, err := f.svc.ImportHTCDS(ctx, f.worker.Actor, data)
			if err != nil || len(warnings) != 0 {
				t.Fatalf("import: %v, warnings %v", err, warnings)
			}
			if !imported.Child || imported.AgeBand != "12-17" || !imported.AgeEstimated {
				t.Errorf("imported case is not a child's: %+v", imported.Demographics)
			}
			again, err := f.svc.ExportHTCDS(ctx, f.worker.Actor, imported.ID, dataprotection.Pseudonymous)
			if err != nil {
				t.Fatalf("export the imported case: %v", err)
			}
			golden(t, "htcds_child.json", again)

			// The child rule holds on the imported case: consent comes
			// through the guardian, with the child heard and the best
			// interest confirmed.
			today := time.Now().UTC().Format(time.DateOnly)
			own := cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement}, Language: "ro", Method: "written", GivenBy: "person", GivenOn: today}
			_, err = f.cases.RecordConsent(ctx, f.worker.Actor, imported.ID, own)
			if e := apperr.As(err); e.Code != apperr.Invalid || !slices.ContainsFunc(e.Fields, func(fe apperr.FieldError) bool {
				return fe.Field == "given_by" && fe.Key == "error.consent_child_guardian"
			}) {
				t.Errorf("a child's own consent: %v, want the guardian rule", err)
			}
			guardian := own
			guardian.GivenBy, guardian.ChildHeard, guardian.BestInterest = "guardian", true, true
			if _, err := f.cases.RecordConsent(ctx, f.worker.Actor, imported.ID, guardian); err != nil {
				t.Errorf("consent through the guardian: %v", err)
			}
		})
	}
}

// TestHTCDSImportedHistory: what a document says of the trafficking
// history and the referral is kept with the imported case and exported
// again as it came.
func TestHTCDSImportedHistory(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	ctx := context.Background()
	in := `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "18-24", "child": true},
		"record": {"vic_AgeWhenTrafficked": 16, "vic_MethodsOfControl": ["WithholdsDocuments", "DebtBondage", "DebtBondage"],
		"vic_Vulnerabilities": ["Poverty", "Addiction"], "cas_Status": "Active", "cas_ReferringOrganisation": " Street Outreach Team ",
		"cas_IncomingReferralDate": "2026-01-15"}}`
	c, warnings, err := f.svc.ImportHTCDS(ctx, f.worker.Actor, []byte(in))
	if err != nil || len(warnings) != 0 {
		t.Fatalf("import: %v, warnings %v", err, warnings)
	}
	// An adult's age band with reasons to believe a child: the presumption
	// of childhood holds.
	if !c.Child || c.AgeBand != "18-24" {
		t.Errorf("imported case: %+v", c.Demographics)
	}
	doc, err := f.svc.ExportHTCDS(ctx, f.worker.Actor, c.ID, "")
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	sixteen := 16
	want := dataprotection.Record{Gender: "NonSpecifiedUnknown", AgeWhenTrafficked: &sixteen,
		MethodsOfControl: []string{"DebtBondage", "WithholdsDocuments"}, Vulnerabilities: []string{"Addiction", "Poverty"},
		Status: "Active", ReferringOrganisation: "Street Outreach Team", IncomingReferralDate: "2026-01-15"}
	got, _ := json.Marshal(doc.Record)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) || doc.Age == nil || *doc.Age != (dataprotection.Age{Band: "18-24", Child: true}) {
		t.Errorf("export %s age %+v,\nwant %s", got, doc.Age, wantJSON)
	}
}
