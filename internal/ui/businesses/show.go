package businessesui

import (
	"net/http"

	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type showPage struct {
	businesses.Record
	SectorName string
	Kinds      []web.Option
	Today      string
}

func (h *Handler) renderShow(w http.ResponseWriter, r *http.Request, status int, v *web.View, b businesses.Record) {
	p := showPage{Record: b, SectorName: sectorName(r, b.Sector), Kinds: []web.Option{{Value: "", LabelKey: "businesses.choose"}}}
	for _, k := range businesses.CommitmentKinds() {
		p.Kinds = append(p.Kinds, web.Option{Value: k, LabelKey: "businesses.commitment." + k})
	}
	p.Today = h.businesses.Today()
	v.Data = p
	h.kit.Render(w, r, status, "businesses_show", v)
}

// show is a business with its commitments, the form for another and a
// follow-up form for each.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	b, err := h.businesses.Get(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "businesses.show_title")
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = v.P.T("businesses.done_created")
	case "commitment":
		v.Notice = v.P.T("businesses.done_commitment")
	case "followed":
		v.Notice = v.P.T("businesses.done_followed")
	}
	h.renderShow(w, r, http.StatusOK, v, b)
}

// commit records a commitment of the business.
func (h *Handler) commit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	b, err := h.businesses.Get(r.Context(), page.Actor(r), id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "businesses.show_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, b) })
		return
	}
	for _, k := range []string{"kind", "made_on", "note", "follow_up_on"} {
		v.Form[k] = r.PostFormValue(k)
	}
	if _, err := h.businesses.AddCommitment(r.Context(), page.Actor(r), id, businesses.CommitmentInput{Kind: v.Form["kind"],
		MadeOn: v.Form["made_on"], Note: v.Form["note"], FollowUpOn: v.Form["follow_up_on"]}); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, b) })
		return
	}
	http.Redirect(w, r, "/businesses/"+id+"?done=commitment", http.StatusSeeOther)
}

// followUp records that a commitment was followed up today, with the next
// date if any.
func (h *Handler) followUp(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	c, err := h.businesses.FollowedUp(r.Context(), page.Actor(r), r.PathValue("id"), r.PostFormValue("next_follow_up_on"))
	if err != nil {
		// The form names its business so that a refused date is shown
		// on the business's page, next to the commitment.
		b, gerr := h.businesses.Get(r.Context(), page.Actor(r), r.PostFormValue("business"))
		if gerr != nil {
			h.kit.Fail(w, r, err)
			return
		}
		v := h.kit.View(r, "businesses.show_title")
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, b) })
		return
	}
	http.Redirect(w, r, "/businesses/"+c.BusinessID+"?done=followed", http.StatusSeeOther)
}
