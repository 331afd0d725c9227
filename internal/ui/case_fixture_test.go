package ui_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
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
