package intelligenceui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/ui/page"
)

type listPage struct {
	// Reads is true for a police contact point, who sees the Inbox.
	Reads bool
	Inbox []intelligence.Entry
	Mine  []intelligence.Entry
	Names names
}

// list is the submitter's own submissions with their status and, for a
// police contact point, every entry.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	actor := page.Actor(r)
	p := listPage{Reads: access.Can(actor, access.ReadIntelligence)}
	var err error
	if p.Reads {
		if p.Inbox, err = h.intelligence.Inbox(r.Context(), actor); err != nil {
			h.kit.Fail(w, r, err)
			return
		}
	}
	if p.Mine, err = h.intelligence.Mine(r.Context(), actor); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if _, _, p.Names, err = h.options(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "intelligence.title")
	if r.URL.Query().Get("done") == "submitted" {
		v.Notice = v.P.T("intelligence.done_submitted")
	}
	v.Data = p
	h.kit.Render(w, r, http.StatusOK, "intelligence_list", v)
}
