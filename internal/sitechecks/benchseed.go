package sitechecks

import (
	"context"
	"fmt"
	"net/url"

	"waymark.city/waymark/internal/access"
)

// benchAnswers are the answers of a bench check: ten signs, so ten
// derived findings, and signs about workers.
func benchAnswers() url.Values {
	v := url.Values{"announced": {"unannounced"}, "public_premises": {"yes"}, "workers_present": {"20"}, "workers_spoken": {"6"},
		"spoken_apart": {"yes"}, "contracts_shown": {"yes"}, "payslips_shown": {"yes"}, "hours_recorded": {"yes"}}
	for _, q := range []string{"documents_held", "debt_owed", "not_free", "threats", "pay_withheld", "pay_below_minimum", "no_day_off",
		"hours_excessive", "fees_paid", "undeclared_subcontractor"} {
		v.Set(q, "yes")
	}
	return v
}

// BenchFindingsPerCheck is how many findings a bench check derives.
const BenchFindingsPerCheck = 10

// SeedBench records, through the service, one check on each of a
// contract's sites (ten findings each: 500 sites give the 5,000
// findings), with a corrective action on each check's first finding, every
// other one overdue. It is for the performance benchmark of a contract's
// checks; actor must be allowed access.ManageProcurement.
func (s *Service) SeedBench(ctx context.Context, actor access.Actor, contractID string, siteIDs []string) error {
	today := s.today()
	for i, site := range siteIDs {
		c, _, err := s.Record(ctx, actor, CheckInput{ContractID: contractID, SiteID: site, CheckedOn: today, Inspectors: "Bench inspectors",
			Organisation: "Bench"}, benchAnswers(), "en")
		if err != nil {
			return fmt.Errorf("bench check of site %d: %w", i, err)
		}
		due := "2999-12-31"
		if i%2 == 1 {
			due = "2000-01-01"
		}
		if _, err := s.AddAction(ctx, actor, c.FindingList[0].ID, ActionInput{Action: "Bench action", Owner: BySupplier, DueOn: due,
			Verification: "Bench verification", Status: Open}); err != nil {
			return fmt.Errorf("bench action of site %d: %w", i, err)
		}
	}
	return nil
}
