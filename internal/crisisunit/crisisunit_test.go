package crisisunit_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture: NGO A owns the cases; police P and social services S take part
// in the crisis unit; B is another NGO with no part in A's cases.
type fixture struct {
	env                 *apptest.Env
	svc                 *crisisunit.Service
	a, p, s, b          string
	worker, coordinator apptest.User // of A
	screener            apptest.User // of A
	police, policeLead  apptest.User // police contact and coordinator of P
	social              apptest.User // case worker of S
	outsider            apptest.User // case worker of B
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.CrisisUnit}
	f.a = env.Org("NGO Alpha", accounts.NGO)
	f.p = env.Org("City Police", accounts.Police)
	f.s = env.Org("Social Services", accounts.SocialServices)
	f.b = env.Org("NGO Beta", accounts.NGO)
	f.worker = env.User("worker-a", access.CaseWorker, f.a)
	f.coordinator = env.User("coord-a", access.Coordinator, f.a)
	f.screener = env.User("screener-a", access.Screener, f.a)
	f.police = env.User("police-p", access.PoliceContact, f.p)
	f.policeLead = env.User("coord-p", access.Coordinator, f.p)
	f.social = env.User("social-s", access.CaseWorker, f.s)
	f.outsider = env.User("worker-b", access.CaseWorker, f.b)
	return f
}

func (f *fixture) openCase(t *testing.T) cases.Case {
	t.Helper()
	c, err := f.env.App.Cases.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
		Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: "1994-03-02", Contact: "Through the shelter"},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_shelter",
		Exploitation: []string{"labour"},
	}})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// shareWithPolice shares the case's crisis-unit data with P, with consent.
func (f *fixture) shareWithPolice(t *testing.T, caseID string) {
	t.Helper()
	ctx := context.Background()
	cs := f.env.App.Cases
	if _, err := cs.RecordConsent(ctx, f.worker.Actor, caseID, cases.ConsentInput{Purposes: []string{cases.PurposeSharing},
		Orgs: []string{f.p}, Categories: []string{string(cases.CrisisUnit)}, Language: "ro", Method: "written", GivenBy: "person",
		GivenOn: time.Now().UTC().Format(time.DateOnly)}); err != nil {
		t.Fatalf("record consent: %v", err)
	}
	sh, err := cs.ShareCase(ctx, f.worker.Actor, caseID, cases.ShareInput{To: f.p, Kind: cases.KindShare, Categories: []string{string(cases.CrisisUnit)}})
	if err != nil {
		t.Fatalf("share case: %v", err)
	}
	if _, err := cs.RespondShare(ctx, f.policeLead.Actor, sh.ID, true, ""); err != nil {
		t.Fatalf("accept share: %v", err)
	}
}

func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

func (f *fixture) conference() crisisunit.NewConference {
	return crisisunit.NewConference{
		At: time.Now().Add(-time.Hour), Orgs: []string{f.a, f.p, f.s}, Users: []string{f.worker.ID},
		Agenda: []string{"evaluation", "accommodation"},
		Outcome: crisisunit.Outcome{
			Minutes:   "Ana Testa fears her former employer; she wants to stay in the shelter.",
			Decisions: []crisisunit.NewDecision{{Code: "safe_accommodation", Text: "Ana Testa stays at the shelter for now."}},
			Tasks: []crisisunit.NewTask{
				{Title: "Risk assessment with Ana Testa", OwnerOrg: f.p, Due: today().AddDate(0, 0, 2)},
				{Title: "Book a doctor for Ana Testa", OwnerOrg: f.a, OwnerUser: f.worker.ID, Due: today().AddDate(0, 0, 5)},
			},
		},
	}
}

// count counts rows of a table of the case.
func (f *fixture) count(t *testing.T, table, caseID string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		q := `SELECT count(*) FROM ` + table + ` WHERE case_id = $1`
		if table == "case_conference_orgs" {
			q = `SELECT count(*) FROM case_conference_orgs p JOIN case_conferences c ON c.id = p.conference_id WHERE c.case_id = $1`
		}
		return tx.QueryRowContext(ctx, q, caseID).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (f *fixture) deadlines(t *testing.T, caseID, kind string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT ref_id, COALESCE(user_id, ''), due_on FROM case_deadlines WHERE case_id = $1 AND kind = $2 ORDER BY due_on, ref_id`, caseID, kind)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ref, user, due string
			if err := rows.Scan(&ref, &user, &due); err != nil {
				return err
			}
			out = append(out, ref+"|"+user+"|"+due)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("deadlines: %v", err)
	}
	return out
}

func TestConferenceTasksAndDeadlines(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			conf, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, f.conference())
			if err != nil {
				t.Fatalf("create conference: %v", err)
			}
			if conf.Number != 1 {
				t.Errorf("conference number %d, want 1", conf.Number)
			}
			got, err := f.svc.Conference(ctx, f.worker.Actor, c.ID, 1)
			if err != nil {
				t.Fatalf("conference: %v", err)
			}
			cf := got.Conference
			if !strings.Contains(cf.Minutes, "former employer") || len(cf.Decisions) != 1 || cf.Decisions[0].Code != "safe_accommodation" ||
				!strings.Contains(cf.Decisions[0].Text, "shelter") || len(cf.Orgs) != 3 || len(cf.Users) != 1 || !cf.Recorded() {
				t.Errorf("conference read back wrong: %+v", cf)
			}
			if len(cf.Tasks) != 2 || cf.Tasks[0].Title != "Risk assessment with Ana Testa" || cf.Tasks[0].OwnerOrg != f.p {
				t.Fatalf("tasks: %+v", cf.Tasks)
			}
			// Each open task has a deadline naming its owner; a recorded
			// conference has none.
			dl := f.deadlines(t, c.ID, "task")
			want := []string{cf.Tasks[0].ID + "||" + today().AddDate(0, 0, 2).Format(time.DateOnly),
				cf.Tasks[1].ID + "|" + f.worker.ID + "|" + today().AddDate(0, 0, 5).Format(time.DateOnly)}
			if strings.Join(dl, ",") != strings.Join(want, ",") {
				t.Errorf("task deadlines %v, want %v", dl, want)
			}
			if d := f.deadlines(t, c.ID, "conference"); len(d) != 0 {
				t.Errorf("recorded conference left a deadline: %v", d)
			}
			// Free text is not stored in the clear anywhere.
			assertNoClearText(t, f.env, "Ana Testa", "former employer")

			// A police contact of a participating organisation the case
			// was not shared with cannot close another's task: the case
			// stays out of its sight.
			if _, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 2, crisisunit.TaskDone); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("unshared police closes A's task: %v, want not found", err)
			}
			f.shareWithPolice(t, c.ID)
			// Shared: the police closes its own task, not another's.
			if _, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 2, crisisunit.TaskDone); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("police closes A's task: %v, want forbidden", err)
			}
			my, err := f.svc.MyTasks(ctx, f.police.Actor)
			if err != nil || len(my) != 1 || my[0].Number != 1 || my[0].CaseCode != c.Code {
				t.Fatalf("police's tasks: %+v, %v", my, err)
			}
			task, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 1, crisisunit.TaskDone)
			if err != nil || task.Status != crisisunit.TaskDone || task.ClosedBy != f.police.ID {
				t.Fatalf("police marks its task done: %+v, %v", task, err)
			}
			if _, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 1, crisisunit.TaskCancelled); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("closing a closed task: %v, want conflict", err)
			}
			if d := f.deadlines(t, c.ID, "task"); len(d) != 1 {
				t.Errorf("deadlines after done: %v, want the other task's only", d)
			}
			if my, _ := f.svc.MyTasks(ctx, f.police.Actor); len(my) != 0 {
				t.Errorf("done task still listed: %+v", my)
			}
			mine, err := f.svc.MyDeadlines(ctx, f.worker.Actor)
			if err != nil || len(mine) != 1 || mine[0].Kind != "task" || mine[0].Tab() != "/conferences" {
				t.Errorf("worker's deadlines: %+v, %v", mine, err)
			}

			// A conference without an outcome is scheduled: it has a
			// deadline until its outcome is recorded.
			later := time.Now().AddDate(0, 0, 3)
			sched, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, crisisunit.NewConference{At: later, Orgs: []string{f.a}})
			if err != nil {
				t.Fatalf("schedule conference: %v", err)
			}
			if d := f.deadlines(t, c.ID, "conference"); len(d) != 1 || !strings.HasPrefix(d[0], sched.ID) {
				t.Errorf("scheduled conference deadlines: %v", d)
			}
			if err := f.svc.RecordOutcome(ctx, f.worker.Actor, c.ID, sched.Number, crisisunit.Outcome{Minutes: "Short meeting."}); err != nil {
				t.Fatalf("record outcome: %v", err)
			}
			if d := f.deadlines(t, c.ID, "conference"); len(d) != 0 {
				t.Errorf("recorded conference keeps its deadline: %v", d)
			}
		})
	}
}

// TestTasksReachTheirOrganisation: a task given to a partner the case was
// never shared with reaches that partner — its task list (title, case
// code, due date, where it came from), its dashboards and calendar, its
// reminder mails — and the partner marks it done on the case's timeline;
// the case's owner is offered the share the task needs; a transfer hands
// the old owner's tasks to the new one and leaves the partner's alone.
func TestTasksReachTheirOrganisation(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			in := f.conference()
			in.Tasks[0].Due = today().AddDate(0, 0, 1) // reminded from today
			in.Tasks[0].Needs = []cases.Category{cases.Risk}
			in.Tasks = append(in.Tasks, crisisunit.NewTask{Title: "Find a shelter place", OwnerOrg: f.s, Due: today().AddDate(0, 0, 3)})
			if _, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, in); err != nil {
				t.Fatalf("create conference: %v", err)
			}
			// The police's list has its task, with title and source, and no
			// way into the case.
			my, err := f.svc.MyTasks(ctx, f.police.Actor)
			if err != nil || len(my) != 1 {
				t.Fatalf("police's tasks: %+v, %v", my, err)
			}
			if p := my[0]; p.Title != "Risk assessment with Ana Testa" || p.CaseCode != c.Code || p.ConferenceNumber != 1 ||
				p.Visible || p.CaseOrgName != "NGO Alpha" || len(p.Needs) != 1 || p.Needs[0] != cases.Risk {
				t.Errorf("police's task: %+v", p)
			}
			if _, err := f.env.App.Cases.Get(ctx, f.police.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("police opens the unshared case: %v, want not found", err)
			}
			social, err := f.svc.MyTasks(ctx, f.social.Actor)
			if err != nil || len(social) != 1 || social[0].Title != "Find a shelter place" {
				t.Errorf("social services' tasks: %+v, %v", social, err)
			}
			if out, err := f.svc.MyTasks(ctx, f.outsider.Actor); err != nil || len(out) != 0 {
				t.Errorf("an uninvolved NGO's tasks: %+v, %v", out, err)
			}
			// On the police's dashboard and calendar, linking to the task list.
			dl, err := f.svc.MyDeadlines(ctx, f.police.Actor)
			if err != nil || len(dl) != 1 || dl[0].Kind != "task" || !dl[0].Held || dl[0].Path() != "/tasks" {
				t.Errorf("police's deadlines: %+v, %v", dl, err)
			}
			// The owner is offered the share the police task needs.
			unit, err := f.svc.Conferences(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range unit.Tasks {
				want := 0
				if task.OwnerOrg == f.p {
					want = 1
				}
				if len(task.Missing) != want {
					t.Errorf("task %d of %s misses %v", task.Number, task.OwnerOrgName, task.Missing)
				}
			}

			// The reminder reaches the police, linking to its task list.
			srv, err := smtptest.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			r := notify.Reminders{
				Mailer:    notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"},
				PublicURL: "https://waymark.city.example", Catalog: f.env.App.Catalog,
				Address: func(ctx context.Context, userID string) (string, error) {
					p, err := f.env.App.Accounts.RevealProfile(ctx, accounts.System, userID)
					return p.Email, err
				},
			}
			if _, err := f.svc.SendReminders(ctx, r); err != nil {
				t.Fatalf("send reminders: %v", err)
			}
			var toPolice string
			for _, m := range srv.Wait(2, 5*time.Second) {
				if m.To[0] == "worker-a@example.org" {
					t.Errorf("the police task was mailed to the case worker:\n%s", m.Data)
				}
				if m.To[0] == "police-p@example.org" {
					toPolice = m.Data
				}
			}
			if !strings.Contains(toPolice, c.Code) || !strings.Contains(toPolice, "https://waymark.city.example/tasks") {
				t.Errorf("police reminder: %q", toPolice)
			}

			// The police may not drop the task; it marks it done, and the
			// owner's timeline shows it.
			if _, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 1, crisisunit.TaskCancelled); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("the police cancels its task: %v, want forbidden", err)
			}
			done, err := f.svc.SetTaskStatus(ctx, f.police.Actor, c.ID, 1, crisisunit.TaskDone)
			if err != nil || done.Status != crisisunit.TaskDone || done.ClosedBy != f.police.ID {
				t.Fatalf("police marks its task done: %+v, %v", done, err)
			}
			_, events, err := f.env.App.Cases.Timeline(ctx, f.worker.Actor, c.ID, false, 50)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range events {
				found = found || (e.Kind == "task_done" && e.ActorID == f.police.ID)
			}
			if !found {
				t.Errorf("timeline lacks the police's task_done: %+v", events)
			}
			if dl, _ := f.svc.MyDeadlines(ctx, f.police.Actor); len(dl) != 0 {
				t.Errorf("done task still a police deadline: %+v", dl)
			}

			// Transferred to social services, the NGO's own task goes with
			// the case; social services' own task stays theirs.
			var all []string
			for _, c := range cases.Shareable() {
				all = append(all, string(c))
			}
			if _, err := f.env.App.Cases.RecordConsent(ctx, f.worker.Actor, c.ID, cases.ConsentInput{Purposes: []string{cases.PurposeSharing},
				Orgs: []string{f.s}, Categories: all, Language: "ro", Method: "written", GivenBy: "person",
				GivenOn: today().Format(time.DateOnly)}); err != nil {
				t.Fatalf("record consent: %v", err)
			}
			sh, err := f.env.App.Cases.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.s, Kind: cases.KindTransfer})
			if err != nil {
				t.Fatalf("offer transfer: %v", err)
			}
			if _, err := f.env.App.Cases.RespondShare(ctx, f.social.Actor, sh.ID, true, ""); err != nil {
				t.Fatalf("accept transfer: %v", err)
			}
			social, err = f.svc.MyTasks(ctx, f.social.Actor)
			if err != nil || len(social) != 2 || !social[0].Visible {
				t.Errorf("social services' tasks after the transfer: %+v, %v", social, err)
			}
			if a, _ := f.svc.MyTasks(ctx, f.worker.Actor); len(a) != 0 {
				t.Errorf("the old owner keeps tasks: %+v", a)
			}
		})
	}
}

func TestRefusalsChangeNothing(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			disabled := f.env.Org("Closed Partner", accounts.Shelter)
			if err := f.env.App.Accounts.SetOrganisationDisabled(ctx, accounts.System, disabled, true); err != nil {
				t.Fatalf("disable organisation: %v", err)
			}
			tests := []struct {
				name  string
				actor access.Actor
				edit  func(*crisisunit.NewConference)
				code  apperr.Code
				field string
			}{
				{"no participants", f.worker.Actor, func(n *crisisunit.NewConference) { n.Orgs = nil; n.Tasks = nil }, apperr.Invalid, "orgs"},
				{"unknown organisation", f.worker.Actor, func(n *crisisunit.NewConference) { n.Orgs = append(n.Orgs, "no-such-org") }, apperr.Invalid, "orgs"},
				{"disabled organisation", f.worker.Actor, func(n *crisisunit.NewConference) { n.Orgs = append(n.Orgs, disabled) }, apperr.Invalid, "orgs"},
				{"user of no participating org", f.worker.Actor, func(n *crisisunit.NewConference) { n.Users = []string{f.outsider.ID} }, apperr.Invalid, "users"},
				{"owner user not in owner org", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[0].OwnerUser = f.worker.ID }, apperr.Invalid, "task.1.user"},
				{"owner org not participating", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[1].OwnerOrg = f.b }, apperr.Invalid, "task.2.org"},
				{"task for an organisation that does not exist", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[1].OwnerOrg = "0190c0de-0000-7000-8000-000000000000" }, apperr.Invalid, "task.2.org"},
				{"task needs unknown data", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[0].Needs = []cases.Category{"everything"} }, apperr.Invalid, "task.1.needs"},
				{"task needs the profile, which always travels", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[0].Needs = []cases.Category{cases.Profile} }, apperr.Invalid, "task.1.needs"},
				{"due date in the past", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[0].Due = today().AddDate(0, 0, -1) }, apperr.Invalid, "task.1.due"},
				{"task without title", f.worker.Actor, func(n *crisisunit.NewConference) { n.Tasks[1].Title = " " }, apperr.Invalid, "task.2.title"},
				{"unknown decision code", f.worker.Actor, func(n *crisisunit.NewConference) { n.Decisions[0].Code = "arrest" }, apperr.Invalid, "decision.1.code"},
				{"unknown agenda code", f.worker.Actor, func(n *crisisunit.NewConference) { n.Agenda = []string{"gossip"} }, apperr.Invalid, "agenda"},
				{"no date", f.worker.Actor, func(n *crisisunit.NewConference) { n.At = time.Time{} }, apperr.Invalid, "at"},
				{"wrong role", f.screener.Actor, func(*crisisunit.NewConference) {}, apperr.Forbidden, ""},
				{"other organisation", f.outsider.Actor, func(*crisisunit.NewConference) {}, apperr.NotFound, ""},
				{"unshared police", f.police.Actor, func(*crisisunit.NewConference) {}, apperr.NotFound, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					in := f.conference()
					tt.edit(&in)
					_, err := f.svc.CreateConference(ctx, tt.actor, c.ID, in)
					if !apperr.Is(err, tt.code) {
						t.Fatalf("error %v, want %s", err, tt.code)
					}
					if tt.field != "" && !hasField(err, tt.field) {
						t.Errorf("error %v does not name field %s", err, tt.field)
					}
					for _, table := range []string{"case_conferences", "case_tasks", "case_decisions", "case_deadlines", "case_conference_orgs"} {
						if n := f.count(t, table, c.ID); n != 0 {
							t.Errorf("%s has %d rows after a refusal", table, n)
						}
					}
				})
			}
			// A closed case takes no conference.
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "lost_contact"); err != nil {
				t.Fatalf("close case: %v", err)
			}
			if _, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, f.conference()); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("conference on a closed case: %v, want conflict", err)
			}
			if n := f.count(t, "case_conferences", c.ID); n != 0 {
				t.Errorf("closed case got %d conferences", n)
			}
		})
	}
}

func hasField(err error, field string) bool {
	for _, fe := range apperr.As(err).Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// assertNoClearText checks that no table holds the given strings in the clear.
func assertNoClearText(t *testing.T, env *apptest.Env, needles ...string) {
	t.Helper()
	ctx := context.Background()
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{`SELECT minutes FROM case_conferences WHERE minutes IS NOT NULL`, `SELECT body FROM case_decisions`,
			`SELECT title FROM case_tasks WHERE title IS NOT NULL`, `SELECT detail FROM case_events`, `SELECT detail FROM audit_log`} {
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var b []byte
				if err := rows.Scan(&b); err != nil {
					rows.Close()
					return err
				}
				for _, n := range needles {
					if bytes.Contains(b, []byte(n)) {
						t.Errorf("%q stored in the clear (%s)", n, q)
					}
				}
			}
			rows.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan for clear text: %v", err)
	}
}

func TestProtocolPrefillsTasks(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			// A second police force: the protocol's police task goes to the
			// first by name, to be confirmed.
			f.env.Org("Border Police", accounts.Police)
			steps, err := f.svc.Protocol(ctx, f.coordinator.Actor)
			if err != nil || len(steps) == 0 {
				t.Fatalf("default protocol: %d steps, %v", len(steps), err)
			}
			if _, err := f.svc.Protocol(ctx, f.worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("case worker reads the protocol: %v, want forbidden", err)
			}
			err = f.svc.SetProtocol(ctx, f.coordinator.Actor, []crisisunit.Step{
				{Stage: cases.CrisisIntervention, Kind: "social_services", Template: "safe_accommodation", DueDays: 1},
				{Stage: cases.CrisisIntervention, Kind: "police", Template: "risk_assessment", DueDays: 2},
				{Stage: cases.CrisisIntervention, Kind: "ngo", Template: "interpretation", DueDays: 0},
				{Stage: cases.CrisisIntervention, Kind: "prosecution", Template: "legal_counselling", DueDays: 3},
			})
			if err != nil {
				t.Fatalf("set protocol: %v", err)
			}
			bad := []crisisunit.Step{{Stage: cases.Closed, Kind: "police", Template: "risk_assessment"}, {Stage: "x", Kind: "army", Template: "y", DueDays: 999}}
			if err := f.svc.SetProtocol(ctx, f.coordinator.Actor, bad); !hasField(err, "step.1.stage") || !hasField(err, "step.2.kind") ||
				!hasField(err, "step.2.template") || !hasField(err, "step.2.days") {
				t.Errorf("bad protocol: %v", err)
			}
			if steps, _ := f.svc.Protocol(ctx, f.coordinator.Actor); len(steps) != 4 {
				t.Errorf("bad protocol changed it: %d steps", len(steps))
			}
			c := f.openCase(t)
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.CrisisIntervention, ""); err != nil {
				t.Fatalf("move stage: %v", err)
			}
			unit, err := f.svc.Conferences(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatalf("conferences: %v", err)
			}
			type owner struct {
				org     string
				confirm bool
				days    int
			}
			want := map[string]owner{
				"safe_accommodation": {f.s, false, 1},
				"risk_assessment":    {"", true, 2},   // Border Police, first by name
				"interpretation":     {f.a, false, 0}, // the case's own org is an NGO
				"legal_counselling":  {f.a, true, 3},  // no prosecution: the case's org, to confirm
			}
			if len(unit.Tasks) != len(want) {
				t.Fatalf("pre-filled tasks: %+v", unit.Tasks)
			}
			for _, task := range unit.Tasks {
				w, ok := want[task.Template]
				if !ok || task.ToConfirm != w.confirm || (w.org != "" && task.OwnerOrg != w.org) ||
					!task.Due.Equal(today().AddDate(0, 0, w.days)) || task.Stage != string(cases.CrisisIntervention) {
					t.Errorf("task %+v, want %+v", task, w)
				}
				if task.Template == "risk_assessment" && task.OwnerOrgName != "Border Police" {
					t.Errorf("police task owner %s, want Border Police", task.OwnerOrgName)
				}
			}
			if d := f.deadlines(t, c.ID, "task"); len(d) != 4 {
				t.Errorf("task deadlines %v", d)
			}
			// Closing the case cancels its open tasks and their deadlines.
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, "lost_contact"); err != nil {
				t.Fatalf("close case: %v", err)
			}
			if d := f.deadlines(t, c.ID, "task"); len(d) != 0 {
				t.Errorf("closed case keeps task deadlines %v", d)
			}
		})
	}
}

// TestOpeningAtAStageCreatesItsTasks: a case opened at a stage (by a worker
// who meets the person in crisis) gets that stage's protocol tasks, as a
// case moved into it does.
func TestOpeningAtAStageCreatesItsTasks(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			if err := f.svc.SetProtocol(ctx, f.coordinator.Actor, []crisisunit.Step{
				{Stage: cases.CrisisIntervention, Kind: "social_services", Template: "safe_accommodation", DueDays: 1},
			}); err != nil {
				t.Fatalf("set protocol: %v", err)
			}
			c, err := f.env.App.Cases.Open(ctx, f.worker.Actor, cases.NewCase{Stage: cases.CrisisIntervention, Person: cases.PersonInput{
				Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa"}, Gender: "feminine", AgeBand: "25-34", ContactMethod: "through_shelter",
			}})
			if err != nil {
				t.Fatalf("open case: %v", err)
			}
			unit, err := f.svc.Conferences(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(unit.Tasks) != 1 || unit.Tasks[0].Template != "safe_accommodation" || unit.Tasks[0].OwnerOrg != f.s {
				t.Errorf("tasks of a case opened in crisis: %+v, want the protocol's safe accommodation task for social services", unit.Tasks)
			}
		})
	}
}

func TestRemindersByMail(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			srv, err := smtptest.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			c := f.openCase(t)
			in := f.conference()
			in.Tasks[1].Due = today() // reminded from today
			in.Tasks[0].Due = today().AddDate(0, 0, 30)
			if _, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, in); err != nil {
				t.Fatalf("create conference: %v", err)
			}
			r := notify.Reminders{
				Mailer:    notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"},
				PublicURL: "https://waymark.city.example/", Catalog: f.env.App.Catalog,
				Address: func(ctx context.Context, userID string) (string, error) {
					p, err := f.env.App.Accounts.RevealProfile(ctx, accounts.System, userID)
					return p.Email, err
				},
			}
			n, err := f.svc.SendReminders(ctx, r)
			if err != nil || n != 1 {
				t.Fatalf("send reminders: %d, %v", n, err)
			}
			msgs := srv.Wait(1, 5*time.Second)
			if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "worker-a@example.org" {
				t.Fatalf("mails: %+v", msgs)
			}
			body := msgs[0].Data
			for _, wantText := range []string{c.Code, "Crisis unit task", "https://waymark.city.example/cases/" + c.ID + "/conferences"} {
				if !strings.Contains(body, wantText) {
					t.Errorf("mail lacks %q:\n%s", wantText, body)
				}
			}
			for _, secret := range []string{"Ana", "Testa", "doctor", "Test worker-a"} {
				if strings.Contains(body, secret) {
					t.Errorf("mail holds personal data %q:\n%s", secret, body)
				}
			}
			// Once only.
			if n, err := f.svc.SendReminders(ctx, r); err != nil || n != 0 {
				t.Errorf("second run: %d, %v", n, err)
			}
			// No SMTP server configured: nothing happens.
			if n, err := f.svc.SendReminders(ctx, notify.Reminders{}); err != nil || n != 0 {
				t.Errorf("without SMTP: %d, %v", n, err)
			}
		})
	}
}

func TestCalendarFeed(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t)
			if _, err := f.svc.CreateConference(ctx, f.worker.Actor, c.ID, f.conference()); err != nil {
				t.Fatalf("create conference: %v", err)
			}
			if info, err := f.svc.Feed(ctx, f.worker.Actor); err != nil || info.Exists {
				t.Fatalf("feed before creation: %+v, %v", info, err)
			}
			old, err := f.svc.NewFeedToken(ctx, f.worker.Actor)
			if err != nil {
				t.Fatalf("new token: %v", err)
			}
			token, err := f.svc.NewFeedToken(ctx, f.worker.Actor)
			if err != nil || token == old || len(token) < 40 {
				t.Fatalf("regenerate token: %q, %v", token, err)
			}
			if _, _, err := f.svc.FeedDeadlines(ctx, old); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("old token still works: %v", err)
			}
			// The worker's own task; the police task is the police's.
			owner, dl, err := f.svc.FeedDeadlines(ctx, token)
			if err != nil || owner.UserID != f.worker.ID || len(dl) != 1 {
				t.Fatalf("feed: %+v %+v %v", owner, dl, err)
			}
			// Only the hash is stored.
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var h []byte
				if err := tx.QueryRowContext(ctx, `SELECT token_hash FROM calendar_feeds WHERE user_id = $1`, f.worker.ID).Scan(&h); err != nil {
					return err
				}
				if len(h) != 32 || bytes.Contains(h, []byte(token)) {
					t.Errorf("stored token %x is not a SHA-256", h)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.NewFeedToken(ctx, f.screener.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("screener makes a feed: %v, want forbidden", err)
			}
		})
	}
}

// TestCalendarGolden checks the iCalendar text byte for byte: CRLF, escaping,
// folding at 75 octets (also inside a multi-byte character), DTSTAMP, UID.
func TestCalendarGolden(t *testing.T) {
	cal := crisisunit.Calendar{
		Name:  "Waymark-Fristen",
		Stamp: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC),
		Events: []crisisunit.Event{
			{UID: "task-0190b1c2-0000-7000-8000-000000000001@waymark.city.example", Day: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC),
				Summary: "C-7K3Q-92XD: Crisis unit task", Description: "Case C-7K3Q-92XD: Crisis unit task. Sign in to Waymark to see the details.",
				URL: "https://waymark.city.example/cases/0190b1c2-0000-7000-8000-00000000000a/conferences"},
			{UID: "conference-0190b1c2-0000-7000-8000-000000000002@waymark.city.example", Day: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC),
				Summary: "C-7K3Q-92XD: Überprüfung der Gefährdungseinschätzung; Termin, Fallkonferenz\\Krisenstelle\nzweite Zeile — äöü äöü äöü"},
		},
	}
	got := cal.Marshal()
	path := filepath.Join("testdata", "feed.ics")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("feed differs from %s:\n%s", path, got)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(got), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets", i+1, len(line))
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare line break", i+1)
		}
	}
}
