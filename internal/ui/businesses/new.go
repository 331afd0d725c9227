package businessesui

import (
	"net/http"

	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type formPage struct {
	Sectors, Kinds, Orgs []web.Option
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	p := formPage{Sectors: sectors(r, "businesses.choose")}
	for _, k := range businesses.Kinds() {
		p.Kinds = append(p.Kinds, web.Option{Value: k, LabelKey: "businesses.kind." + k})
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p.Orgs = []web.Option{{Value: "", LabelKey: "businesses.no_contact_org"}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			p.Orgs = append(p.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	v.Data = p
	h.kit.Render(w, r, status, "businesses_new", v)
}

// form records a business or association.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, h.kit.View(r, "businesses.new_title"))
}

// create records it and shows it.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "businesses.new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	for _, k := range []string{"name", "sector", "kind", "contact_org"} {
		v.Form[k] = r.PostFormValue(k)
	}
	b, err := h.businesses.Create(r.Context(), page.Actor(r), businesses.Input{Name: v.Form["name"], Sector: v.Form["sector"],
		Kind: v.Form["kind"], ContactOrgID: v.Form["contact_org"]})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/businesses/"+b.ID+"?done=created", http.StatusSeeOther)
}
