package identification

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/storage"
)

// HTCDS trafficking status values (vic_TraffickingStatus).
const (
	PossibleVictim = "PossibleVictimOfTrafficking"
	ActualVictim   = "ActualVictimOfTrafficking"
	NotAVictim     = "NotAVictimOfTrafficking"
)

// HTCDS decision-making organisation values
// (vic_TraffickingStatusDecisionMakingOrg).
const (
	DecisionOrgPolice             = "Police"
	DecisionOrgNGO                = "NGO"
	DecisionOrgCourtOrProsecution = "CourtOrProsecution"
	DecisionOrgNonPoliceGov       = "NonPoliceGovernmentalOrganization"
	DecisionOrgOther              = "Other"
)

// HTCDS is a referral's trafficking status in the Human Trafficking Case
// Data Standard and the kind of organisation whose decision it rests on.
// Both are "" while no decision has been recorded: a screening alone is not
// an identification.
type HTCDS struct {
	TraffickingStatus string `json:"trafficking_status"`
	DecisionMakingOrg string `json:"decision_making_org"`
}

// Derive works out the HTCDS status from a referral's decisions: the latest
// formal decision makes the person an actual victim (confirmed) or not a
// victim (not confirmed); without one, the latest reasonable-grounds
// decision makes them a possible victim (positive) or not a victim
// (negative). A review or appeal still pending changes nothing. The
// deciding organisation is that decision's, or Other for the outcome a
// body outside Waymark gave.
func Derive(ds []Decision) HTCDS {
	org := func(d *Decision) string {
		if d.Outside {
			return DecisionOrgOther
		}
		return DecisionMakingOrg(d.Org.Kind)
	}
	if d := latestDecided(ds, StageVictimStatus); d != nil {
		status := NotAVictim
		if d.Outcome == OutcomeConfirmed {
			status = ActualVictim
		}
		return HTCDS{TraffickingStatus: status, DecisionMakingOrg: org(d)}
	}
	if d := latestDecided(ds, StageReasonableGrounds); d != nil {
		status := NotAVictim
		if d.Outcome == OutcomePositive {
			status = PossibleVictim
		}
		return HTCDS{TraffickingStatus: status, DecisionMakingOrg: org(d)}
	}
	return HTCDS{}
}

// DecisionMakingOrg maps a partner organisation's type to the HTCDS
// decision-making organisation.
func DecisionMakingOrg(kind accounts.OrgKind) string {
	switch kind {
	case accounts.Police:
		return DecisionOrgPolice
	case accounts.Prosecution:
		return DecisionOrgCourtOrProsecution
	case accounts.NGO, accounts.Shelter, accounts.Hotline, accounts.TradeUnion, accounts.FaithBased, accounts.MigrantCommunity:
		return DecisionOrgNGO
	case accounts.SocialServices, accounts.LabourInspectorate, accounts.HealthService, accounts.MigrationAuthority,
		accounts.ChildProtection, accounts.Municipality, accounts.FireInspectorate, accounts.TaxInspectorate,
		accounts.HealthInspectorate, accounts.EmploymentService, accounts.School:
		return DecisionOrgNonPoliceGov
	}
	return DecisionOrgOther
}

// ReferralIn loads a referral inside the caller's transaction, for the HTCDS
// export of a case that came from it (the case's own gate has already
// decided the caller may see the case, whichever organisation holds it now).
func ReferralIn(ctx context.Context, tx *storage.Tx, referralID string) (Referral, error) {
	return getReferral(ctx, tx, access.SystemScope(), referralID, "")
}
