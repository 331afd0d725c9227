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
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/storage"
)

// legalDay is today plus offset days, YYYY-MM-DD (UTC).
func legalDay(offset int) string {
	return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly)
}

// legalReflectingCase opens a case of organisation A and moves it into the
// reflection and recovery period, which starts it.
func legalReflectingCase(t *testing.T, f *fixture) string {
	t.Helper()
	c := newCase(t, f, false)
	for _, st := range []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection} {
		if _, err := f.env.App.Cases.MoveStage(context.Background(), f.staff[access.CaseWorker].Actor, c.ID, st, ""); err != nil {
			t.Fatalf("move case to %s: %v", st, err)
		}
	}
	return c.ID
}

// legalPermitCase opens a case of organisation A with one granted permit,
// number 1.
func legalPermitCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	_, err := f.env.App.LegalStatus.AddPermit(context.Background(), f.staff[access.CaseWorker].Actor, id, legalstatus.PermitInput{
		Type: "temporary_victim_permit", Status: "granted", Start: legalDay(0), Expiry: legalDay(180), Reference: "R-77", Authority: "Residence office"})
	if err != nil {
		t.Fatalf("add permit: %v", err)
	}
	return id
}

// legalFullCase is a case in its reflection period with one record of
// every kind, so the legal tab shows every section.
func legalFullCase(t *testing.T, f *fixture) string {
	t.Helper()
	ctx, who := context.Background(), f.staff[access.CaseWorker].Actor
	id := legalReflectingCase(t, f)
	svc := f.env.App.LegalStatus
	if _, err := svc.ExtendReflection(ctx, who, id, legalstatus.ReflectionInput{End: legalDay(100), Reason: "health"}); err != nil {
		t.Fatalf("extend: %v", err)
	}
	if _, err := svc.AddPermit(ctx, who, id, legalstatus.PermitInput{Type: "reflection_period_permit", Status: "granted", Start: legalDay(0),
		Expiry: legalDay(90), Reference: "R-1"}); err != nil {
		t.Fatalf("permit: %v", err)
	}
	if _, err := svc.SaveAsylum(ctx, who, id, legalstatus.AsylumInput{Status: "applied", AppliedOn: legalDay(-5)}); err != nil {
		t.Fatalf("asylum: %v", err)
	}
	if _, err := svc.SaveProceeding(ctx, who, id, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "undecided",
		NextHearing: legalDay(30)}); err != nil {
		t.Fatalf("proceeding: %v", err)
	}
	if _, err := svc.SaveCompensation(ctx, who, id, legalstatus.CompensationInput{Type: "labour_claim", Status: "filed", Claimed: "2400"}); err != nil {
		t.Fatalf("compensation: %v", err)
	}
	return id
}

// TestLegalFlow: A's case worker follows a person's legal status on the
// case's legal tab: the reflection period and its extension (never a
// shortening), a permit with its renewal, criminal proceedings with the
// person's choice; bad input is refused with a translated message and
// changes nothing; other organisations see nothing and read-only roles get
// no forms.
func TestLegalFlow(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
	id := legalReflectingCase(t, f)
	base := "/cases/" + id + "/legal"
	en := env.App.Catalog.For("en")

	get := func(cookie, path string, status int, lang string) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie, Header: map[string]string{"Accept-Language": lang}})
		if res.StatusCode != status {
			t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
		}
		return body
	}
	post := func(cookie, path string, form url.Values, status int, lang string) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: cookie, Form: form,
			Header: map[string]string{"Accept-Language": lang}})
		if res.StatusCode != status {
			t.Fatalf("POST %s: status %d, want %d", path, res.StatusCode, status)
		}
		if status == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), base+"?saved=1#") {
			t.Errorf("POST %s went to %q", path, res.Header.Get("Location"))
		}
		return body
	}
	contains := func(body string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
	}

	page := get(worker, base, http.StatusOK, "en")
	end := legalDay(cases.DefaultReflectionDays)
	contains(page, `id="no-removal"`, `datetime="`+end+`"`, html.EscapeString(en.T("legalstatus.unconditional_title")),
		`action="`+base+`/reflection"`, `id="permit-form"`, `id="proceeding-form"`)

	// Shortening is refused, in the reader's language, and changes nothing.
	body := post(worker, base+"/reflection", url.Values{"reflection_end": {legalDay(30)}, "reflection_reason": {"safety"}},
		http.StatusUnprocessableEntity, "de")
	de := env.App.Catalog.For("de")
	contains(body, html.EscapeString(de.T("legalstatus.error.reflection_not_later", "end", end)), `aria-invalid="true"`, `href="#f-reflection_end"`)
	post(worker, base+"/reflection", url.Values{"reflection_end": {legalDay(150)}, "reflection_reason": {"identification_pending"}}, http.StatusSeeOther, "en")
	page = get(worker, base, http.StatusOK, "en")
	contains(page, `datetime="`+legalDay(150)+`"`, html.EscapeString(en.T("legalstatus.reason.identification_pending")))

	// A permit that ends before it starts is refused.
	body = post(worker, base+"/permits", url.Values{"permit_type": {"temporary_victim_permit"}, "permit_status": {"granted"},
		"permit_start": {legalDay(10)}, "permit_expiry": {legalDay(5)}}, http.StatusUnprocessableEntity, "en")
	contains(body, html.EscapeString(en.T("legalstatus.error.expiry_before_start")), `value="`+legalDay(5)+`"`)
	post(worker, base+"/permits", url.Values{"permit_type": {"temporary_victim_permit"}, "permit_status": {"granted"},
		"permit_start": {legalDay(0)}, "permit_expiry": {legalDay(180)}, "permit_reference": {"W-123/26"}, "permit_authority": {"Migration office"}},
		http.StatusSeeOther, "en")
	page = get(worker, base, http.StatusOK, "en")
	contains(page, "W-123/26", "Migration office", `?permit=1&amp;do=renew#permit-form`, `<th scope="col">`)

	// Off the case team, the reference number stays hidden.
	coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
	page = get(coordinator, base, http.StatusOK, "en")
	if strings.Contains(page, "W-123/26") {
		t.Error("a coordinator off the case team sees the permit's reference number")
	}
	contains(page, html.EscapeString(en.T("legalstatus.reference_team_only")))

	// Renewal: the form is pre-filled; the new permit names the old one.
	page = get(worker, base+"?permit=1&do=renew", http.StatusOK, "en")
	contains(page, `name="do" value="renew"`, `action="`+base+`/permits/1"`)
	post(worker, base+"/permits/1", url.Values{"do": {"renew"}, "permit_status": {"granted"}, "permit_start": {legalDay(180)},
		"permit_expiry": {legalDay(545)}}, http.StatusSeeOther, "en")
	page = get(worker, base, http.StatusOK, "en")
	contains(page, html.EscapeString(en.T("legalstatus.renews", "number", 1)), html.EscapeString(en.T("legalstatus.renewed_by", "number", 2)))
	body = post(worker, base+"/permits/1", url.Values{"do": {"renew"}, "permit_status": {"granted"}, "permit_start": {legalDay(180)},
		"permit_expiry": {legalDay(300)}}, http.StatusConflict, "en")
	contains(body, html.EscapeString(en.T("legalstatus.error.permit_already_renewed")))
	post(worker, base+"/permits/9", url.Values{"do": {"update"}, "permit_status": {"refused"}}, http.StatusNotFound, "en")

	// Proceedings: the person's choice shows on the tab and nowhere in the history.
	post(worker, base+"/proceedings", url.Values{"proceeding_role": {"injured_party"}, "proceeding_stage": {"investigation"},
		"proceeding_cooperation": {"declines"}, "proceeding_next_hearing": {legalDay(20)}}, http.StatusSeeOther, "en")
	body = post(worker, base+"/proceedings", url.Values{"proceeding_role": {"suspect"}, "proceeding_stage": {"trial"},
		"proceeding_cooperation": {"declines"}}, http.StatusUnprocessableEntity, "en")
	contains(body, html.EscapeString(en.T("legalstatus.error.choose")))
	page = get(worker, base+"?proceeding=1", http.StatusOK, "en")
	contains(page, html.EscapeString(en.T("legalstatus.cooperation.declines")), `name="proceeding_number" value="1"`,
		html.EscapeString(en.T("legalstatus.event.legal_proceeding_recorded", "number", 1)))

	// Other organisations see nothing; a read-only role gets no forms.
	get(env.Session(t, f.outsider.ID, true), base, http.StatusNotFound, "en")
	post(env.Session(t, f.outsider.ID, true), base+"/asylum", url.Values{"asylum_status": {"intends_to_apply"}}, http.StatusNotFound, "en")
	police := env.Session(t, f.staff[access.PoliceContact].ID, true)
	page = get(police, base, http.StatusOK, "en")
	if strings.Contains(page, `id="permit-form"`) || strings.Contains(page, "?permit=1") {
		t.Error("a police contact, who may not manage cases, is offered the forms")
	}
	post(police, base+"/asylum", url.Values{"asylum_status": {"intends_to_apply"}}, http.StatusForbidden, "en")

	// A closed case takes no changes.
	if _, err := env.App.Cases.MoveStage(context.Background(), f.staff[access.CaseWorker].Actor, id, cases.Closed, "person_declined"); err != nil {
		t.Fatalf("close: %v", err)
	}
	body = post(worker, base+"/compensation", url.Values{"compensation_type": {"civil"}, "compensation_status": {"planned"}}, http.StatusConflict, "en")
	contains(body, html.EscapeString(en.T("error.case_closed")))
	if strings.Contains(body, `id="compensation-form"`) {
		t.Error("a closed case's legal tab offers forms")
	}
}
