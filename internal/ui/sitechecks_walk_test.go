package ui_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
)

// The site checks' routes (ui/sitechecks) in the route walk: a contract
// with one site, checked once with signs about workers, a finding with a
// corrective action.
func init() {
	contract := func(t *testing.T, f *fixture) string { return walkSiteCheck(t, f).contract }
	site := func(t *testing.T, f *fixture) string { return walkSiteCheck(t, f).site }
	check := func(t *testing.T, f *fixture) string { return walkSiteCheck(t, f).check }
	finding := func(t *testing.T, f *fixture) string { return walkSiteCheck(t, f).finding }
	action := func(t *testing.T, f *fixture) string { return walkSiteCheck(t, f).action }
	actionForm := func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"action": {"Return the documents"}, "owner": {"supplier"}, "due_on": {"2026-02-01"},
			"verification": {"Unannounced visit"}, "status": {"open"}, "verified_on": {""}}
	}
	pageCases["GET /procurement/contracts/{id}/checks"] = pageCase{id: contract}
	pageCases["GET /procurement/contracts/{id}/checks/export.csv"] = pageCase{id: contract}
	pageCases["GET /procurement/contracts/{id}/checks/export.xlsx"] = pageCase{id: contract}
	pageCases["GET /procurement/sites/{id}/checks"] = pageCase{id: site}
	pageCases["GET /procurement/sites/{id}/checks/new"] = pageCase{id: site}
	pageCases["POST /procurement/sites/{id}/checks/new"] = pageCase{id: site, form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		v := walkCheckAnswers()
		v.Set("contract_id", walkSiteCheck(t, f).contract)
		v.Set("checked_on", "2026-01-15")
		v.Set("inspectors", "Two officers")
		v.Set("organisation", "City")
		return v
	}}
	pageCases["GET /procurement/checks/{id}"] = pageCase{id: check}
	pageCases["POST /procurement/checks/{id}/findings"] = pageCase{id: check, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"severity": {"medium"}, "description": {"No notice of workers' rights at the entrance."}}
	}}
	pageCases["POST /procurement/checks/{id}/screening"] = pageCase{id: check, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{}
	}}
	pageCases["GET /procurement/checks/{id}/answers"] = pageCase{id: check}
	pageCases["POST /procurement/checks/{id}/answers"] = pageCase{id: check, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return walkCheckAnswers()
	}}
	pageCases["GET /procurement/check-forms"] = pageCase{}
	pageCases["POST /procurement/check-forms"] = pageCase{file: "file", form: walkCheckForm}
	pageCases["GET /procurement/check-findings/{id}"] = pageCase{id: finding}
	pageCases["POST /procurement/check-findings/{id}"] = pageCase{id: finding, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"severity": {"critical"}, "description": {""}}
	}}
	pageCases["POST /procurement/check-findings/{id}/actions"] = pageCase{id: finding, form: actionForm}
	pageCases["GET /procurement/check-actions/{id}"] = pageCase{id: action}
	pageCases["POST /procurement/check-actions/{id}"] = pageCase{id: action, form: actionForm}
}

// walkCheckForm is a site-check XLSForm of a version not imported before,
// with one item mapped to an indicator.
func walkCheckForm(t *testing.T, f *fixture, _ *apptest.User) url.Values {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"choices", "settings"} {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	for sheet, rows := range map[string][][]string{
		"survey":   {{"type", "name", "label", "indicator", "severity"}, {"select_one yn", "papers_kept", "Passports kept?", "core.documents_held", "critical"}},
		"choices":  {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
		"settings": {{"form_id", "version"}, {"walk_check", f.unique("v")}},
	} {
		for i, row := range rows {
			if err := wb.SetSheetRow(sheet, "A"+string(rune('1'+i)), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return url.Values{"file": {buf.String()}}
}

// walkCheck is the walk's contract, site, check, finding and action.
type walkCheck struct{ contract, site, check, finding, action string }

var walkChecks = map[*fixture]walkCheck{}

func walkCheckAnswers() url.Values {
	return url.Values{"announced": {"unannounced"}, "public_premises": {"yes"}, "workers_present": {"9"}, "workers_spoken": {"4"},
		"spoken_apart": {"yes"}, "no_day_off": {"yes"}, "documents_held": {"yes"}}
}

// walkSiteCheck makes the walk's site check once per fixture, as the
// procurement officer.
func walkSiteCheck(t *testing.T, f *fixture) walkCheck {
	t.Helper()
	if w, ok := walkChecks[f]; ok {
		return w
	}
	ctx, officer := context.Background(), f.staff[access.ProcurementOfficer].Actor
	p := f.env.App.Procurement
	sup, err := p.CreateSupplier(ctx, officer, procurement.SupplierInput{LegalName: "Walk Cleaning Ltd", Country: "DE"})
	if err != nil {
		t.Fatalf("supplier: %v", err)
	}
	c, err := p.CreateContract(ctx, officer, procurement.ContractInput{Authority: "City", Subject: "Walk cleaning", CPV: "90910000-9",
		Value: "1000", Currency: "EUR", StartsOn: "2026-01-01", EndsOn: "2026-12-31", SupplierID: sup.ID})
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	s, err := p.CreateSite(ctx, officer, c.ID, procurement.SiteInput{SupplierID: sup.ID, Name: "Walk Hall", Address: "Square 1", Country: "DE", Type: "premises"})
	if err != nil {
		t.Fatalf("site: %v", err)
	}
	chk, _, err := f.env.App.SiteChecks.Record(ctx, officer, sitechecks.CheckInput{ContractID: c.ID, SiteID: s.ID, CheckedOn: "2026-01-15",
		Inspectors: "Two officers", Organisation: "City"}, walkCheckAnswers(), "en")
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	finding := chk.FindingList[0].ID
	if _, err := f.env.App.SiteChecks.AddAction(ctx, officer, finding, sitechecks.ActionInput{Action: "Return the documents", Owner: sitechecks.BySupplier,
		DueOn: "2026-02-01", Verification: "Unannounced visit", Status: sitechecks.Open}); err != nil {
		t.Fatalf("action: %v", err)
	}
	chk, err = f.env.App.SiteChecks.Check(ctx, officer, chk.ID)
	if err != nil {
		t.Fatalf("read check: %v", err)
	}
	w := walkCheck{contract: c.ID, site: s.ID, check: chk.ID, finding: finding, action: chk.FindingList[0].Actions[0].ID}
	walkChecks[f] = w
	return w
}
