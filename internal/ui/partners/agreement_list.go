package partnersui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
)

// listPage is every agreement, with today's date to mark renewals due.
type listPage struct {
	Agreements []agreements.Agreement
	Today      string
	CanManage  bool
}

// list shows the agreements: parties, status and renewal date, a renewal
// whose reminder has come highlighted.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.title")
	list, err := h.agreements.List(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = listPage{Agreements: list, Today: h.agreements.Today(), CanManage: access.Can(page.Actor(r), access.ManageAgreements)}
	h.kit.Render(w, r, http.StatusOK, "agreement_list", v)
}
