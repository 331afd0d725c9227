package partnersui

import (
	"net/http"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// load returns the agreement of the path, or answers the failure.
func (h *Handler) load(w http.ResponseWriter, r *http.Request) (*agreements.Agreement, bool) {
	a, err := h.agreements.Get(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return nil, false
	}
	return &a, true
}

// fill puts an agreement into the form's values.
func fill(v *web.View, a *agreements.Agreement) map[string]bool {
	v.Form["title"], v.Form["scope"], v.Form["status"] = a.Title, a.Scope, a.Status
	v.Form["signed_on"], v.Form["renew_on"], v.Form["remind_days"] = a.SignedOn, a.RenewOn, strconv.Itoa(a.RemindDays)
	v.Form["outside"] = strings.Join(a.Outside, "\n")
	chosen := map[string]bool{}
	for _, p := range a.Parties {
		chosen[p.OrgID] = true
	}
	return chosen
}

// show is one agreement with, for the coordinator, its edit and upload
// forms.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.show_title")
	a, ok := h.load(w, r)
	if !ok {
		return
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice = v.P.T("agreements.saved")
	case "document":
		v.Notice = v.P.T("agreements.document_saved")
	}
	h.render(w, r, http.StatusOK, v, "agreement_show", &agreementPage{Agreement: a, Action: "/agreements/" + a.ID, Chosen: fill(v, a)})
}

// update changes an agreement.
func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.show_title")
	a, ok := h.load(w, r)
	if !ok {
		return
	}
	p := &agreementPage{Agreement: a, Action: "/agreements/" + a.ID, Chosen: map[string]bool{}}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.render(w, r, status, v, "agreement_show", p) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in, chosen := readAgreement(r, v)
	p.Chosen = chosen
	if _, err := h.agreements.Update(r.Context(), page.Actor(r), a.ID, in); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/agreements/"+a.ID+"?done=saved", http.StatusSeeOther)
}
