package ui

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

type organisationReachPage struct {
	Org      accounts.Organisation
	MaxPhone int
	MaxHours int
}

// renderOrganisationReach shows the form for a partner's phone number and
// hours; fill puts the recorded ones into it (not after a failed save).
func (h *Handler) renderOrganisationReach(w http.ResponseWriter, r *http.Request, status int, v *web.View, fill bool) {
	o, err := h.accounts.GetOrganisation(r.Context(), actor(r), r.PathValue("org"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if fill {
		v.Form["phone"], v.Form["hours"] = o.Phone, o.Hours
	}
	v.Data = organisationReachPage{Org: o, MaxPhone: accounts.MaxPhone, MaxHours: accounts.MaxHours}
	h.shell.Render(w, r, status, "organisation_reach", v)
}

// showOrganisationReach is the form for a partner's phone and hours.
func (h *Handler) showOrganisationReach(w http.ResponseWriter, r *http.Request) {
	h.renderOrganisationReach(w, r, http.StatusOK, h.view(r, "orgs.reach_title"), true)
}

// saveOrganisationReach records a partner's phone and hours.
func (h *Handler) saveOrganisationReach(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "orgs.reach_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderOrganisationReach(w, r, statusOf(err), v, false)
		return
	}
	in := accounts.Reach{Phone: r.PostFormValue("phone"), Hours: r.PostFormValue("hours")}
	v.Form["phone"], v.Form["hours"] = in.Phone, in.Hours
	if _, err := h.accounts.SetReach(r.Context(), actor(r), r.PathValue("org"), in); err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		h.renderOrganisationReach(w, r, statusOf(err), v, false)
		return
	}
	http.Redirect(w, r, "/organisations?reach=1", http.StatusSeeOther)
}
