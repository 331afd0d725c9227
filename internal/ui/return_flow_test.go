package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// longTermCase opens a case of organisation A, with consent, at long-term
// assistance: the stage a return is recorded from.
func longTermCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := consentedCase(t, f)
	for _, st := range []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection, cases.LongTerm} {
		if _, err := f.env.App.Cases.MoveStage(context.Background(), f.staff[access.CaseWorker].Actor, id, st, ""); err != nil {
			t.Fatalf("move to %s: %v", st, err)
		}
	}
	return id
}

// returnForm is a valid return of an adult, as the return page posts it.
func returnForm() url.Values {
	return url.Values{"country": {"RO"}, "place": {"Iași"}, "receiver": {"Open Door Iași"}, "receiver_contact": {"+40 0000 0000"},
		"risk_level": {"medium"}, "risk_assessed_on": {dayToday()}, "consent_written": {"1"}, "consent_on": {dayToday()},
		"consent_language": {"ro"}, "consent_on_file": {"1"}, "consent_given_by": {"person"}, "travel_on": {dayToday()}}
}

// plannedReturnCase opens a long-term case with its return recorded.
func plannedReturnCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := longTermCase(t, f)
	if _, err := f.env.App.Returns.Save(context.Background(), f.staff[access.CaseWorker].Actor, id, returns.Plan{Country: "RO",
		Place: "Iași", Receiver: "Open Door", ReceiverContact: "phone", RiskLevel: "low", RiskAssessedOn: dayToday(), ConsentWritten: true,
		ConsentOn: dayToday(), ConsentLanguage: "ro", ConsentGivenBy: "person", TravelOn: dayToday()}); err != nil {
		t.Fatalf("save return: %v", err)
	}
	return id
}

// followUpCase opens a case with a return and a follow-up, named {followup}.
func followUpCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := plannedReturnCase(t, f)
	fu, err := f.env.App.Returns.PlanFollowUp(context.Background(), f.staff[access.CaseWorker].Actor, id, dayToday())
	if err != nil {
		t.Fatalf("plan follow-up: %v", err)
	}
	f.params["followup"] = fu.ID
	return id
}

// missingChildCase opens a child's case reported missing an hour ago,
// named {missing}.
func missingChildCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := childCase(t, f)
	m, err := f.env.App.Children.ReportMissing(context.Background(), f.staff[access.CaseWorker].Actor, id,
		children.MissingInput{Since: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatalf("report missing: %v", err)
	}
	f.params["missing"] = m.ID
	return id
}

// localTime is a time as a datetime-local input sends it.
func localTime(t time.Time) string { return t.In(time.Local).Format("2006-01-02T15:04") }

// TestReturnFlow walks the return tab as a case worker without JavaScript:
// the destination country's note beside the return risk, a return refused
// without written consent (translated, nothing stored), the return
// recorded, the reception confirmed and the next move proposed, not made.
func TestReturnFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			ctx := context.Background()
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
			de := env.App.Catalog.For("de")
			id := longTermCase(t, f)
			page := "/cases/" + id + "/return"
			send := func(cookie, method, path string, form url.Values, lang string, want int) string {
				t.Helper()
				req := apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form}
				if lang != "" {
					req.Header = map[string]string{"Accept-Language": lang}
				}
				res, body := env.Exchange(t, req)
				if res.StatusCode != want {
					t.Fatalf("%s %s: status %d, want %d", method, path, res.StatusCode, want)
				}
				return body
			}
			// The country note, written by the coordinator; an unknown country refused.
			body := send(coordinator, http.MethodPost, "/countries/XX", url.Values{"risks": {"x"}, "sources": {"y"}}, "de", http.StatusUnprocessableEntity)
			if !strings.Contains(body, html.EscapeString(de.T("error.return.country"))) {
				t.Error("an unknown country is not refused with the translated message")
			}
			send(coordinator, http.MethodPost, "/countries/ro", url.Values{"risks": {"Recruiters wait at the bus station."},
				"services": {"Reintegration shelter"}, "sources": {"Partner visit"}}, "", http.StatusSeeOther)
			if body := send(worker, http.MethodGet, "/countries", nil, "", http.StatusOK); !strings.Contains(body, `href="/countries/RO"`) {
				t.Error("the list of countries lacks Romania")
			}

			body = send(worker, http.MethodGet, "/cases/"+id, nil, "", http.StatusOK)
			if !strings.Contains(body, `href="`+page+`"`) {
				t.Error("a case in long-term assistance has no return tab")
			}
			body = send(worker, http.MethodGet, page, nil, "", http.StatusOK)
			for _, want := range []string{`id="return-country-note"`, "Recruiters wait at the bus station.", `name="consent_written"`, `id="f-country" name="country"`} {
				if !strings.Contains(body, want) {
					t.Errorf("return page lacks %q", want)
				}
			}

			// Without the written consent: translated, nothing stored.
			form := returnForm()
			form.Del("consent_written")
			body = send(worker, http.MethodPost, page, form, "de", http.StatusUnprocessableEntity)
			if !strings.Contains(body, html.EscapeString(de.T("error.return.consent_written"))) {
				t.Error("a return without written consent is not refused with the German message")
			}
			if body := send(worker, http.MethodGet, page, nil, "", http.StatusOK); strings.Contains(body, `id="return-record"`) {
				t.Fatal("a refused return was stored")
			}

			send(worker, http.MethodPost, page, returnForm(), "", http.StatusSeeOther)
			body = send(worker, http.MethodGet, page, nil, "", http.StatusOK)
			if !strings.Contains(body, `id="return-record"`) || !strings.Contains(body, "Open Door Iași") || !strings.Contains(body, `id="return-reception-submit"`) {
				t.Fatal("the return is not shown with the reception form")
			}
			send(worker, http.MethodPost, page+"/reception", url.Values{"received_at": {"tomorrow"}, "received_by": {"x"}}, "", http.StatusUnprocessableEntity)
			send(worker, http.MethodPost, page+"/reception", url.Values{"received_at": {localTime(time.Now().Add(-time.Minute))},
				"received_by": {"Open Door Iași, duty officer"}}, "", http.StatusSeeOther)
			body = send(worker, http.MethodGet, page, nil, "", http.StatusOK)
			if !strings.Contains(body, "Open Door Iași, duty officer") || !strings.Contains(body, `id="return-propose"`) ||
				!strings.Contains(body, `name="stage" value="voluntary_return"`) || strings.Contains(body, `id="return-save-submit"`) {
				t.Error("after the reception the page should show it, propose the return stage and no longer offer changes")
			}
			a, err := env.App.Cases.Get(ctx, f.staff[access.CaseWorker].Actor, id)
			if err != nil || a.Case.Stage != cases.LongTerm {
				t.Errorf("the case moved by itself to %s (%v)", a.Case.Stage, err)
			}
			// The proposal, taken: the case moves; then a follow-up is planned.
			send(worker, http.MethodPost, "/cases/"+id+"/stage", url.Values{"stage": {"voluntary_return"}, "reason": {cases.PersonAskedReturn}}, "", http.StatusSeeOther)
			send(worker, http.MethodPost, page+"/followups", url.Values{"due_on": {dayToday()}}, "", http.StatusSeeOther)
			if body := send(worker, http.MethodGet, page, nil, "", http.StatusOK); !strings.Contains(body, `id="followup-`) {
				t.Error("the follow-up is not listed")
			}
			if n := countRows(t, env, `SELECT COUNT(*) FROM case_deadlines WHERE case_id = $1 AND kind = 'return_followup'`, id); n != 1 {
				t.Errorf("follow-up deadlines = %d, want 1", n)
			}
		})
	}
}

func countRows(t *testing.T, env *apptest.Env, q string, args ...any) (n int) {
	t.Helper()
	if err := env.App.DB.Read(context.Background(), func(tx *storage.Tx) error { return tx.QueryRowContext(context.Background(), q, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInformedAndMissingFlow records what the person was informed of on the
// consent tab, and a child reported missing and handed over on the child tab.
func TestInformedAndMissingFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			send := func(method, path string, form url.Values, want int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: worker, Form: form})
				if res.StatusCode != want {
					t.Fatalf("%s %s: status %d, want %d", method, path, res.StatusCode, want)
				}
				return body
			}
			id := freshCase(t, f)
			consent := "/cases/" + id + "/consent"
			send(http.MethodPost, "/cases/"+id+"/informed", url.Values{"topic": {"weather"}, "informed_on": {dayToday()},
				"informed_language": {"ro"}, "informed_by": {"Kim"}}, http.StatusUnprocessableEntity)
			send(http.MethodPost, "/cases/"+id+"/informed", url.Values{"topic": {"rights"}, "informed_on": {dayToday()},
				"informed_language": {"ro"}, "informed_interpreter": {"1"}, "informed_by": {"Kim, case worker"}}, http.StatusSeeOther)
			if body := send(http.MethodGet, consent, nil, http.StatusOK); !strings.Contains(body, `id="informed-list"`) || !strings.Contains(body, "Kim, case worker") {
				t.Error("the consent tab does not list what the person was informed of")
			}

			child := childCase(t, f)
			tab := "/cases/" + child + "/child"
			send(http.MethodPost, tab+"/missing", url.Values{"since": {localTime(time.Now().Add(time.Hour))}}, http.StatusUnprocessableEntity)
			if n := countRows(t, env, `SELECT COUNT(*) FROM child_missing WHERE case_id = $1`, child); n != 0 {
				t.Fatalf("a refused report was stored")
			}
			since := time.Now().Add(-2 * time.Hour)
			send(http.MethodPost, tab+"/missing", url.Values{"since": {localTime(since)}, "police_at": {localTime(since.Add(20 * time.Minute))},
				"police_to": {"Missing persons unit"}, "police_ref": {"VM-7"}}, http.StatusSeeOther)
			body := send(http.MethodGet, tab, nil, http.StatusOK)
			if !strings.Contains(body, `id="missing-clock"`) || !strings.Contains(body, "VM-7") || !strings.Contains(body, `name="hotline_by"`) {
				t.Fatal("the child tab does not show the missing child with its clock and the steps left")
			}
			var missingID string
			if err := env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT id FROM child_missing WHERE case_id = $1`, child).Scan(&missingID)
			}); err != nil {
				t.Fatal(err)
			}
			send(http.MethodPost, tab+"/missing/"+missingID, url.Values{"hotline_at": {localTime(since.Add(30 * time.Minute))}, "hotline_by": {"Guardian"}}, http.StatusSeeOther)
			body = send(http.MethodGet, "/cases/"+child+"/timeline", nil, http.StatusOK)
			en := env.App.Catalog.For("en")
			for _, k := range []string{"event.child_missing", "event.child_missing_police", "event.child_missing_hotline"} {
				if !strings.Contains(body, html.EscapeString(en.T(k))) {
					t.Errorf("timeline lacks %s", k)
				}
			}
		})
	}
}
