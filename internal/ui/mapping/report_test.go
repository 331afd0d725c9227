package mappingui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/printout/printouttest"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/training"
)

// The report draws the answers to "which part of the city" on a map with
// its table, lists the services for victims and people at risk (shelters
// counted, never named) and the round's training needs by organisation
// and role; the restricted page shows none of that and no note about
// what it leaves out; a questionnaire without answers says so; the
// comparison draws the areas of both rounds where each has k answers; the
// review names a free text's question by its label. A new answer shows
// in the report at once.
func TestReportMapsAndOutputs(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("City Office", accounts.Municipality)
			police := env.Org("Police", accounts.Police)
			coord := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			officer := env.User("officer", access.PoliceContact, police)
			areas := `{"type":"FeatureCollection","features":[` +
				`{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}},` +
				`{"type":"Feature","properties":{"code":"old-town","name":"Old Town"},"geometry":{"type":"Polygon","coordinates":[[[16.31,48.20],[16.32,48.20],[16.32,48.21],[16.31,48.21],[16.31,48.20]]]}}]}`
			if _, err := env.App.Geo.Upload(ctx, coord.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
				t.Fatalf("upload areas: %v", err)
			}
			for _, in := range []assistance.ProviderInput{
				{Name: "Riverside Drop-in", Types: []string{"psychological"}, Languages: []string{"ro"}, Audiences: []string{"at_risk"}, Active: true},
				{Name: "Safe House North", Types: []string{"shelter"}, Audiences: []string{"victims"}, Address: "1 Hidden Road", Active: true, PlacesTotal: 8},
			} {
				if _, err := env.App.Assistance.CreateProvider(ctx, coord.Actor, in); err != nil {
					t.Fatalf("provider %s: %v", in.Name, err)
				}
			}
			svc := env.App.Mapping
			round := func(title string) (mapping.Round, string, string) {
				var ids []string
				for _, slug := range []string{"sexual_exploitation", "perpetrators"} {
					q, err := svc.AddShipped(ctx, coord.Actor, slug)
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, q.ID)
				}
				r, err := svc.CreateRound(ctx, coord.Actor, mapping.RoundInput{Title: title, QuestionnaireIDs: ids, PeriodStart: "2026-11-01", PeriodEnd: "2026-12-31", Open: true})
				if err != nil {
					t.Fatal(err)
				}
				return r, ids[0], ids[1]
			}
			answer := func(r mapping.Round, q string, areas ...string) {
				inv, err := svc.Invite(ctx, coord.Actor, r.ID, mapping.InviteInput{QuestionnaireID: q, Link: true, RespondentKind: "ngo", MaxUses: 50, Days: 3})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range areas {
					v := url.Values{"area": {a}, "basis": {"outreach"}, "sex_work_known": {"yes"}, "sex_work_count": {"4"}, "venues": {"street"},
						"controlled_share": {"few"}, "profile": {"Young adults from abroad"}}
					if _, err := svc.RespondByLink(ctx, inv.Token, v, "en"); err != nil {
						t.Fatal(err)
					}
				}
			}
			first, sex, _ := round("Spring")
			answer(first, sex, "harbour", "harbour", "harbour", "old-town", "whole_city")
			if _, err := env.App.Training.CreateNeed(ctx, coord.Actor, training.NeedInput{OrgID: police, Role: "front desk",
				Topic: "Signs of sexual exploitation", Priority: "high", SourceKind: training.FromMapping, SourceID: first.ID}); err != nil {
				t.Fatal(err)
			}
			report := "/mapping/rounds/" + first.ID + "/report"

			_, body := send(t, env, &analyst, http.MethodGet, report, nil, http.StatusOK)
			for _, want := range []string{`id="area-map-0-area-figure"`, "Harbour — Answers: 3", "Old Town — Answers: 1", `<td class="figure">3 (60 %)</td>`,
				`id="services"`, "Riverside Drop-in", "1 shelter, 8 places in all", `id="training-needs"`, "front desk", "Signs of sexual exploitation", `id="withheld"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the analyst's report lacks %q", want)
				}
			}
			for _, never := range []string{"Safe House North", "1 Hidden Road", `id="need-new"`} {
				if strings.Contains(body, never) {
					t.Errorf("the analyst's report shows %q", never)
				}
			}
			// The PDF has the same sections from the same data: the question's
			// table, its map's table, services with the shelter counted and not
			// named, the training needs and the round's findings.
			if !strings.Contains(body, `href="/mapping/rounds/`+first.ID+`/report.pdf"`) {
				t.Error("the report page does not link its PDF")
			}
			if _, err := env.App.Plan.CreateFinding(ctx, coord.Actor, plan.FindingInput{Title: "Street sex work concentrated at the harbour",
				Description: "Most answers name the harbour.", Topic: plan.TopicSexual, SourceKind: plan.FromMappingRound, SourceID: first.ID,
				Priority: plan.High}); err != nil {
				t.Fatal(err)
			}
			res, pdf := send(t, env, &analyst, http.MethodGet, report+".pdf", nil, http.StatusOK)
			if res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "no-store" ||
				res.Header.Get("Content-Disposition") != `attachment; filename=Report-Spring.pdf` {
				t.Errorf("the PDF is sent with %q", res.Header)
			}
			text := printouttest.Text(t, []byte(pdf))
			for _, want := range []string{"Spring", "Do you know of people selling sex in this part of the city?", "Answer\nAll\nNGOs and service",
				"3 (60 %)", "Harbour\n3\n", "Old Town\n1\n", "Riverside Drop-in", "1 shelter, 8 places in all", "front desk", "Signs of sexual exploitation",
				"Street sex work concentrated at the harbour", "Page 1 of "} {
				if !strings.Contains(text, want) {
					t.Errorf("the report PDF lacks %q:\n%s", want, text)
				}
			}
			for _, never := range []string{"Safe House North", "1 Hidden Road"} {
				if strings.Contains(text, never) || strings.Contains(pdf, never) {
					t.Errorf("the report PDF shows %q", never)
				}
			}
			_, pdf = send(t, env, &coord, http.MethodGet, report+".pdf", nil, http.StatusOK, "de")
			text = printouttest.Text(t, []byte(pdf))
			for _, want := range []string{"Wissen Sie von Menschen, die in diesem Teil der Stadt", "Schulungsbedarf nach Organisation und Funktion", "Seite 1 von "} {
				if !strings.Contains(text, want) {
					t.Errorf("the German report PDF lacks %q:\n%s", want, text)
				}
			}
			send(t, env, &officer, http.MethodGet, report+".pdf", nil, http.StatusForbidden)
			_, pdf = send(t, env, &officer, http.MethodGet, "/mapping/rounds/"+first.ID+"/restricted.pdf", nil, http.StatusOK)
			text = printouttest.Text(t, []byte(pdf))
			if !strings.Contains(text, "Restricted results: Spring") || !strings.Contains(text, "No answers yet.") || strings.Contains(text, "Riverside Drop-in") {
				t.Errorf("the restricted PDF is not the restricted report:\n%s", text)
			}
			send(t, env, &analyst, http.MethodGet, "/mapping/rounds/"+first.ID+"/restricted.pdf", nil, http.StatusForbidden)

			// The laid-out tables are kept between readers, and a new answer shows at once.
			answer(first, sex, "harbour")
			_, body = send(t, env, &analyst, http.MethodGet, report, nil, http.StatusOK)
			if !strings.Contains(body, "Harbour — Answers: 4") || !strings.Contains(body, `<td class="figure">4 (67 %)</td>`) {
				t.Error("the report does not count a new answer")
			}
			_, body = send(t, env, &coord, http.MethodGet, report, nil, http.StatusOK, "de")
			for _, want := range []string{"Noch keine Antworten.", `href="/training/needs/new?source_kind=mapping_round&amp;source_id=` + first.ID + `"`, "Schulungsbedarf nach Organisation und Funktion"} {
				if !strings.Contains(body, want) {
					t.Errorf("the coordinator's report lacks %q", want)
				}
			}
			_, body = send(t, env, &officer, http.MethodGet, "/mapping/rounds/"+first.ID+"/restricted", nil, http.StatusOK)
			for _, never := range []string{`id="withheld"`, `id="services"`, `id="training-needs"`, "Riverside Drop-in"} {
				if strings.Contains(body, never) {
					t.Errorf("the police contact's restricted page shows %q", never)
				}
			}
			if !strings.Contains(body, "No answers yet.") {
				t.Error("the restricted questionnaire without answers does not say so")
			}

			_, body = send(t, env, &coord, http.MethodGet, "/mapping/rounds/"+first.ID, nil, http.StatusOK)
			if !strings.Contains(body, "· Describe the people involved") || strings.Contains(body, "· profile ·") {
				t.Errorf("the review does not name the question by its label:\n%s", body)
			}

			second, sex2, _ := round("Autumn")
			answer(second, sex2, "old-town", "old-town", "old-town", "old-town", "old-town")
			_, body = send(t, env, &analyst, http.MethodGet, "/mapping/compare?a="+first.ID+"&b="+second.ID, nil, http.StatusOK)
			for _, want := range []string{`id="area-map-0-area-0-figure"`, `id="area-map-0-area-1-figure"`, "Harbour — Answers: 4", "Old Town — Answers: 5"} {
				if !strings.Contains(body, want) {
					t.Errorf("the comparison lacks %q", want)
				}
			}
		})
	}
}
