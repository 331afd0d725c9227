package inspectionsui

import (
	"net/http"
	"slices"
	"strconv"

	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// siteRows is how many sites the planning form offers.
const siteRows = 3

type formPage struct {
	vocabulary
	Agencies []agency
	Sites    []siteRow
	// Register are the places of the mapping's locations register.
	Register []mappedPlace
}

type agency struct {
	ID, Name, Kind string
	Chosen         bool
}

type siteRow struct {
	Index                   int
	AddressField, TypeField string
}

// Number is the row's number as people count, from 1.
func (s siteRow) Number() int { return s.Index + 1 }

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, chosen []string) {
	voc, err := h.vocabulary(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := formPage{vocabulary: voc}
	if p.Register, err = h.register(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, o := range orgs {
		if o.DisabledAt == nil && slices.Contains(inspections.AgencyKinds, string(o.Kind)) {
			p.Agencies = append(p.Agencies, agency{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Chosen: slices.Contains(chosen, o.ID)})
		}
	}
	for i := range siteRows {
		n := strconv.Itoa(i)
		p.Sites = append(p.Sites, siteRow{Index: i, AddressField: "site_address_" + n, TypeField: "site_type_" + n})
	}
	v.Data = p
	h.kit.Render(w, r, status, "inspections_new", v)
}

// form plans an inspection; a kind of place, area and sector in the query
// (a link from the mapping's register) are filled in.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "inspections.new_title")
	q := r.URL.Query()
	for _, k := range []string{"location_type", "area", "sector"} {
		v.Form[k] = q.Get(k)
	}
	v.Form["site_type_0"] = q.Get("location_type")
	h.renderForm(w, r, http.StatusOK, v, nil)
}

// create plans it and shows it.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "inspections.new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, nil) })
		return
	}
	for k := range r.PostForm {
		v.Form[k] = r.PostFormValue(k)
	}
	in := inspections.Input{PlannedOn: v.Form["planned_on"], LocationType: v.Form["location_type"], AreaCode: v.Form["area"],
		Sector: v.Form["sector"], Agencies: r.PostForm["agencies"]}
	for i := range siteRows {
		n := strconv.Itoa(i)
		in.Sites = append(in.Sites, inspections.Site{Address: v.Form["site_address_"+n], Type: v.Form["site_type_"+n]})
	}
	ins, err := h.inspections.Plan(r.Context(), page.Actor(r), in)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, r.PostForm["agencies"]) })
		return
	}
	http.Redirect(w, r, "/inspections/"+ins.ID+"?done=planned", http.StatusSeeOther)
}
