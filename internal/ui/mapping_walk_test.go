package ui_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/mapping"
)

// The mapping's routes (ui/mapping) in the route walk. The walk's round
// asks the locations questionnaire (and the restricted one), invites every
// role of organisations A and B, and has a link that takes every caller's
// answers.
func init() {
	pageCases["GET /mapping"] = pageCase{}
	pageCases["GET /mapping/questionnaires"] = pageCase{}
	pageCases["POST /mapping/questionnaires/shipped"] = pageCase{form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"slug": {"origin"}}
	}}
	pageCases["GET /mapping/questionnaires/import"] = pageCase{}
	pageCases["POST /mapping/questionnaires/import"] = pageCase{file: "file", form: walkWorkbook}
	pageCases["GET /mapping/questionnaires/{id}"] = pageCase{id: func(t *testing.T, f *fixture) string {
		walkRound(t, f)
		return walkRounds[f].questionnaire
	}}
	pageCases["GET /mapping/rounds/new"] = pageCase{}
	pageCases["POST /mapping/rounds/new"] = pageCase{form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		walkRound(t, f)
		return url.Values{"title": {f.unique("Round")}, "questionnaires": {walkRounds[f].questionnaire}, "period_start": {"2026-01-01"}, "period_end": {"2026-03-31"}}
	}}
	pageCases["GET /mapping/rounds/{id}"] = pageCase{id: walkRound}
	pageCases["POST /mapping/rounds/{id}/open"] = pageCase{id: func(t *testing.T, f *fixture) string { return walkNewRound(t, f, false) }}
	pageCases["POST /mapping/rounds/{id}/close"] = pageCase{id: func(t *testing.T, f *fixture) string { return walkNewRound(t, f, true) }}
	pageCases["POST /mapping/rounds/{id}/invite"] = pageCase{id: func(t *testing.T, f *fixture) string { return walkNewRound(t, f, true) },
		form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
			return url.Values{"questionnaire": {walkRounds[f].questionnaire}, "kind": {"link"}, "respondent_kind": {"hotel_staff"}, "max_uses": {"5"}, "days": {"7"}}
		}}
	pageCases["POST /mapping/invitations/{id}/revoke"] = pageCase{id: func(t *testing.T, f *fixture) string {
		walkRound(t, f)
		w := walkRounds[f]
		inv, err := f.env.App.Mapping.Invite(context.Background(), f.staff[access.Coordinator].Actor, w.round, mapping.InviteInput{QuestionnaireID: w.questionnaire,
			Link: true, RespondentKind: "libraries", MaxUses: 1, Days: 1})
		if err != nil {
			t.Fatalf("invite: %v", err)
		}
		return inv.ID
	}}
	pageCases["POST /mapping/review/{answer}"] = pageCase{id: walkFreeText, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"round": {walkRounds[f].round}, "decision": {"accept"}, "text": {"Vans at the station early."}}
	}}
	pageCases["GET /mapping/rounds/{id}/report"] = pageCase{id: walkRound}
	pageCases["GET /mapping/rounds/{id}/report.pdf"] = pageCase{id: walkRound}
	pageCases["POST /mapping/rounds/{id}/findings"] = pageCase{id: walkRound, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"title": {f.unique("Vans at the station")}, "description": {"Seen by respondents."}, "topic": {"labour_exploitation"}, "priority": {"medium"}}
	}}
	pageCases["GET /mapping/compare"] = pageCase{}
	pageCases["GET /mapping/restricted"] = pageCase{}
	pageCases["GET /mapping/rounds/{id}/restricted"] = pageCase{id: walkRound}
	pageCases["GET /mapping/rounds/{id}/restricted.pdf"] = pageCase{id: walkRound}
	pageCases["GET /mapping/respond"] = pageCase{}
	pageCases["GET /mapping/respond/{round}/{questionnaire}"] = pageCase{id: walkRound}
	pageCases["POST /mapping/respond/{round}/{questionnaire}"] = pageCase{id: walkRound, form: walkAnswers}
	pageCases["GET /m/{token}"] = pageCase{id: walkRound}
	pageCases["POST /m/{token}"] = pageCase{id: walkRound, form: walkAnswers}
}

// walkState is the walk's round of each fixture: its id, the locations
// questionnaire and the link's token.
type walkState struct{ round, questionnaire, token string }

var walkRounds = map[*fixture]walkState{}

// walkRound is the walk's open round, made once per fixture; it puts
// {round}, {questionnaire} and {token} in f.params for the request about
// to be sent, since other routes use these names too.
func walkRound(t *testing.T, f *fixture) string {
	t.Helper()
	if w, ok := walkRounds[f]; ok {
		f.params["round"], f.params["questionnaire"], f.params["token"] = w.round, w.questionnaire, w.token
		return w.round
	}
	ctx := context.Background()
	svc, coord := f.env.App.Mapping, f.staff[access.Coordinator].Actor
	loc, err := svc.AddShipped(ctx, coord, "locations")
	if err != nil {
		t.Fatalf("add questionnaire: %v", err)
	}
	perp, err := svc.AddShipped(ctx, coord, "perpetrators")
	if err != nil {
		t.Fatalf("add questionnaire: %v", err)
	}
	r, err := svc.CreateRound(ctx, coord, mapping.RoundInput{Title: "Walk", QuestionnaireIDs: []string{loc.ID, perp.ID},
		PeriodStart: "2026-10-01", PeriodEnd: "2026-12-31", Open: true})
	if err != nil {
		t.Fatalf("create round: %v", err)
	}
	for _, org := range []string{f.orgA, f.orgB} {
		if _, err := svc.Invite(ctx, coord, r.ID, mapping.InviteInput{QuestionnaireID: loc.ID, OrgID: org}); err != nil {
			t.Fatalf("invite: %v", err)
		}
	}
	link, err := svc.Invite(ctx, coord, r.ID, mapping.InviteInput{QuestionnaireID: loc.ID, Link: true, RespondentKind: "taxi_drivers",
		MaxUses: mapping.MaxLinkUses, Days: 7})
	if err != nil {
		t.Fatalf("invite link: %v", err)
	}
	walkRounds[f] = walkState{round: r.ID, questionnaire: loc.ID, token: link.Token}
	return walkRound(t, f)
}

// walkNewRound is a new round asking the walk's questionnaire, open or a draft.
func walkNewRound(t *testing.T, f *fixture, open bool) string {
	t.Helper()
	walkRound(t, f)
	r, err := f.env.App.Mapping.CreateRound(context.Background(), f.staff[access.Coordinator].Actor, mapping.RoundInput{Title: f.unique("Round"),
		QuestionnaireIDs: []string{walkRounds[f].questionnaire}, PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31", Open: open})
	if err != nil {
		t.Fatalf("create round: %v", err)
	}
	return r.ID
}

func walkAnswers(*testing.T, *fixture, *apptest.User) url.Values {
	return url.Values{"area": {"whole_city"}, "basis": {"outreach"}, "places:count": {"1"}, "places[1]/location_type": {"transport_hub"},
		"places[1]/place_area": {"whole_city"}, "places[1]/place_signs": {"recruitment"}, "places[1]/seen_period": {"quarter"},
		"places[1]/observation": {"Vans wait at the station at five"}}
}

// walkFreeText is a new free-text answer waiting for review; it leaves
// {answer} in f.params.
func walkFreeText(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	round := walkRound(t, f)
	if _, err := f.env.App.Mapping.RespondByLink(ctx, walkRounds[f].token, walkAnswers(t, f, nil), "en"); err != nil {
		t.Fatalf("answer through the link: %v", err)
	}
	pending, err := f.env.App.Mapping.Reviews(ctx, f.staff[access.Coordinator].Actor, round, mapping.Pending)
	if err != nil || len(pending) == 0 {
		t.Fatalf("pending free text: %v", err)
	}
	f.params["answer"] = pending[len(pending)-1].ID
	return round
}

// walkWorkbook is a small XLSForm of a version not imported before.
func walkWorkbook(t *testing.T, f *fixture, _ *apptest.User) url.Values {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	if _, err := wb.NewSheet("settings"); err != nil {
		t.Fatal(err)
	}
	for sheet, rows := range map[string][][]string{
		"survey":   {{"type", "name", "label"}, {"integer", "lamps", "Broken lamps"}},
		"settings": {{"form_id", "version"}, {"walk", f.unique("v")}},
	} {
		for i, row := range rows {
			if err := wb.SetSheetRow(sheet, "A"+string(rune('1'+i)), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return url.Values{"file": {buf.String()}}
}
