package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// TestDemoMapping: the demo's first round is closed with about thirty
// answers from several kinds of respondent and reviewed free text in its
// report; the second is open with a few, so the comparison shows changes
// where both rounds reach k and withholds the rest.
func TestDemoMapping(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	analyst := access.Actor{Role: access.Analyst}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			analyst.OrgID = o.ID
		}
	}
	first, err := a.Mapping.Round(ctx, analyst, demo.DemoRound)
	if err != nil || first.Status != mapping.Closed || first.Responses < 25 || first.Responses > 40 {
		t.Fatalf("first round %+v, %v", first, err)
	}
	second, err := a.Mapping.Round(ctx, analyst, demo.DemoRound2)
	if err != nil || second.Status != mapping.Open || second.Responses == 0 || second.Responses > 10 {
		t.Fatalf("second round %+v, %v", second, err)
	}
	rep, err := a.Mapping.Report(ctx, analyst, demo.DemoRound, "en")
	if err != nil {
		t.Fatal(err)
	}
	texts, types := 0, map[string]bool{}
	for _, s := range rep.Sections {
		texts += len(s.Texts)
		for _, tc := range s.Types {
			types[tc.Type.Key()] = true
		}
	}
	if texts == 0 || len(types) < 5 || len(rep.Locations) == 0 || rep.Withheld != 1 || len(rep.PlacesByArea) == 0 {
		t.Fatalf("report: %d texts, types %v, %d places, %d withheld", texts, types, len(rep.Locations), rep.Withheld)
	}
	_, _, cmp, err := a.Mapping.Compare(ctx, analyst, demo.DemoRound, demo.DemoRound2)
	if err != nil || len(cmp) != 2 {
		t.Fatalf("compare: %d, %v", len(cmp), err)
	}
	enough, below := 0, 0
	for _, c := range cmp {
		for _, q := range c.Questions {
			if q.Enough {
				enough++
			} else {
				below++
			}
		}
	}
	if enough == 0 || below == 0 {
		t.Fatalf("comparison: %d questions compared, %d withheld; want some of each", enough, below)
	}
}
