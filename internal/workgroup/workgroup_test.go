package workgroup_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/workgroup"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env                     *apptest.Env
	svc                     *workgroup.Service
	city, ngo, police, away string
	coordinator             apptest.User
	worker                  apptest.User
	officer                 apptest.User
	// outsider is a case worker of an organisation that is not a member.
	outsider apptest.User
	analyst  apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: workgroup.New(workgroup.Deps{DB: env.App.DB, Vault: env.App.Vault, Audit: env.App.Audit, Plans: plan.New(plan.Deps{DB: env.App.DB, Audit: env.App.Audit})})}
	f.city = env.Org("Human Rights Office", accounts.Municipality)
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	f.police = env.Org("Police", accounts.Police)
	f.away = env.Org("Far NGO", accounts.NGO)
	f.coordinator = env.User("coord", access.Coordinator, f.city)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.officer = env.User("officer", access.PoliceContact, f.police)
	f.outsider = env.User("outsider", access.CaseWorker, f.away)
	f.analyst = env.User("analyst", access.Analyst, f.city)
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
	for _, f := range e.Fields {
		if f.Key == key {
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

func local(t time.Time) string { return t.In(time.Local).Format(workgroup.LocalMinute) }

func TestMembersAndMeetings(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			coord := f.coordinator.Actor
			lastYear := time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)
			for _, org := range []string{f.city, f.ngo} {
				if _, err := f.svc.AddMember(ctx, coord, workgroup.MemberInput{OrgID: org, JoinedOn: lastYear}); err != nil {
					t.Fatalf("add organisation: %v", err)
				}
			}
			person, err := f.svc.AddMember(ctx, coord, workgroup.MemberInput{OrgID: f.ngo, Name: "Mira Novak", Function: "Outreach lead", JoinedOn: lastYear})
			if err != nil || person.Name != "Mira Novak" || !person.Person() {
				t.Fatalf("add person: %+v %v", person, err)
			}
			tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    workgroup.MemberInput
				code  apperr.Code
				key   string
			}{
				{"case worker", f.worker.Actor, workgroup.MemberInput{OrgID: f.police, JoinedOn: lastYear}, apperr.Forbidden, ""},
				{"unknown organisation", coord, workgroup.MemberInput{OrgID: "no-such-org", JoinedOn: lastYear}, apperr.Invalid, "workgroup.error.org_unknown"},
				{"bad date", coord, workgroup.MemberInput{OrgID: f.police, JoinedOn: "2025-02-30"}, apperr.Invalid, "workgroup.error.date"},
				{"future", coord, workgroup.MemberInput{OrgID: f.police, JoinedOn: tomorrow}, apperr.Invalid, "workgroup.error.date_future"},
				{"twice", coord, workgroup.MemberInput{OrgID: f.ngo, JoinedOn: lastYear}, apperr.Invalid, "workgroup.error.already_member"},
			} {
				_, err := f.svc.AddMember(ctx, tc.actor, tc.in)
				wantCode(t, tc.name, err, tc.code, tc.key)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM workgroup_members`); n != 3 {
				t.Fatalf("%d members after refused input, want 3", n)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM workgroup_members WHERE name IS NOT NULL`); n != 1 {
				t.Fatalf("%d named members, want 1", n)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var name []byte
				if err := tx.QueryRowContext(ctx, `SELECT name FROM workgroup_members WHERE name IS NOT NULL`).Scan(&name); err != nil {
					return err
				}
				if bytes.Contains(name, []byte("Novak")) {
					t.Error("member's name stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			past := time.Now().AddDate(0, 0, -7)
			m, err := f.svc.CreateMeeting(ctx, coord, workgroup.MeetingInput{StartsAt: local(past), Place: "City Hall, room 2",
				Agenda: []string{"Mapping results\nTraining plan", "  "}})
			if err != nil {
				t.Fatalf("create meeting: %v", err)
			}
			if len(m.Agenda) != 2 || m.HeldOn != past.In(time.Local).Format(time.DateOnly) {
				t.Fatalf("meeting %+v", m)
			}
			for _, tc := range []struct {
				name string
				in   workgroup.MeetingInput
				key  string
			}{
				{"invalid date", workgroup.MeetingInput{StartsAt: "2026-02-30T10:00", Place: "x"}, "workgroup.error.datetime"},
				{"no date", workgroup.MeetingInput{Place: "x"}, "workgroup.error.datetime"},
				{"no place", workgroup.MeetingInput{StartsAt: local(past)}, "workgroup.error.place"},
			} {
				_, err := f.svc.CreateMeeting(ctx, coord, tc.in)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM workgroup_meetings`); n != 1 {
				t.Fatalf("%d meetings after refused input, want 1", n)
			}

			// Bad input to the record changes nothing.
			dayBefore := past.AddDate(0, 0, -1).In(time.Local).Format(time.DateOnly)
			due := past.AddDate(0, 1, 0).In(time.Local).Format(time.DateOnly)
			for _, tc := range []struct {
				name string
				rec  workgroup.Record
				key  string
			}{
				{"due before meeting", workgroup.Record{Minutes: "secret", New: []workgroup.ActionInput{{What: "x", OwnerOrgID: f.ngo, DueOn: dayBefore}}}, "workgroup.error.due_before_meeting"},
				{"unknown owner", workgroup.Record{Minutes: "secret", New: []workgroup.ActionInput{{What: "x", OwnerOrgID: "nope", DueOn: due}}}, "workgroup.error.org_unknown"},
				{"not a member present", workgroup.Record{Minutes: "secret", Present: []string{"nope"}}, "workgroup.error.not_member"},
			} {
				_, err := f.svc.RecordMeeting(ctx, coord, m.ID, tc.rec)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM workgroup_meetings WHERE minutes IS NOT NULL`) +
				count(t, f.env, `SELECT COUNT(*) FROM workgroup_actions`) + count(t, f.env, `SELECT COUNT(*) FROM workgroup_attendance`); n != 0 {
				t.Fatalf("refused record changed %d rows", n)
			}
			_, err = f.svc.RecordMeeting(ctx, f.worker.Actor, m.ID, workgroup.Record{Minutes: "x"})
			wantCode(t, "case worker records", err, apperr.Forbidden, "")

			m, err = f.svc.RecordMeeting(ctx, coord, m.ID, workgroup.Record{Agenda: m.Agenda, Minutes: "Mira Novak reported two cases.",
				Decisions: "Adopt the mapping plan.", Present: []string{person.ID},
				New: []workgroup.ActionInput{{What: "Train hotel staff", OwnerOrgID: f.ngo, DueOn: due}}})
			if err != nil {
				t.Fatalf("record meeting: %v", err)
			}
			if len(m.Present) != 1 || len(m.Actions) != 1 || m.Actions[0].Status != "open" || !m.HasMinutes || m.Minutes != "" {
				t.Fatalf("recorded %+v", m)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var minutes []byte
				if err := tx.QueryRowContext(ctx, `SELECT minutes FROM workgroup_meetings`).Scan(&minutes); err != nil {
					return err
				}
				if bytes.Contains(minutes, []byte("Novak")) {
					t.Error("minutes stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The police organisation joins after the meeting: it reads
			// neither the meeting nor its minutes.
			if _, err := f.svc.AddMember(ctx, coord, workgroup.MemberInput{OrgID: f.police, JoinedOn: time.Now().Format(time.DateOnly)}); err != nil {
				t.Fatal(err)
			}
			reads := count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE action = 'workgroup.minutes.read'`)
			page, err := f.svc.Meeting(ctx, f.worker.Actor, m.ID)
			if err != nil || page.Minutes != "Mira Novak reported two cases." || page.Decisions != "Adopt the mapping plan." {
				t.Fatalf("member reads meeting: %+v %v", page.Meeting, err)
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE action = 'workgroup.minutes.read'`); n != reads+1 {
				t.Fatalf("minutes read audited %d times, want %d", n, reads+1)
			}
			denied := count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND subject_id = $1`, m.ID)
			for _, u := range []apptest.User{f.officer, f.outsider} {
				_, err := f.svc.Meeting(ctx, u.Actor, m.ID)
				wantCode(t, u.Username+" reads meeting", err, apperr.NotFound, "")
			}
			if n := count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND subject_id = $1`, m.ID); n != denied+2 {
				t.Fatalf("refused reads audited %d times, want %d", n, denied+2)
			}
			_, err = f.svc.Meeting(ctx, f.analyst.Actor, m.ID)
			wantCode(t, "analyst reads meeting", err, apperr.Forbidden, "")

			// An upcoming meeting is the police's too.
			next, err := f.svc.CreateMeeting(ctx, coord, workgroup.MeetingInput{StartsAt: local(time.Now().AddDate(0, 0, 14)), Place: "Police HQ"})
			if err != nil {
				t.Fatal(err)
			}
			ov, err := f.svc.Overview(ctx, f.officer.Actor)
			if err != nil || !ov.Member || len(ov.Upcoming) != 1 || ov.Upcoming[0].ID != next.ID || len(ov.Past) != 0 || len(ov.OpenActions) != 0 {
				t.Fatalf("police overview: %+v %v", ov, err)
			}
			ov, err = f.svc.Overview(ctx, f.outsider.Actor)
			if err != nil || ov.Member || len(ov.Members) != 0 || len(ov.Upcoming)+len(ov.Past)+len(ov.OpenActions) != 0 {
				t.Fatalf("outsider overview: %+v %v", ov, err)
			}
			ov, err = f.svc.Overview(ctx, coord)
			if err != nil || len(ov.Members) != 4 || len(ov.Past) != 1 || len(ov.Upcoming) != 1 || len(ov.OpenActions) != 1 {
				t.Fatalf("coordinator overview: %+v %v", ov, err)
			}

			// The open item becomes a measure of the plan, once.
			aid := m.Actions[0].ID
			_, err = f.svc.MakeMeasure(ctx, f.worker.Actor, aid)
			wantCode(t, "case worker makes a measure", err, apperr.Forbidden, "")
			measure, err := f.svc.MakeMeasure(ctx, coord, aid)
			if err != nil || measure.Objective != "Train hotel staff" || measure.OwnerOrg != f.ngo || measure.DueOn != due {
				t.Fatalf("measure: %+v %v", measure, err)
			}
			_, err = f.svc.MakeMeasure(ctx, coord, aid)
			wantCode(t, "measure twice", err, apperr.Conflict, "workgroup.error.already_measure")
			if a, err := f.svc.Action(ctx, f.worker.Actor, aid); err != nil || a.MeasureID != measure.ID {
				t.Fatalf("action: %+v %v", a, err)
			}

			// Statuses change; an unknown status changes nothing.
			_, err = f.svc.RecordMeeting(ctx, coord, m.ID, workgroup.Record{Minutes: "x", Statuses: map[string]string{aid: "finished"}})
			wantCode(t, "bad status", err, apperr.Invalid, "workgroup.error.status")
			m, err = f.svc.RecordMeeting(ctx, coord, m.ID, workgroup.Record{Minutes: "Mira Novak reported two cases.", Present: []string{person.ID},
				Statuses: map[string]string{aid: "done"}})
			if err != nil || m.Actions[0].Status != "done" {
				t.Fatalf("status: %+v %v", m.Actions, err)
			}

			// Leaving.
			_, err = f.svc.Leave(ctx, coord, person.ID, "2000-01-01")
			wantCode(t, "left before joined", err, apperr.Invalid, "workgroup.error.left_before_joined")
			left, err := f.svc.Leave(ctx, coord, person.ID, time.Now().Format(time.DateOnly))
			if err != nil || left.LeftOn == "" {
				t.Fatalf("leave: %+v %v", left, err)
			}
			_, err = f.svc.Leave(ctx, coord, person.ID, time.Now().Format(time.DateOnly))
			wantCode(t, "left twice", err, apperr.Conflict, "workgroup.error.already_left")
			for _, action := range []string{"workgroup.member.add", "workgroup.member.leave", "workgroup.meeting.create", "workgroup.meeting.record"} {
				if count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action) == 0 {
					t.Errorf("no audit entry %s", action)
				}
			}
		})
	}
}

func TestPractices(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			in := workgroup.PracticeInput{Title: "Standing working group", What: "A human rights office convenes administration, NGOs and research.",
				City: "Vienna", Country: "at", Result: "Shared awareness across offices", Source: "Danube round table, Vienna 2017",
				Transfer: "yes", TransferWhy: "We have a human rights office too", Tags: []string{"Coordination, working group", "coordination"}}
			p, err := f.svc.CreatePractice(ctx, f.coordinator.Actor, in)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if p.Country != "AT" || len(p.Tags) != 2 || p.Tags[0] != "coordination" {
				t.Fatalf("created %+v", p)
			}
			for _, tc := range []struct {
				name string
				mod  func(*workgroup.PracticeInput)
				key  string
			}{
				{"no title", func(p *workgroup.PracticeInput) { p.Title = "" }, "workgroup.error.title"},
				{"no source", func(p *workgroup.PracticeInput) { p.Source = " " }, "workgroup.error.source"},
				{"bad country", func(p *workgroup.PracticeInput) { p.Country = "Austria" }, "workgroup.error.country"},
				{"bad transfer", func(p *workgroup.PracticeInput) { p.Transfer = "maybe" }, "workgroup.error.transfer"},
				{"no reason", func(p *workgroup.PracticeInput) { p.TransferWhy = "" }, "workgroup.error.transfer_why"},
				{"bad tag", func(p *workgroup.PracticeInput) { p.Tags = []string{"<b>"} }, "workgroup.error.tags"},
			} {
				bad := in
				tc.mod(&bad)
				_, err := f.svc.CreatePractice(ctx, f.coordinator.Actor, bad)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			_, err = f.svc.CreatePractice(ctx, f.worker.Actor, in)
			wantCode(t, "case worker creates", err, apperr.Forbidden, "")
			if n := count(t, f.env, `SELECT COUNT(*) FROM workgroup_practices`); n != 1 {
				t.Fatalf("%d practices, want 1", n)
			}
			// The library is the members': the NGO joins, the police do not.
			if _, err := f.svc.AddMember(ctx, f.coordinator.Actor, workgroup.MemberInput{OrgID: f.ngo, JoinedOn: time.Now().Format(time.DateOnly)}); err != nil {
				t.Fatal(err)
			}
			list, err := f.svc.Practices(ctx, f.worker.Actor, "working group")
			if err != nil || len(list) != 1 {
				t.Fatalf("by tag: %v %v", list, err)
			}
			if list, _ := f.svc.Practices(ctx, f.worker.Actor, "campaigns"); len(list) != 0 {
				t.Fatalf("other tag: %v", list)
			}
			if got, err := f.svc.Practice(ctx, f.worker.Actor, p.ID); err != nil || got.Source != in.Source {
				t.Fatalf("get: %+v %v", got, err)
			}
			if list, err := f.svc.Practices(ctx, f.officer.Actor, ""); err != nil || len(list) != 0 {
				t.Fatalf("a non-member lists %v %v", list, err)
			}
			_, err = f.svc.Practice(ctx, f.officer.Actor, p.ID)
			wantCode(t, "non-member reads", err, apperr.NotFound, "")
			if n := count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND subject_id = $1`, p.ID); n != 1 {
				t.Fatalf("refused read audited %d times, want 1", n)
			}
			_, err = f.svc.Practices(ctx, f.analyst.Actor, "")
			wantCode(t, "analyst lists", err, apperr.Forbidden, "")
			_, err = f.svc.Practice(ctx, f.coordinator.Actor, "nope")
			wantCode(t, "unknown", err, apperr.NotFound, "")
		})
	}
}
