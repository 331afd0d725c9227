package partnersui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
)

// contactGroup is one organisation's contact persons.
type contactGroup struct {
	OrgID    string
	OrgName  string
	Kind     accounts.OrgKind
	Contacts []agreements.Contact
}

type contactsPage struct {
	Groups    []contactGroup
	CanManage bool
}

// contacts lists the named contact persons by organisation; the read is
// audited by the service.
func (h *Handler) contacts(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "contacts.title")
	list, err := h.agreements.Contacts(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Notice = v.P.T("contacts.saved")
	case "removed":
		v.Notice = v.P.T("contacts.removed")
	}
	var groups []contactGroup
	for _, c := range list {
		if n := len(groups); n == 0 || groups[n-1].OrgID != c.OrgID {
			groups = append(groups, contactGroup{OrgID: c.OrgID, OrgName: c.OrgName, Kind: c.OrgKind})
		}
		g := &groups[len(groups)-1]
		g.Contacts = append(g.Contacts, c)
	}
	v.Data = contactsPage{Groups: groups, CanManage: access.Can(page.Actor(r), access.ManageAgreements)}
	h.kit.Render(w, r, http.StatusOK, "contact_list", v)
}
