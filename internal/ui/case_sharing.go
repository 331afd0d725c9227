package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type sharingPage struct {
	Nav        caseNav
	Shares     []cases.Share
	Orgs       []web.Option
	Kinds      []web.Option
	Categories []cases.Category
	HasConsent bool
	CanShare   bool
	// Unconsented names the organisation a task asked the share for
	// (?to=) when no current consent names it: the consent comes first.
	Unconsented string
}

// showSharing lists who the case is shared with or was offered to, and
// the form to share or transfer it within the consent given.
func (h *Handler) showSharing(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "sharing.title")
	v.Form["kind"] = cases.KindShare
	// A task's "offer the share" link names the partner and the categories
	// the task needs; the form is filled with them, and still checked
	// against the consent when sent.
	q := r.URL.Query()
	v.Form["to"] = q.Get("to")
	for _, c := range q["categories"] {
		v.Form["categories."+c] = "1"
	}
	h.renderSharing(w, r, http.StatusOK, v)
}

func (h *Handler) renderSharing(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a, shares, consents, err := h.cases.SharesOf(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := sharingPage{Nav: caseNavFor(v, a, "/sharing"), Shares: shares, Categories: cases.Shareable(),
		Kinds:    codeOptions("form.choose", "sharing.kind.", []string{cases.KindShare, cases.KindTransfer}),
		CanShare: a.MayChange(actor(r), access.ShareCases, cases.Profile)}
	// Only organisations some current sharing consent names are offered.
	named := map[string]bool{}
	now := time.Now().UTC()
	for _, k := range consents {
		if k.Current(now) && k.Covers(now, cases.PurposeSharing, "", nil) {
			page.HasConsent = true
			for _, o := range k.Orgs {
				named[o] = true
			}
		}
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Orgs = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, o := range orgs {
		if o.DisabledAt == nil && named[o.ID] && o.ID != a.Case.OrgID {
			page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
		if o.ID == v.Form["to"] && !named[o.ID] {
			page.Unconsented = o.Name
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "case_sharing", v)
}

// shareCase offers the case to another organisation.
func (h *Handler) shareCase(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "sharing.title")
	err := parseForm(r)
	if err == nil {
		v.Form["to"], v.Form["kind"] = r.PostFormValue("to"), r.PostFormValue("kind")
		for _, c := range r.PostForm["categories"] {
			v.Form["categories."+c] = "1"
		}
		_, err = h.cases.ShareCase(r.Context(), actor(r), r.PathValue("id"), cases.ShareInput{To: v.Form["to"], Kind: v.Form["kind"], Categories: r.PostForm["categories"]})
	}
	h.afterSharing(w, r, v, err)
}

// endShare withdraws a share.
func (h *Handler) endShare(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "sharing.title")
	err := parseForm(r)
	if err == nil {
		err = h.cases.EndShare(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("share"))
	}
	h.afterSharing(w, r, v, err)
}

func (h *Handler) afterSharing(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderSharing(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/sharing", http.StatusSeeOther)
}
