package sitechecks_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// workbook builds an XLSForm: the survey rows under the header type,
// name, label, indicator, severity; yes/no choices; the settings.
func workbook(t *testing.T, formID, version string, survey [][]string) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	sheets := map[string][][]string{
		"survey":   append([][]string{{"type", "name", "label", "indicator", "severity"}}, survey...),
		"choices":  {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
		"settings": {{"form_title", "form_id", "version"}, {"Cleaning contractor check", formID, version}},
	}
	for _, name := range []string{"survey", "choices", "settings"} {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			r := make([]any, len(row))
			for j, v := range row {
				r[j] = v
			}
			if err := wb.SetSheetRow(name, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := wb.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	buf, err := wb.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var ownSurvey = [][]string{
	{"integer", "workers_met", "How many workers did you meet?", "", ""},
	{"select_one yn", "papers_kept", "Does the employer keep the workers' passports?", "core.documents_held", "critical"},
	{"select_one yn", "no_rest", "Did workers have no day off this week?", "work.excessive_hours", "high"},
	{"select_one yn", "no_notice", "Is the notice of workers' rights missing?", "", "low"},
}

// TestImportOwnQuestionnaire: the procurement officer imports a check
// questionnaire whose items name indicators of the screening catalogue; a
// check answered on it derives findings from those items and opens a
// screening with their indicators answered; a bad workbook is refused
// with an error naming the row, and nothing is stored.
func TestImportOwnQuestionnaire(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		count := func() int {
			all, _, err := f.svc.Forms(ctx, f.officer)
			if err != nil {
				t.Fatal(err)
			}
			return len(all)
		}

		// Refused, with nothing stored.
		bad := append([][]string{}, ownSurvey...)
		bad[2] = []string{"select_one yn", "no_rest", "No day off?", "work.no_such_indicator", "high"}
		for name, tc := range map[string]struct {
			file []byte
			key  string
			row  int
		}{
			"unknown indicator": {workbook(t, "own_check", "1", bad), "sitechecks.error.import.unknown_indicator", 4},
			"severity":          {workbook(t, "own_check", "1", [][]string{ownSurvey[0], {"select_one yn", "x", "X?", "core.debt", "grave"}}), "sitechecks.error.import.severity", 3},
			"not yes/no":        {workbook(t, "own_check", "1", [][]string{{"integer", "n", "N?", "core.debt", "high"}}), "sitechecks.error.import.not_yes_no", 2},
			"no indicator":      {workbook(t, "own_check", "1", [][]string{ownSurvey[0], ownSurvey[3]}), "sitechecks.error.import.no_indicators", 0},
			"shipped id":        {workbook(t, sitechecks.Questionnaire().ID, "9", ownSurvey), "sitechecks.error.import.shipped_id", 0},
			"not a workbook":    {[]byte("type,name\ninteger,n\n"), "forms.error.not_xlsx", 0},
			"engine refusal":    {workbook(t, "own_check", "1", [][]string{{"select_one nolist", "p", "P?", "core.debt", "high"}}), "forms.error.missing_list", 2},
		} {
			_, err := f.svc.ImportForm(ctx, f.officer, "own.xlsx", bytes.NewReader(tc.file))
			e := apperr.As(err)
			if e.Code != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Key != tc.key {
				t.Errorf("%s: %v, want %s", name, err, tc.key)
				continue
			}
			if row, _ := e.Fields[0].Args["row"].(int); tc.row != 0 && row != tc.row {
				t.Errorf("%s: row %d, want %d", name, row, tc.row)
			}
		}
		if _, err := f.svc.ImportForm(ctx, f.other, "own.xlsx", bytes.NewReader(workbook(t, "own_check", "1", ownSurvey))); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a case worker imports: %v, want forbidden", err)
		}
		if n := count(); n != 1 {
			t.Fatalf("after refusals %d questionnaires, want the shipped one only", n)
		}

		own, err := f.svc.ImportForm(ctx, f.officer, "own.xlsx", bytes.NewReader(workbook(t, "own_check", "1", ownSurvey)))
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if own.FormID != "own_check" || own.Version != "1" || len(own.Items) != 3 {
			t.Fatalf("imported %+v", own)
		}
		if _, err := f.svc.ImportForm(ctx, f.officer, "own.xlsx", bytes.NewReader(workbook(t, "own_check", "1", ownSurvey))); apperr.As(err).Fields[0].Key != "sitechecks.error.import.version_taken" {
			t.Errorf("same version again: %v", err)
		}
		v2, err := f.svc.ImportForm(ctx, f.officer, "own-2.xlsx", bytes.NewReader(workbook(t, "own_check", "2", ownSurvey[:3])))
		if err != nil {
			t.Fatalf("import version 2: %v", err)
		}
		all, current, err := f.svc.Forms(ctx, f.officer)
		if err != nil || len(all) != 3 || len(current) != 2 || current[1].ID != v2.ID {
			t.Fatalf("forms: %d all, %d current (%v)", len(all), len(current), err)
		}
		if _, _, err := f.svc.Record(ctx, f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.site, CheckedOn: "2027-03-09",
			Inspectors: "Two officers", Organisation: "City", Form: "no-such-form"}, url.Values{}, "en"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown form: %v, want invalid", err)
		}

		// A check on version 1: findings from its items, a screening
		// with their indicators.
		c, _, err := f.svc.Record(ctx, f.officer, sitechecks.CheckInput{ContractID: f.contract, SiteID: f.site, CheckedOn: "2027-03-09",
			Inspectors: "Two officers", Organisation: "City", Form: own.ID},
			url.Values{"workers_met": {"3"}, "papers_kept": {"yes"}, "no_rest": {"no"}, "no_notice": {"yes"}}, "en")
		if err != nil {
			t.Fatalf("record on the own form: %v", err)
		}
		if c.FormID != "own_check" || c.FormVersion != "1" || c.Findings != 2 || c.Critical != 1 || !c.SignsAboutWorkers() {
			t.Fatalf("check: form %s/%s, %d findings, %d critical, signs %v", c.FormID, c.FormVersion, c.Findings, c.Critical, c.SignsAboutWorkers())
		}
		if got := c.FindingList[0].Description; got != "Does the employer keep the workers' passports?" {
			t.Errorf("finding text %q, want the item's label", got)
		}
		sc, err := f.svc.StartScreening(ctx, f.officer, c.ID)
		if err != nil {
			t.Fatalf("screen: %v", err)
		}
		if len(sc.Answers) != 2 || sc.Answers["core.documents_held"] != screening.Yes || sc.Answers["core.does_work"] != screening.Yes {
			t.Errorf("screening answers %v", sc.Answers)
		}
		if p, ok := sc.Prefilled("core.documents_held"); !ok || p.Kind != "site_check" || p.ID != c.ID || p.On != "2027-03-09" {
			t.Errorf("pre-filled mark %+v, %v", p, ok)
		}
		// Its answers are corrected on the form they were given on.
		ed, _, err := f.svc.EditAnswers(ctx, f.officer, c.ID, url.Values{"workers_met": {"3"}, "papers_kept": {"yes"}, "no_rest": {"yes"}, "no_notice": {"no"}}, "en")
		if err != nil || ed != (sitechecks.AnswersEdit{Added: 1, Removed: 1}) {
			t.Errorf("edit on the own form: %+v, %v", ed, err)
		}
	})
}
