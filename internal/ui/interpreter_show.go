package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/web"
)

// showInterpreter is an entry of the register with its coming bookings.
func (h *Handler) showInterpreter(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.title")
	switch r.URL.Query().Get("done") {
	case "created":
		v.Notice = v.P.T("interpreters.created")
	case "saved":
		v.Notice = v.P.T("interpreters.saved")
	}
	h.showEntry(w, r, http.StatusOK, v, nil, interpreters.Interpreter{})
}

// showEntry renders an entry; flags are the checkboxes of a form that
// failed (nil: the stored ones), revealed the entry with its contact.
func (h *Handler) showEntry(w http.ResponseWriter, r *http.Request, status int, v *web.View, flags map[string]bool, revealed interpreters.Interpreter) {
	e, err := h.interpreters.Get(r.Context(), actor(r), r.PathValue("interpreter"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if revealed.ID != "" {
		e.Interpreter = revealed
	}
	if flags == nil {
		flags = map[string]bool{"trafficking_trained": e.TraffickingTrained, "child_trained": e.ChildTrained, "active": e.Active}
		for k, val := range map[string]string{"name": e.Name, "languages": strings.Join(e.Languages, ", "), "kind": e.Kind,
			"confidentiality_on": e.ConfidentialityOn, "availability": e.Availability, "org": e.OrgID} {
			v.Form[k] = val
		}
	}
	h.renderInterpreter(w, r, status, v, &interpreterPage{Entry: &e, Action: "/interpreters/" + e.ID, Flags: flags})
}

// updateInterpreter changes an entry; an empty contact keeps the one on file.
func (h *Handler) updateInterpreter(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.edit_title")
	if err := parseForm(r); err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.showEntry(w, r, status, v, nil, interpreters.Interpreter{}) })
		return
	}
	in, flags := interpreterInput(r, v)
	id := r.PathValue("interpreter")
	if _, err := h.interpreters.Update(r.Context(), actor(r), id, in); err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.showEntry(w, r, status, v, flags, interpreters.Interpreter{}) })
		return
	}
	http.Redirect(w, r, "/interpreters/"+id+"?done=saved", http.StatusSeeOther)
}

// revealInterpreterContact shows the entry with its contact, for a user of
// an organisation that holds cases after a step-up (audited).
func (h *Handler) revealInterpreterContact(w http.ResponseWriter, r *http.Request) {
	it, err := h.interpreters.Contact(r.Context(), actor(r), r.PathValue("interpreter"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showEntry(w, r, http.StatusOK, h.view(r, "interpreters.title"), nil, it)
}
