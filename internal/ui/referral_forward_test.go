package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage/storagetest"
)

// forwardableReferral is a grounded referral of A to itself whose protocol
// also names B a competent authority, so A may forward it to B.
func forwardableReferral(t *testing.T, f *fixture) string {
	t.Helper()
	id := groundedReferral(t, f)
	err := f.env.App.Identification.SetProtocol(context.Background(), f.staff[access.Coordinator].Actor, identification.Protocol{
		Routes:      map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: f.orgA},
		Authorities: []string{f.orgA, f.orgB},
	})
	if err != nil {
		t.Fatalf("set protocol: %v", err)
	}
	return id
}

// TestForwardToCompetentAuthority: the coordinator names the police as the
// authority deciding for adults on the protocol page (a decider that is
// no competent authority is refused at its field); B accepts A's referral,
// its case opens with the place, records reasonable grounds (the case
// moves on) and forwards to the police from the page the protocol's choice
// preselected; forwarding to an organisation the protocol does not name is
// refused and records nothing. The police find the referral, take the
// formal decision, and B's case page proposes the next stage; an appeal to
// a court is recorded as lodged and pending.
func TestForwardToCompetentAuthority(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			police := env.Org("Police Contact Point", accounts.Police)
			officer := env.User("officer", access.PoliceContact, police)
			get := func(cookie, path string, status int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: cookie})
				if res.StatusCode != status {
					t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
				}
				return body
			}
			post := func(cookie, path string, form url.Values) (*http.Response, string) {
				t.Helper()
				return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: cookie, Form: form})
			}

			coord := env.Session(t, f.staff[access.Coordinator].ID, true)
			protocol := url.Values{"route.labour.adult": {f.orgB}, "authorities": {police}, "decider.any.adult": {f.orgC}}
			res, body := post(coord, "/protocol", protocol)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-decider.any.adult"`) {
				t.Fatalf("a decider that is no competent authority: status %d", res.StatusCode)
			}
			protocol.Set("decider.any.adult", police)
			if res, _ := post(coord, "/protocol", protocol); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save the protocol: status %d", res.StatusCode)
			}
			if page := get(coord, "/protocol", http.StatusOK); !strings.Contains(page, `<option value="`+police+`" selected>`) {
				t.Error("the protocol page does not show the deciding authority")
			}

			r, err := env.App.Identification.Refer(context.Background(), f.staff[access.Screener].Actor, identification.NewReferral{
				ScreeningID: referableScreening(t, f), Purposes: []string{"labour"}, To: f.orgB, PersonAgreed: true})
			if err != nil {
				t.Fatalf("refer: %v", err)
			}
			ref := "/referrals/" + r.ID
			cw := env.Session(t, f.outsider.ID, true)
			if res, _ := post(cw, ref+"/accept", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("accept: status %d", res.StatusCode)
			}
			if page := get(cw, ref, http.StatusOK); strings.Contains(page, `id="forward-form"`) {
				t.Error("forwarding is offered before reasonable grounds")
			}
			if res, _ := post(cw, ref+"/decisions/grounds", decisionForm("positive")); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("reasonable grounds: status %d", res.StatusCode)
			}
			page := get(cw, ref, http.StatusOK)
			caseID := regexp.MustCompile(`href="/cases/([0-9a-f-]+)" id="referral-case"`).FindStringSubmatch(page)
			if caseID == nil || !strings.Contains(page, `id="forward-form"`) || !strings.Contains(page, `<option value="`+police+`" selected>`) {
				t.Fatal("the referral page does not offer forwarding to the police")
			}
			casePage := get(cw, "/cases/"+caseID[1], http.StatusOK)
			if !strings.Contains(casePage, `id="case-stage">Reasonable grounds<`) || !strings.Contains(casePage, `id="case-place"`) {
				t.Error("the case did not move to reasonable grounds or lacks the place")
			}

			res, body = post(cw, ref+"/forward", url.Values{"authority": {f.orgC}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-authority"`) {
				t.Errorf("forward to an organisation the protocol does not name: status %d", res.StatusCode)
			}
			if page := get(cw, ref, http.StatusOK); strings.Contains(page, `id="forwards-list"`) {
				t.Error("a refused forward was recorded")
			}
			pc := env.Session(t, officer.ID, true)
			get(pc, ref, http.StatusNotFound)
			if res, _ := post(cw, ref+"/forward", url.Values{"authority": {police}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("forward: status %d", res.StatusCode)
			}
			if page := get(cw, ref, http.StatusOK); !strings.Contains(page, "To Police Contact Point, by "+f.outsider.Username) {
				t.Error("the referral page does not show the forward")
			}

			// The police find it and take the formal decision.
			if list := get(pc, "/referrals", http.StatusOK); !strings.Contains(list, `id="forwarded"`) || !strings.Contains(list, r.ID) {
				t.Error("the police list lacks the forwarded referral")
			}
			page = get(pc, ref, http.StatusOK)
			if !strings.Contains(page, `id="forwarded-here"`) || !strings.Contains(page, `id="vs-title"`) {
				t.Fatal("the police page lacks the forwarded notice or the formal decision form")
			}
			if notes := get(pc, ref+"/notes", http.StatusOK); !strings.Contains(notes, `id="notes-withheld"`) || strings.Contains(notes, "Interview of the same day") {
				t.Error("the police read the grounds without the person's consent")
			}
			if res, _ := post(pc, ref+"/decisions/status", decisionForm("confirmed")); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("formal decision: status %d", res.StatusCode)
			}
			casePage = get(cw, "/cases/"+caseID[1], http.StatusOK)
			if !strings.Contains(casePage, `id="case-proposal"`) || !strings.Contains(casePage, `name="stage" value="reflection_recovery"`) {
				t.Error("the case page does not propose the reflection period")
			}
			if res, _ := post(cw, "/cases/"+caseID[1]+"/stage", url.Values{"stage": {"reflection_recovery"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("move the case as proposed: status %d", res.StatusCode)
			}
			if casePage = get(cw, "/cases/"+caseID[1], http.StatusOK); !strings.Contains(casePage, `name="stage" value="formal_identification"`) {
				t.Error("the case page does not propose the formal identification next")
			}

			// An appeal to a court: lodged, pending.
			got, _ := env.App.Identification.Get(context.Background(), f.outsider.Actor, r.ID)
			appeal := decisionForm("")
			appeal.Set("kind", "appeal")
			appeal.Set("reviews", got.Decisions[len(got.Decisions)-1].ID)
			appeal.Set("lodged_with", "Administrative Court")
			if res, _ := post(cw, ref+"/decisions/status", appeal); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("lodge an appeal: status %d", res.StatusCode)
			}
			page = get(cw, ref, http.StatusOK)
			if !strings.Contains(page, "Pending") || !strings.Contains(page, "Actual victim of trafficking") || strings.Contains(page, "Administrative Court") {
				t.Error("the lodged appeal is not shown pending, or its body is shown outside the notes page")
			}
			if notes := get(cw, ref+"/notes", http.StatusOK); !strings.Contains(notes, "Lodged with Administrative Court") {
				t.Error("the notes page does not name the body the appeal was lodged with")
			}
			// The API gives the police the forward and the pending appeal, without the body's name.
			api := get(pc, "/api/v1/referrals/"+r.ID, http.StatusOK)
			var out struct {
				Decisions []struct {
					Outcome string `json:"outcome"`
					Lodged  bool   `json:"lodged"`
				} `json:"decisions"`
				Forwards []struct {
					To struct {
						ID string `json:"id"`
					} `json:"to"`
				} `json:"forwards"`
			}
			if err := json.Unmarshal([]byte(api), &out); err != nil || len(out.Forwards) != 1 || out.Forwards[0].To.ID != police ||
				len(out.Decisions) != 3 || out.Decisions[2].Outcome != "pending" || !out.Decisions[2].Lodged || strings.Contains(api, "Administrative Court") {
				t.Errorf("API referral for the police: %s (%v)", api, err)
			}
		})
	}
}
