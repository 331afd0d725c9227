package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestScreeningPrefilledFromSiteCheck: a screening opened from a site
// check marks each answer filled in from the check beside its question,
// in English and German, until the screener ticks that the person
// confirmed it or changes it; the result page warns how many are still
// unconfirmed, with links to them, and the referral stays possible.
func TestScreeningPrefilledFromSiteCheck(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("City Office", accounts.Municipality)
			officer := env.User("procurement", access.ProcurementOfficer, city)
			p := env.App.Procurement
			sup, err := p.CreateSupplier(ctx, officer.Actor, procurement.SupplierInput{LegalName: "Shine Ltd", Country: "DE"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := p.CreateContract(ctx, officer.Actor, procurement.ContractInput{Authority: "City", Subject: "Cleaning", CPV: "90910000-9",
				Value: "1000", Currency: "EUR", StartsOn: "2026-01-01", EndsOn: "2026-12-31", SupplierID: sup.ID})
			if err != nil {
				t.Fatal(err)
			}
			s, err := p.CreateSite(ctx, officer.Actor, c.ID, procurement.SiteInput{SupplierID: sup.ID, Name: "City Hall", Address: "Square 1", Country: "DE", Type: "premises"})
			if err != nil {
				t.Fatal(err)
			}
			chk, _, err := env.App.SiteChecks.Record(ctx, officer.Actor, sitechecks.CheckInput{ContractID: c.ID, SiteID: s.ID, CheckedOn: "2026-01-15",
				Inspectors: "Two officers", Organisation: "City"}, url.Values{"announced": {"unannounced"}, "public_premises": {"no"},
				"workers_present": {"9"}, "workers_spoken": {"4"}, "spoken_apart": {"yes"}, "no_day_off": {"yes"}, "documents_held": {"yes"}}, "en")
			if err != nil {
				t.Fatal(err)
			}
			sc, err := env.App.SiteChecks.StartScreening(ctx, officer.Actor, chk.ID)
			if err != nil {
				t.Fatal(err)
			}
			path := "/screenings/" + sc.ID
			get := func(p, lang string) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: p, Cookie: officer.Cookie + "; lang=" + lang})
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d", p, res.StatusCode)
				}
				return body
			}
			post := func(form url.Values) {
				t.Helper()
				form.Set("page", "1")
				form.Set("go", "back")
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path + "/questions", Cookie: officer.Cookie, Form: form})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("POST page 1: %d\n%s", res.StatusCode, body)
				}
			}
			unconfirmed := func() string {
				t.Helper()
				_, after, _ := strings.Cut(get(path, "en"), `<h2 id="prefill-warning-title">`)
				title, _, _ := strings.Cut(after, `</h2>`)
				return strings.TrimSpace(title)
			}

			for lang, want := range map[string]string{"en": "Pre-filled from the site check on 15 Jan 2026 — confirm with the person.",
				"de": "Vorausgefüllt aus der Kontrolle vor Ort vom 15.01.2026 — mit der Person bestätigen."} {
				body := get(path+"/questions?page=1", lang)
				if !strings.Contains(body, want) || !strings.Contains(body, `id="f-confirm-core.documents_held"`) ||
					!strings.Contains(body, `aria-describedby="answers.core.documents_held-hint answers.core.documents_held-prefill"`) {
					t.Errorf("%s: the papers question does not say it was pre-filled (%q) or offers no confirmation", lang, want)
				}
			}
			if got := unconfirmed(); got != "3 answers are still pre-fills the person has not confirmed" {
				t.Fatalf("result page warning %q", got)
			}
			body := get(path, "de")
			if !strings.Contains(body, `href="`+path+`/questions?page=1#f-answers.core.documents_held"`) || !strings.Contains(body, "noch vorausgefüllt") {
				t.Errorf("the German result page does not link the unconfirmed answers")
			}

			// Sent on unchanged: still unconfirmed. Ticked: confirmed.
			post(url.Values{"answers.core.documents_held": {"yes"}, "answers.core.does_work": {"yes"}})
			if got := unconfirmed(); !strings.HasPrefix(got, "3 ") {
				t.Errorf("after sending the page on: %q, want 3 still", got)
			}
			post(url.Values{"answers.core.documents_held": {"yes"}, "confirm": {"core.documents_held"}})
			if got := unconfirmed(); !strings.HasPrefix(got, "2 ") {
				t.Errorf("after confirming the papers: %q, want 2", got)
			}
			if strings.Contains(get(path+"/questions?page=1", "en"), `id="f-confirm-core.documents_held"`) {
				t.Error("the confirmed answer is still offered for confirmation")
			}
			// "Finish now" on page 1 does not skip the pages holding pre-filled
			// answers not yet confirmed: it goes to the first of them, with a
			// note, then the next; it finishes once none is left ahead.
			number, seen := 1, 0
			for {
				res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path + "/questions", Cookie: officer.Cookie,
					Form: url.Values{"page": {strconv.Itoa(number)}, "go": {"finish"}}})
				loc := res.Header.Get("Location")
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("finish on page %d: %d\n%s", number, res.StatusCode, body)
				}
				if loc == path {
					break
				}
				next, ok := strings.CutPrefix(loc, path+"/questions?page=")
				n, err := strconv.Atoi(strings.TrimSuffix(next, "&prefills=unseen"))
				if !ok || err != nil || !strings.HasSuffix(next, "&prefills=unseen") || n <= number {
					t.Fatalf("finish on page %d went to %q", number, loc)
				}
				for lang, want := range map[string]string{"en": "Before you finish: this page has answers pre-filled", "de": "Bevor Sie abschließen: Auf dieser Seite stehen Antworten"} {
					if body := get(loc, lang); !strings.Contains(body, `id="prefill-unseen"`) || !strings.Contains(body, want) || !strings.Contains(body, `id="f-confirm-`) {
						t.Errorf("%s: page %d does not say why the screener was brought there or offers no confirmation", lang, n)
					}
				}
				number, seen = n, seen+1
			}
			if seen == 0 {
				t.Error("finish now on page 1 finished without showing the pre-filled answers on later pages")
			}
			// The referral may go with unconfirmed pre-fills, under a warning.
			if _, err := env.App.Screenings.Complete(ctx, officer.Actor, sc.ID); err != nil {
				t.Fatal(err)
			}
			if body := get(path+"/refer", "en"); !strings.Contains(body, `id="referral-prefill-warning"`) || !strings.Contains(body, `class="stack referral"`) {
				t.Errorf("the referral form does not offer the referral under a warning of the unconfirmed pre-fills")
			}
			// The receiving organisation is told how many answers were site
			// observations never confirmed with the person.
			ngo := env.Org("Safe Harbour", accounts.NGO)
			ref, err := env.App.Identification.Refer(ctx, officer.Actor, identification.NewReferral{ScreeningID: sc.ID,
				Purposes: []string{"labour"}, To: ngo, PersonAgreed: true})
			if err != nil || ref.UnconfirmedPrefills != 2 {
				t.Fatalf("referral: %d unconfirmed pre-fills, %v; want 2", ref.UnconfirmedPrefills, err)
			}
			receiver := env.User("safe-harbour", access.CaseWorker, ngo)
			if _, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/referrals/" + ref.ID, Cookie: receiver.Cookie}); !strings.Contains(body, `id="referral-unconfirmed"`) ||
				!strings.Contains(body, "2 answers behind this result were pre-filled from a site check") {
				t.Errorf("the receiving organisation is not told of the unconfirmed pre-fills:\n%s", body)
			}
			// Changed: the mark goes too. The follow-up about hours that a
			// yes to working opened is no longer asked, so its pre-fill no
			// longer counts in the result and is not warned about.
			post(url.Values{"answers.core.does_work": {"unknown"}})
			got, err := env.App.Screenings.Get(ctx, officer.Actor, sc.ID)
			if err != nil || len(got.Unconfirmed()) != 1 || got.Unconfirmed()[0].Question != "work.excessive_hours" {
				t.Fatalf("after changing an answer: unconfirmed %+v, %v; want the hours only", got.Unconfirmed(), err)
			}
			if warning := unconfirmed(); warning != "" {
				t.Errorf("a pre-fill of a question no longer asked is warned about: %q", warning)
			}
		})
	}
}
