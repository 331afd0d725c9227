package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
)

// newCase opens a case of organisation A for an adult, with A's case
// worker as its worker.
func newCase(t *testing.T, f *fixture, child bool) cases.Case {
	t.Helper()
	in := cases.PersonInput{
		Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: "1994-03-02", Contact: "Through the shelter"},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_shelter",
		Exploitation: []string{"labour"},
	}
	if child {
		in.BirthDate = "2011-05-20"
	}
	c, err := f.env.App.Cases.Open(context.Background(), f.staff[access.CaseWorker].Actor, cases.NewCase{Person: in})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// targetCase is the case of organisation A that case routes name, opened once.
func targetCase(t *testing.T, f *fixture) string {
	t.Helper()
	if f.caseID == "" {
		f.caseID = newCase(t, f, false).ID
		// The police contact point joins the team, so that the identity
		// routes answer every role that may reveal it.
		if err := f.env.App.Cases.AddMember(context.Background(), f.staff[access.CaseWorker].Actor, f.caseID, f.staff[access.PoliceContact].ID); err != nil {
			t.Fatalf("add member: %v", err)
		}
	}
	return f.caseID
}

// freshCase opens a new case of organisation A on every call, for routes
// that change a case's state so that later requests of the walk still find
// it as they expect.
func freshCase(t *testing.T, f *fixture) string {
	t.Helper()
	return newCase(t, f, false).ID
}

// childCase opens a new case of a child of organisation A.
func childCase(t *testing.T, f *fixture) string {
	t.Helper()
	return newCase(t, f, true).ID
}

// closedCase opens a case of organisation A and closes it.
func closedCase(t *testing.T, f *fixture) string {
	t.Helper()
	c := newCase(t, f, false)
	if _, err := f.env.App.Cases.MoveStage(context.Background(), f.staff[access.CaseWorker].Actor, c.ID, cases.Closed, "lost_contact"); err != nil {
		t.Fatalf("close case: %v", err)
	}
	return c.ID
}

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// consentForm is a valid consent form for an adult's case management.
func consentForm() url.Values {
	return url.Values{"purposes": {"case_management"}, "language": {"en"}, "method": {"written"}, "given_by": {"person"}, "given_on": {today()}}
}

// consentIn records a consent to share with orgs on a case of owner.
func consentIn(t *testing.T, f *fixture, owner apptest.User, caseID string, orgs ...string) string {
	t.Helper()
	k, err := f.env.App.Cases.RecordConsent(context.Background(), owner.Actor, caseID, cases.ConsentInput{
		Purposes: []string{cases.PurposeCaseManagement, cases.PurposeSharing}, Orgs: orgs, Categories: []string{"assistance"},
		Language: "ro", Method: "written", GivenBy: "person", GivenOn: today()})
	if err != nil {
		t.Fatalf("record consent: %v", err)
	}
	return k.ID
}

// consentedCase opens a case of organisation A with a consent, kept in f.lastConsent.
func consentedCase(t *testing.T, f *fixture) string {
	t.Helper()
	c := newCase(t, f, false)
	f.lastConsent = consentIn(t, f, f.staff[access.CaseWorker], c.ID, f.orgB)
	return c.ID
}

// sharableCase opens a case of organisation A whose person agreed to
// sharing assistance data with organisation B.
func sharableCase(t *testing.T, f *fixture) string {
	t.Helper()
	return consentedCase(t, f)
}

// sharedCase opens a case of organisation A offered to B, kept in f.lastShare.
func sharedCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := consentedCase(t, f)
	sh, err := f.env.App.Cases.ShareCase(context.Background(), f.staff[access.CaseWorker].Actor, id,
		cases.ShareInput{To: f.orgB, Kind: cases.KindShare, Categories: []string{"assistance"}})
	if err != nil {
		t.Fatalf("share case: %v", err)
	}
	f.lastShare = sh.ID
	return id
}

// incomingShare is a case of organisation B offered to A; it returns the share.
func incomingShare(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	c, err := f.env.App.Cases.Open(ctx, f.outsider.Actor, cases.NewCase{Person: cases.UnknownPerson(false, nil)})
	if err != nil {
		t.Fatalf("open case of B: %v", err)
	}
	consentIn(t, f, f.outsider, c.ID, f.orgA)
	sh, err := f.env.App.Cases.ShareCase(ctx, f.outsider.Actor, c.ID, cases.ShareInput{To: f.orgA, Kind: cases.KindShare, Categories: []string{"assistance"}})
	if err != nil {
		t.Fatalf("share case of B: %v", err)
	}
	return sh.ID
}

// caseWithFile opens a case of organisation A with a note carrying a PDF.
func caseWithFile(t *testing.T, f *fixture) string {
	t.Helper()
	c := newCase(t, f, false)
	pdf := &cases.File{Name: "contract.pdf", Data: []byte("%PDF-1.4\n% signed contract\n%%EOF\n")}
	if _, err := f.env.App.Cases.AddNote(context.Background(), f.staff[access.CaseWorker].Actor, c.ID, "Scanned contract.", pdf); err != nil {
		t.Fatalf("add note with file: %v", err)
	}
	return c.ID
}
