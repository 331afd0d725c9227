// Package partnersui serves the partnership's agreements and the named
// contact persons of its organisations (issue 12, item 8): the
// coordinator records memoranda of cooperation, uploads the signed PDF and
// keeps the contact persons; every staff role that screens, refers or holds
// cases reads them. The rules are in package agreements.
package partnersui

import (
	"embed"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the agreements and contact persons.
type Handler struct {
	kit        *page.Kit
	agreements *agreements.Service
}

// New returns the area's handler.
func New(kit *page.Kit, s *agreements.Service) *Handler {
	return &Handler{kit: kit, agreements: s}
}

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /agreements", Gate: page.SignedIn, Action: access.ViewAgreements, Handler: h.list},
		{Pattern: "GET /agreements/new", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.showNew},
		{Pattern: "POST /agreements/new", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.create},
		{Pattern: "GET /agreements/{id}", Gate: page.SignedIn, Action: access.ViewAgreements, Handler: h.show},
		{Pattern: "POST /agreements/{id}", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.update},
		{Pattern: "POST /agreements/{id}/document", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.upload},
		{Pattern: "GET /agreements/{id}/document", Gate: page.SignedIn, Action: access.ViewAgreements, Handler: h.download},
		{Pattern: "GET /partners/contacts", Gate: page.SignedIn, Action: access.ViewAgreements, Handler: h.contacts},
		{Pattern: "GET /partners/contacts/new", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.showNewContact},
		{Pattern: "POST /partners/contacts/new", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.createContact},
		{Pattern: "GET /partners/contacts/{id}", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.showContact},
		{Pattern: "POST /partners/contacts/{id}", Gate: page.SignedIn, Action: access.ManageAgreements, Handler: h.changeContact},
	}
}

// TakesFiles reports the signed-document upload, POST
// /agreements/{id}/document, which sets its own limit
// (agreements.MaxDocument) above the site-wide one. Only that exact shape:
// another route must not escape the site-wide limit.
func (h *Handler) TakesFiles(r *http.Request) bool {
	parts := strings.Split(r.URL.Path, "/")
	return r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "" && parts[1] == "agreements" && parts[2] != "" && parts[3] == "document"
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// orgOptions are the partnership's active organisations as choices, and
// the disabled ones among keep (a party that signed before it left).
func (h *Handler) orgOptions(r *http.Request, keep []string) ([]web.Option, error) {
	orgs, err := h.agreements.Organisations(r.Context(), page.Actor(r))
	if err != nil {
		return nil, err
	}
	var out []web.Option
	for _, o := range orgs {
		if o.DisabledAt == nil || slices.Contains(keep, o.ID) {
			out = append(out, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	return out, nil
}
