// Package procurementui serves the municipality's procurement due
// diligence (issue 13, items 1 and 2): the contract list with risk, status
// and review dates and its CSV and XLSX exports; a contract with its PPN
// 02/23 rating, chain, sites, risk list hits and what it lacks before
// award; suppliers; sites; and the risk list imports. The procurement
// officer keeps them, the coordinator reads them. The rules are in package
// procurement; the site checks (package sitechecks, its own pages) are
// linked at /procurement/contracts/{id}/checks and
// /procurement/sites/{id}/checks.
package procurementui

import (
	"embed"
	"io/fs"
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the procurement pages.
type Handler struct {
	kit    *page.Kit
	svc    *procurement.Service
	tables *siteTables
}

// New returns the area's handler.
func New(kit *page.Kit, s *procurement.Service) *Handler {
	return &Handler{kit: kit, svc: s, tables: &siteTables{}}
}

// Routes is the area's route table.
func (h *Handler) Routes() []page.Route {
	view, manage := access.ViewProcurement, access.ManageProcurement
	return []page.Route{
		{Pattern: "GET /procurement", Gate: page.SignedIn, Action: view, Handler: h.list},
		{Pattern: "GET /procurement/contracts.csv", Gate: page.SignedIn, Action: view, Handler: h.exportCSV},
		{Pattern: "GET /procurement/contracts.xlsx", Gate: page.SignedIn, Action: view, Handler: h.exportXLSX},
		{Pattern: "GET /procurement/contracts/new", Gate: page.SignedIn, Action: manage, Handler: h.showNew},
		{Pattern: "POST /procurement/contracts/new", Gate: page.SignedIn, Action: manage, Handler: h.create},
		{Pattern: "GET /procurement/contracts/{id}", Gate: page.SignedIn, Action: view, Handler: h.show},
		{Pattern: "GET /procurement/contracts/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.showEdit},
		{Pattern: "POST /procurement/contracts/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.update},
		{Pattern: "GET /procurement/contracts/{id}/rating", Gate: page.SignedIn, Action: manage, Handler: h.rating},
		{Pattern: "POST /procurement/contracts/{id}/rating", Gate: page.SignedIn, Action: manage, Handler: h.rate},
		{Pattern: "POST /procurement/contracts/{id}/status", Gate: page.SignedIn, Action: manage, Handler: h.status},
		{Pattern: "GET /procurement/contracts/{id}/end", Gate: page.SignedIn, Action: manage, Handler: h.ask(h.ending)},
		{Pattern: "POST /procurement/contracts/{id}/chain", Gate: page.SignedIn, Action: manage, Handler: h.declareChain},
		{Pattern: "GET /procurement/contracts/{id}/subcontracts/new", Gate: page.SignedIn, Action: manage, Handler: h.showNewSubcontract},
		{Pattern: "POST /procurement/contracts/{id}/subcontracts", Gate: page.SignedIn, Action: manage, Handler: h.addSubcontract},
		{Pattern: "GET /procurement/contracts/{id}/subcontracts/{sub}/remove", Gate: page.SignedIn, Action: manage, Handler: h.ask(h.subcontractRemoval)},
		{Pattern: "POST /procurement/contracts/{id}/subcontracts/{sub}/remove", Gate: page.SignedIn, Action: manage, Handler: h.confirm(h.subcontractRemoval, h.removeSubcontract)},
		{Pattern: "GET /procurement/contracts/{id}/sites/new", Gate: page.SignedIn, Action: manage, Handler: h.showNewSite},
		{Pattern: "POST /procurement/contracts/{id}/sites/new", Gate: page.SignedIn, Action: manage, Handler: h.createSite},
		{Pattern: "GET /procurement/sites/{id}", Gate: page.SignedIn, Action: view, Handler: h.showSite},
		{Pattern: "GET /procurement/sites/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.showEditSite},
		{Pattern: "POST /procurement/sites/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.updateSite},
		{Pattern: "GET /procurement/sites/{id}/remove", Gate: page.SignedIn, Action: manage, Handler: h.ask(h.siteRemoval)},
		{Pattern: "POST /procurement/sites/{id}/remove", Gate: page.SignedIn, Action: manage, Handler: h.confirm(h.siteRemoval, h.removeSite)},
		{Pattern: "GET /procurement/suppliers", Gate: page.SignedIn, Action: view, Handler: h.suppliers},
		{Pattern: "GET /procurement/suppliers/new", Gate: page.SignedIn, Action: manage, Handler: h.showNewSupplier},
		{Pattern: "POST /procurement/suppliers/new", Gate: page.SignedIn, Action: manage, Handler: h.createSupplier},
		{Pattern: "GET /procurement/suppliers/{id}", Gate: page.SignedIn, Action: view, Handler: h.showSupplier},
		{Pattern: "GET /procurement/suppliers/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.showEditSupplier},
		{Pattern: "POST /procurement/suppliers/{id}/edit", Gate: page.SignedIn, Action: manage, Handler: h.updateSupplier},
		{Pattern: "GET /procurement/risk-lists", Gate: page.SignedIn, Action: view, Handler: h.riskLists},
		{Pattern: "POST /procurement/risk-lists/tvpra", Gate: page.SignedIn, Action: manage, Handler: h.importTVPRA},
		{Pattern: "POST /procurement/risk-lists/operator", Gate: page.SignedIn, Action: manage, Handler: h.importOperator},
	}
}

// TakesFiles reports the risk list uploads, which set their own limit
// (procurement.MaxListFile) above the site-wide one. Only those two exact
// paths.
func (h *Handler) TakesFiles(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/procurement/risk-lists/tvpra" || r.URL.Path == "/procurement/risk-lists/operator")
}

//go:embed templates/*.html
var templates embed.FS

// Pages are the area's templates.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

func canManage(r *http.Request) bool { return access.Can(page.Actor(r), access.ManageProcurement) }

// keyOptions are choices labelled by message keys prefix+value, after a
// "choose" option.
func keyOptions(prefix string, values []string) []web.Option {
	out := []web.Option{{Value: "", LabelKey: "procurement.choose"}}
	for _, v := range values {
		out = append(out, web.Option{Value: v, LabelKey: prefix + v})
	}
	return out
}

// supplierOptions are the suppliers as choices, after a "choose" option.
func (h *Handler) supplierOptions(r *http.Request) ([]web.Option, error) {
	list, err := h.svc.Suppliers(r.Context(), page.Actor(r))
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "", LabelKey: "procurement.choose"}}
	for _, s := range list {
		out = append(out, web.Option{Value: s.ID, Label: s.LegalName + " (" + s.Country + ")"})
	}
	return out, nil
}

// checked reads a checkbox.
func checked(r *http.Request, name string) bool { return r.PostFormValue(name) == "1" }

func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}
