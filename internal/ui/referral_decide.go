package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/identification"
)

// decideGrounds records the reasonable-grounds decision on a referral.
func (h *Handler) decideGrounds(w http.ResponseWriter, r *http.Request) {
	h.decide(w, r, identification.StageReasonableGrounds, "rg")
}

// decideStatus records the formal decision on victim status.
func (h *Handler) decideStatus(w http.ResponseWriter, r *http.Request) {
	h.decide(w, r, identification.StageVictimStatus, "vs")
}

// decide records a decision of stage from the form whose fields carry
// prefix in their ids, so its errors land next to its own fields.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, stage, prefix string) {
	v := h.view(r, "referral.title")
	svc := h.referrals
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderReferral(w, r, statusOf(err), v, nil)
		return
	}
	in := identification.NewDecision{Stage: stage, Outcome: r.PostFormValue("outcome"), Kind: r.PostFormValue("kind"),
		Reviews: r.PostFormValue("reviews"), Grounds: r.PostFormValue("grounds"), DecidedOn: r.PostFormValue("decided_on"),
		LodgedWith: r.PostFormValue("lodged_with")}
	for k, val := range map[string]string{"outcome": in.Outcome, "kind": in.Kind, "grounds": in.Grounds, "decided_on": in.DecidedOn,
		"lodged_with": in.LodgedWith} {
		v.Form[prefix+"."+k] = val
	}
	id := r.PathValue("id")
	_, err := svc.Decide(r.Context(), actor(r), id, in)
	switch {
	case apperr.Is(err, apperr.NotFound):
		h.fail(w, r, err)
	case err != nil:
		e := *apperr.As(err)
		e.Fields = nil
		for _, f := range apperr.As(err).Fields {
			f.Field = prefix + "." + f.Field
			e.Fields = append(e.Fields, f)
		}
		v.FormError(&e)
		h.renderReferral(w, r, statusOf(err), v, nil)
	default:
		http.Redirect(w, r, "/referrals/"+id+"#decisions", http.StatusSeeOther)
	}
}
