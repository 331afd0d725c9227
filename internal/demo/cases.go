package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/risk"
)

// demoCase is one made-up person of the demo data. The names are invented
// and obviously so; nothing here describes a real person.
type demoCase struct {
	worker  string
	person  cases.PersonInput
	stages  []cases.Stage
	group   bool
	risk    string
	factors []string
	// sharePolice shares the case's crisis-unit and assistance parts with
	// the police contact point, with the person's consent.
	sharePolice bool
	// area is the district the case is worked in (a code of seedAreas).
	area string
}

var demoCases = []demoCase{
	{worker: "caseworker", stages: []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection}, risk: "high",
		factors: []string{"threatened", "address_known", "contact_attempts"}, sharePolice: true, area: "2",
		person: cases.PersonInput{Person: cases.Person{GivenNames: "Demo", FamilyName: "Example-One", BirthDate: "1998-03-14", Contact: "Via the shelter office only"},
			Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, Interpreter: true, ContactMethod: "through_shelter", Exploitation: []string{"sexual"}}},
	{worker: "caseworker", stages: []cases.Stage{cases.CrisisIntervention}, group: true, risk: "medium", factors: []string{"debt_claimed", "network_at_large"}, area: "5",
		person: cases.PersonInput{Person: cases.Person{GivenNames: "Demo", FamilyName: "Example-Two"}, Gender: "masculine", AgeBand: "25-34",
			Citizenships: []string{"MD"}, Languages: []string{"ro", "ru"}, ContactMethod: "phone", Exploitation: []string{"labour"}}},
	{worker: "socialworker", stages: []cases.Stage{cases.Screening}, risk: "high", factors: []string{"family_involved", "isolated"}, area: "2",
		person: cases.PersonInput{Person: cases.Person{GivenNames: "Demo", FamilyName: "Example-Three"}, Gender: "masculine", AgeBand: "12-17",
			Citizenships: []string{"BG"}, Languages: []string{"bg"}, Interpreter: true, ContactMethod: "through_worker", Exploitation: []string{"begging", "criminality"}}},
	{worker: "caseworker", stages: []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection, cases.LongTerm, cases.Inclusion},
		person: cases.PersonInput{Person: cases.Person{GivenNames: "Demo", FamilyName: "Example-Four"}, Gender: "feminine", AgeBand: "35-49",
			Citizenships: []string{"UA"}, Languages: []string{"uk", "en"}, ContactMethod: "messenger", Exploitation: []string{"domestic_servitude"}}},
}

// seedCases opens the demo cases through the services: two linked workers
// found at one site, a woman in her reflection period shared with the
// police contact point, a boy in child protection, and a case in inclusion.
func seedCases(ctx context.Context, d Deps, actors map[string]access.Actor, orgIDs []string) error {
	const police = 3
	today := time.Now().UTC().Format(time.DateOnly)
	for i, dc := range demoCases {
		w := actors[dc.worker]
		c, err := d.Cases.Open(ctx, w, cases.NewCase{Person: dc.person, NewGroup: dc.group})
		if err != nil {
			return fmt.Errorf("seed case %d: %w", i, err)
		}
		if dc.area != "" {
			if err := d.Cases.SetArea(ctx, w, c.ID, dc.area); err != nil {
				return fmt.Errorf("seed area of case %d: %w", i, err)
			}
		}
		if dc.group {
			// Two more workers found at the same site.
			for range 2 {
				if _, err := d.Cases.Open(ctx, w, cases.NewCase{Person: cases.UnknownPerson(false, dc.person.Exploitation), GroupID: c.GroupID}); err != nil {
					return fmt.Errorf("seed group case: %w", err)
				}
			}
		}
		consent := cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement}, Language: dc.person.Languages[0],
			Interpreter: dc.person.Interpreter, Method: "written", GivenBy: "person", GivenOn: today}
		if c.Child {
			consent.GivenBy, consent.ChildHeard, consent.BestInterest = "guardian", true, true
		}
		if dc.sharePolice {
			consent.Purposes = append(consent.Purposes, cases.PurposeSharing)
			consent.Orgs, consent.Categories = []string{orgIDs[police]}, []string{string(cases.CrisisUnit), string(cases.Assistance)}
		}
		if _, err := d.Cases.RecordConsent(ctx, w, c.ID, consent); err != nil {
			return fmt.Errorf("seed consent %d: %w", i, err)
		}
		for _, st := range dc.stages {
			if _, err := d.Cases.MoveStage(ctx, w, c.ID, st, ""); err != nil {
				return fmt.Errorf("seed stage %s of case %d: %w", st, i, err)
			}
		}
		if dc.risk != "" {
			if _, err := d.Risk.Assess(ctx, w, c.ID, risk.NewAssessment{Level: dc.risk, Factors: dc.factors}); err != nil {
				return fmt.Errorf("seed risk of case %d: %w", i, err)
			}
		}
		if err := seedProtection(ctx, d, w, c, dc); err != nil {
			return err
		}
		if _, err := d.Cases.AddNote(ctx, w, c.ID, "Demo note: first meeting went well; the person asked for a doctor who speaks their language.", nil); err != nil {
			return fmt.Errorf("seed note %d: %w", i, err)
		}
		if dc.sharePolice {
			sh, err := d.Cases.ShareCase(ctx, w, c.ID, cases.ShareInput{To: orgIDs[police], Kind: cases.KindShare,
				Categories: []string{string(cases.CrisisUnit), string(cases.Assistance)}})
			if err != nil {
				return fmt.Errorf("seed share: %w", err)
			}
			if _, err := d.Cases.RespondShare(ctx, actors["police"], sh.ID, true, ""); err != nil {
				return fmt.Errorf("seed share answer: %w", err)
			}
		}
	}
	return nil
}
