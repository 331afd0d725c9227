package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// hotline adds a helpline organisation with one operator, whose role
// cannot see cases, and sets the protocol: adults exploited for labour go
// to organisation B, children to organisation A.
func hotline(t *testing.T, f *fixture) apptest.User {
	t.Helper()
	org := f.env.Org("Helpline", accounts.Hotline)
	op := f.env.User("hl-operator", access.HotlineOperator, org)
	err := f.env.App.Identification.SetProtocol(context.Background(), f.staff[access.Coordinator].Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: f.orgB,
			{Purpose: "labour", Population: screening.Child}: f.orgA, {Purpose: "begging", Population: screening.Child}: f.orgA}})
	if err != nil {
		t.Fatalf("set protocol: %v", err)
	}
	return op
}

// helplineReport is a report in the helpline's queue, classified.
func helplineReport(t *testing.T, f *fixture, op apptest.User, child bool, forms ...string) string {
	t.Helper()
	ctx := context.Background()
	in := intake.Submission{Details: "A man sleeps on the building site and is never paid.", PlaceType: "other",
		Urgency: intake.UrgencySoon, AgeGroup: "adults", Language: "ro"}
	if child {
		in.AgeGroup, in.Urgency = "children", intake.UrgencyChild
	}
	rec, err := f.env.App.Intake.Submit(ctx, in, intake.Work{})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE reports SET org_id = $1 WHERE id = $2`, op.OrgID, rec.ReportID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(forms) > 0 {
		scope, _ := access.Authorize(op.Actor, access.TriageReports)
		if err := f.env.App.Intake.Classify(ctx, op.Actor, scope, rec.ReportID, intake.Classification{Exploitation: forms}); err != nil {
			t.Fatalf("classify: %v", err)
		}
	}
	return rec.ReportID
}

// caseBy finds a case by a column (code, origin_id).
func caseBy(t *testing.T, f *fixture, column, value string) cases.Case {
	t.Helper()
	ctx := context.Background()
	var id string
	if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE `+column+` = $1`, value).Scan(&id)
	}); err != nil {
		t.Fatalf("find case by %s %s: %v", column, value, err)
	}
	var c cases.Case
	if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT org_id, code FROM cases WHERE id = $1`, id).Scan(&c.OrgID, &c.Code)
	}); err != nil {
		t.Fatal(err)
	}
	c.ID = id
	return c
}

// seenBy asserts that case id is held by owner, that at least one active
// account of owner opens it through the case gate, and that none of
// outsiders does.
func seenBy(t *testing.T, f *fixture, id, owner string, outsiders ...apptest.User) {
	t.Helper()
	ctx := context.Background()
	var actors []access.Actor
	var org string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT org_id FROM cases WHERE id = $1`, id).Scan(&org); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, role FROM users WHERE org_id = $1 AND disabled_at IS NULL ORDER BY id`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := access.Actor{OrgID: org}
			if err := rows.Scan(&a.UserID, &a.Role); err != nil {
				return err
			}
			actors = append(actors, a)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if org != owner {
		t.Errorf("case %s is held by %s, want %s", id, org, owner)
	}
	seen := 0
	for _, a := range actors {
		if f.env.App.Cases.View(ctx, a, id, cases.Profile, func(*storage.Tx, cases.Access) error { return nil }) == nil {
			seen++
		}
	}
	if seen == 0 {
		t.Errorf("no active account of the owning organisation can open case %s", id)
	}
	for _, u := range outsiders {
		if f.env.App.Cases.View(ctx, u.Actor, id, cases.Profile, func(*storage.Tx, cases.Access) error { return nil }) == nil {
			t.Errorf("%s (%s) can open case %s", u.ID, u.Role, id)
		}
	}
}

// TestEveryWayACaseOpens opens a case every way — directly through the
// service and at /cases/new, from a report, from a call, from an accepted
// referral and from an HTCDS import — and checks that an active account of
// the owning organisation sees it and the hotline operator does not. The
// operator's cases go to the protocol's receiving organisation.
func TestEveryWayACaseOpens(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			env := f.env
			worker := f.staff[access.CaseWorker]
			referral := targetReferral(t, f) // sets its own protocol, replaced next
			op := hotline(t, f)
			en := env.App.Catalog.For("en")

			t.Run("direct service", func(t *testing.T) {
				c, err := env.App.Cases.Open(ctx, worker.Actor, cases.NewCase{Person: cases.UnknownPerson(false, []string{"labour"})})
				if err != nil {
					t.Fatal(err)
				}
				seenBy(t, f, c.ID, f.orgA, op, f.outsider)
				// The operator's own organisation has nobody who sees cases.
				_, err = env.App.Cases.Open(ctx, op.Actor, cases.NewCase{Person: cases.UnknownPerson(false, nil)})
				if !isField(err, "case_org") {
					t.Errorf("a case for the helpline itself: %v", err)
				}
			})
			t.Run("direct form", func(t *testing.T) {
				cookie := env.Session(t, op.ID, true)
				res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases", Cookie: cookie, Form: url.Values{
					"gender": {"unknown"}, "age_band": {"25-34"}, "contact_method": {"through_worker"}, "exploitation": {"labour"}}})
				loc := res.Header.Get("Location")
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/new?opened=C-") {
					t.Fatalf("operator opens a case: status %d to %q", res.StatusCode, loc)
				}
				c := caseBy(t, f, "code", strings.TrimPrefix(loc, "/cases/new?opened="))
				seenBy(t, f, c.ID, f.orgB, op, worker)
			})
			t.Run("report with consent", func(t *testing.T) {
				id := helplineReport(t, f, op, false, "labour")
				cookie := env.Session(t, op.ID, true)
				res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + id + "/case", Cookie: cookie,
					Form: url.Values{"case_consent": {"1"}, "consent_method": {"oral_recorded"}}})
				if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/reports/"+id+"?done=case_opened" {
					t.Fatalf("status %d to %q", res.StatusCode, loc)
				}
				c := caseBy(t, f, "origin_id", id)
				seenBy(t, f, c.ID, f.orgB, op, worker)
				_, page := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/reports/" + id + "?done=case_opened", Cookie: cookie})
				if want := html.EscapeString(en.T("report.done.case_opened", "code", c.Code, "org", "Organisation B")); !strings.Contains(page, want) ||
					!strings.Contains(page, `id="report-case-org">Organisation B<`) {
					t.Errorf("the operator is not told where the case went")
				}
				// The consent became the case's record, for case management by B.
				var consents []cases.ConsentRecord
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					var err error
					consents, err = cases.Consents(ctx, tx, c.ID)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if len(consents) != 1 || consents[0].GivenBy != "person" || consents[0].Method != "oral_recorded" || consents[0].Language != "ro" ||
					strings.Join(consents[0].Purposes, ",") != cases.PurposeCaseManagement || strings.Join(consents[0].Orgs, ",") != f.orgB {
					t.Errorf("consent on the case: %+v", consents)
				}
			})
			t.Run("call without consent", func(t *testing.T) {
				scope, _ := access.Authorize(op.Actor, access.LogCalls)
				call, err := env.App.Intake.LogCall(ctx, op.Actor, scope, intake.NewCall{CallerType: "family", Language: "uk",
					Topic: "missing_person", MissingChild: true, InfoGiven: []string{"emergency"}, Notes: "Mother calls: son (15) begs at the station."})
				if err != nil {
					t.Fatal(err)
				}
				rid, err := env.App.Intake.ReportFromCall(ctx, op.Actor, scope, call, intake.CallReport{Details: "A boy of 15 begs at the station for a man."})
				if err != nil {
					t.Fatal(err)
				}
				tscope, _ := access.Authorize(op.Actor, access.TriageReports)
				if err := env.App.Intake.Classify(ctx, op.Actor, tscope, rid, intake.Classification{Exploitation: []string{"begging"}, MissingChild: true}); err != nil {
					t.Fatal(err)
				}
				cookie := env.Session(t, op.ID, true)
				res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/reports/" + rid + "/case", Cookie: cookie,
					Form: url.Values{"legal_basis": {cases.BasisChildProtection}}})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("status %d", res.StatusCode)
				}
				c := caseBy(t, f, "origin_id", rid)
				seenBy(t, f, c.ID, f.orgA, op, f.outsider)
				// The legal basis is on the case's timeline and in the audit log; no consent was recorded.
				var events, audited, consents int
				if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
					if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events WHERE case_id = $1 AND kind = 'legal_basis_child_protection'`, c.ID).Scan(&events); err != nil {
						return err
					}
					if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_consents WHERE case_id = $1`, c.ID).Scan(&consents); err != nil {
						return err
					}
					return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'case.legal_basis_child_protection' AND subject_id = $1`, c.ID).Scan(&audited)
				}); err != nil {
					t.Fatal(err)
				}
				if events != 1 || audited != 1 || consents != 0 {
					t.Errorf("legal basis: %d events, %d audit entries, %d consents", events, audited, consents)
				}
			})
			t.Run("accepted referral", func(t *testing.T) {
				if _, err := env.App.Identification.Accept(ctx, worker.Actor, referral); err != nil {
					t.Fatal(err)
				}
				c := caseBy(t, f, "origin_id", referral)
				seenBy(t, f, c.ID, f.orgA, op, f.outsider)
			})
			t.Run("HTCDS import", func(t *testing.T) {
				c, _, err := env.App.DataProtection.ImportHTCDS(ctx, worker.Actor, []byte(htcdsDocument))
				if err != nil {
					t.Fatal(err)
				}
				seenBy(t, f, c.ID, f.orgA, op, f.outsider)
			})
		})
	}
}

// isField reports whether err is a validation error naming field.
func isField(err error, field string) bool {
	e := apperr.As(err)
	return e != nil && slices.ContainsFunc(e.Fields, func(fe apperr.FieldError) bool { return fe.Field == field })
}
