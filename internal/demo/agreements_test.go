package demo_test

import (
	"context"
	"os"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// TestDemoAgreements: the demo has a signed agreement whose renewal is due
// and a draft, and named contact persons of the police, the NGO and the
// labour inspectorate.
func TestDemoAgreements(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements},
		t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	coordinator := access.Actor{Role: access.Coordinator}
	orgs, err := a.Accounts.ListOrganisations(ctx, accounts.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Kind == accounts.Municipality {
			coordinator.OrgID = o.ID
		}
	}
	list, err := a.Agreements.List(ctx, coordinator)
	if err != nil || len(list) != 2 || list[0].Status != agreements.Signed || !list[0].RenewalDue(a.Agreements.Today()) || list[1].Status != agreements.Draft {
		t.Fatalf("demo agreements: %+v, %v", list, err)
	}
	contacts, err := a.Agreements.Contacts(ctx, coordinator)
	kinds := map[accounts.OrgKind]int{}
	for _, c := range contacts {
		kinds[c.OrgKind]++
	}
	if err != nil || kinds[accounts.Police] != 2 || kinds[accounts.NGO] != 1 || kinds[accounts.LabourInspectorate] != 1 {
		t.Errorf("demo contact persons by kind: %v, %v", kinds, err)
	}
}
