package sitechecks_test

import (
	"context"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestSiteCheckTextsAboutAPerson: a check's free texts that name a worker
// (site notes, a finding, a corrective action and its verification) are
// not stored until the officer removes the name or confirms the text is not
// about a person; the refusal quotes what was found and changes nothing;
// the confirmation is audited as the kinds found.
func TestSiteCheckTextsAboutAPerson(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.record(t, cityHall())
		before := f.stored(t)
		refused := func(what string, err error, fields ...string) {
			t.Helper()
			e := apperr.As(err)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%s: %v, want refused", what, err)
			}
			got := map[string]apperr.FieldError{}
			for _, fe := range e.Fields {
				got[fe.Field] = fe
			}
			for _, name := range fields {
				if fe, ok := got[name]; !ok || fe.Key != "sitechecks.error.about_person" || !strings.Contains(fe.Args["found"].(string), "Ana") {
					t.Errorf("%s: %s not flagged with the name: %+v", what, name, e.Fields)
				}
			}
			if got[sitechecks.NotAboutPerson].Key != "sitechecks.error.not_about_person" {
				t.Errorf("%s: no confirmation asked: %+v", what, e.Fields)
			}
		}
		notes := cityHall()
		notes.Set("site_notes", "Ana Popescu told us the agency keeps the passports.")
		_, _, err := f.svc.Record(ctx, f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.site, CheckedOn: "2027-03-09",
			Inspectors: "Two procurement officers", Organisation: "City"}, notes, "en")
		refused("site notes", err, "site_notes")
		_, _, err = f.svc.EditAnswers(ctx, f.officer, c.ID, notes, "en")
		refused("corrected site notes", err, "site_notes")
		_, err = f.svc.AddFinding(ctx, f.officer, c.ID, sitechecks.FindingInput{Severity: sitechecks.High, Description: "The cleaner Ana sleeps in the store room."})
		refused("finding", err, "description")
		action := sitechecks.ActionInput{Action: "Return Ana Popescu's passport", Owner: sitechecks.BySupplier, DueOn: "2027-04-01",
			Verification: "Worker Ana confirms it", Status: sitechecks.Open}
		_, err = f.svc.AddAction(ctx, f.officer, c.FindingList[0].ID, action)
		refused("action", err, "verification")
		if after := f.stored(t); after != before {
			t.Errorf("texts about a person changed %s to %s", before, after)
		}

		// Confirmed, they are stored and the confirmation audited.
		notes.Set(sitechecks.NotAboutPerson, "yes")
		if _, _, err := f.svc.EditAnswers(ctx, f.officer, c.ID, notes, "en"); err != nil {
			t.Fatalf("confirmed notes: %v", err)
		}
		action.NotAboutPerson = true
		if _, err := f.svc.AddAction(ctx, f.officer, c.FindingList[0].ID, action); err != nil {
			t.Fatalf("confirmed action: %v", err)
		}
		entries, _, err := f.log.List(ctx, db, access.SystemScope(), audit.Filter{Action: "site_check.confirm_not_person", SubjectID: c.ID, Limit: audit.MaxLimit})
		if err != nil || len(entries) != 2 || entries[0].Detail != "worker_named" || entries[1].Detail != "worker_named" {
			t.Errorf("confirmations audited: %+v %v", entries, err)
		}
		// A text about the site alone asks nothing.
		if _, err := f.svc.AddFinding(ctx, f.officer, c.ID, sitechecks.FindingInput{Severity: sitechecks.Low,
			Description: "The workers told us the rota changes weekly."}); err != nil {
			t.Errorf("a text about the site: %v", err)
		}
	})
}
