package demo_test

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/storage"
)

// TestDemoProcurement: the demo has an awarded high-risk cleaning contract
// for City Hall with its agency subcontractor at tier 2 and the site's 14
// workers, a low-risk contract, and a TVPRA edition whose gloves entry
// hits the cleaning contract.
func TestDemoProcurement(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
		Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
		Workgroup: a.Workgroup, Training: a.Training, Procurement: a.Procurement}, t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	officer := access.Actor{Role: access.ProcurementOfficer}
	contracts, err := a.Procurement.Contracts(ctx, officer)
	if err != nil || len(contracts) != 2 {
		t.Fatalf("contracts %+v, %v", contracts, err)
	}
	risks := map[string]procurement.Contract{}
	for _, c := range contracts {
		risks[c.Risk] = c
	}
	cleaning, low := risks[procurement.High], risks[procurement.Low]
	if cleaning.CPV != "90910000-9" || cleaning.Status != procurement.Awarded || low.ID == "" {
		t.Fatalf("contracts by risk %+v", risks)
	}
	chain, err := a.Procurement.Chain(ctx, officer, cleaning.ID)
	if err != nil || len(chain) != 1 || chain[0].Tier != 2 {
		t.Fatalf("chain %+v, %v", chain, err)
	}
	sites, err := a.Procurement.Sites(ctx, officer, cleaning.ID)
	if err != nil || len(sites) != 1 || sites[0].Name != "City Hall" || sites[0].Workers != 14 || sites[0].MigrantShare != 80 ||
		sites[0].SupplierID != chain[0].SupplierID {
		t.Fatalf("sites %+v, %v", sites, err)
	}
	hits, err := a.Procurement.ContractHits(ctx, officer, cleaning.ID)
	if err != nil || len(hits) == 0 {
		t.Fatalf("hits %+v, %v", hits, err)
	}
	kinds := map[string]bool{}
	for _, h := range hits {
		kinds[h.Kind] = true
	}
	if !kinds[procurement.TVPRA] || !kinds[procurement.Operator] {
		t.Errorf("hits from %v, want both lists", kinds)
	}
}
