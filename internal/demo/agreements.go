package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
)

// seedAgreements records two memoranda of cooperation — one signed, its
// renewal due within the reminder period so the list and the reminder have
// something to show, one still a draft — and named contact persons for the
// police, the NGO and the labour inspectorate, which the field guide and
// the screening's call-now list show beneath the organisations' numbers.
// After the Ljubljana memorandum between an NGO and the police, whose
// trained contact persons the NGO calls (Danube Roundtable summary).
// Phone numbers are in the +00 range, which no country has.
func seedAgreements(ctx context.Context, d Deps, coordinator access.Actor, orgIDs []string) error {
	const socialServices, ngo, police, inspectorate = 1, 2, 3, 4
	day := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	for _, in := range []agreements.Input{
		{Title: "Memorandum of cooperation on identifying and referring victims",
			Scope: "The police name trained contact persons whom the NGO calls when it sees signs of trafficking; " +
				"the police refer presumed victims to the NGO for assistance and inform them of their rights.",
			Status: agreements.Signed, SignedOn: day(-340), RenewOn: day(25), RemindDays: "60",
			OrgIDs: []string{orgIDs[ngo], orgIDs[police], orgIDs[0]}},
		{Title: "Joint workplace inspections with outreach",
			Scope: "The labour inspectorate invites the NGO's outreach workers to inspections of seasonal work; " +
				"social services take over the care of workers who accept help.",
			Status: agreements.Draft, OrgIDs: []string{orgIDs[inspectorate], orgIDs[ngo], orgIDs[socialServices]},
			Outside: "Regional Chamber of Agriculture"},
	} {
		if _, err := d.Agreements.Create(ctx, coordinator, in); err != nil {
			return fmt.Errorf("seed agreement %q: %w", in.Title, err)
		}
	}
	for _, in := range []agreements.ContactInput{
		{OrgID: orgIDs[police], Name: "Inspector Dana Marković", JobTitle: "Contact officer for trafficking cases",
			Phone: "+00 555 0111", Email: "d.markovic@police.riverton.example", Hours: "Mon–Fri 7–15", Languages: []string{"en", "hr"}},
		{OrgID: orgIDs[police], Name: "Sergeant Luka Horvat", JobTitle: "Night duty contact officer",
			Phone: "+00 555 0112", Hours: "Daily 19–7", Languages: []string{"en", "de"}},
		{OrgID: orgIDs[ngo], Name: "Mira Kos", JobTitle: "Case coordinator",
			Phone: "+00 555 0171", Email: "mira.kos@safeharbour.example", Hours: "Mon–Sat 9–19", Languages: []string{"en", "ro", "bg"}},
		{OrgID: orgIDs[inspectorate], Name: "Tomas Berger", JobTitle: "Inspector, seasonal and agency work",
			Phone: "+00 555 0161", Hours: "Mon–Fri 7–15", Languages: []string{"en", "pl"}},
	} {
		if _, err := d.Agreements.CreateContact(ctx, coordinator, in); err != nil {
			return fmt.Errorf("seed contact person of organisation %s: %w", in.OrgID, err)
		}
	}
	return nil
}
