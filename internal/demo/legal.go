package demo

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
)

// LegalRecords seeds the legal status of a demo case: non-punishment and
// protective measures. Only the assembly may import legalstatus (it is kept
// apart from assistance), so package app passes this in.
type LegalRecords func(ctx context.Context, actor access.Actor, caseID string) error

// demoVulnerabilities are the vulnerability factors of the demo people, by
// family name (made up, like the people).
var demoVulnerabilities = map[string]cases.VulnerabilityInput{
	"Example-One":   {Factors: []string{"economic_hardship", "migration_status", "prior_trauma"}},
	"Example-Three": {Factors: []string{"young_age", "relative_illness", "other"}, Note: "Left school to earn for the family."},
}

// seedProtection records the vulnerability factors of a demo case and,
// for the woman in her reflection period, her legal records.
func seedProtection(ctx context.Context, d Deps, worker access.Actor, c cases.Case, dc demoCase) error {
	in, ok := demoVulnerabilities[dc.person.Person.FamilyName]
	if !ok {
		return nil
	}
	if _, err := d.Cases.SetVulnerabilities(ctx, worker, c.ID, in); err != nil {
		return fmt.Errorf("seed vulnerabilities of case %s: %w", c.Code, err)
	}
	if dc.sharePolice && d.Legal != nil {
		if err := d.Legal(ctx, worker, c.ID); err != nil {
			return fmt.Errorf("seed legal status of case %s: %w", c.Code, err)
		}
	}
	return nil
}
