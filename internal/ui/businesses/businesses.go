// Package businessesui serves the pages of the businesses and sector
// associations engaged and their commitments (internal/businesses).
package businessesui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the area.
type Handler struct {
	kit        *page.Kit
	businesses *businesses.Service
	accounts   *accounts.Service
}

// New returns the area's handler; accounts lists the contact
// organisations a form offers.
func New(kit *page.Kit, b *businesses.Service, acc *accounts.Service) *Handler {
	return &Handler{kit: kit, businesses: b, accounts: acc}
}

// Routes is the area's route table: the coordinator and the procurement
// officer keep the records.
func (h *Handler) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /businesses", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.list},
		{Pattern: "GET /businesses.csv", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.exportCSV},
		{Pattern: "GET /businesses.xlsx", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.exportXLSX},
		{Pattern: "GET /businesses/new", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.form},
		{Pattern: "POST /businesses/new", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.create},
		{Pattern: "GET /businesses/{id}", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.show},
		{Pattern: "POST /businesses/{id}/commitments", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.commit},
		{Pattern: "POST /businesses/commitments/{id}/follow-up", Gate: page.SignedIn, Action: access.ManageBusinesses, Handler: h.followUp},
	}
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates, named businesses_*.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// sectors are the mapping's sectors in the page's language, after an
// option labelled by firstKey.
func sectors(r *http.Request, firstKey string) []web.Option {
	out := []web.Option{{Value: "", LabelKey: firstKey}}
	for _, c := range mapping.ShippedChoices("labour_exploitation", "sector") {
		out = append(out, web.Option{Value: c.Name, Label: mapping.In(c.Label, web.Printer(r).Lang())})
	}
	return out
}

// sectorName is a sector's label in the page's language.
func sectorName(r *http.Request, code string) string {
	for _, o := range sectors(r, "") {
		if o.Value == code && code != "" {
			return o.Label
		}
	}
	return code
}
