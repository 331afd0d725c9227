package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/storage/storagetest"
)

// coordinatorTeamCase opens a case of organisation A with the coordinator
// on its team beside the case worker: every role that manages cases is
// then on the team that records vulnerability factors.
func coordinatorTeamCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	if err := f.env.App.Cases.AddMember(context.Background(), f.staff[access.CaseWorker].Actor, id, f.staff[access.Coordinator].ID); err != nil {
		t.Fatalf("add member: %v", err)
	}
	return id
}

// legalPenaltyCase opens a case of organisation A with one penalty, number 1.
func legalPenaltyCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := newCase(t, f, false).ID
	if _, err := f.env.App.LegalStatus.SavePenalty(context.Background(), f.staff[access.CaseWorker].Actor, id,
		legalstatus.PenaltyInput{Kind: "criminal_charge", Linked: "yes"}); err != nil {
		t.Fatalf("add penalty: %v", err)
	}
	return id
}

// pageClient sends a worker's requests and checks their status.
type pageClient struct {
	t   *testing.T
	env *apptest.Env
}

func (c pageClient) do(cookie, method, path string, form url.Values, status int, lang string) string {
	c.t.Helper()
	res, body := c.env.Exchange(c.t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form,
		Header: map[string]string{"Accept-Language": lang}})
	if res.StatusCode != status {
		c.t.Fatalf("%s %s: status %d, want %d", method, path, res.StatusCode, status)
	}
	return body
}

func wantIn(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// TestLegalProtectionPages: on the legal tab the case worker records a
// charge linked to the exploitation, a submission for non-punishment, a
// protective measure answering the current risk, and a long-term permit;
// bad input comes back translated next to its field and changes nothing.
func TestLegalProtectionPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env, c := f.env, pageClient{t: t, env: f.env}
			ctx, who := context.Background(), f.staff[access.CaseWorker].Actor
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := newCase(t, f, false).ID
			base := "/cases/" + id + "/legal"
			en, de := env.App.Catalog.For("en"), env.App.Catalog.For("de")
			pr, err := env.App.LegalStatus.SaveProceeding(ctx, who, id, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "cooperates"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Risk.Assess(ctx, who, id, risk.NewAssessment{Level: "high"}); err != nil {
				t.Fatal(err)
			}
			other := newCase(t, f, false).ID
			otherPr, err := env.App.LegalStatus.SaveProceeding(ctx, who, other, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "undecided"})
			if err != nil {
				t.Fatal(err)
			}

			page := c.do(worker, http.MethodGet, base, nil, http.StatusOK, "en")
			wantIn(t, page, `id="penalty-form"`, `id="measure-form"`, `id="measures-current-risk"`, `id="permit-rights"`,
				html.EscapeString(en.T("legalstatus.submission_needs_penalty")))

			before := env.Fingerprint(t)
			body := c.do(worker, http.MethodPost, base+"/penalties", url.Values{"penalty_kind": {"parking"}, "penalty_linked": {"yes"}},
				http.StatusUnprocessableEntity, "de")
			wantIn(t, body, html.EscapeString(de.T("legalstatus.error.choose")), `href="#f-penalty_kind"`)
			body = c.do(worker, http.MethodPost, base+"/measures", url.Values{"measure_kind": {"no_confrontation"}, "measure_requested_on": {legalDay(-1)},
				"measure_requested_by": {"lawyer"}, "measure_status": {"pending"}, "measure_proceeding": {otherPr.ID}}, http.StatusUnprocessableEntity, "en")
			wantIn(t, body, `href="#f-measure_proceeding"`)
			if after := env.Fingerprint(t); after != before {
				t.Errorf("refused forms changed the database:\n before %s\n after  %s", before, after)
			}

			c.do(worker, http.MethodPost, base+"/penalties", url.Values{"penalty_kind": {"administrative_fine"}, "penalty_linked": {"yes"},
				"penalty_on": {legalDay(-30)}, "penalty_authority": {"Border police"}}, http.StatusSeeOther, "en")
			body = c.do(worker, http.MethodPost, base+"/nonpunishment", url.Values{"submission_penalty": {"1"}, "submission_on": {legalDay(-3)},
				"submission_by": {"lawyer"}, "submission_outcome": {"rejected"}, "submission_decided_on": {legalDay(-5)}}, http.StatusUnprocessableEntity, "de")
			wantIn(t, body, html.EscapeString(de.T("legalstatus.error.outcome_before_submission")), `value="`+legalDay(-5)+`"`)
			c.do(worker, http.MethodPost, base+"/nonpunishment", url.Values{"submission_penalty": {"1"}, "submission_on": {legalDay(-3)},
				"submission_by": {"lawyer"}, "submission_to": {"District prosecutor"}, "submission_outcome": {"pending"},
				"submission_hearing_on": {legalDay(12)}}, http.StatusSeeOther, "en")
			// The form for a new measure proposes the current assessment.
			page = c.do(worker, http.MethodGet, base, nil, http.StatusOK, "en")
			wantIn(t, page, `id="submission-form"`, "District prosecutor", `datetime="`+legalDay(12)+`"`,
				html.EscapeString(en.T("legalstatus.linked.yes")), html.EscapeString(en.T("legalstatus.outcome.pending")))
			ov, err := env.App.LegalStatus.Get(ctx, who, id)
			if err != nil || len(ov.Assessments) != 1 {
				t.Fatalf("overview: %v %+v", err, ov.Assessments)
			}
			wantIn(t, page, `<option value="`+ov.Assessments[0].ID+`" selected>`)
			c.do(worker, http.MethodPost, base+"/measures", url.Values{"measure_kind": {"video_testimony"}, "measure_requested_on": {legalDay(-1)},
				"measure_requested_by": {"lawyer"}, "measure_status": {"pending"}, "measure_proceeding": {pr.ID},
				"measure_risk": {ov.Assessments[0].ID}}, http.StatusSeeOther, "en")
			c.do(worker, http.MethodPost, base+"/permits", url.Values{"permit_type": {"long_term"}, "permit_status": {"granted"},
				"permit_start": {legalDay(0)}}, http.StatusSeeOther, "en")
			c.do(worker, http.MethodPost, base+"/permits", url.Values{"permit_type": {"humanitarian"}, "permit_status": {"applied"},
				"permit_allows_work": {"yes"}, "permit_allows_study": {"no"}}, http.StatusSeeOther, "en")
			page = c.do(worker, http.MethodGet, base+"?measure=1", nil, http.StatusOK, "de")
			wantIn(t, page, `id="measure-1-current-risk"`, html.EscapeString(de.T("legalstatus.measure_kind.video_testimony")),
				html.EscapeString(de.T("legalstatus.permit_type.long_term")), html.EscapeString(de.T("legalstatus.permit_work")),
				`name="measure_number" value="1"`, html.EscapeString(de.T("legalstatus.event.legal_measure_recorded", "number", 1)))

			// Another organisation reaches none of it.
			outsider := env.Session(t, f.outsider.ID, true)
			c.do(outsider, http.MethodGet, base, nil, http.StatusNotFound, "en")
			c.do(outsider, http.MethodPost, base+"/penalties", url.Values{"penalty_kind": {"detention"}, "penalty_linked": {"no"}}, http.StatusNotFound, "en")
		})
	}
}

// TestVulnerabilityPage: the case team records vulnerability factors on
// the risk tab; "other" needs its note; a coordinator off the team sees
// them without the form.
func TestVulnerabilityPage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env, c := f.env, pageClient{t: t, env: f.env}
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := newCase(t, f, false).ID
			base := "/cases/" + id + "/risk"
			en, de := env.App.Catalog.For("en"), env.App.Catalog.For("de")

			page := c.do(worker, http.MethodGet, base, nil, http.StatusOK, "en")
			wantIn(t, page, `id="vulnerability-none"`, `action="`+base+`/vulnerability"`, `name="vulnerabilities" value="young_age"`)
			before := env.Fingerprint(t)
			body := c.do(worker, http.MethodPost, base+"/vulnerability", url.Values{"vulnerabilities": {"homelessness", "other"}},
				http.StatusUnprocessableEntity, "de")
			wantIn(t, body, html.EscapeString(de.T("error.vulnerability_note_required")), `id="f-vulnerabilities-homelessness" checked`)
			c.do(worker, http.MethodPost, base+"/vulnerability", url.Values{"vulnerabilities": {"landless"}}, http.StatusUnprocessableEntity, "en")
			if after := env.Fingerprint(t); after != before {
				t.Errorf("refused forms changed the database:\n before %s\n after  %s", before, after)
			}
			res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: base + "/vulnerability", Cookie: worker,
				Form: url.Values{"vulnerabilities": {"homelessness", "other"}, "vulnerability_note": {"Sleeps in a car"}}})
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), base+"?done=vulnerability") {
				t.Fatalf("record: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			page = c.do(worker, http.MethodGet, base, nil, http.StatusOK, "en")
			wantIn(t, page, `id="vulnerability-homelessness"`, html.EscapeString(en.T("vulnerability.factor.homelessness")), "Sleeps in a car",
				`id="f-vulnerabilities-other" checked`)

			coordinator := env.Session(t, f.staff[access.Coordinator].ID, true)
			page = c.do(coordinator, http.MethodGet, base, nil, http.StatusOK, "en")
			wantIn(t, page, `id="vulnerability-homelessness"`)
			if strings.Contains(page, `action="`+base+`/vulnerability"`) {
				t.Error("a coordinator off the case team is offered the vulnerability form")
			}
			c.do(coordinator, http.MethodPost, base+"/vulnerability", url.Values{"vulnerabilities": {"homelessness"}}, http.StatusForbidden, "en")
			if _, vs, err := env.App.Cases.Vulnerabilities(context.Background(), f.staff[access.CaseWorker].Actor, id); err != nil || len(vs) != 2 {
				t.Errorf("after the coordinator's refused change: %+v (%v)", vs, err)
			}
			c.do(env.Session(t, f.outsider.ID, true), http.MethodGet, base, nil, http.StatusNotFound, "en")
		})
	}
}
