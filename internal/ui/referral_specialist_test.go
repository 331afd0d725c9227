package ui_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// doubtfulScreening is a completed screening of organisation A, by A's
// screener, that leaves an adult in doubt: further assessment for some
// form, reasonable grounds for none. Its answers are searched in the
// catalogue (one or two yes answers) rather than named, so the test holds
// while the rules change.
func doubtfulScreening(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	cat := f.env.App.Screening
	thirty := 30
	var answers map[string]screening.Answer
search:
	for i, a := range cat.Indicators {
		for _, b := range cat.Indicators[i:] {
			try := map[string]screening.Answer{a.ID: screening.Yes, b.ID: screening.Yes}
			res, err := cat.Evaluate(screening.Input{Setting: "workplace_inspection", Age: screening.Age{Years: &thirty}, Answers: try})
			if err != nil {
				continue
			}
			doubt, grounds := false, false
			for _, pr := range res.Purposes {
				doubt = doubt || pr.Outcome == screening.OutcomeFurtherAssessment
				grounds = grounds || pr.Outcome == screening.OutcomeReasonableGrounds
			}
			if doubt && !grounds {
				answers = try
				break search
			}
		}
	}
	if answers == nil {
		t.Fatal("no one or two yes answers leave a screening in doubt")
	}
	store := screening.NewStore(f.env.App.DB, f.env.App.Audit, cat)
	who := f.staff[access.Screener].Actor
	sc, err := store.Create(ctx, who, screening.Start{Setting: "workplace_inspection", Age: screening.Age{Years: &thirty}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SaveAnswers(ctx, who, sc.ID, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Complete(ctx, who, sc.ID); err != nil {
		t.Fatal(err)
	}
	return sc.ID
}

// TestReferForSpecialistAssessmentPages: a screening in doubt is referred "for
// specialist assessment" from its refer form, with the person's agreement
// (without it the form comes back and nothing is stored); the referral
// page, the receiver's inbox and the API name the kind.
func TestReferForSpecialistAssessmentPages(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	p := env.App.Catalog.For("en")
	screener := env.Session(t, f.staff[access.Screener].ID, true)
	receiver := env.Session(t, f.outsider.ID, true)
	id := doubtfulScreening(t, f)

	res, form := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/screenings/" + id + "/refer", Cookie: screener})
	if res.StatusCode != http.StatusOK || !strings.Contains(form, html.EscapeString(p.T("referral.form_specialist"))) ||
		!strings.Contains(form, html.EscapeString(p.T("referral.submit_specialist"))) || !strings.Contains(form, `" checked>`) {
		t.Fatalf("refer form: status %d, no specialist assessment offered with forms ticked:\n%s", res.StatusCode, form)
	}
	var ticked []string
	for _, pu := range []string{"labour", "sexual", "domestic_servitude", "begging", "criminality", "forced_marriage", "organ_removal", "other_exploitation"} {
		if strings.Contains(form, `value="`+pu+`" id="f-purposes-`+pu+`" checked`) {
			ticked = append(ticked, pu)
		}
	}
	submit := url.Values{"purposes": ticked, "to": {f.orgB}}
	before := env.Fingerprint(t)
	res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/refer", Cookie: screener, Form: submit})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString(p.T("error.referral.consent_required"))) {
		t.Errorf("without consent: status %d", res.StatusCode)
	}
	if env.Fingerprint(t) != before {
		t.Error("a refused referral changed the database")
	}
	submit.Set("consent", "1")
	res, _ = env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/refer", Cookie: screener, Form: submit})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/referrals/") {
		t.Fatalf("refer: status %d, location %q", res.StatusCode, loc)
	}
	ref := strings.TrimSuffix(strings.TrimPrefix(loc, "/referrals/"), "?created=1")
	_, page := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/referrals/" + ref, Cookie: receiver})
	if !strings.Contains(page, `<dd id="referral-kind"><span class="badge kind-specialist_assessment">`+p.T("referral.kind_specialist_assessment")) {
		t.Error("the referral page does not say it is for a specialist assessment")
	}
	_, inbox := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/referrals", Cookie: receiver})
	if !strings.Contains(inbox, `<span class="badge kind-specialist_assessment">`) {
		t.Error("the receiver's inbox does not show the kind")
	}
	res, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/referrals/" + ref, Cookie: receiver})
	var got struct {
		Kind     string   `json:"kind"`
		Purposes []string `json:"purposes"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || res.StatusCode != http.StatusOK || got.Kind != "specialist_assessment" || len(got.Purposes) != len(ticked) {
		t.Errorf("API: status %d, %+v, %v", res.StatusCode, got, err)
	}

	// A referral made under rules version 1 still names its one form for
	// forced begging and criminality.
	err := env.App.DB.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), `UPDATE referrals SET purposes = '["begging_criminality"]' WHERE id = $1`, ref)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/referrals/" + ref, "/referrals"} {
		if _, page := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: receiver}); !strings.Contains(page, html.EscapeString(p.T("referral.purpose.begging_criminality"))) {
			t.Errorf("%s does not name the version 1 form", path)
		}
	}
	if m := env.App.Catalog.Missing(); len(m) != 0 {
		t.Errorf("missing message keys: %v", m)
	}
}
