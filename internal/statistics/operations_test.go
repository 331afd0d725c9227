package statistics_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// opsNow is the clock of the operations tests: mid-June 2025, so the year
// 2025 has six months and a report of 14 June is still within its
// deadline.
var opsNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// exec runs seeding SQL: the records' own services stamp today, and these
// figures need days of 2025.
func (w *world) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if err := w.env.App.DB.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(), query, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// caseIDs are the ids of the cases opened so far, oldest first.
func (w *world) caseIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	if err := w.env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT id FROM cases ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// seedOperations writes a small year of services, each figure worked out
// by hand in TestOperations.
func (w *world) seedOperations(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	app := w.env.App
	coord := w.coord.ID
	w.direct(t, 2, "RO")
	ids := w.caseIDs(t)

	// A shelter of 4 places and a clinic (not a shelter). Placement 1 from
	// 1 to 11 March (10 days), placement 2 from 21 March and still there:
	// March 2 persons, 21 of 4×31 place-days (17 %); April, May 1 person,
	// 25 %; June (to the 15th, noon) 1 person, 25 %.
	shelter, err := app.Assistance.CreateProvider(ctx, w.coord.Actor, assistance.ProviderInput{Name: "Harbour", Types: []string{"shelter"},
		Languages: []string{"en"}, OrgID: w.orgA, Active: true, PlacesTotal: 4, PlaceGender: "any", PlaceAge: "any"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Assistance.CreateProvider(ctx, w.coord.Actor, assistance.ProviderInput{Name: "Clinic", Types: []string{"medical"},
		Languages: []string{"en"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	for i, p := range []struct {
		from  string
		until any
	}{{"2025-03-01 00:00", at("2025-03-11 00:00")}, {"2025-03-21 00:00", nil}} {
		k, err := app.Cases.RecordConsent(ctx, w.worker.Actor, ids[i], cases.ConsentInput{Purposes: []string{cases.PurposeReferral},
			Providers: []string{shelter.ID}, Categories: []string{string(cases.Assistance)}, Language: "ro", Method: "written", GivenBy: "person",
			GivenOn: time.Now().UTC().Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		status := "accepted"
		if p.until != nil {
			status = "ended"
		}
		w.exec(t, `INSERT INTO service_referrals (id, case_id, org_id, provider_id, services, placement, consent_id, status, answer_due,
				created_by, created_at, answered_at, ended_at) VALUES ($1, $2, $3, $4, '["shelter"]', 1, $5, $6, '2025-03-01', $7, $8, $8, $9)`,
			fmt.Sprintf("placement-%d", i), ids[i], w.orgA, shelter.ID, k.ID, status, coord, at(p.from), p.until)
	}

	// Reports: February one answered in 10 hours (within 24), one in 48
	// (late); April one in danger answered in half an hour (within); May
	// one unanswered (overdue); 14 June one with no rush unanswered (within
	// its 72 hours); one of 2024 not counted.
	for _, r := range []struct {
		urgency, received string
		answered          any
		code              bool
	}{
		{intake.UrgencySoon, "2025-02-03 10:00", at("2025-02-03 20:00"), true},
		{intake.UrgencySoon, "2025-02-10 10:00", at("2025-02-12 10:00"), false},
		{intake.UrgencyDanger, "2025-04-01 09:00", at("2025-04-01 09:30"), true},
		{intake.UrgencySoon, "2025-05-01 08:00", nil, false},
		{intake.UrgencyNoRush, "2025-06-14 12:00", nil, false},
		{intake.UrgencySoon, "2024-12-31 10:00", at("2024-12-31 11:00"), true},
	} {
		rc, err := app.Intake.Submit(ctx, intake.Submission{Details: "Workers at the car wash sleep in the back room.", PlaceType: intake.Unknown,
			Urgency: r.urgency, Language: "en"}, intaketest.Work(app.Intake))
		if err != nil {
			t.Fatal(err)
		}
		var code any
		if r.code {
			code = "KX7PQ2"
		}
		w.exec(t, `UPDATE reports SET created_at = $1, first_response_at = $2, attribution_code = $3 WHERE id = $4`,
			at(r.received), r.answered, code, rc.ReportID)
	}

	// Return follow-ups: due 1 March done the day before (on time) and on
	// 5 March (late); due 1 May not done (overdue); due 1 July (upcoming);
	// one due in 2024.
	w.exec(t, `INSERT INTO case_returns (id, case_id, org_id, country, details, risk_level, risk_assessed_on, consent_on, consent_language,
			consent_interpreter, consent_on_file, consent_given_by, travel_on, recorded_by, recorded_at, updated_by, updated_at)
		VALUES ('return-1', $1, $2, 'RO', $3, 'low', '2025-01-10', '2025-01-10', 'ro', 0, 1, 'person', '2025-02-01', $4, $5, $4, $5)`,
		ids[0], w.orgA, []byte("sealed"), coord, at("2025-01-10 10:00"))
	for i, f := range [][2]string{{"2025-03-01", "2025-02-28"}, {"2025-03-01", "2025-03-05"}, {"2025-05-01", ""}, {"2025-07-01", ""}, {"2024-12-01", ""}} {
		w.exec(t, `INSERT INTO case_return_followups (id, return_id, case_id, org_id, due_on, done_on, recorded_by, recorded_at)
			VALUES ($1, 'return-1', $2, $3, $4, $5, $6, $7)`, fmt.Sprintf("followup-%d", i), ids[0], w.orgA, f[0], f[1], coord, at("2025-01-10 10:00"))
	}

	// Training: 20 January (12 police, 3 health), 5 March (5 social
	// services), November 2024 (7 police, not counted).
	for i, s := range []struct {
		starts string
		groups map[string]int
	}{{"2025-01-20 09:00", map[string]int{"police": 12, "health": 3}}, {"2025-03-05 09:00", map[string]int{"social_services": 5}},
		{"2024-11-01 09:00", map[string]int{"police": 7}}} {
		id := fmt.Sprintf("session-%d", i)
		w.exec(t, `INSERT INTO training_sessions (id, starts_at, topic, trainer, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, 'Indicators', 'A trainer', $3, $2, $3, $2)`, id, at(s.starts), coord)
		for g, n := range s.groups {
			w.exec(t, `INSERT INTO training_attendance (id, session_id, actor_group, attended) VALUES ($1, $2, $3, $4)`, id+g, id, g, n)
		}
	}

	// A campaign running through 2025 and a draft; reach 500 and 3 in
	// February, 100 in December 2024; the reports of 3 February and 1 April
	// (and one of 2024) carry its material's code.
	w.exec(t, `INSERT INTO campaigns (id, name, starts_on, ends_on, status, created_by, created_at, updated_by, updated_at)
		VALUES ('campaign-1', 'Car washes', '2024-12-01', '2025-12-31', 'running', $1, $2, $1, $2),
			('campaign-2', 'Draft', '2025-01-01', '2025-12-31', 'draft', $1, $2, $1, $2)`, coord, at("2024-11-01 10:00"))
	w.exec(t, `INSERT INTO campaign_materials (id, campaign_id, title, channel, language, code, created_by, created_at)
		VALUES ('material-1', 'campaign-1', 'Poster', 'poster', 'en', 'KX7PQ2', $1, $2)`, coord, at("2024-11-01 10:00"))
	for i, r := range []struct {
		day    string
		people int
	}{{"2025-02-10", 500}, {"2025-02-20", 3}, {"2024-12-30", 100}} {
		w.exec(t, `INSERT INTO campaign_reach (id, campaign_id, channel, people, counted_on, created_by, created_at)
			VALUES ($1, 'campaign-1', 'poster', $2, $3, $4, $5)`, fmt.Sprintf("reach-%d", i), r.people, r.day, coord, at("2025-03-01 10:00"))
	}

	// Mapping: an open round over the first quarter, a closed one from
	// October 2024 to 15 January, a draft for 2026; responses in January
	// (2) and March (1), one in 2024.
	w.exec(t, `INSERT INTO mapping_questionnaires (id, form_id, title, version, source_kind, source_name, source, imported_by, imported_org, imported_at)
		VALUES ('q-1', 'places', 'Places', '1', 'shipped', 'places.md', $1, $2, $3, $4)`, []byte("x"), coord, w.coord.OrgID, at("2024-09-01 10:00"))
	for _, r := range [][4]string{{"round-1", "open", "2025-01-01", "2025-03-31"}, {"round-2", "closed", "2024-10-01", "2025-01-15"},
		{"round-3", "draft", "2026-01-01", "2026-03-31"}} {
		w.exec(t, `INSERT INTO mapping_rounds (id, title, status, areas, period_start, period_end, created_by, created_at)
			VALUES ($1, $1, $2, '[]', $3, $4, $5, $6)`, r[0], r[1], r[2], r[3], coord, at("2024-09-01 10:00"))
	}
	w.exec(t, `INSERT INTO mapping_invitations (id, round_id, questionnaire_id, created_by, created_at) VALUES ('inv-1', 'round-1', 'q-1', $1, $2)`,
		coord, at("2024-09-01 10:00"))
	for i, day := range []string{"2025-01-05 10:00", "2025-01-06 10:00", "2025-03-01 10:00", "2024-12-01 10:00"} {
		w.exec(t, `INSERT INTO mapping_responses (id, round_id, questionnaire_id, invitation_id, respondent_kind, answers, submitted_at)
			VALUES ($1, 'round-1', 'q-1', 'inv-1', 'link', '{}', $2)`, fmt.Sprintf("response-%d", i), at(day))
	}
}

// counts are the rows of a chart as shown, "s" for suppressed.
func counts(c statistics.Chart) string {
	var out []string
	for _, r := range c.Rows {
		if r.Cell.Withheld() {
			out = append(out, "s")
		} else {
			out = append(out, fmt.Sprint(r.Cell.Shown()))
		}
	}
	total := fmt.Sprint(c.Total.Shown())
	if c.Total.Withheld() {
		total = "s"
	}
	return strings.Join(out, " ") + " = " + total
}

func shares(ms []statistics.MonthShare) string {
	var out []string
	for _, m := range ms {
		if m.Shown {
			out = append(out, fmt.Sprint(m.Percent))
		} else {
			out = append(out, "-")
		}
	}
	return strings.Join(out, " ")
}

// TestOperations: the operations figures of a small year worked out by
// hand for the coordinator; the analyst's counts of persons suppressed,
// counts of sessions and rounds not; a year out of range and a case worker
// refused.
func TestOperations(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.seedOperations(t)
			ops := statistics.New(statistics.Deps{DB: w.env.App.DB, Audit: w.env.App.Audit, Now: func() time.Time { return opsNow }}).
				Operations(w.env.App.Intake.Deadline)
			ctx := context.Background()
			p, err := ops.Year(ctx, w.coord.Actor, 2025)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				what string
				got  string
				want string
			}{
				{"placed", counts(p.Placed), "0 0 2 1 1 1 = 5"},
				{"occupancy", shares(p.Occupancy), "0 0 17 25 25 25"},
				{"capacity", fmt.Sprint(p.Shelters, p.Capacity), "1 4"},
				// 10 + 11 + 30 + 31 + 14.5 place-days of 4 × 165.5.
				{"year's occupancy", fmt.Sprint(p.YearOccupancy), "{15 true}"},
				{"triage", counts(p.Triage), "2 1 1 1 = 5"},
				{"triage share", shares(p.TriageShare), "- 50 - 100 0 -"},
				{"months without a report past its deadline", fmt.Sprint(p.TriageShare[0].Empty, p.TriageShare[2].Empty, p.TriageShare[5].Empty,
					p.TriageShare[4].Empty), "true true true false"},
				{"response", fmt.Sprint(p.Response.N, p.Response.Median, p.Response.P90), "3 10 48"},
				{"follow-ups", counts(p.FollowUps), "1 1 1 1 = 4"},
				{"sessions", counts(p.Sessions), "1 0 1 0 0 0 = 2"},
				{"participants", counts(p.Participants), "15 0 5 0 0 0 = 20"},
				{"participants by group", counts(p.ParticipantsBy), "12 0 3 5 0 0 0 0 0 0 0 = 20"},
				{"campaigns", fmt.Sprint(p.Campaigns), "1"},
				{"reach", counts(p.Reach), "0 503 0 0 0 0 = 503"},
				{"campaign reports", counts(p.CampaignReports), "0 1 0 1 0 0 = 2"},
				{"rounds", counts(p.Rounds), "0 1 1 = 2"},
				{"responses", counts(p.Responses), "2 0 1 0 0 0 = 3"},
			} {
				if c.got != c.want {
					t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
				}
			}

			a, err := ops.Year(ctx, w.analyst.Actor, 2025)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Protected || counts(a.Placed) != "0 0 s s s s = s" || shares(a.Occupancy) != "0 0 - - - -" || a.YearOccupancy.Shown ||
				!a.TriageShare[0].Empty || a.TriageShare[1].Empty ||
				counts(a.Triage) != "s s s s = s" || !a.Response.Withheld || a.Response.N != 0 || shares(a.TriageShare) != "- - - - - -" {
				t.Errorf("analyst: placed %s, occupancy %s, triage %s, response %+v, shares %s", counts(a.Placed), shares(a.Occupancy),
					counts(a.Triage), a.Response, shares(a.TriageShare))
			}
			// Sessions and rounds are not about persons; 503 people reached
			// is above the threshold.
			if counts(a.Sessions) != "1 0 1 0 0 0 = 2" || counts(a.Rounds) != "0 1 1 = 2" || counts(a.Reach) != "0 503 0 0 0 0 = 503" {
				t.Errorf("analyst: sessions %s, rounds %s, reach %s", counts(a.Sessions), counts(a.Rounds), counts(a.Reach))
			}
			for _, c := range []statistics.Chart{a.FollowUps, a.Participants, a.ParticipantsBy, a.CampaignReports, a.Responses} {
				for _, r := range c.Rows {
					if r.Cell.Status == 0 && r.Cell.Shown() > 0 && r.Cell.Shown() <= 10 {
						t.Errorf("analyst sees %s %s = %d", c.ID, r.Code, r.Cell.Shown())
					}
				}
			}

			for _, y := range []int{1999, 2026} {
				if _, err := ops.Year(ctx, w.coord.Actor, y); !apperr.Is(err, apperr.Invalid) || apperr.As(err).Key != "statistics.error.year" {
					t.Errorf("year %d: %v", y, err)
				}
			}
			if _, err := ops.Year(ctx, w.worker.Actor, 2025); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("case worker: %v", err)
			}
		})
	}
}

// TestOperationsPage: the services page in English for the coordinator
// with its charts, tables and summaries; in German for the analyst with
// suppressed cells; a bad year is a translated error; a case worker is
// refused; the dashboard links to the page.
func TestOperationsPage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			w.seedOperations(t)
			get := func(u apptest.User, path, lang string) (*http.Response, string) {
				return w.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: path, Cookie: u.Cookie,
					Header: map[string]string{"Accept-Language": lang}})
			}
			res, body := get(w.coord, "/statistics/services?year=2025", "en")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("coordinator: %d %s", res.StatusCode, body)
			}
			for _, want := range []string{
				`id="chart-placed"`, `<svg class="chart" viewBox="0 0 320 408"`, `id="table-placed"`, `id="occupancy-03"`, "Shelters in the service directory today: 1, with 4 places.",
				"Over the months shown, placements took 20 % of the shelter places.",
				`id="chart-triage"`, `id="table-triage-share"`, "Time from receipt to the first response: median 10 hours, 90th percentile 48 hours, over 3 answered reports.",
				`id="chart-followups"`, `id="chart-sessions"`, `id="chart-participants_group"`, "Highest: Police, 12 of 20.",
				"1 campaign ran in this year.", `id="chart-reach"`, `id="chart-campaign_reports"`, `id="chart-rounds"`, `id="chart-responses"`,
				`<th scope="col">Sessions</th>`, `aria-current="page">Services</a>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("coordinator page lacks %s", want)
				}
			}
			res, body = get(w.analyst, "/statistics/services?year=2025", "de")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "unterdrückt") || !strings.Contains(body, "Dienste in Zahlen 2025") ||
				!strings.Contains(body, "Die Zeit bis zur ersten Reaktion wird unterdrückt") ||
				!strings.Contains(body, "Der Anteil der im Jahr belegten Plätze wird unterdrückt") ||
				// A label too long for the chart is squeezed into it.
				!strings.Contains(body, `textLength="316" lengthAdjust="spacingAndGlyphs">Arbeits-, Steuer-`) {
				t.Fatalf("analyst: %d %s", res.StatusCode, body)
			}
			if res, _ := get(w.worker, "/statistics/services", "en"); res.StatusCode != http.StatusForbidden {
				t.Errorf("case worker: %d", res.StatusCode)
			}
			for _, q := range []string{"1999", "soon"} {
				if res, body := get(w.coord, "/statistics/services?year="+q, "de"); res.StatusCode != http.StatusUnprocessableEntity ||
					!strings.Contains(body, "Wählen Sie ein Jahr") {
					t.Errorf("year %s: %d", q, res.StatusCode)
				}
			}
			if _, body := get(w.coord, "/statistics", "en"); !strings.Contains(body, `href="/statistics/services?year=`) {
				t.Error("the dashboard does not link the services page")
			}
		})
	}
}
