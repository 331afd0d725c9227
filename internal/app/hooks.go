package app

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// openCaseFromReferral opens the person's case when the receiving
// organisation accepts a referral. The referral names nobody, so the case
// starts pseudonymous at the screening stage with what the screening
// result says: the age band of the stated age, a child (also one presumed
// so), the forms of exploitation referred for and the place of the
// screening; the worker adds the identity and consent when they meet the
// person. Roles that do not manage cases (a police contact point accepting
// a referral) open none.
func (a *App) openCaseFromReferral(ctx context.Context, tx *storage.Tx, actor access.Actor, r identification.Referral) error {
	if access.ReachOf(actor.Role, access.OpenCase) == access.None {
		return nil
	}
	// A referral made under catalogue version 1 still names its forms.
	person := cases.UnknownPerson(r.Population == screening.Child, identification.CurrentForms(r.Purposes))
	if age := r.Result.StatedAge; age != nil {
		person.AgeBand = cases.AgeBandOf(*age)
	}
	_, err := a.Cases.OpenIn(ctx, tx, actor, cases.NewCase{
		Origin: cases.FromReferral, OriginID: r.ID, Stage: cases.Screening, Person: person, Place: r.Result.Setting,
	})
	return err
}

// caseFollowsDecision moves the case the decider's organisation opened from
// the referral to the stage the identification has reached (reasonable
// grounds, formal identification) when that is the case's next step. Any
// other way there, or a case held elsewhere, is proposed on the case's
// page instead.
func (a *App) caseFollowsDecision(ctx context.Context, tx *storage.Tx, actor access.Actor, r identification.Referral, _ identification.Decision) error {
	target := cases.AfterIdentification(r.Identified())
	if target == "" {
		return nil
	}
	_, err := a.Cases.FollowIn(ctx, tx, actor, cases.FromReferral, r.ID, target)
	return err
}

// referralConsented tells identification whether the person's consent on
// the case opened from the referral covers sharing with a competent
// authority the referral was forwarded to.
func (a *App) referralConsented(ctx context.Context, tx *storage.Tx, r identification.Referral, orgID string) (bool, error) {
	return a.Cases.SharingConsentIn(ctx, tx, cases.FromReferral, r.ID, orgID)
}

// exportSections are the parts of a person's data export that capabilities
// built on cases keep, each read in the export's transaction.
func (a *App) exportSections() []dataprotection.Section {
	return []dataprotection.Section{
		{Name: "risk", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Risk.Export(ctx, tx, c)
		}},
		{Name: "assistance", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Assistance.Export(ctx, tx, c)
		}},
		{Name: "legal_status", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.LegalStatus.Export(ctx, tx, c)
		}},
		{Name: "child_protection", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Children.Export(ctx, tx, c)
		}},
		{Name: "return", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Returns.Export(ctx, tx, c)
		}},
		{Name: "informed", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.Cases.InformedOf(ctx, tx, c.Case.ID)
		}},
		{Name: "crisis_unit", Export: func(ctx context.Context, tx *storage.Tx, c cases.Access) (any, error) {
			return a.CrisisUnit.Export(ctx, tx, c)
		}},
	}
}

// caseReferral tells the HTCDS export of a case what the referral it came
// from says: the trafficking status its decisions give, who referred and
// when the referral was accepted, and the methods of control and
// vulnerabilities of the screening result the referral carries. The result
// is the one the receiving organisation was given; the screening's own
// answers stay with the screening organisation.
func (a *App) caseReferral(ctx context.Context, tx *storage.Tx, c cases.Case) (dataprotection.CaseReferral, error) {
	if c.Origin != cases.FromReferral || c.OriginID == "" {
		return dataprotection.CaseReferral{}, nil
	}
	r, err := identification.ReferralIn(ctx, tx, c.OriginID)
	if err != nil {
		return dataprotection.CaseReferral{}, err
	}
	out := dataprotection.CaseReferral{TraffickingStatus: r.HTCDS.TraffickingStatus, DecisionMakingOrg: r.HTCDS.DecisionMakingOrg,
		Referrer: r.From.Name, ProtectionNeeds: r.Result.ProtectionNeeds}
	if r.Status == identification.StatusAccepted && r.RespondedAt != nil {
		out.Accepted = *r.RespondedAt
	}
	// Indicator ids belong to the catalogue version the referral was
	// evaluated by; without that version they cannot be read.
	cat, ok := a.Screening.ForVersion(r.CatalogueVersion)
	if !ok {
		return out, nil
	}
	for _, id := range counted(r.Result) {
		ind, ok := cat.Indicator(id)
		if !ok || ind.HTCDS == nil {
			continue
		}
		switch ind.HTCDS.Field {
		case "vic_MethodsOfControl":
			out.MethodsOfControl = append(out.MethodsOfControl, ind.HTCDS.Value)
		case "vic_Vulnerabilities":
			out.Vulnerabilities = append(out.Vulnerabilities, ind.HTCDS.Value)
		}
	}
	return out, nil
}

// counted lists the indicators a screening result counted: the yes answers
// behind each element (version 2), dimension and act (version 1), and
// urgent trigger.
func counted(res screening.Result) []string {
	var ids []string
	for _, p := range res.Purposes {
		for _, e := range p.Elements {
			for _, y := range e.Yes {
				ids = append(ids, y.ID)
			}
		}
		for _, d := range p.Dimensions {
			for _, y := range d.Indicators {
				ids = append(ids, y.ID)
			}
		}
		ids = append(ids, p.Act.Indicators...)
	}
	for _, u := range res.UrgentReasons {
		ids = append(ids, u.Indicators...)
	}
	return ids
}
