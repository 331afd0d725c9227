package bench

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
)

// ProcurementSites and ProcurementFindings are the performance
// target: a contract page with 500 sites and 5,000 check findings.
const (
	ProcurementSites    = 500
	ProcurementFindings = ProcurementSites * sitechecks.BenchFindingsPerCheck
)

// ProcurementBench is a seeded contract and the officer who may read it.
type ProcurementBench struct {
	Officer    access.Actor
	Username   string
	Password   string
	ContractID string
	SiteIDs    []string
}

// SeedProcurementBench records, through the services, a procurement
// officer of a new municipality, a cleaning contract with its supplier,
// sites of that contract and one site check with ten findings on each
// (sitechecks.Service.SeedBench): ProcurementSites sites give
// ProcurementFindings findings. tag keeps names apart between runs.
func SeedProcurementBench(ctx context.Context, a *app.App, sites int, tag string) (ProcurementBench, error) {
	b := ProcurementBench{Username: "pb" + tag + "-officer", Password: "bench-passphrase-not-secret"}
	city, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: "Bench buyer " + tag, Kind: accounts.Municipality})
	if err != nil {
		return b, err
	}
	u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: city.ID, Username: b.Username, Role: access.ProcurementOfficer,
		Password: b.Password, Profile: accounts.Profile{DisplayName: "Bench procurement officer"}})
	if err != nil {
		return b, fmt.Errorf("create bench procurement officer: %w", err)
	}
	b.Officer = access.Actor{UserID: u.ID, OrgID: city.ID, Role: access.ProcurementOfficer}
	sup, err := a.Procurement.CreateSupplier(ctx, b.Officer, procurement.SupplierInput{LegalName: "Bench Cleaning " + tag, Country: "DE"})
	if err != nil {
		return b, fmt.Errorf("bench supplier: %w", err)
	}
	c, err := a.Procurement.CreateContract(ctx, b.Officer, procurement.ContractInput{Authority: "Bench buyer " + tag, Subject: "Bench cleaning " + tag,
		CPV: "90910000-9", Value: "1000000", Currency: "EUR", StartsOn: "2026-01-01", EndsOn: "2029-12-31", SupplierID: sup.ID})
	if err != nil {
		return b, fmt.Errorf("bench contract: %w", err)
	}
	b.ContractID = c.ID
	for i := range sites {
		s, err := a.Procurement.CreateSite(ctx, b.Officer, c.ID, procurement.SiteInput{SupplierID: sup.ID, Name: fmt.Sprintf("Bench site %d", i),
			Address: fmt.Sprintf("Bench street %d", i), Country: "DE", Type: "office", Workers: "20"})
		if err != nil {
			return b, fmt.Errorf("bench site %d: %w", i, err)
		}
		b.SiteIDs = append(b.SiteIDs, s.ID)
	}
	if err := a.SiteChecks.SeedBench(ctx, b.Officer, c.ID, b.SiteIDs); err != nil {
		return b, err
	}
	return b, nil
}
