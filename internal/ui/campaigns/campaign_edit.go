package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
)

// editForm changes a campaign's audience, period, channels and call to
// action.
func (h *Handler) editForm(w http.ResponseWriter, r *http.Request) {
	c, err := h.campaigns.Campaign(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "campaigns.edit_title")
	h.renderForm(w, r, http.StatusOK, v, c.ID, fill(v, c))
}

// update saves the campaign form.
func (h *Handler) update(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := h.kit.View(r, "campaigns.edit_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	in := input(r, v)
	if _, err := h.campaigns.Update(r.Context(), page.Actor(r), id, in); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, id, in) })
		return
	}
	http.Redirect(w, r, "/campaigns/"+id+"?done=updated", http.StatusSeeOther)
}
