package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/procurement"
)

// demoTVPRA is a DEMO extract in the shape of the US TVPRA list (columns
// Country, Good, Child Labor, Forced Labor): a few rows written for the
// demo, not the published list, which the operator imports from the
// US Department of Labor.
const demoTVPRA = `Country,Good,Child Labor,Forced Labor
Malaysia,Gloves,,X
Bangladesh,Garments,X,
India,Bricks,X,X
China,Cotton,,X
`

// demoRiskNotes is the operator's own list as the demo keeps it.
const demoRiskNotes = `commodity,country,level,note
Cleaning services,,medium,"Labour-intensive, often subcontracted to agencies, night work on premises nobody watches"
Construction work,,medium,Long subcontracting chains and posted workers
`

// seedProcurement records the municipality's contracts: a high-risk
// office cleaning contract for City Hall (CPV 90910000-9) with its
// supplier, an agency subcontractor at tier 2 and the site where 14 night
// cleaners work, 80% of them migrants employed through the agency, rated
// on the six PPN 02/23 characteristics and awarded once its supply chain
// was known; a low-risk paper contract; and the risk lists, a demo TVPRA
// edition and the office's own notes.
func seedProcurement(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	svc := d.Procurement
	if svc == nil {
		return nil
	}
	officer := actors["procurement"]
	month := func(n int) string { return time.Now().AddDate(0, n, 0).Format(time.DateOnly) }
	if _, err := svc.ImportTVPRA(ctx, officer, "tvpra-demo.csv", month(-2), strings.NewReader(demoTVPRA)); err != nil {
		return fmt.Errorf("seed TVPRA list: %w", err)
	}
	if _, err := svc.ImportOperatorList(ctx, officer, "Riverton procurement office risk notes", "risk-notes.csv", month(-1),
		strings.NewReader(demoRiskNotes)); err != nil {
		return fmt.Errorf("seed risk notes: %w", err)
	}
	cleaner, err := svc.CreateSupplier(ctx, officer, procurement.SupplierInput{LegalName: "Brightline Cleaning Services GmbH",
		RegistryNumber: "FN 482913 k", Country: "AT", Sector: "Building cleaning", Statement: "yes",
		StatementYear: fmt.Sprint(time.Now().Year() - 1), StatementBoard: true, StatementSigned: true})
	if err != nil {
		return fmt.Errorf("seed supplier: %w", err)
	}
	agency, err := svc.CreateSupplier(ctx, officer, procurement.SupplierInput{LegalName: "FlexStaff Personnel Agency SRL",
		RegistryNumber: "J40/1187/2019", Country: "RO", Sector: "Temporary work agency", Statement: "no"})
	if err != nil {
		return fmt.Errorf("seed subcontractor: %w", err)
	}
	cleaning, err := svc.CreateContract(ctx, officer, procurement.ContractInput{Authority: "City of Riverton, Facilities Department",
		Subject: "Office cleaning of City Hall", CPV: "90910000-9", Value: "184000", Currency: "EUR", StartsOn: month(-3), EndsOn: month(33),
		SupplierID: cleaner.ID, Goods: "Cleaning services\nGloves", SocialClause: true, SlaveryClause: true, ReviewOn: month(1), RemindDays: "45"})
	if err != nil {
		return fmt.Errorf("seed cleaning contract: %w", err)
	}
	if _, err := svc.Rate(ctx, officer, cleaning.ID, []procurement.Rating{
		{Characteristic: procurement.Industry, Level: procurement.High, Reason: "Cleaning is labour-intensive, low-paid work with a known record of exploitation."},
		{Characteristic: procurement.Workforce, Level: procurement.High, Reason: "Agency workers, mostly migrants, on night shifts."},
		{Characteristic: procurement.Location, Level: procurement.Low, Reason: "The work is done on the city's own premises."},
		{Characteristic: procurement.Context, Level: procurement.Medium, Reason: "Workers are recruited abroad and posted here by the agency."},
		{Characteristic: procurement.Commodity, Level: procurement.Low, Reason: "A service; the consumables are bought in small amounts."},
		{Characteristic: procurement.SupplyBiz, Level: procurement.High, Reason: "The supplier subcontracts the staff to a labour agency."},
	}); err != nil {
		return fmt.Errorf("seed cleaning rating: %w", err)
	}
	if _, err := svc.AddSubcontract(ctx, officer, cleaning.ID, cleaner.ID, agency.ID); err != nil {
		return fmt.Errorf("seed subcontract: %w", err)
	}
	if _, err := svc.CreateSite(ctx, officer, cleaning.ID, procurement.SiteInput{SupplierID: agency.ID, Name: "City Hall",
		Address: "1 Main Square, Riverton", Country: "AT", Type: "premises", Workers: "14", MigrantShare: "80", AgencyShare: "100",
		SeasonalShare: "0", LabourProvider: "FlexStaff Personnel Agency SRL"}); err != nil {
		return fmt.Errorf("seed site: %w", err)
	}
	if err := svc.SetStatus(ctx, officer, cleaning.ID, procurement.Awarded); err != nil {
		return fmt.Errorf("award cleaning contract: %w", err)
	}
	paper, err := svc.CreateSupplier(ctx, officer, procurement.SupplierInput{LegalName: "Riverside Office Supplies GmbH", Country: "AT",
		Sector: "Office supplies", Statement: "yes", StatementYear: fmt.Sprint(time.Now().Year()), StatementBoard: true, StatementSigned: true})
	if err != nil {
		return fmt.Errorf("seed supplier: %w", err)
	}
	office, err := svc.CreateContract(ctx, officer, procurement.ContractInput{Authority: "City of Riverton, Central Purchasing",
		Subject: "Printing paper for the city offices", CPV: "30197630-1", Value: "23500.50", Currency: "EUR", StartsOn: month(-1), EndsOn: month(11),
		SupplierID: paper.ID, Goods: "Printing paper", SocialClause: true, ReviewOn: month(10)})
	if err != nil {
		return fmt.Errorf("seed paper contract: %w", err)
	}
	low := "Recycled paper from an EU mill under an environmental certificate; no labour-intensive steps on our side."
	var ratings []procurement.Rating
	for _, c := range procurement.Characteristics() {
		ratings = append(ratings, procurement.Rating{Characteristic: c, Level: procurement.Low, Reason: low})
	}
	if _, err := svc.Rate(ctx, officer, office.ID, ratings); err != nil {
		return fmt.Errorf("seed paper rating: %w", err)
	}
	return nil
}
