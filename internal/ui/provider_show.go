package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

// showProvider is one provider of the directory, with its live shelter
// places and, for a coordinator, the form that changes it.
func (h *Handler) showProvider(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.list_title")
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = v.P.T("provider.created")
	case "saved":
		v.Notice = v.P.T("provider.saved")
	case "standard":
		v.Notice = v.P.T("provider.standard_saved")
	}
	h.renderProvider(w, r, http.StatusOK, v, nil)
}

// renderProvider shows a provider; checked holds the types ticked in a
// form that failed (nil: the stored ones).
func (h *Handler) renderProvider(w http.ResponseWriter, r *http.Request, status int, v *web.View, checked []string) {
	p, err := h.assistance.Provider(r.Context(), actor(r), r.PathValue("provider"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, err := h.assistance.ProviderQuality(r.Context(), actor(r), p.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := &providerFormPage{Provider: &p, Action: "/providers/" + p.ID, Active: p.Active, Checked: slices.Concat(p.Types, p.Audiences), Quality: &q, Today: time.Now()}
	if checked != nil {
		page.Checked = checked
	}
	if access.Can(actor(r), access.ManageProviders) && checked == nil {
		for k, val := range map[string]string{"name": p.Name, "languages": strings.Join(p.Languages, ", "), "capacity_note": p.CapacityNote,
			"phone": p.Phone, "email": p.Email, "address": p.Address, "org": p.OrgID, "place_gender": p.Places.Gender,
			"place_age": p.Places.Age, "places_total": strconv.Itoa(p.Places.Total), "places_external": strconv.Itoa(p.Places.External)} {
			v.Form[k] = val
		}
	}
	h.renderProviderForm(w, r, status, v, page)
}

// updateProvider changes a provider of the directory.
func (h *Handler) updateProvider(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.edit_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderProvider(w, r, statusOf(err), v, nil)
		return
	}
	in, checked := providerInput(r, v)
	id := r.PathValue("provider")
	_, err := h.assistance.UpdateProvider(r.Context(), actor(r), id, in)
	switch {
	case apperr.Is(err, apperr.NotFound):
		h.fail(w, r, err)
	case err != nil:
		if checked == nil {
			checked = []string{}
		}
		v.FormError(err)
		h.renderProvider(w, r, statusOf(err), v, checked)
	default:
		http.Redirect(w, r, "/providers/"+id+"?done=saved", http.StatusSeeOther)
	}
}
