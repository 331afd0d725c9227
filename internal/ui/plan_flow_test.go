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
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// walkProviderName names the shelter (without a Waymark organisation, so
// the referring worker records its answers) that the walk refers to.
const walkProviderName = "Walk shelter"

// walkProvider finds or creates the walk's shelter, with room to spare.
func walkProvider(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	var id string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id FROM service_providers WHERE name = $1`, walkProviderName).Scan(&id)
	})
	if err == nil {
		return id
	}
	p, err := f.env.App.Assistance.CreateProvider(ctx, f.staff[access.Coordinator].Actor, assistance.ProviderInput{
		Name: walkProviderName, Types: []string{"shelter"}, Languages: []string{"ro"}, Active: true, PlacesTotal: 1000})
	if err != nil {
		t.Fatalf("create walk provider: %v", err)
	}
	return p.ID
}

// walkProviderPath is the id function of the provider routes.
func walkProviderPath(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkProvider(t, f)
	f.params["provider"] = id
	return id
}

// referableCase opens a case of organisation A whose person consented to
// referrals to the walk's provider, outside Waymark, with their assistance
// data.
func referableCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := freshCase(t, f)
	recordReferralConsent(t, f, id, nil, walkProvider(t, f))
	return id
}

// recordReferralConsent records a consent to referrals to orgs and to the
// directory's providers.
func recordReferralConsent(t *testing.T, f *fixture, caseID string, orgs []string, providers ...string) {
	t.Helper()
	_, err := f.env.App.Cases.RecordConsent(context.Background(), f.staff[access.CaseWorker].Actor, caseID, cases.ConsentInput{
		Purposes: []string{cases.PurposeReferral}, Orgs: orgs, Providers: providers, Categories: []string{string(cases.Assistance)}, Language: "ro",
		Method: "written", GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)})
	if err != nil {
		t.Fatalf("record consent: %v", err)
	}
}

// planActivityCase opens a case with one activity and names it {activity}.
func planActivityCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := freshCase(t, f)
	a, err := f.env.App.Assistance.AddActivity(context.Background(), f.staff[access.CaseWorker].Actor, id,
		assistance.ActivityInput{Type: "safe_housing", ResponsibleOrg: f.orgA})
	if err != nil {
		t.Fatalf("add activity: %v", err)
	}
	f.params["activity"] = a.ID
	return id
}

// pendingReferralCase opens a consented case with a pending placement at
// the walk's shelter and names it {ref}.
func pendingReferralCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := referableCase(t, f)
	r, err := f.env.App.Assistance.Refer(context.Background(), f.staff[access.CaseWorker].Actor, id,
		assistance.ReferralInput{ProviderID: walkProvider(t, f), Services: []string{"shelter"}, Placement: true})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	f.params["ref"] = r.ID
	return id
}

// TestPlanFlow: a coordinator adds a shelter linked to organisation B; A's
// case worker records needs and an activity, is refused a referral without
// consent and a plan with its end before its start, then refers with
// consent; B finds the referral by case code only and accepts it, which
// takes the shelter's one place; ending it frees the place.
func TestPlanFlow(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	ctx := context.Background()
	en := env.App.Catalog.For("en")
	coord := env.Session(t, f.staff[access.Coordinator].ID, true)
	worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
	outsider := env.Session(t, f.outsider.ID, true)
	post := func(cookie, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: cookie, Form: form})
	}
	get := func(cookie, path string, want int) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
		if res.StatusCode != want {
			t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, want)
		}
		return body
	}
	has := func(body, key string, args ...any) bool {
		return strings.Contains(body, html.EscapeString(en.T(key, args...)))
	}

	// The coordinator adds a shelter with one place for women.
	res, body := post(coord, "/providers", url.Values{"name": {"Women's House"}, "types": {"shelter", "psychological"},
		"languages": {"ro, uk"}, "org": {f.orgB}, "active": {"1"}, "places_total": {"1"}, "places_external": {"0"},
		"place_gender": {"women"}, "place_age": {"adults"}, "phone": {"+43 1 555"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /providers: status %d\n%s", res.StatusCode, body)
	}
	providerPath := redirectPath(res)
	// A case worker may not.
	if res, _ := post(worker, "/providers", url.Values{"name": {"X"}, "types": {"medical"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("case worker adds a provider: status %d", res.StatusCode)
	}
	body = get(worker, "/providers?type=shelter&language=uk", http.StatusOK)
	if !strings.Contains(body, "Women&#39;s House") || !has(body, "provider.free", "free", 1, "total", 1) {
		t.Errorf("the directory does not list the shelter with its free place")
	}
	if body = get(worker, "/providers?type=legal_aid", http.StatusOK); !has(body, "provider.none") {
		t.Errorf("the type filter does not filter")
	}

	c := newCase(t, f, false)
	planPath := "/cases/" + c.ID + "/plan"
	body = get(worker, planPath, http.StatusOK)
	if !has(body, "plan.unconditional") || !strings.Contains(body, c.Code) {
		t.Errorf("the plan page lacks the case header or the note that assistance is unconditional")
	}
	res, _ = post(worker, planPath+"/needs", url.Values{"need": {"safety", "housing"}, "priority.safety": {"high"},
		"priority.housing": {"medium"}, "needs_note": {"Sister lives nearby."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save needs: status %d", res.StatusCode)
	}
	res, body = post(worker, planPath+"/activities", url.Values{"type": {"safe_housing"}, "responsible_org": {f.orgB},
		"planned_start": {"2031-05-10"}, "planned_end": {"2031-05-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !has(body, "error.plan.end_before_start") {
		t.Errorf("end before start: status %d, want 422 with the message", res.StatusCode)
	}
	res, _ = post(worker, planPath+"/activities", url.Values{"type": {"safe_housing"}, "responsible_org": {f.orgB},
		"planned_start": {"2031-05-01"}, "planned_end": {"2031-05-10"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add activity: status %d", res.StatusCode)
	}
	body = get(worker, planPath, http.StatusOK)
	if !has(body, "assistance.activity.safe_housing") || !strings.Contains(body, "Sister lives nearby.") || !has(body, "assistance.step.crisis_intervention") {
		t.Errorf("the plan does not show the activity, its step and the needs note")
	}

	providerID := strings.TrimPrefix(providerPath, "/providers/")
	refer := url.Values{"provider": {providerID}, "services": {"shelter"}, "placement": {"1"}}
	res, body = post(worker, planPath+"/referrals", refer)
	if res.StatusCode != http.StatusConflict || !has(body, "error.case_no_consent_provider") {
		t.Fatalf("referral without consent: status %d, want 409 with the message", res.StatusCode)
	}
	recordReferralConsent(t, f, c.ID, []string{f.orgB})
	if res, body = post(worker, planPath+"/referrals", refer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer: status %d\n%s", res.StatusCode, body)
	}

	// B's list names the case by its code only; B accepts.
	body = get(outsider, "/service-referrals", http.StatusOK)
	if !strings.Contains(body, c.Code) || strings.Contains(body, "Testa") {
		t.Fatalf("B's list of referrals does not show the case code, or shows the name")
	}
	var refID string
	list, err := env.App.Assistance.IncomingReferrals(ctx, f.outsider.Actor, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("incoming: %v, %v", list, err)
	}
	refID = list[0].ID
	answer := "/cases/" + c.ID + "/plan/referrals/" + refID + "/answer"
	// The referring worker may not answer for a provider that uses Waymark.
	if res, _ := post(worker, answer, url.Values{"answer": {"accept"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("referring worker answers for B: status %d", res.StatusCode)
	}
	res, _ = post(outsider, answer, url.Values{"answer": {"accept"}, "back": {"incoming"}})
	if res.StatusCode != http.StatusSeeOther || redirectPath(res) != "/service-referrals" {
		t.Fatalf("B accepts: status %d to %q", res.StatusCode, redirectPath(res))
	}
	if body = get(worker, providerPath, http.StatusOK); !has(body, "provider.free", "free", 0, "total", 1) {
		t.Errorf("the accepted placement did not take the place")
	}
	// B's case worker may not see the plan of A's case itself.
	get(outsider, planPath, http.StatusNotFound)

	res, _ = post(outsider, "/cases/"+c.ID+"/plan/referrals/"+refID+"/end", url.Values{"end_reason": {"moved_on"}, "back": {"incoming"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("B ends the placement: status %d", res.StatusCode)
	}
	if body = get(worker, providerPath, http.StatusOK); !has(body, "provider.free", "free", 1, "total", 1) {
		t.Errorf("ending the placement did not free the place")
	}
	if body = get(worker, planPath, http.StatusOK); !has(body, "service_referral.status.ended") {
		t.Errorf("the plan does not show the referral as ended")
	}
}

// TestConsentNamesProvider: the consent tab offers the directory's
// providers; a consent naming one is recorded and shows its name, and a
// referral to a provider outside the partnership is refused until a consent
// names it.
func TestConsentNamesProvider(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
	id := freshCase(t, f)
	provider := walkProvider(t, f)
	exchange := func(method, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: worker, Form: form})
	}
	refer := url.Values{"provider": {provider}, "services": {"shelter"}}
	// A consent to referrals that names no provider does not cover one
	// outside the partnership.
	recordReferralConsent(t, f, id, nil)
	if res, _ := exchange(http.MethodPost, "/cases/"+id+"/plan/referrals", refer); res.StatusCode != http.StatusConflict {
		t.Fatalf("referral under a consent that does not name the provider: status %d, want 409", res.StatusCode)
	}
	_, body := exchange(http.MethodGet, "/cases/"+id+"/consent", nil)
	if !strings.Contains(body, `name="providers" value="`+provider+`"`) {
		t.Fatal("the consent form does not offer the directory's providers")
	}
	res, body := exchange(http.MethodPost, "/cases/"+id+"/consent", url.Values{"purposes": {cases.PurposeReferral}, "providers": {provider},
		"categories": {string(cases.Assistance)}, "language": {"ro"}, "method": {"written"}, "given_by": {"person"},
		"given_on": {time.Now().UTC().Format(time.DateOnly)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record consent: status %d\n%s", res.StatusCode, body)
	}
	if _, body = exchange(http.MethodGet, "/cases/"+id+"/consent", nil); !strings.Contains(body, walkProviderName) {
		t.Error("the consent does not show the provider it names")
	}
	if res, _ := exchange(http.MethodPost, "/cases/"+id+"/plan/referrals", refer); res.StatusCode != http.StatusSeeOther {
		t.Errorf("referral under a consent naming the provider: status %d, want 303", res.StatusCode)
	}
}
