package partnersui

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// agreementPage is an agreement (nil on the new form) with, for the
// coordinator, the form that records or changes it.
type agreementPage struct {
	Agreement *agreements.Agreement
	Today     string
	CanManage bool
	Action    string
	Statuses  []web.Option
	Orgs      []web.Option
	// Chosen are the ticked organisations of the form.
	Chosen map[string]bool
	// MaxMB is the largest signed document, in megabytes.
	MaxMB int
}

// render fills in the form's choices and renders the page named name.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, v *web.View, name string, p *agreementPage) {
	p.Today, p.MaxMB = h.agreements.Today(), agreements.MaxDocument>>20
	p.CanManage = access.Can(page.Actor(r), access.ManageAgreements)
	if p.CanManage {
		var keep []string
		if p.Agreement != nil {
			for _, party := range p.Agreement.Parties {
				keep = append(keep, party.OrgID)
			}
		}
		orgs, err := h.orgOptions(r, keep)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		p.Orgs = orgs
		p.Statuses = []web.Option{{Value: "", LabelKey: "agreements.choose"}}
		for _, s := range agreements.Statuses() {
			p.Statuses = append(p.Statuses, web.Option{Value: s, LabelKey: "agreements.status." + s})
		}
	}
	v.Data = p
	h.kit.Render(w, r, status, name, v)
}

// showNew is the form that records an agreement.
func (h *Handler) showNew(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.new_title")
	v.Form["status"] = agreements.Draft
	v.Form["remind_days"] = strconv.Itoa(agreements.DefaultRemindDays)
	h.render(w, r, http.StatusOK, v, "agreement_new", &agreementPage{Action: "/agreements/new", Chosen: map[string]bool{}})
}

// readAgreement reads the agreement form into v.Form and the input.
func readAgreement(r *http.Request, v *web.View) (agreements.Input, map[string]bool) {
	for _, k := range []string{"title", "scope", "status", "signed_on", "renew_on", "remind_days", "outside"} {
		v.Form[k] = r.PostFormValue(k)
	}
	chosen := map[string]bool{}
	for _, id := range r.PostForm["orgs"] {
		chosen[id] = true
	}
	return agreements.Input{Title: v.Form["title"], Scope: v.Form["scope"], Status: v.Form["status"], SignedOn: v.Form["signed_on"],
		RenewOn: v.Form["renew_on"], RemindDays: v.Form["remind_days"], OrgIDs: r.PostForm["orgs"], Outside: v.Form["outside"]}, chosen
}

// create records an agreement.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.new_title")
	p := &agreementPage{Action: "/agreements/new", Chosen: map[string]bool{}}
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.render(w, r, status, v, "agreement_new", p) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	in, chosen := readAgreement(r, v)
	p.Chosen = chosen
	a, err := h.agreements.Create(r.Context(), page.Actor(r), in)
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/agreements/"+a.ID+"?done=saved", http.StatusSeeOther)
}
