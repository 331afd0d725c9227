package ui_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/storage/storagetest"
)

// The procurement routes (ui/procurement) in the route walk.
func init() {
	pageCases["GET /procurement"] = pageCase{}
	pageCases["GET /procurement/contracts.csv"] = pageCase{}
	pageCases["GET /procurement/contracts.xlsx"] = pageCase{}
	pageCases["GET /procurement/contracts/new"] = pageCase{}
	pageCases["POST /procurement/contracts/new"] = pageCase{id: walkProcSupplier, form: procContractForm}
	pageCases["GET /procurement/contracts/{id}"] = pageCase{id: walkProcContract}
	pageCases["GET /procurement/contracts/{id}/edit"] = pageCase{id: walkProcContract}
	pageCases["POST /procurement/contracts/{id}/edit"] = pageCase{id: walkProcContract, form: procContractForm}
	pageCases["GET /procurement/contracts/{id}/rating"] = pageCase{id: walkProcContract}
	pageCases["POST /procurement/contracts/{id}/rating"] = pageCase{id: walkProcContract, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		v := url.Values{}
		for _, c := range procurement.Characteristics() {
			v.Set("level_"+c, "medium")
			v.Set("reason_"+c, "Seen in the tender documents")
		}
		return v
	}}
	pageCases["POST /procurement/contracts/{id}/status"] = pageCase{id: walkProcRatedContract, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"status": {"awarded"}}
	}}
	pageCases["POST /procurement/contracts/{id}/chain"] = pageCase{id: walkProcContract, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"chain": {"none"}}
	}}
	pageCases["POST /procurement/contracts/{id}/subcontracts"] = pageCase{id: walkProcContract, form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		parent := procLast.supplier
		return url.Values{"parent_id": {parent}, "supplier_id": {walkProcSupplier(t, f)}}
	}}
	pageCases["GET /procurement/contracts/{id}/subcontracts/new"] = pageCase{id: walkProcContract}
	pageCases["GET /procurement/contracts/{id}/subcontracts/{sub}/remove"] = pageCase{id: walkProcSubcontract}
	pageCases["POST /procurement/contracts/{id}/subcontracts/{sub}/remove"] = pageCase{id: walkProcSubcontract, form: procNoForm}
	pageCases["GET /procurement/contracts/{id}/end"] = pageCase{id: walkProcContract}
	pageCases["GET /procurement/sites/{id}/remove"] = pageCase{id: walkProcSite}
	pageCases["POST /procurement/sites/{id}/remove"] = pageCase{id: walkProcSite, form: procNoForm}
	pageCases["GET /procurement/contracts/{id}/sites/new"] = pageCase{id: walkProcContract}
	pageCases["POST /procurement/contracts/{id}/sites/new"] = pageCase{id: walkProcContract, form: procSiteForm}
	pageCases["GET /procurement/sites/{id}"] = pageCase{id: walkProcSite}
	pageCases["GET /procurement/sites/{id}/edit"] = pageCase{id: walkProcSite}
	pageCases["POST /procurement/sites/{id}/edit"] = pageCase{id: walkProcSite, form: procSiteForm}
	pageCases["GET /procurement/suppliers"] = pageCase{}
	pageCases["GET /procurement/suppliers/new"] = pageCase{}
	pageCases["POST /procurement/suppliers/new"] = pageCase{form: procSupplierForm}
	pageCases["GET /procurement/suppliers/{id}"] = pageCase{id: walkProcSupplier}
	pageCases["GET /procurement/suppliers/{id}/edit"] = pageCase{id: walkProcSupplier}
	pageCases["POST /procurement/suppliers/{id}/edit"] = pageCase{id: walkProcSupplier, form: procSupplierForm}
	pageCases["GET /procurement/risk-lists"] = pageCase{}
	pageCases["POST /procurement/risk-lists/tvpra"] = pageCase{file: "file", form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"file": {"Country,Good,Child Labor,Forced Labor\nMalaysia,Gloves,,X\n"}, "edition_on": {dayFromToday(-1)}}
	}}
	pageCases["POST /procurement/risk-lists/operator"] = pageCase{file: "file", form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"file": {"commodity,country,level,note\nCleaning services,,medium,Night work\n"}, "edition_on": {dayFromToday(0)},
			"source": {"Our risk notes"}}
	}}
}

// procLast is the supplier of the contract, or of the site, the walk made
// last, for the forms that must name it.
var procLast struct{ supplier string }

func procOfficer(f *fixture) access.Actor { return f.staff[access.ProcurementOfficer].Actor }

// walkProcSupplier records a supplier in Austria.
func walkProcSupplier(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.env.App.Procurement.CreateSupplier(context.Background(), procOfficer(f), procurement.SupplierInput{
		LegalName: f.unique("Brightline Cleaning"), Country: "AT", Statement: "no"})
	if err != nil {
		t.Fatalf("create supplier: %v", err)
	}
	procLast.supplier = s.ID
	return s.ID
}

// walkProcContract records a draft cleaning contract with its supplier.
func walkProcContract(t *testing.T, f *fixture) string {
	t.Helper()
	supplierID := walkProcSupplier(t, f)
	c, err := f.env.App.Procurement.CreateContract(context.Background(), procOfficer(f), procurement.ContractInput{
		Authority: "City of Example", Subject: f.unique("Office cleaning"), CPV: "90910000-9", Value: "1000", Currency: "EUR",
		StartsOn: dayFromToday(0), EndsOn: dayFromToday(365), SupplierID: supplierID, Goods: "Gloves"})
	if err != nil {
		t.Fatalf("create contract: %v", err)
	}
	return c.ID
}

// walkProcSubcontract is a contract whose supplier subcontracts to another;
// the subcontract goes to the walk's {sub}.
func walkProcSubcontract(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkProcContract(t, f)
	holder := procLast.supplier
	k, err := f.env.App.Procurement.AddSubcontract(context.Background(), procOfficer(f), id, holder, walkProcSupplier(t, f))
	if err != nil {
		t.Fatalf("add subcontract: %v", err)
	}
	f.params["sub"] = k.ID
	return id
}

func lowRatings() []procurement.Rating {
	var ratings []procurement.Rating
	for _, c := range procurement.Characteristics() {
		ratings = append(ratings, procurement.Rating{Characteristic: c, Level: procurement.Low, Reason: "Office supplies"})
	}
	return ratings
}

// walkProcRatedContract is a draft contract rated low, ready for award.
func walkProcRatedContract(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkProcContract(t, f)
	if _, err := f.env.App.Procurement.Rate(context.Background(), procOfficer(f), id, lowRatings()); err != nil {
		t.Fatalf("rate contract: %v", err)
	}
	return id
}

// walkProcSite records a site of a new contract, run by its supplier.
func walkProcSite(t *testing.T, f *fixture) string {
	t.Helper()
	contractID := walkProcContract(t, f)
	s, err := f.env.App.Procurement.CreateSite(context.Background(), procOfficer(f), contractID, procurement.SiteInput{
		SupplierID: procLast.supplier, Name: f.unique("Town Hall"), Address: "1 Main Square", Country: "AT", Type: "premises", Workers: "14"})
	if err != nil {
		t.Fatalf("create site: %v", err)
	}
	return s.ID
}

// procNoForm is the empty form of a confirmation page's button.
func procNoForm(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }

func procContractForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"authority": {"City of Example"}, "subject": {f.unique("Office cleaning")}, "cpv": {"90910000-9"},
		"value": {"184000.50"}, "currency": {"EUR"}, "starts_on": {dayFromToday(0)}, "ends_on": {dayFromToday(30)},
		"supplier_id": {procLast.supplier}, "goods": {"Gloves"}, "social_clause": {"1"}, "review_on": {dayFromToday(20)}, "remind_days": {"30"}}
}

func procSiteForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"supplier_id": {procLast.supplier}, "name": {f.unique("City Hall")}, "address": {"1 Main Square"}, "country": {"AT"},
		"type": {"premises"}, "workers": {"14"}, "migrant_share": {"80"}, "agency_share": {"100"}, "labour_provider": {"FlexStaff"}}
}

func procSupplierForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"legal_name": {f.unique("FlexStaff SRL")}, "country": {"RO"}, "sector": {"Agency"}, "statement": {"yes"},
		"statement_year": {"2025"}, "statement_board": {"1"}}
}

// A procurement officer rates a contract high through the page; the award
// is refused with what is missing, in English and in German; bad input
// shows a translated error and changes nothing; the exports download.
func TestProcurementPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			officer := f.staff[access.ProcurementOfficer]
			id := walkProcContract(t, f)
			post := func(path string, form url.Values, lang string) (*http.Response, string) {
				req := apptest.Request{Method: http.MethodPost, Path: path, Cookie: f.env.Session(t, officer.ID, true), Form: form}
				if lang != "" {
					req.Header = map[string]string{"Accept-Language": lang}
				}
				return f.env.Exchange(t, req)
			}
			rating := url.Values{}
			for _, c := range procurement.Characteristics() {
				rating.Set("level_"+c, "low")
				rating.Set("reason_"+c, "Checked")
			}
			rating.Set("level_workforce", "high")
			rating.Set("reason_workforce", "")
			before := f.env.Fingerprint(t)
			res, body := post("/procurement/contracts/"+id+"/rating", rating, "")
			if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Give the reason for this level") {
				t.Fatalf("rating without a reason: %d", res.StatusCode)
			}
			if !strings.Contains(body, `action="/procurement/contracts/`+id+`/rating"`) || !strings.Contains(body, `value="Checked"`) && !strings.Contains(body, ">Checked</textarea>") {
				t.Errorf("a refused rating does not show its own form again with what was entered")
			}
			res, body = post("/procurement/contracts/"+id+"/edit", url.Values{"authority": {"City"}, "subject": {"Cleaning"}, "cpv": {"12345678-9"},
				"value": {"1"}, "currency": {"EUR"}, "starts_on": {dayFromToday(5)}, "ends_on": {dayFromToday(1)}, "supplier_id": {procLast.supplier}}, "de")
			if !strings.Contains(body, "Der Auftrag kann nicht enden, bevor er beginnt.") || !strings.Contains(body, "Das ist kein CPV-Code") {
				t.Fatalf("bad contract in German: %d\n%s", res.StatusCode, body)
			}
			if after := f.env.Fingerprint(t); after != before {
				t.Fatal("refused forms changed the database")
			}
			rating.Set("reason_workforce", "Agency workers on night shifts")
			if res, _ := post("/procurement/contracts/"+id+"/rating", rating, ""); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("rate: %d", res.StatusCode)
			}
			res, body = post("/procurement/contracts/"+id+"/status", url.Values{"status": {"awarded"}}, "")
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("award: %d", res.StatusCode)
			}
			for _, want := range []string{"This high-risk contract cannot be awarded", "the subcontractor chain", "at least one site"} {
				if !strings.Contains(body, want) {
					t.Errorf("award refusal lacks %q", want)
				}
			}
			_, body = post("/procurement/contracts/"+id+"/status", url.Values{"status": {"awarded"}}, "de")
			if !strings.Contains(body, "Dieser Auftrag mit hohem Risiko kann erst vergeben werden") || !strings.Contains(body, "mindestens ein Einsatzort") {
				t.Errorf("German award refusal:\n%s", body)
			}
			show, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/procurement/contracts/" + id, Cookie: officer.Cookie})
			if show.StatusCode != http.StatusOK || !strings.Contains(body, `id="missing"`) || !strings.Contains(body, "/procurement/contracts/"+id+"/checks") {
				t.Fatalf("contract page: %d", show.StatusCode)
			}

			before = f.env.Fingerprint(t)
			upload, ctype := multipartBody(t, url.Values{"file": {"Country,Good,Child Labor\nMalaysia,Gloves,\n"}, "edition_on": {dayFromToday(0)}}, "file")
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/procurement/risk-lists/tvpra",
				Cookie: f.env.Session(t, officer.ID, true), Body: upload, CType: ctype})
			if res.StatusCode < 400 || !strings.Contains(body, "The file has no column Forced Labor; nothing was imported.") {
				t.Fatalf("TVPRA without a column: %d", res.StatusCode)
			}
			if after := f.env.Fingerprint(t); after != before {
				t.Fatal("refused import changed the database")
			}

			coord := f.staff[access.Coordinator]
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/procurement/contracts.csv", Cookie: coord.Cookie})
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "90910000-9,Cleaning services") {
				t.Fatalf("CSV: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
			res, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/procurement/contracts.xlsx", Cookie: coord.Cookie})
			wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
			if res.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("XLSX: %d, %v", res.StatusCode, err)
			}
			defer wb.Close()
			if rows, err := wb.GetRows(wb.GetSheetName(0)); err != nil || len(rows) < 2 {
				t.Fatalf("XLSX rows: %v, %v", rows, err)
			}
		})
	}
}

// The officer removes a subcontractor and a site through their
// confirmation pages; a removal the rules refuse shows why on the same
// page, in German, and changes nothing; the contract page lays its site
// table out again when a site goes.
func TestProcurementRemovalPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			officer := f.staff[access.ProcurementOfficer]
			ctx := context.Background()
			id := walkProcSubcontract(t, f)
			sub, subSupplier := f.params["sub"], procLast.supplier
			site, err := f.env.App.Procurement.CreateSite(ctx, procOfficer(f), id, procurement.SiteInput{SupplierID: subSupplier,
				Name: "Night shift depot", Address: "4 Quay Street", Country: "AT", Type: "warehouse"})
			if err != nil {
				t.Fatal(err)
			}
			get := func(path string) (*http.Response, string) {
				return f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: officer.Cookie})
			}
			post := func(path, lang string) (*http.Response, string) {
				req := apptest.Request{Method: http.MethodPost, Path: path, Cookie: f.env.Session(t, officer.ID, true), Form: url.Values{}}
				if lang != "" {
					req.Header = map[string]string{"Accept-Language": lang}
				}
				return f.env.Exchange(t, req)
			}
			if _, body := get("/procurement/contracts/" + id); !strings.Contains(body, "Night shift depot") ||
				!strings.Contains(body, "/procurement/contracts/"+id+"/subcontracts/"+sub+"/remove") {
				t.Fatalf("contract page lacks the site or the remove link:\n%s", body)
			}
			removeSub := "/procurement/contracts/" + id + "/subcontracts/" + sub + "/remove"
			if res, body := get(removeSub); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="confirm"`) ||
				!strings.Contains(body, "<title>Remove Brightline Cleaning") {
				t.Fatalf("confirmation page: %d\n%s", res.StatusCode, body)
			}
			before := f.env.Fingerprint(t)
			res, body := post(removeSub, "de")
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Dieses Unternehmen betreibt Einsatzorte dieses Auftrags") {
				t.Fatalf("refused removal: %d\n%s", res.StatusCode, body)
			}
			if f.env.Fingerprint(t) != before {
				t.Fatal("a refused removal changed the database")
			}
			if res, _ := post("/procurement/sites/"+site.ID+"/remove", ""); res.StatusCode != http.StatusSeeOther ||
				res.Header.Get("Location") != "/procurement/contracts/"+id+"?done=site_removed#sites" {
				t.Fatalf("remove site: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			if _, body := get("/procurement/contracts/" + id + "?done=site_removed"); strings.Contains(body, "Night shift depot") ||
				!strings.Contains(body, "The site was removed from the contract.") {
				t.Fatalf("contract page after the site went:\n%s", body)
			}
			if res, _ := post(removeSub, ""); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("remove subcontract: %d", res.StatusCode)
			}
			if res, _ := get(removeSub); res.StatusCode != http.StatusNotFound {
				t.Errorf("the removed subcontract's page: %d, want 404", res.StatusCode)
			}
			// Ending asks first; the page then says the contract has ended
			// instead of offering an award.
			if _, body := get("/procurement/contracts/" + id + "/end"); !strings.Contains(body, `name="status" value="ended"`) {
				t.Fatalf("end confirmation:\n%s", body)
			}
			if _, err := f.env.App.Procurement.Rate(ctx, procOfficer(f), id, lowRatings()); err != nil {
				t.Fatal(err)
			}
			if err := f.env.App.Procurement.SetStatus(ctx, procOfficer(f), id, procurement.Awarded); err != nil {
				t.Fatal(err)
			}
			if res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/procurement/contracts/" + id + "/status",
				Cookie: f.env.Session(t, officer.ID, true), Form: url.Values{"status": {"ended"}}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("end: %d", res.StatusCode)
			}
			if _, body := get("/procurement/contracts/" + id); !strings.Contains(body, `id="award-state"`) || strings.Contains(body, "can be awarded") {
				t.Errorf("an ended contract's page still offers the award")
			}

			// A supplier recorded from the subcontractor form comes back to it, chosen.
			res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/procurement/suppliers/new?for=" + id,
				Cookie: f.env.Session(t, officer.ID, true), Form: procSupplierForm(t, f, nil)})
			back := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back, "/procurement/contracts/"+id+"/subcontracts/new?supplier=") {
				t.Fatalf("supplier for a chain: %d %s", res.StatusCode, back)
			}
			if _, body := get(back); !strings.Contains(body, "you can now choose it") || !strings.Contains(body, `" selected`) {
				t.Errorf("the subcontractor form after the new supplier:\n%s", body)
			}
		})
	}
}

// The procurement officer's menu leads to procurement, and their overview
// lists the contracts whose review is due.
func TestProcurementOfficerOverview(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			officer := f.staff[access.ProcurementOfficer]
			supplierID := walkProcSupplier(t, f)
			c, err := f.env.App.Procurement.CreateContract(context.Background(), procOfficer(f), procurement.ContractInput{
				Authority: "City of Example", Subject: "Night cleaning of the library", CPV: "90910000-9", Value: "1000", Currency: "EUR",
				StartsOn: dayFromToday(-30), EndsOn: dayFromToday(365), SupplierID: supplierID, ReviewOn: dayFromToday(10), RemindDays: "30"})
			if err != nil {
				t.Fatal(err)
			}
			_, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: officer.Cookie})
			if !strings.Contains(body, `<a href="/procurement"`) || !strings.Contains(body, `id="procurement-reviews"`) ||
				!strings.Contains(body, `href="/procurement/contracts/`+c.ID+`">Night cleaning of the library`) {
				t.Fatalf("officer's overview lacks the procurement menu or the review due:\n%s", body)
			}
			_, body = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/", Cookie: f.staff[access.CaseWorker].Cookie})
			if strings.Contains(body, `id="procurement-reviews"`) || strings.Contains(body, `<a href="/procurement"`) {
				t.Errorf("a case worker's overview shows procurement")
			}
		})
	}
}
