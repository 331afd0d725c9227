package training_test

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
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/training"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env                           *apptest.Env
	svc                           *training.Service
	city, police, inspection, ngo string
	coordinator, analyst, worker  apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: training.New(training.Deps{DB: env.App.DB, Vault: env.App.Vault, Audit: env.App.Audit})}
	f.city = env.Org("Human Rights Office", accounts.Municipality)
	f.police = env.Org("City Police", accounts.Police)
	f.inspection = env.Org("Labour Inspectorate", accounts.LabourInspectorate)
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	f.coordinator = env.User("coord", access.Coordinator, f.city)
	f.analyst = env.User("analyst", access.Analyst, f.city)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
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

func local(t time.Time) string { return t.In(time.Local).Format(training.LocalMinute) }

func TestNeeds(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			coord := f.coordinator.Actor
			n, err := f.svc.CreateNeed(ctx, coord, training.NeedInput{OrgID: f.inspection, Role: "field inspectors", Topic: "Indicators of forced labour",
				Priority: "high", SourceKind: training.FromMapping, SourceID: "round-1"})
			if err != nil || n.Group != "inspectors" || n.Status != "open" || n.OrgName != "Labour Inspectorate" {
				t.Fatalf("need from mapping: %+v %v", n, err)
			}
			hotels, err := f.svc.CreateNeed(ctx, coord, training.NeedInput{Group: "hotels", Topic: "Signs at the front desk", Priority: "medium"})
			if err != nil || hotels.SourceKind != training.Entered {
				t.Fatalf("entered need: %+v %v", hotels, err)
			}
			for _, tc := range []struct {
				name string
				in   training.NeedInput
				key  string
			}{
				{"unknown organisation", training.NeedInput{OrgID: "nope", Topic: "x", Priority: "low"}, "training.error.org_unknown"},
				{"no group", training.NeedInput{Topic: "x", Priority: "low"}, "training.error.group"},
				{"bad group", training.NeedInput{Group: "sailors", Topic: "x", Priority: "low"}, "training.error.group"},
				{"no topic", training.NeedInput{Group: "taxi", Priority: "low"}, "training.error.topic"},
				{"bad priority", training.NeedInput{Group: "taxi", Topic: "x", Priority: "urgent"}, "training.error.priority"},
				{"mapping without round", training.NeedInput{Group: "taxi", Topic: "x", Priority: "low", SourceKind: training.FromMapping}, "training.error.source"},
				{"bad source", training.NeedInput{Group: "taxi", Topic: "x", Priority: "low", SourceKind: "rumour"}, "training.error.source"},
			} {
				_, err := f.svc.CreateNeed(ctx, coord, tc.in)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			_, err = f.svc.CreateNeed(ctx, f.analyst.Actor, training.NeedInput{Group: "taxi", Topic: "x", Priority: "low"})
			wantCode(t, "analyst", err, apperr.Forbidden, "")
			if c := count(t, f.env, `SELECT COUNT(*) FROM training_needs`); c != 2 {
				t.Fatalf("%d needs after refused input, want 2", c)
			}
			if err := f.svc.MeetNeed(ctx, coord, hotels.ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, "met twice", f.svc.MeetNeed(ctx, coord, hotels.ID), apperr.Conflict, "training.error.need_met")
			ov, err := f.svc.Overview(ctx, f.analyst.Actor)
			if err != nil || len(ov.Needs) != 1 || ov.Needs[0].ID != n.ID {
				t.Fatalf("open needs: %+v %v", ov.Needs, err)
			}
		})
	}
}

func TestSessionsAttendanceCoverage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			coord := f.coordinator.Actor
			in := training.SessionInput{StartsAt: local(time.Now().AddDate(0, -3, 0)), Topic: "Recognising labour exploitation",
				Groups: []string{"inspectors", "police"}, Roles: "inspectors, patrol officers", Trainer: "Safe Harbour training team",
				Languages: []string{"en", "DE"}, Materials: []training.Material{{Title: "Indicator card", URL: "https://example.org/card.pdf"}, {Title: "Handout"}, {}}}
			ses, err := f.svc.CreateSession(ctx, coord, in)
			if err != nil || len(ses.Materials) != 2 || ses.Languages[1] != "de" {
				t.Fatalf("create session: %+v %v", ses, err)
			}
			old, err := f.svc.CreateSession(ctx, coord, training.SessionInput{StartsAt: local(time.Now().AddDate(0, -18, 0)), Topic: "Basics",
				Groups: []string{"police"}, Trainer: "National rapporteur's office", Languages: []string{"en"}})
			if err != nil {
				t.Fatal(err)
			}
			next, err := f.svc.CreateSession(ctx, coord, training.SessionInput{StartsAt: local(time.Now().AddDate(0, 1, 0)), Topic: "Front desk signs",
				Groups: []string{"hotels", "taxi"}, Trainer: "Helpline staff", Languages: []string{"en"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name string
				mod  func(*training.SessionInput)
				key  string
			}{
				{"invalid date", func(s *training.SessionInput) { s.StartsAt = "2026-13-01T10:00" }, "training.error.datetime"},
				{"no audience", func(s *training.SessionInput) { s.Groups = nil }, "training.error.groups"},
				{"unknown audience", func(s *training.SessionInput) { s.Groups = []string{"sailors"} }, "training.error.groups"},
				{"no trainer", func(s *training.SessionInput) { s.Trainer = "" }, "training.error.trainer"},
				{"bad language", func(s *training.SessionInput) { s.Languages = []string{"German"} }, "training.error.languages"},
				{"bad link", func(s *training.SessionInput) {
					s.Materials = []training.Material{{Title: "x", URL: "javascript:alert(1)"}}
				}, "training.error.material"},
			} {
				bad := in
				tc.mod(&bad)
				_, err := f.svc.CreateSession(ctx, coord, bad)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			if c := count(t, f.env, `SELECT COUNT(*) FROM training_sessions`); c != 3 {
				t.Fatalf("%d sessions after refused input, want 3", c)
			}

			rows := []training.AttendanceInput{
				{Index: 0, OrgID: f.police, Role: "patrol", Attended: "12"},
				{Index: 1, OrgID: f.inspection, Role: "field inspectors", Attended: "5"},
				{Index: 2, Group: "taxi", Role: "drivers", Attended: "3"},
				{Index: 3},
			}
			contact := &training.ContactInput{OrgID: f.police, Name: "Insp. Lena Horvat", Function: "Trafficking contact point"}
			for _, tc := range []struct {
				name    string
				rows    []training.AttendanceInput
				contact *training.ContactInput
				key     string
			}{
				{"negative", []training.AttendanceInput{{Index: 0, OrgID: f.police, Attended: "-4"}}, nil, "training.error.attended_negative"},
				{"not a number", []training.AttendanceInput{{Index: 0, OrgID: f.police, Attended: "many"}}, nil, "training.error.attended"},
				{"unknown organisation", []training.AttendanceInput{{Index: 0, OrgID: "nope", Attended: "4"}}, nil, "training.error.org_unknown"},
				{"duplicate", []training.AttendanceInput{{Index: 0, OrgID: f.police, Attended: "4"}, {Index: 1, OrgID: f.police, Attended: "2"}}, nil, "training.error.duplicate_row"},
				{"contact without organisation", rows, &training.ContactInput{Name: "x"}, "training.error.org_unknown"},
				{"contact without name", rows, &training.ContactInput{OrgID: f.police}, "training.error.contact_name"},
			} {
				_, err := f.svc.RecordAttendance(ctx, coord, ses.ID, tc.rows, tc.contact)
				wantCode(t, tc.name, err, apperr.Invalid, tc.key)
			}
			_, err = f.svc.RecordAttendance(ctx, coord, next.ID, rows, nil)
			wantCode(t, "future session", err, apperr.Conflict, "training.error.session_future")
			_, err = f.svc.RecordAttendance(ctx, f.analyst.Actor, ses.ID, rows, nil)
			wantCode(t, "analyst records", err, apperr.Forbidden, "")
			if c := count(t, f.env, `SELECT COUNT(*) FROM training_attendance`) + count(t, f.env, `SELECT COUNT(*) FROM training_contacts`); c != 0 {
				t.Fatalf("refused attendance stored %d rows", c)
			}

			ses, err = f.svc.RecordAttendance(ctx, coord, ses.ID, rows, contact)
			if err != nil || ses.Attended != 20 || len(ses.Attendance) != 3 || len(ses.Contacts) != 1 || ses.Contacts[0].Name != "Insp. Lena Horvat" {
				t.Fatalf("attendance: %+v %v", ses, err)
			}
			if _, err := f.svc.RecordAttendance(ctx, coord, old.ID, []training.AttendanceInput{{OrgID: f.police, Attended: "7"}}, nil); err != nil {
				t.Fatal(err)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var name []byte
				if err := tx.QueryRowContext(ctx, `SELECT name FROM training_contacts`).Scan(&name); err != nil {
					return err
				}
				if bytes.Contains(name, []byte("Horvat")) {
					t.Error("contact point's name stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// The analyst sees counts, never names.
			got, err := f.svc.Session(ctx, f.analyst.Actor, ses.ID)
			if err != nil || len(got.Contacts) != 1 || got.Contacts[0].Name != "" || got.Attended != 20 {
				t.Fatalf("analyst's session: %+v %v", got, err)
			}
			// The NGO's case worker reads what is published to the
			// partnership, but not the inspectorate's contact point's name.
			got, err = f.svc.Session(ctx, f.worker.Actor, ses.ID)
			if err != nil || len(got.Contacts) != 1 || got.Contacts[0].Name != "" || got.Attended != 20 {
				t.Fatalf("another organisation's case worker's session: %+v %v", got, err)
			}
			screener := f.env.User("screener", access.Screener, f.ngo)
			_, err = f.svc.Session(ctx, screener.Actor, ses.ID)
			wantCode(t, "screener reads session", err, apperr.Forbidden, "")
			ov, err := f.svc.Overview(ctx, f.analyst.Actor)
			if err != nil {
				t.Fatal(err)
			}
			cov := map[string]training.Coverage{}
			for _, c := range ov.Coverage {
				cov[c.Group] = c
			}
			if cov["police"].Trained12 != 12 || cov["police"].Trained24 != 19 || cov["inspectors"].Trained12 != 5 || cov["taxi"].Trained12 != 3 || cov["hotels"].Trained24 != 0 {
				t.Fatalf("coverage %+v", ov.Coverage)
			}
			if len(ov.Upcoming) != 1 || len(ov.Recent) != 2 || len(ov.Contacts) != 0 || len(ov.ContactCounts) != 1 || ov.ContactCounts[0].Count != 1 {
				t.Fatalf("analyst's overview: %+v", ov)
			}
			ov, err = f.svc.Overview(ctx, coord)
			if err != nil || len(ov.Contacts) != 1 || ov.Contacts[0].Name != "Insp. Lena Horvat" {
				t.Fatalf("coordinator's contacts: %+v %v", ov.Contacts, err)
			}

			// Recording again replaces the counts.
			ses, err = f.svc.RecordAttendance(ctx, coord, ses.ID, rows[:1], nil)
			if err != nil || ses.Attended != 12 || len(ses.Contacts) != 1 {
				t.Fatalf("replaced attendance: %+v %v", ses, err)
			}
			for _, action := range []string{"training.session.create", "training.attendance.record", "training.contact.add"} {
				if count(t, f.env, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action) == 0 {
					t.Errorf("no audit entry %s", action)
				}
			}
		})
	}
}

// TestGroupOfKind: organisation kinds, the partners' added ones included,
// map onto the actor groups by their codes.
func TestGroupOfKind(t *testing.T) {
	for kind, want := range map[accounts.OrgKind]string{
		accounts.Police: "police", accounts.LabourInspectorate: "inspectors", accounts.FireInspectorate: "inspectors",
		accounts.TaxInspectorate: "inspectors", accounts.HealthInspectorate: "inspectors", accounts.HealthService: "health",
		accounts.SocialServices: "social_services", accounts.ChildProtection: "social_services", accounts.School: "schools",
		accounts.EmploymentService: "employment_services", accounts.NGO: "other", accounts.TradeUnion: "other",
	} {
		if got := training.GroupOfKind(string(kind)); got != want {
			t.Errorf("GroupOfKind(%s) = %s, want %s", kind, got, want)
		}
	}
}
