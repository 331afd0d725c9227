package mapping_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *mapping.Service
	coordinator apptest.User
	analyst     apptest.User
	worker      apptest.User // case worker of the invited NGO
	other       apptest.User // case worker of an NGO not invited
	police      apptest.User
	ngo         string
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.Mapping}
	city := env.Org("City Office", accounts.Municipality)
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	otherNGO := env.Org("Other NGO", accounts.NGO)
	police := env.Org("Police", accounts.Police)
	f.coordinator = env.User("coord", access.Coordinator, city)
	f.analyst = env.User("analyst", access.Analyst, city)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.other = env.User("other", access.CaseWorker, otherNGO)
	f.police = env.User("police", access.PoliceContact, police)
	return f
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if key == "" {
		return
	}
	e := apperr.As(err)
	if e.Key == key {
		return
	}
	for _, fe := range e.Fields {
		if fe.Key == key {
			return
		}
	}
	t.Fatalf("%s: key %q, fields %+v, want %q", what, e.Key, e.Fields, key)
}

func count(t *testing.T, env *apptest.Env, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, query, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// round adds the shipped questionnaires slugs and opens a round asking them.
func (f *fixture) round(t *testing.T, title string, slugs ...string) (mapping.Round, map[string]string) {
	t.Helper()
	ctx := context.Background()
	ids := map[string]string{}
	var list []string
	for _, s := range slugs {
		q, err := f.svc.AddShipped(ctx, f.coordinator.Actor, s)
		if err != nil {
			t.Fatalf("add %s: %v", s, err)
		}
		ids[s] = q.ID
		list = append(list, q.ID)
	}
	r, err := f.svc.CreateRound(ctx, f.coordinator.Actor, mapping.RoundInput{Title: title, QuestionnaireIDs: list,
		PeriodStart: "2026-11-01", PeriodEnd: "2026-12-31", Open: true})
	if err != nil {
		t.Fatalf("create round: %v", err)
	}
	return r, ids
}

// sexAnswers is a complete answer to the sexual exploitation questionnaire.
func sexAnswers(known, count, profile string) url.Values {
	v := url.Values{"area": {"whole_city"}, "basis": {"outreach"}, "sex_work_known": {known}}
	if known == "yes" {
		v.Set("sex_work_count", count)
		v["venues"] = []string{"street", "online"}
		v.Set("controlled_share", "few")
		v.Set("profile", profile)
	}
	return v
}

func workbook(t *testing.T, survey [][]string) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for i, row := range survey {
		r := row
		if err := wb.SetSheetRow("survey", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := wb.NewSheet("settings"); err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]string{{"form_title", "form_id", "version"}, {"Night walk", "night_walk", "1"}} {
		r := row
		if err := wb.SetSheetRow("settings", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An XLSForm the engine refuses is refused with its sheet, row and column
// and stores nothing; a good one is stored once per version.
func TestImportXLSForm(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			bad := workbook(t, [][]string{{"type", "name", "label"}, {"integer", "lamps", "Broken lamps"}, {"geopoint", "where", "Where"}})
			_, err := f.svc.ImportXLSForm(ctx, f.coordinator.Actor, "walk.xlsx", bytes.NewReader(bad), false)
			wantCode(t, "unknown type", err, apperr.Invalid, "")
			fe := apperr.As(err).Fields[0]
			if fe.Args["sheet"] != "survey" || fe.Args["row"] != 3 || fe.Args["column"] != "type" {
				t.Fatalf("refusal at %v, want survey row 3 column type", fe.Args)
			}
			_, err = f.svc.ImportXLSForm(ctx, f.coordinator.Actor, "walk.xlsx", strings.NewReader("PK not really a zip"), false)
			wantCode(t, "not a workbook", err, apperr.Invalid, "")
			good := workbook(t, [][]string{{"type", "name", "label"}, {"integer", "lamps", "Broken lamps"}})
			_, err = f.svc.ImportXLSForm(ctx, f.worker.Actor, "walk.xlsx", bytes.NewReader(good), false)
			wantCode(t, "case worker", err, apperr.Forbidden, "")
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_questionnaires`); n != 0 {
				t.Fatalf("%d questionnaires after refusals, want 0", n)
			}
			q, err := f.svc.ImportXLSForm(ctx, f.coordinator.Actor, `C:\forms\walk.xlsx`, bytes.NewReader(good), true)
			if err != nil {
				t.Fatal(err)
			}
			if q.FormID != "night_walk" || q.Title != "Night walk" || q.SourceName != "walk.xlsx" || !q.Restricted {
				t.Fatalf("imported %+v", q)
			}
			_, err = f.svc.ImportXLSForm(ctx, f.coordinator.Actor, "walk.xlsx", bytes.NewReader(good), false)
			wantCode(t, "same version", err, apperr.Invalid, "mapping.error.version_taken")
			_, form, err := f.svc.Preview(ctx, f.coordinator.Actor, q.ID)
			if err != nil || len(form.Fields()) != 1 {
				t.Fatalf("preview: %v", err)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_questionnaires`); n != 1 {
				t.Fatalf("%d questionnaires, want 1", n)
			}
		})
	}
}

// A respondent sees and answers only what their organisation was invited
// to; free text is sealed and enters the report only as accepted; an
// anonymous respondent is shown to the coordinator alone.
func TestRespondReviewReport(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r, ids := f.round(t, "Autumn 2026", "sexual_exploitation", "locations")
			sex := ids["sexual_exploitation"]
			_, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: sex, OrgID: f.ngo, Role: "case_worker"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.Invite(ctx, f.worker.Actor, r.ID, mapping.InviteInput{QuestionnaireID: sex, OrgID: f.ngo})
			wantCode(t, "invite by a case worker", err, apperr.Forbidden, "")
			_, err = f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: sex, OrgID: f.ngo, Role: "analyst"})
			wantCode(t, "analyst cannot respond", err, apperr.Invalid, "mapping.error.role")

			list, err := f.svc.Assigned(ctx, f.worker.Actor)
			if err != nil || len(list) != 1 || list[0].Questionnaire.ID != sex {
				t.Fatalf("assigned = %+v, %v", list, err)
			}
			if list, _ := f.svc.Assigned(ctx, f.other.Actor); len(list) != 0 {
				t.Fatalf("another organisation's worker is assigned %+v", list)
			}
			_, err = f.svc.Answering(ctx, f.other.Actor, r.ID, sex)
			wantCode(t, "another organisation", err, apperr.NotFound, "mapping.error.not_invited")
			_, err = f.svc.Answering(ctx, f.worker.Actor, r.ID, ids["locations"])
			wantCode(t, "questionnaire not invited to", err, apperr.NotFound, "")
			_, err = f.svc.Respond(ctx, f.analyst.Actor, r.ID, sex, sexAnswers("no", "", ""), "en", false)
			wantCode(t, "analyst", err, apperr.Forbidden, "")

			// A broken constraint is refused and changes nothing.
			_, err = f.svc.Respond(ctx, f.worker.Actor, r.ID, sex, sexAnswers("yes", "-4", "x"), "en", false)
			wantCode(t, "negative count", err, apperr.Invalid, "")
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_responses`); n != 0 {
				t.Fatalf("%d responses after a refusal", n)
			}
			const secret = "Zlatan-Marker-Brothel-77"
			if _, err := f.svc.Respond(ctx, f.worker.Actor, r.ID, sex, sexAnswers("yes", "40", "Mostly young women, one called "+secret), "en", true); err != nil {
				t.Fatal(err)
			}
			// Answering again replaces the response.
			if _, err := f.svc.Respond(ctx, f.worker.Actor, r.ID, sex, sexAnswers("yes", "30", "Mostly young women, one called "+secret), "en", true); err != nil {
				t.Fatal(err)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_responses`); n != 1 {
				t.Fatalf("%d responses after answering twice, want 1", n)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_responses WHERE answers LIKE '%Zlatan%'`); n != 0 {
				t.Fatal("free text stored in the clear")
			}
			if engine == storage.SQLite {
				for _, name := range []string{"waymark.db", "waymark.db-wal"} {
					b, _ := os.ReadFile(filepath.Join(f.env.App.Config.DataDir, name))
					if bytes.Contains(b, []byte(secret)) {
						t.Fatalf("free text in the clear in %s", name)
					}
				}
			}

			agg, err := f.svc.Aggregate(ctx, f.analyst.Actor, r.ID, sex)
			if err != nil {
				t.Fatal(err)
			}
			res, _ := agg.Result("sex_work_count")
			if agg.Responses != 1 || res.All.N != 1 || res.All.Sum != 30 || len(agg.Types) != 1 || !agg.Types[0].Type.Anonymous {
				t.Fatalf("aggregate %+v, count %+v", agg, res.All)
			}
			_, err = f.svc.Aggregate(ctx, f.worker.Actor, r.ID, sex)
			wantCode(t, "case worker reads results", err, apperr.Forbidden, "")

			// Pending text is not in the report; the analyst never sees who answered.
			rep, err := f.svc.Report(ctx, f.analyst.Actor, r.ID, "en")
			if err != nil || len(rep.Sections) != 2 || len(rep.Sections[0].Texts)+len(rep.Sections[1].Texts) != 0 {
				t.Fatalf("report before review: %+v, %v", rep, err)
			}
			_, err = f.svc.Responses(ctx, f.analyst.Actor, r.ID)
			wantCode(t, "analyst lists respondents", err, apperr.Forbidden, "")
			resp, err := f.svc.Responses(ctx, f.coordinator.Actor, r.ID)
			if err != nil || len(resp) != 1 || resp[0].Username != "worker" || !resp[0].Respondent.Anonymous {
				t.Fatalf("coordinator's responses = %+v, %v", resp, err)
			}
			entries, _, err := f.env.App.Audit.List(ctx, f.env.App.DB, access.SystemScope(), audit.Filter{Action: "mapping.respond", Outcome: audit.Done, Limit: 10})
			if err != nil || len(entries) != 2 || entries[0].ActorUserID != "" {
				t.Fatalf("audit of an anonymous response = %+v, %v", entries, err)
			}

			pending, err := f.svc.Reviews(ctx, f.coordinator.Actor, r.ID, mapping.Pending)
			if err != nil || len(pending) != 1 || !strings.Contains(pending[0].Original, secret) || pending[0].Field != "profile" {
				t.Fatalf("review queue = %+v, %v", pending, err)
			}
			err = f.svc.Review(ctx, f.coordinator.Actor, pending[0].ID, true, "")
			wantCode(t, "accept without text", err, apperr.Invalid, "mapping.error.edited")
			err = f.svc.Review(ctx, f.police.Actor, pending[0].ID, true, "Mostly young women.")
			wantCode(t, "police reviews", err, apperr.Forbidden, "")
			if err := f.svc.Review(ctx, f.coordinator.Actor, pending[0].ID, true, "Mostly young women."); err != nil {
				t.Fatal(err)
			}
			rep, err = f.svc.Report(ctx, f.analyst.Actor, r.ID, "en")
			if err != nil {
				t.Fatal(err)
			}
			texts := rep.Sections[1].Texts
			if rep.Sections[1].Questionnaire.ID != sex {
				texts = rep.Sections[0].Texts
			}
			if len(texts) != 1 || texts[0].Text != "Mostly young women." || !texts[0].Respondent.Anonymous || strings.Contains(fmt.Sprint(rep), secret) {
				t.Fatalf("accepted text in the report: %+v", texts)
			}

			// The report is kept between readers, but answering again
			// takes the accepted text out of it and the new count in, at once.
			if _, err := f.svc.Respond(ctx, f.worker.Actor, r.ID, sex, sexAnswers("yes", "12", "Other text"), "en", false); err != nil {
				t.Fatal(err)
			}
			rep, err = f.svc.Report(ctx, f.analyst.Actor, r.ID, "en")
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range rep.Sections {
				if sec.Questionnaire.ID != sex {
					continue
				}
				res, _ := sec.Result("sex_work_count")
				if len(sec.Texts) != 0 || res.All.Sum != 12 {
					t.Fatalf("report after answering again: texts %+v, count %+v", sec.Texts, res.All)
				}
			}
		})
	}
}

// A link lets people without an account answer as often as its cap
// allows, and no more.
func TestLinkInvitation(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r, ids := f.round(t, "Links", "locations")
			loc := ids["locations"]
			_, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: loc, Link: true, RespondentKind: "astronauts", MaxUses: 2, Days: 7})
			wantCode(t, "unknown actor", err, apperr.Invalid, "mapping.error.respondent_kind")
			inv, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: loc, Link: true, RespondentKind: "taxi_drivers",
				Label: "Taxi association", MaxUses: 2, Days: 7})
			if err != nil || inv.Token == "" {
				t.Fatalf("invite link: %+v, %v", inv, err)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_invitations WHERE token_hash IS NOT NULL`); n != 1 {
				t.Fatal("no token hash stored")
			}
			answer := url.Values{"area": {"whole_city"}, "basis": {"reports"}, "places:count": {"1"},
				"places[1]/location_type": {"transport_hub"}, "places[1]/place_area": {"whole_city"}, "places[1]/place_signs": {"recruitment"},
				"places[1]/seen_period": {"quarter"}, "places[1]/observation": {"Vans at the station at 5 am"}}
			if _, err := f.svc.LinkAnswering(ctx, inv.Token); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				if _, err := f.svc.RespondByLink(ctx, inv.Token, answer, "de"); err != nil {
					t.Fatalf("answer %d: %v", i+1, err)
				}
			}
			_, err = f.svc.RespondByLink(ctx, inv.Token, answer, "de")
			wantCode(t, "third use", err, apperr.Conflict, "mapping.error.link_used")
			_, err = f.svc.LinkAnswering(ctx, inv.Token[:20])
			wantCode(t, "forged token", err, apperr.NotFound, "mapping.error.link_unknown")
			if n := count(t, f.env, `SELECT COUNT(*) FROM mapping_responses WHERE respondent_user IS NULL AND respondent_kind = 'taxi_drivers'`); n != 2 {
				t.Fatalf("%d link responses, want 2", n)
			}
			rep, err := f.svc.Report(ctx, f.coordinator.Actor, r.ID, "en")
			if err != nil || len(rep.Locations) != 2 || rep.Locations[0].Type != "transport_hub" || rep.Locations[0].Observation != "" {
				t.Fatalf("register before review: %+v, %v", rep.Locations, err)
			}
			pending, _ := f.svc.Reviews(ctx, f.coordinator.Actor, r.ID, mapping.Pending)
			if len(pending) != 2 || pending[0].Field != "places[1]/observation" {
				t.Fatalf("pending %+v", pending)
			}
			if err := f.svc.Review(ctx, f.coordinator.Actor, pending[0].ID, true, "Vans collect people at the station early."); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Review(ctx, f.coordinator.Actor, pending[1].ID, false, ""); err != nil {
				t.Fatal(err)
			}
			rep, _ = f.svc.Report(ctx, f.coordinator.Actor, r.ID, "en")
			var seen []string
			for _, l := range rep.Locations {
				seen = append(seen, l.Observation)
			}
			if strings.Join(seen, "|") != "Vans collect people at the station early.|" {
				t.Fatalf("observations in the register: %q", seen)
			}
			// An ended invitation: its link stops working, its organisation no longer sees the questionnaire.
			other, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: loc, Link: true, RespondentKind: "libraries", MaxUses: 5, Days: 7})
			if err != nil {
				t.Fatal(err)
			}
			// A new answer enters the register at once, though its places are kept between reports.
			if _, err := f.svc.RespondByLink(ctx, other.Token, answer, "en"); err != nil {
				t.Fatal(err)
			}
			if rep, err = f.svc.Report(ctx, f.coordinator.Actor, r.ID, "en"); err != nil || len(rep.Locations) != 3 {
				t.Fatalf("register after a third answer: %d places, %v", len(rep.Locations), err)
			}
			org, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: loc, OrgID: f.ngo})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.Revoke(ctx, f.worker.Actor, other.ID)
			wantCode(t, "case worker revokes", err, apperr.Forbidden, "")
			for _, id := range []string{other.ID, org.ID} {
				if _, err := f.svc.Revoke(ctx, f.coordinator.Actor, id); err != nil {
					t.Fatal(err)
				}
			}
			_, err = f.svc.LinkAnswering(ctx, other.Token)
			wantCode(t, "revoked link", err, apperr.NotFound, "mapping.error.link_unknown")
			if list, _ := f.svc.Assigned(ctx, f.worker.Actor); len(list) != 0 {
				t.Fatalf("a revoked invitation is still assigned: %+v", list)
			}
			if err := f.svc.CloseRound(ctx, f.coordinator.Actor, r.ID); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.LinkAnswering(ctx, inv.Token)
			wantCode(t, "closed round", err, apperr.Conflict, "")
		})
	}
}

// The perpetrators questionnaire's results are for the coordinator and
// police contact points only.
func TestRestrictedResults(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			r, ids := f.round(t, "Perpetrators", "perpetrators", "begging_criminality")
			perp := ids["perpetrators"]
			for _, who := range []apptest.User{f.analyst, f.worker} {
				_, err := f.svc.Aggregate(ctx, who.Actor, r.ID, perp)
				wantCode(t, string(who.Role), err, apperr.Forbidden, "")
			}
			for _, who := range []apptest.User{f.police, f.coordinator} {
				if _, err := f.svc.Aggregate(ctx, who.Actor, r.ID, perp); err != nil {
					t.Fatalf("%s: %v", who.Role, err)
				}
			}
			rep, err := f.svc.Report(ctx, f.analyst.Actor, r.ID, "en")
			if err != nil || rep.Withheld != 1 || len(rep.Sections) != 1 || rep.Sections[0].Questionnaire.ID == perp {
				t.Fatalf("analyst's report: %+v, %v", rep, err)
			}
			rep, err = f.svc.Report(ctx, f.police.Actor, r.ID, "en")
			if err != nil || rep.Withheld != 1 || len(rep.Sections) != 1 || rep.Sections[0].Questionnaire.ID != perp {
				t.Fatalf("police's report: %+v, %v", rep, err)
			}
			_, err = f.svc.Report(ctx, f.worker.Actor, r.ID, "en")
			wantCode(t, "case worker's report", err, apperr.Forbidden, "")
		})
	}
}

// Two rounds are compared question by question only where both have at
// least k answers.
func TestCompareRounds(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			k := f.svc.MinAnswers()
			answer := func(r mapping.Round, q string, knownYes, knownNo int) {
				inv, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: q, Link: true, RespondentKind: "ngo", MaxUses: 50, Days: 3})
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < knownYes+knownNo; i++ {
					v := sexAnswers("no", "", "")
					if i < knownYes {
						v = sexAnswers("yes", fmt.Sprint(10*(i+1)), "")
					}
					if _, err := f.svc.RespondByLink(ctx, inv.Token, v, "en"); err != nil {
						t.Fatal(err)
					}
				}
			}
			a, ids := f.round(t, "Spring", "sexual_exploitation")
			answer(a, ids["sexual_exploitation"], k+1, 1)
			b, ids := f.round(t, "Autumn", "sexual_exploitation")
			answer(b, ids["sexual_exploitation"], k-1, 3)
			_, _, cmp, err := f.svc.Compare(ctx, f.analyst.Actor, a.ID, b.ID)
			if err != nil || len(cmp) != 1 {
				t.Fatalf("compare: %+v, %v", cmp, err)
			}
			byName := map[string]mapping.QuestionChange{}
			for _, q := range cmp[0].Questions {
				byName[q.Field.Name] = q
			}
			known, counted := byName["sex_work_known"], byName["sex_work_count"]
			if !known.Enough || known.NA != k+2 || known.NB != k+2 {
				t.Fatalf("sex_work_known: %+v", known)
			}
			var yes mapping.ChoiceChange
			for _, c := range known.Choices {
				if c.Choice.Name == "yes" {
					yes = c
				}
			}
			wantPoints := (float64(k-1)/float64(k+2) - float64(k+1)/float64(k+2)) * 100
			if fmt.Sprintf("%.3f", yes.Points) != fmt.Sprintf("%.3f", wantPoints) {
				t.Fatalf("yes moved %.3f points, want %.3f", yes.Points, wantPoints)
			}
			if counted.Enough || counted.NA != k+1 || counted.NB != k-1 || counted.MeanA != 0 || counted.Choices != nil {
				t.Fatalf("sex_work_count below k shown: %+v", counted)
			}
			_, _, _, err = f.svc.Compare(ctx, f.worker.Actor, a.ID, b.ID)
			wantCode(t, "case worker compares", err, apperr.Forbidden, "")

			// A new answer counts at once, though the sums are kept between calls.
			answer(b, ids["sexual_exploitation"], 1, 0)
			_, _, cmp, err = f.svc.Compare(ctx, f.analyst.Actor, a.ID, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range cmp[0].Questions {
				if q.Field.Name == "sex_work_count" && (q.NB != k || !q.Enough) {
					t.Fatalf("after one more answer: %+v", q)
				}
			}
		})
	}
}

// uploadAreas gives the city two areas, Harbour and Old Town.
func (f *fixture) uploadAreas(t *testing.T) {
	t.Helper()
	areas := `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"code":"harbour","name":"Harbour"},"geometry":{"type":"Polygon","coordinates":[[[16.30,48.20],[16.31,48.20],[16.31,48.21],[16.30,48.21],[16.30,48.20]]]}},` +
		`{"type":"Feature","properties":{"code":"old-town","name":"Old Town"},"geometry":{"type":"Polygon","coordinates":[[[16.31,48.20],[16.32,48.20],[16.32,48.21],[16.31,48.21],[16.31,48.20]]]}}]}`
	if _, err := f.env.App.Geo.Upload(context.Background(), f.coordinator.Actor, strings.NewReader(areas), geo.Properties{Name: "name", Code: "code"}); err != nil {
		t.Fatalf("upload areas: %v", err)
	}
}

// The answers to "which part of the city" are counted per area code for
// the report's map (whole-city answers are no area's), and compared per
// area only where both rounds have k answers; the review names the
// question by its label.
func TestAreaAnswersCounted(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			f.uploadAreas(t)
			ctx := context.Background()
			k := f.svc.MinAnswers()
			answer := func(r mapping.Round, q string, areas ...string) {
				inv, err := f.svc.Invite(ctx, f.coordinator.Actor, r.ID, mapping.InviteInput{QuestionnaireID: q, Link: true, RespondentKind: "ngo", MaxUses: 50, Days: 3})
				if err != nil {
					t.Fatal(err)
				}
				for i, a := range areas {
					v := sexAnswers("yes", "4", fmt.Sprintf("Profile %d", i))
					v.Set("area", a)
					if _, err := f.svc.RespondByLink(ctx, inv.Token, v, "en"); err != nil {
						t.Fatal(err)
					}
				}
			}
			a, ids := f.round(t, "Spring", "sexual_exploitation")
			answer(a, ids["sexual_exploitation"], "harbour", "harbour", "harbour", "old-town", "whole_city")
			rep, err := f.svc.Report(ctx, f.analyst.Actor, a.ID, "en")
			if err != nil || len(rep.Sections) != 1 || len(rep.Sections[0].Areas) != 1 {
				t.Fatalf("report: %+v, %v", rep.Sections, err)
			}
			got := rep.Sections[0].Areas[0]
			if got.Field.Name != "area" || fmt.Sprint(got.ByArea) != "map[harbour:3 old-town:1]" {
				t.Fatalf("area answers counted as %s %v, want harbour 3 and old-town 1", got.Field.Name, got.ByArea)
			}

			pending, err := f.svc.Reviews(ctx, f.coordinator.Actor, a.ID, mapping.Pending)
			if err != nil || len(pending) == 0 {
				t.Fatalf("pending: %+v, %v", pending, err)
			}
			if l := mapping.In(pending[0].Question, "de"); !strings.HasPrefix(l, "Beschreiben Sie die Beteiligten") {
				t.Fatalf("the free text's question in German is %q", l)
			}

			b, ids := f.round(t, "Autumn", "sexual_exploitation")
			answer(b, ids["sexual_exploitation"], "old-town")
			_, _, cmp, err := f.svc.Compare(ctx, f.analyst.Actor, a.ID, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			area := func() mapping.QuestionChange {
				for _, q := range cmp[0].Questions {
					if q.Field.Name == "area" {
						return q
					}
				}
				t.Fatal("the comparison has no area question")
				return mapping.QuestionChange{}
			}
			if q := area(); q.AreasA != nil || q.AreasB != nil {
				t.Fatalf("areas compared below k: %+v", q)
			}
			more := make([]string, k)
			for i := range more {
				more[i] = "old-town"
			}
			answer(b, ids["sexual_exploitation"], more...)
			if _, _, cmp, err = f.svc.Compare(ctx, f.analyst.Actor, a.ID, b.ID); err != nil {
				t.Fatal(err)
			}
			if q := area(); fmt.Sprint(q.AreasA) != "map[harbour:3 old-town:1]" || fmt.Sprint(q.AreasB) != fmt.Sprintf("map[old-town:%d]", k+1) {
				t.Fatalf("areas compared: %v and %v", q.AreasA, q.AreasB)
			}
		})
	}
}
