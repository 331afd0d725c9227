package sitechecksui_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// ownWorkbook is an XLSForm with an item mapped to an indicator; indicator
// is written into that item's row (row 2).
func ownWorkbook(t *testing.T, version, indicator string) []byte {
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
		"survey": {{"type", "name", "label", "indicator", "severity"},
			{"select_one yn", "papers_kept", "Does the employer keep the passports?", indicator, "critical"},
			{"integer", "workers_met", "Workers met", "", ""}},
		"choices":  {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
		"settings": {{"form_title", "form_id", "version"}, {"Our cleaning check", "our_check", version}},
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
	return buf.Bytes()
}

// upload posts file as the field "file" of a multipart form.
func upload(t *testing.T, env *apptest.Env, u apptest.User, path string, file []byte, want int, lang string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile("file", "our-check.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	mw.Close()
	res, text := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: u.Cookie + "; lang=" + lang,
		Body: body.String(), CType: mw.FormDataContentType()})
	if res.StatusCode != want {
		t.Fatalf("upload to %s: status %d, want %d\n%s", path, res.StatusCode, want, text)
	}
	return res, text
}

// TestSiteCheckAnswersAndOwnForms: the officer corrects a check's answers
// on their own page (a finding with a corrective action is kept and says
// so), imports an own questionnaire (a bad one refused with the row
// named, in English and German, nothing stored) and records a check on it.
func TestSiteCheckAnswersAndOwnForms(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			officer := env.User("procurement", access.ProcurementOfficer, city)
			coordinator := env.User("coordinator", access.Coordinator, city)
			contract, site := contractWithSite(t, env, officer.Actor, "Cleaning of City Hall", "City Hall")

			res, _ := send(t, env, officer, http.MethodPost, "/procurement/sites/"+site+"/checks/new", checkForm(contract), http.StatusSeeOther)
			checkPath := strings.Split(res.Header.Get("Location"), "?")[0]
			_, body := send(t, env, officer, http.MethodGet, checkPath, nil, http.StatusOK)
			findingPath := "/procurement/check-findings/" + between(body, `href="/procurement/check-findings/`, `"`)
			send(t, env, officer, http.MethodPost, findingPath+"/actions", url.Values{"action": {"Return the documents"}, "owner": {"supplier"},
				"due_on": {"2026-02-20"}, "verification": {"Unannounced visit"}, "status": {"open"}, "verified_on": {""}}, http.StatusSeeOther)

			// The answers' page: the questionnaire with the answers given.
			_, body = send(t, env, officer, http.MethodGet, checkPath+"/answers", nil, http.StatusOK)
			if !strings.Contains(body, `value="yes" id="f-documents_held" checked`) {
				t.Errorf("the answers' page does not show the answers given")
			}
			send(t, env, coordinator, http.MethodGet, checkPath+"/answers", nil, http.StatusForbidden)
			before := rows(t, env)
			bad := checkForm(contract)
			bad.Set("workers_spoken", "40")
			for lang, want := range map[string]string{"en": "No more than the workers present.", "de": "Nicht mehr als die anwesenden Beschäftigten."} {
				_, body = send(t, env, officer, http.MethodPost, checkPath+"/answers", bad, http.StatusUnprocessableEntity, lang)
				if !strings.Contains(body, want) {
					t.Errorf("%s: refused answers do not say %q", lang, want)
				}
			}
			if after := rows(t, env); after != before {
				t.Errorf("refused answers changed %s to %s", before, after)
			}
			// Both findings' signs are gone; the one with an action stays.
			fixed := checkForm(contract)
			fixed.Set("documents_held", "no")
			fixed.Set("no_day_off", "no")
			res, _ = send(t, env, officer, http.MethodPost, checkPath+"/answers", fixed, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); !strings.Contains(loc, "done=answers_withdrawn") {
				t.Errorf("after the edit: %s", loc)
			}
			for _, lang := range []string{"en", "de"} {
				_, body = send(t, env, officer, http.MethodGet, checkPath+"?done=answers_withdrawn", nil, http.StatusOK, lang)
				if strings.Count(body, `class="notice finding-withdrawn"`) != 1 || strings.Contains(body, "sitechecks.") {
					t.Errorf("%s: the check does not mark the one kept finding, or shows a key", lang)
				}
			}
			_, body = send(t, env, officer, http.MethodGet, checkPath, nil, http.StatusOK)
			if strings.Contains(between(body, `id="finding-list"`, `</ul>`), "no day off") {
				t.Errorf("the finding without action stayed")
			}

			// An own questionnaire: a bad one names its row, nothing stored.
			_, body = send(t, env, officer, http.MethodGet, "/procurement/check-forms", nil, http.StatusOK)
			if !strings.Contains(body, `enctype="multipart/form-data"`) {
				t.Errorf("the questionnaires page offers no import")
			}
			_, body = send(t, env, coordinator, http.MethodGet, "/procurement/check-forms", nil, http.StatusOK)
			if strings.Contains(body, `enctype="multipart/form-data"`) {
				t.Errorf("the coordinator is offered the import")
			}
			for lang, want := range map[string]string{"en": "survey, row 2: &#34;core.passports&#34; is not an indicator", "de": "survey, Zeile 2: „core.passports“ ist kein Indikator"} {
				_, body = upload(t, env, officer, "/procurement/check-forms", ownWorkbook(t, "1", "core.passports"), http.StatusUnprocessableEntity, lang)
				if !strings.Contains(body, want) {
					t.Errorf("%s: a bad workbook does not say %q", lang, want)
				}
			}
			_, body = send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks/new", nil, http.StatusOK)
			if strings.Contains(body, `id="form-choice"`) {
				t.Errorf("a refused workbook shows up as a choice")
			}
			res, _ = upload(t, env, officer, "/procurement/check-forms", ownWorkbook(t, "1", "core.documents_held"), http.StatusSeeOther, "en")
			_, body = send(t, env, officer, http.MethodGet, res.Header.Get("Location"), nil, http.StatusOK)
			if !strings.Contains(body, "Our cleaning check") || !strings.Contains(body, "1 item") {
				t.Errorf("the imported questionnaire is not listed")
			}
			_, body = send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks/new", nil, http.StatusOK)
			// The second option, after the shipped questionnaire.
			sel := between(body, `id="form-choice"`, `</form>`)
			_, rest, _ := strings.Cut(sel, `<option value="`)
			_, rest, _ = strings.Cut(rest, `<option value="`)
			formID, _, _ := strings.Cut(rest, `"`)
			if formID == "" {
				t.Fatalf("the check form offers no choice of questionnaire:\n%s", sel)
			}
			_, body = send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks/new?form="+formID, nil, http.StatusOK)
			if !strings.Contains(body, `name="papers_kept"`) || !strings.Contains(body, `name="form" value="`+formID+`"`) {
				t.Errorf("the chosen questionnaire is not the one asked")
			}
			send(t, env, officer, http.MethodGet, "/procurement/sites/"+site+"/checks/new?form=nope", nil, http.StatusUnprocessableEntity)
			own := url.Values{"contract_id": {contract}, "checked_on": {"2026-01-16"}, "inspectors": {"Two officers"}, "organisation": {"City"},
				"form": {formID}, "papers_kept": {"yes"}, "workers_met": {"3"}}
			res, _ = send(t, env, officer, http.MethodPost, "/procurement/sites/"+site+"/checks/new", own, http.StatusSeeOther)
			_, body = send(t, env, officer, http.MethodGet, strings.Split(res.Header.Get("Location"), "?")[0], nil, http.StatusOK)
			for _, want := range []string{"Does the employer keep the passports?", `id="check-screen"`, "Our cleaning check, version 1"} {
				if !strings.Contains(body, want) {
					t.Errorf("the check on the own questionnaire lacks %q", want)
				}
			}
		})
	}
}
