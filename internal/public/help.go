package public

import (
	"net/http"

	"waymark.city/waymark/internal/accounts"
)

// helpPage is what help.html receives.
type helpPage struct {
	// Hotlines are the partnership's active help lines with a number.
	Hotlines []accounts.Contact
	// Unavailable is set when the directory could not be read; the page
	// still shows 112 and 116 000.
	Unavailable bool
}

// Help is the page a visitor without a session finds at the root: what to
// do in danger, the local help lines, the line for a missing child, the
// person's rights and the way to report. The staff page table mounts it at
// "/" (ui.Home), as the root is the staff dashboard once signed in. Like
// every public page it reads nothing about the visitor and stores nothing.
func (h *Handler) Help(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "public.help.title")
	v.NoBanner = true
	page := &helpPage{}
	if h.hotlines != nil {
		list, err := h.hotlines(r.Context())
		if err != nil {
			// The emergency numbers are worth more than an error page.
			h.log.Error("public help page: list hotlines", "err", err)
			page.Unavailable = true
		}
		page.Hotlines = list
	}
	v.Data = page
	h.render(w, r, http.StatusOK, "help", v)
}
