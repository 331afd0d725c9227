package ui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/web"
)

var permitFields = []string{"permit_type", "permit_status", "permit_start", "permit_expiry", "permit_reference", "permit_authority",
	"permit_allows_work", "permit_allows_study"}

func permitInput(v *web.View, r *http.Request) legalstatus.PermitInput {
	f := legalForm(v, r, permitFields...)
	return legalstatus.PermitInput{Type: f["permit_type"], Status: f["permit_status"], Start: f["permit_start"], Expiry: f["permit_expiry"],
		Reference: f["permit_reference"], Authority: f["permit_authority"], AllowsWork: f["permit_allows_work"], AllowsStudy: f["permit_allows_study"]}
}

// createLegalPermit records a residence permit.
func (h *Handler) createLegalPermit(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	if _, err := h.legalstatus.AddPermit(r.Context(), actor(r), r.PathValue("id"), permitInput(v, r)); err != nil {
		h.legalFailed(w, r, v, legalEdit{}, err)
		return
	}
	legalSaved(w, r, "permits")
}

// changeLegalPermit changes a permit (do=update: status, dates, reference)
// or renews it (do=renew: a new permit linked to it). {permit} is the
// permit's number within the case.
func (h *Handler) changeLegalPermit(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "legalstatus.title")
	number := formNumber(r.PathValue("permit"))
	if number == 0 {
		h.fail(w, r, apperr.New(apperr.NotFound, "legalstatus.error.record_not_found"))
		return
	}
	edit := legalEdit{Permit: number, PermitDo: "update"}
	if err := parseForm(r); err != nil {
		h.legalFailed(w, r, v, edit, err)
		return
	}
	in := permitInput(v, r)
	var err error
	switch r.PostFormValue("do") {
	case "renew":
		edit.PermitDo = "renew"
		_, err = h.legalstatus.RenewPermit(r.Context(), actor(r), r.PathValue("id"), number, in)
	case "update", "":
		_, err = h.legalstatus.UpdatePermit(r.Context(), actor(r), r.PathValue("id"), number, in)
	default:
		err = apperr.New(apperr.Invalid, "error.bad_form")
	}
	if err != nil {
		h.legalFailed(w, r, v, edit, err)
		return
	}
	legalSaved(w, r, "permits")
}
