package api

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/identification"
)

type referralOrgJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// decisionJSON is a decision without its grounds: the grounds are free
// text and are only shown, audited, on the referral's notes page.
type decisionJSON struct {
	ID        string          `json:"id"`
	Stage     string          `json:"stage"`
	Outcome   string          `json:"outcome"`
	Kind      string          `json:"kind"`
	Reviews   string          `json:"reviews,omitempty"`
	DecidedOn string          `json:"decided_on"`
	DecidedBy string          `json:"decided_by"`
	Org       referralOrgJSON `json:"organisation"`
	CreatedAt time.Time       `json:"recorded_at"`
	// Lodged: a review or appeal lodged with a body outside Waymark, its
	// outcome "pending"; Outside: the outcome that body gave. The body's
	// name is free text and stays on the notes page.
	Lodged  bool `json:"lodged,omitempty"`
	Outside bool `json:"outside_body,omitempty"`
}

// forwardJSON is a forward of the referral to a competent authority.
type forwardJSON struct {
	To          referralOrgJSON `json:"to"`
	From        referralOrgJSON `json:"from"`
	ForwardedBy string          `json:"forwarded_by"`
	At          time.Time       `json:"forwarded_at"`
}

type htcdsJSON struct {
	TraffickingStatus *string `json:"trafficking_status"`
	DecisionMakingOrg *string `json:"decision_making_org"`
}

type referralJSON struct {
	ID               string          `json:"id"`
	Code             string          `json:"code"`
	Status           string          `json:"status"`
	DeclineReason    string          `json:"decline_reason,omitempty"`
	Kind             string          `json:"kind"`
	Purposes         []string        `json:"purposes"`
	Population       string          `json:"population"`
	ScreeningID      string          `json:"screening_id"`
	CatalogueVersion string          `json:"catalogue_version"`
	From             referralOrgJSON `json:"from"`
	To               referralOrgJSON `json:"to"`
	CreatedAt        time.Time       `json:"created_at"`
	Decisions        []decisionJSON  `json:"decisions"`
	Forwards         []forwardJSON   `json:"forwards"`
	HTCDS            htcdsJSON       `json:"htcds"`
}

func toReferralOrgJSON(o identification.Org) referralOrgJSON {
	return referralOrgJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind)}
}

// nullable turns "" into a JSON null: no status is not a status.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toReferralJSON(r identification.Referral) referralJSON {
	out := referralJSON{ID: r.ID, Code: r.Code, Status: r.Status, DeclineReason: r.DeclineReason, Kind: r.Kind, Purposes: r.Purposes,
		Population: r.Population, ScreeningID: r.ScreeningID, CatalogueVersion: r.CatalogueVersion,
		From: toReferralOrgJSON(r.From), To: toReferralOrgJSON(r.To), CreatedAt: r.CreatedAt, Decisions: []decisionJSON{}, Forwards: []forwardJSON{},
		HTCDS: htcdsJSON{TraffickingStatus: nullable(r.HTCDS.TraffickingStatus), DecisionMakingOrg: nullable(r.HTCDS.DecisionMakingOrg)}}
	for _, d := range r.Decisions {
		out.Decisions = append(out.Decisions, decisionJSON{ID: d.ID, Stage: d.Stage, Outcome: d.Outcome, Kind: d.Kind, Reviews: d.Reviews,
			DecidedOn: d.DecidedOn, DecidedBy: d.DecidedBy, Org: toReferralOrgJSON(d.Org), CreatedAt: d.CreatedAt, Lodged: d.Lodged, Outside: d.Outside})
	}
	for _, f := range r.Forwards {
		out.Forwards = append(out.Forwards, forwardJSON{To: toReferralOrgJSON(f.To), From: toReferralOrgJSON(f.From), ForwardedBy: f.By, At: f.At})
	}
	return out
}

// getReferral answers one referral the caller's organisation sent,
// received or was forwarded, with its decisions (without grounds), its
// forwards and the HTCDS status.
func (h *Handler) getReferral(w http.ResponseWriter, r *http.Request) error {
	if h.ident == nil {
		return apperr.New(apperr.Unavailable, "error.unavailable")
	}
	ref, err := h.ident.Get(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toReferralJSON(ref))
	return nil
}
