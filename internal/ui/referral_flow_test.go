package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"waymark.city/waymark/internal/app/apptest"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// referableScreening is a completed screening of organisation A with
// reasonable grounds for labour exploitation of an adult, by A's screener.
func referableScreening(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	store := screening.NewStore(f.env.App.DB, f.env.App.Audit, f.env.App.Screening)
	who := f.staff[access.Screener].Actor
	thirty := 30
	sc, err := store.Create(ctx, who, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: &thirty}})
	if err != nil {
		t.Fatalf("create screening: %v", err)
	}
	answers := map[string]screening.Answer{}
	for k, v := range labourCase {
		answers[k] = screening.Answer(v)
	}
	if _, err := store.SaveAnswers(ctx, who, sc.ID, answers); err != nil {
		t.Fatalf("save answers: %v", err)
	}
	if _, err := store.Complete(ctx, who, sc.ID); err != nil {
		t.Fatalf("complete: %v", err)
	}
	return sc.ID
}

// ensureProtocol makes A the receiving organisation for adult labour
// exploitation and a competent authority, the way the walk's POST /protocol
// leaves it too.
func ensureProtocol(t *testing.T, f *fixture) {
	t.Helper()
	err := f.env.App.Identification.SetProtocol(context.Background(), f.staff[access.Coordinator].Actor, identification.Protocol{
		Routes:      map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: f.orgA},
		Authorities: []string{f.orgA},
	})
	if err != nil {
		t.Fatalf("set protocol: %v", err)
	}
}

// targetReferral is a new, pending referral from organisation A to itself
// (the protocol's receiver), so every role of A has something to answer
// and decide on: the {id} of the referral routes in the walk.
func targetReferral(t *testing.T, f *fixture) string {
	t.Helper()
	ensureProtocol(t, f)
	r, err := f.env.App.Identification.Refer(context.Background(), f.staff[access.Screener].Actor, identification.NewReferral{
		ScreeningID: referableScreening(t, f), Purposes: []string{"labour"}, To: f.orgA, PersonAgreed: true, Note: "Speaks Romanian."})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
	return r.ID
}

// groundedReferral is a target referral with a positive reasonable-grounds
// decision, ready for the formal decision.
func groundedReferral(t *testing.T, f *fixture) string {
	t.Helper()
	id := targetReferral(t, f)
	_, err := f.env.App.Identification.Decide(context.Background(), f.staff[access.CaseWorker].Actor, id, identification.NewDecision{
		Stage: identification.StageReasonableGrounds, Outcome: identification.OutcomePositive, Kind: identification.KindInitial,
		Grounds: "Consistent account.", DecidedOn: time.Now().UTC().Format(identification.DateLayout)})
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	return id
}

func decisionForm(outcome string) url.Values {
	return url.Values{"outcome": {outcome}, "kind": {"initial"}, "grounds": {"Interview of the same day."},
		"decided_on": {time.Now().UTC().Format(identification.DateLayout)}}
}

// TestReferralFlow: A's screener refers from the result with consent to
// organisation B, which finds it in its inbox, accepts it and records a
// positive reasonable-grounds decision; the status reads "possible victim"
// on the page and in the API; organisation C sees none of it.
func TestReferralFlow(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	ctx := context.Background()
	err := env.App.Identification.SetProtocol(ctx, f.staff[access.Coordinator].Actor, identification.Protocol{
		Routes: map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: f.orgB}})
	if err != nil {
		t.Fatal(err)
	}
	screener := env.Session(t, f.staff[access.Screener].ID, true)
	id := referableScreening(t, f)
	get := func(cookie, path string, status int) string {
		t.Helper()
		res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
		if res.StatusCode != status {
			t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
		}
		return body
	}

	form := get(screener, "/screenings/"+id+"/refer", http.StatusOK)
	for _, want := range []string{`name="purposes" value="labour" id="f-purposes-labour" checked`, `<option value="` + f.orgB + `" selected>`,
		`name="consent"`, "Organisation B"} {
		if !strings.Contains(form, want) {
			t.Errorf("referral form lacks %q", want)
		}
	}
	if strings.Contains(form, `name="guardian"`) {
		t.Error("an adult's referral form asks for the guardian")
	}
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/refer", Cookie: screener,
		Form: url.Values{"purposes": {"labour"}, "to": {f.orgB}, "note": {"Speaks Romanian."}}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-consent"`) {
		t.Fatalf("refer without consent: status %d, want 422 pointing at the consent", res.StatusCode)
	}
	res, _ = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/refer", Cookie: screener,
		Form: url.Values{"purposes": {"labour"}, "to": {f.orgB}, "consent": {"1"}, "note": {"Speaks Romanian."}}})
	m := regexp.MustCompile(`^/referrals/([0-9a-f-]+)\?created=1$`).FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("refer: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	ref := m[1]
	page := get(screener, "/referrals/"+ref+"?created=1", http.StatusOK)
	code := regexp.MustCompile(`WM-[A-Z0-9]{4}-[A-Z0-9]{4}`).FindString(page)
	if code == "" || !strings.Contains(page, "Waiting for an answer") || !strings.Contains(page, "No decision yet") {
		t.Fatalf("the new referral page lacks its code or status")
	}
	if again := get(screener, "/screenings/"+id+"/refer", http.StatusOK); !strings.Contains(again, `href="/referrals/`+ref+`"`) {
		t.Error("the referred screening's form does not point to the referral")
	}

	// B's case worker: the inbox, accept, a positive RG decision.
	cw := env.Session(t, f.outsider.ID, true)
	inbox := get(cw, "/referrals", http.StatusOK)
	if !strings.Contains(inbox, `href="/referrals/`+ref+`"`) || !strings.Contains(inbox, code) {
		t.Fatal("the receiving organisation's inbox lacks the referral")
	}
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/referrals/" + ref + "/accept", Cookie: cw, Form: url.Values{}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: status %d", res.StatusCode)
	}
	// Accepting opened the person's case in B, pseudonymous, at the screening stage.
	accepted := get(cw, "/referrals/"+ref, http.StatusOK)
	caseLink := regexp.MustCompile(`href="/cases/([0-9a-f-]+)" id="referral-case"`).FindStringSubmatch(accepted)
	if caseLink == nil {
		t.Fatal("the accepted referral does not link to its case")
	}
	if casePage := get(cw, "/cases/"+caseLink[1], http.StatusOK); !strings.Contains(casePage, `id="case-stage">Screening<`) {
		t.Error("the case opened by the referral is not at the screening stage")
	}
	future := decisionForm("positive")
	future.Set("decided_on", time.Now().UTC().Add(72*time.Hour).Format(identification.DateLayout))
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/referrals/" + ref + "/decisions/grounds", Cookie: cw, Form: future})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-rg.decided_on"`) {
		t.Errorf("a decision dated in the future: status %d, want 422 pointing at the date", res.StatusCode)
	}
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/referrals/" + ref + "/decisions/grounds", Cookie: cw, Form: decisionForm("positive")}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: status %d", res.StatusCode)
	}
	page = get(cw, "/referrals/"+ref, http.StatusOK)
	for _, want := range []string{"Possible victim of trafficking", "public body other than the police", "Accepted", "Reasonable grounds"} {
		if !strings.Contains(page, want) {
			t.Errorf("referral page lacks %q", want)
		}
	}
	if strings.Contains(page, "Interview of the same day") || strings.Contains(page, "Speaks Romanian") {
		t.Error("the referral page shows free text without the audited notes page")
	}
	notes := get(cw, "/referrals/"+ref+"/notes", http.StatusOK)
	if !strings.Contains(notes, "Interview of the same day") || !strings.Contains(notes, "Speaks Romanian") {
		t.Error("the notes page does not show the note and the grounds")
	}

	// The API answers the same status, without the grounds.
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/referrals/" + ref, Cookie: screener})
	var got struct {
		Code      string   `json:"code"`
		Status    string   `json:"status"`
		Kind      string   `json:"kind"`
		Purposes  []string `json:"purposes"`
		Decisions []map[string]any
		HTCDS     struct {
			Status string `json:"trafficking_status"`
			Org    string `json:"decision_making_org"`
		} `json:"htcds"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("API: status %d, %v: %s", res.StatusCode, err, body)
	}
	if got.Code != code || got.Status != "accepted" || got.Kind != "reasonable_grounds" || len(got.Decisions) != 1 || got.HTCDS.Status != "PossibleVictimOfTrafficking" || got.HTCDS.Org != "NonPoliceGovernmentalOrganization" {
		t.Errorf("API referral = %+v", got)
	}
	if strings.Contains(body, "Interview") || strings.Contains(body, "Romanian") {
		t.Error("the API shows free text")
	}

	// Organisation C has no user; a new one of C finds nothing.
	other := env.User("c-caseworker", access.CaseWorker, f.orgC)
	oc := env.Session(t, other.ID, true)
	for _, p := range []string{"/referrals/" + ref, "/referrals/" + ref + "/notes", "/api/v1/referrals/" + ref} {
		if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: p, Cookie: oc}); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s by a third organisation: status %d, want 404", p, res.StatusCode)
		}
	}
	if strings.Contains(get(oc, "/referrals", http.StatusOK), ref) {
		t.Error("a third organisation's list shows the referral")
	}
}

// TestReferralPagesTranslated renders the referral and protocol pages in
// every language, with errors, and checks no message key is missing.
func TestReferralPagesTranslated(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	ref := groundedReferral(t, f)
	referable := referableScreening(t, f)
	screener := env.Session(t, f.staff[access.Screener].ID, true)
	child := startScreening(t, env, screener, url.Values{"setting": {"school"}, "age.years": {"14"}})
	env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + child + "/questions", Cookie: screener,
		Form: url.Values{"page": {"1"}, "go": {"finish"}, "answers.core.danger": {"no"}}})
	coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
	for _, lang := range env.App.Catalog.Languages() {
		t.Run(lang.Tag, func(t *testing.T) {
			h := map[string]string{"Accept-Language": lang.Tag}
			for _, rq := range []apptest.Request{
				{Method: http.MethodGet, Path: "/referrals"},
				{Method: http.MethodGet, Path: "/referrals/" + ref},
				{Method: http.MethodGet, Path: "/referrals/" + ref + "/notes"},
				{Method: http.MethodGet, Path: "/screenings/" + referable + "/refer"},
				{Method: http.MethodGet, Path: "/screenings/" + child + "/refer"},
				{Method: http.MethodGet, Path: "/protocol"},
			} {
				rq.Cookie, rq.Header = coordinator, h
				if res, body := env.Exchange(t, rq); res.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="`+lang.Tag+`"`) {
					t.Errorf("GET %s: status %d, want 200 in %s", rq.Path, res.StatusCode, lang.Tag)
				}
			}
			for _, rq := range []apptest.Request{
				{Method: http.MethodPost, Path: "/screenings/" + referable + "/refer", Form: url.Values{}},
				{Method: http.MethodPost, Path: "/referrals/" + ref + "/decisions/grounds", Form: url.Values{"kind": {"review"}}},
				{Method: http.MethodPost, Path: "/referrals/" + ref + "/decisions/status", Form: url.Values{"decided_on": {"2999-01-01"}}},
				{Method: http.MethodPost, Path: "/referrals/" + ref + "/decline", Form: url.Values{}},
				{Method: http.MethodPost, Path: "/protocol", Form: url.Values{"route.sexual.child": {"no-such-org"}}},
			} {
				rq.Cookie, rq.Header = coordinator, h
				if res, body := env.Exchange(t, rq); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "error-summary") {
					t.Errorf("POST %s: status %d, want 422 with the error summary", rq.Path, res.StatusCode)
				}
			}
		})
	}
	if missing := env.App.Catalog.Missing(); len(missing) > 0 {
		t.Errorf("pages asked for message keys no catalogue has: %v", missing)
	}
}
