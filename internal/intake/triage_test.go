package intake_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// triageEnv is a hotline that receives reports, its operator, and another
// organisation with a case worker.
type triageEnv struct {
	*intaketest.Env
	hotline, other     string
	operator, outsider access.Actor
}

func newTriageEnv(t *testing.T, db *storage.DB, cfg intake.Config) *triageEnv {
	t.Helper()
	e := &triageEnv{Env: intaketest.New(t, db, cfg)}
	e.hotline = e.Org(t, "Hotline", "hotline")
	e.other = e.Org(t, "Other NGO", "ngo")
	e.operator = e.User(t, "operator", access.HotlineOperator, e.hotline)
	e.outsider = e.User(t, "outsider", access.CaseWorker, e.other)
	return e
}

// scope is the actor's scope for triage, from the access policy.
func triageScope(t *testing.T, a access.Actor) access.Scope {
	t.Helper()
	s, err := access.Authorize(a, access.TriageReports)
	if err != nil {
		t.Fatalf("authorize %s: %v", a.Role, err)
	}
	return s
}

// submit sends a report of urgency and returns its id.
func (e *triageEnv) submit(t *testing.T, urgency string) string {
	t.Helper()
	in := report()
	in.Urgency = urgency
	rec, err := e.Service.Submit(context.Background(), in, intaketest.Work(e.Service))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return rec.ReportID
}

func (e *triageEnv) queue(t *testing.T, a access.Actor, f intake.QueueFilter) []intake.QueueItem {
	t.Helper()
	q, err := e.Service.Queue(context.Background(), a, triageScope(t, a), f)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	return q
}

func ids(q []intake.QueueItem) []string {
	var out []string
	for _, i := range q {
		out = append(out, i.ID)
	}
	return out
}

// deniedFor returns the "denied" audit entries naming subject.
func deniedFor(t *testing.T, e *intaketest.Env, subject string) []audit.Entry {
	t.Helper()
	list, _, err := e.Audit.List(context.Background(), e.DB, access.SystemScope(), audit.Filter{SubjectID: subject, Outcome: audit.Denied, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return list
}

func actionsFor(t *testing.T, e *intaketest.Env, subject string) []string {
	t.Helper()
	list, _, err := e.Audit.List(context.Background(), e.DB, access.SystemScope(), audit.Filter{SubjectID: subject, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	var out []string
	for _, x := range list {
		out = append(out, x.Action+":"+x.Outcome)
	}
	return out
}

func TestQueueOrderDeadlinesAndFilters(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{Deadlines: intake.Deadlines{Soon: 2 * time.Hour}})
		// Least urgent first, ten minutes apart.
		noRush := e.submit(t, intake.UrgencyNoRush)
		e.Clock.Advance(10 * time.Minute)
		soon := e.submit(t, intake.UrgencySoon)
		e.Clock.Advance(10 * time.Minute)
		danger := e.submit(t, intake.UrgencyDanger)
		e.Clock.Advance(10 * time.Minute)
		child := e.submit(t, intake.UrgencyChild)
		e.Clock.Advance(10 * time.Minute)
		soon2 := e.submit(t, intake.UrgencySoon)

		q := e.queue(t, e.operator, intake.QueueFilter{})
		if got, want := ids(q), []string{danger, child, soon, soon2, noRush}; !slices.Equal(got, want) {
			t.Fatalf("queue order = %v, want %v", got, want)
		}
		deadlines := map[string]time.Duration{danger: time.Hour, child: 4 * time.Hour, soon: 2 * time.Hour, soon2: 2 * time.Hour, noRush: 72 * time.Hour}
		for _, i := range q {
			if i.Due != i.CreatedAt.Add(deadlines[i.ID]) || i.Overdue || i.FirstResponse != nil {
				t.Errorf("%s: due %v after %v, overdue %v", i.Urgency, i.Due.Sub(i.CreatedAt), i.CreatedAt, i.Overdue)
			}
			if i.Age < 0 || i.Age > time.Hour {
				t.Errorf("%s: age %v", i.Urgency, i.Age)
			}
		}
		// 80 minutes later the danger report (due after an hour) is
		// overdue, the others not yet; a response takes it off the list.
		e.Clock.Advance(80 * time.Minute)
		overdue := func() []string {
			var out []string
			for _, i := range e.queue(t, e.operator, intake.QueueFilter{}) {
				if i.Overdue {
					out = append(out, i.ID)
				}
			}
			return out
		}
		if got := overdue(); !slices.Equal(got, []string{danger}) {
			t.Fatalf("overdue = %v, want the danger report", got)
		}
		e.Clock.Advance(20 * time.Minute) // the first soon report is 2 h 10 min old, the second 1 h 40 min
		if got := overdue(); !slices.Equal(got, []string{danger, soon}) {
			t.Fatalf("overdue = %v, want danger and the first soon report", got)
		}
		sc := triageScope(t, e.operator)
		if err := e.Service.Classify(ctx, e.operator, sc, danger, intake.Classification{Exploitation: []string{"labour"}, PlaceType: "construction_site"}); err != nil {
			t.Fatal(err)
		}
		if got := overdue(); !slices.Equal(got, []string{soon}) {
			t.Fatalf("overdue after a response = %v", got)
		}

		// Filters.
		for _, tt := range []struct {
			name string
			f    intake.QueueFilter
			want []string
		}{
			{"urgency", intake.QueueFilter{Urgency: intake.UrgencySoon}, []string{soon, soon2}},
			{"exploitation", intake.QueueFilter{Exploitation: "labour"}, []string{danger}},
			{"classified place", intake.QueueFilter{PlaceType: "construction_site"}, []string{danger}},
			{"reporter's place", intake.QueueFilter{PlaceType: "car_wash"}, []string{child, soon, soon2, noRush}},
			{"held", intake.QueueFilter{Status: intake.StatusHeld}, nil},
		} {
			if got := ids(e.queue(t, e.operator, tt.f)); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
		if _, err := e.Service.Queue(ctx, e.operator, sc, intake.QueueFilter{Urgency: "whenever"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown urgency filter: %v", err)
		}
		// Dismissed reports leave the open queue and are found by status.
		if err := e.Service.Dismiss(ctx, e.operator, sc, noRush, "test", ""); err != nil {
			t.Fatal(err)
		}
		if got := ids(e.queue(t, e.operator, intake.QueueFilter{Status: intake.StatusDismissed})); !slices.Equal(got, []string{noRush}) {
			t.Errorf("dismissed = %v", got)
		}
		if got := ids(e.queue(t, e.operator, intake.QueueFilter{})); slices.Contains(got, noRush) {
			t.Error("a dismissed report is still in the open queue")
		}
		// Another organisation sees none of it.
		if got := e.queue(t, e.outsider, intake.QueueFilter{}); len(got) != 0 {
			t.Errorf("another organisation's queue has %d reports", len(got))
		}
	})
}

func TestDeadlineDefaults(t *testing.T) {
	for _, tt := range []struct {
		d       intake.Deadlines
		urgency string
		want    time.Duration
	}{
		{intake.Deadlines{}, intake.UrgencyDanger, time.Hour},
		{intake.Deadlines{}, intake.UrgencyChild, 4 * time.Hour},
		{intake.Deadlines{}, intake.UrgencySoon, 24 * time.Hour},
		{intake.Deadlines{}, intake.UrgencyNoRush, 72 * time.Hour},
		{intake.Deadlines{}, "unknown", 72 * time.Hour},
		{intake.Deadlines{ImmediateDanger: 30 * time.Minute}, intake.UrgencyDanger, 30 * time.Minute},
	} {
		if got := tt.d.For(tt.urgency); got != tt.want {
			t.Errorf("%+v.For(%s) = %v, want %v", tt.d, tt.urgency, got, tt.want)
		}
	}
}

// The exploitation codes start with the screening's purposes, so a
// classified report and a referral speak of the same things.
func TestExploitationsAreThePurposes(t *testing.T) {
	if p := identification.Purposes(); !slices.Equal(intake.Exploitations[:len(p)], p) {
		t.Errorf("Exploitations = %v, want the purposes %v first", intake.Exploitations, p)
	}
}

func TestTriageActions(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{})
		s, op := e.Service, e.operator
		sc := triageScope(t, op)
		colleague := e.User(t, "colleague", access.CaseWorker, e.hotline)
		screener := e.User(t, "screener", access.Screener, e.hotline)

		t.Run("assign to a person", func(t *testing.T) {
			id := e.submit(t, intake.UrgencySoon)
			apperrtest.Want(t, "no one", s.Assign(ctx, op, sc, id, intake.Assignment{}), apperr.Invalid, "user")
			apperrtest.Want(t, "a screener", s.Assign(ctx, op, sc, id, intake.Assignment{UserID: screener.UserID}), apperr.Invalid, "user")
			apperrtest.Want(t, "another organisation's", s.Assign(ctx, op, sc, id, intake.Assignment{UserID: e.outsider.UserID}), apperr.Invalid, "user")
			e.Clock.Advance(3 * time.Minute)
			if err := s.Assign(ctx, op, sc, id, intake.Assignment{UserID: colleague.UserID}); err != nil {
				t.Fatal(err)
			}
			_, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || tr.AssignedName != "colleague" || tr.FirstResponseKind != intake.ResponseAssignment || tr.FirstResponseBy != "operator" {
				t.Fatalf("triage = %+v, %v", tr, err)
			}
			// A later action is no first response.
			first := *tr.FirstResponseAt
			e.Clock.Advance(5 * time.Minute)
			if err := s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"sexual"}}); err != nil {
				t.Fatal(err)
			}
			if _, tr, _ := s.GetTriage(ctx, op, sc, id); !tr.FirstResponseAt.Equal(first) || tr.FirstResponseKind != intake.ResponseAssignment {
				t.Errorf("first response moved to %v %s", tr.FirstResponseAt, tr.FirstResponseKind)
			}
			people, err := s.Assignees(ctx, op, sc)
			if err != nil || len(people) != 2 || people[0].Username != "colleague" || people[1].Username != "operator" {
				t.Errorf("assignees = %+v, %v", people, err)
			}
		})

		t.Run("forward to another organisation", func(t *testing.T) {
			id := e.submit(t, intake.UrgencySoon)
			police := e.Org(t, "Police", "police")
			apperrtest.Want(t, "same", s.Assign(ctx, op, sc, id, intake.Assignment{OrgID: e.hotline}), apperr.Invalid, "org")
			apperrtest.Want(t, "police", s.Assign(ctx, op, sc, id, intake.Assignment{OrgID: police}), apperr.Invalid, "org")
			if err := s.HandOver(ctx, op, sc, intake.HandoverReport, id, "Call back after 6"); err != nil {
				t.Fatal(err)
			}
			if err := s.Assign(ctx, op, sc, id, intake.Assignment{OrgID: e.other}); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(ids(e.queue(t, op, intake.QueueFilter{})), id) {
				t.Error("the hotline still has the forwarded report")
			}
			if !slices.Contains(ids(e.queue(t, e.outsider, intake.QueueFilter{})), id) {
				t.Error("the other organisation does not have the forwarded report")
			}
			if _, tr, err := s.GetTriage(ctx, e.outsider, triageScope(t, e.outsider), id); err != nil || tr.Handover != nil || tr.FirstResponseKind != intake.ResponseAssignment {
				t.Errorf("forwarded: %+v, %v; the hotline's hand-over note must not travel", tr, err)
			}
		})

		t.Run("classify", func(t *testing.T) {
			id := e.submit(t, intake.UrgencyChild)
			apperrtest.Want(t, "nothing", s.Classify(ctx, op, sc, id, intake.Classification{}), apperr.Invalid, "exploitation")
			apperrtest.Want(t, "unknown place", s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"piracy"}, PlaceType: "moon"}), apperr.Invalid, "place_type")
			apperrtest.Want(t, "unknown form", s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"labour", "piracy"}}), apperr.Invalid, "exploitation")
			// Version 1's form is gone: a report names forced begging and
			// forced criminality apart, each once, in display order.
			apperrtest.Want(t, "version 1 form", s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"begging_criminality"}}), apperr.Invalid, "exploitation")
			if err := s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"criminality", "begging", "criminality"},
				PlaceType: "street", MissingChild: true}); err != nil {
				t.Fatal(err)
			}
			_, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || !slices.Equal(tr.Exploitation, []string{"begging", "criminality"}) || tr.PlaceType != "street" || tr.MissingSince == nil ||
				!tr.ClockEnds().Equal(tr.MissingSince.Add(24*time.Hour)) {
				t.Fatalf("triage = %+v, %v", tr, err)
			}
			// Classifying again keeps the clock where it started.
			since := *tr.MissingSince
			e.Clock.Advance(time.Hour)
			if err := s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"begging", "criminality"}, MissingChild: true}); err != nil {
				t.Fatal(err)
			}
			if _, tr, _ := s.GetTriage(ctx, op, sc, id); tr.MissingSince == nil || !tr.MissingSince.Equal(since) {
				t.Errorf("the clock moved: %v, want %v", tr.MissingSince, since)
			}
			// The queue finds the report by either form.
			for _, form := range []string{"begging", "criminality"} {
				if got := ids(e.queue(t, op, intake.QueueFilter{Exploitation: form})); !slices.Contains(got, id) {
					t.Errorf("filter %s: %v, want the report", form, got)
				}
			}
			if got := ids(e.queue(t, op, intake.QueueFilter{Exploitation: "labour"})); slices.Contains(got, id) {
				t.Errorf("filter labour finds a report of begging and criminality")
			}
		})

		t.Run("duplicate", func(t *testing.T) {
			first := e.submit(t, intake.UrgencySoon)
			second := e.submit(t, intake.UrgencySoon)
			apperrtest.Want(t, "itself", s.LinkDuplicate(ctx, op, sc, second, intake.ShortID(second)), apperr.Invalid, "duplicate")
			apperrtest.Want(t, "garbage", s.LinkDuplicate(ctx, op, sc, second, "%"), apperr.Invalid, "duplicate")
			if err := s.LinkDuplicate(ctx, op, sc, second, intake.ShortID(first)); err != nil {
				t.Fatal(err)
			}
			rep, tr, err := s.GetTriage(ctx, op, sc, second)
			if err != nil || rep.Status != intake.StatusDuplicate || tr.DuplicateOf != first || tr.ClosedAt == nil {
				t.Fatalf("duplicate = %s %+v, %v", rep.Status, tr, err)
			}
			if _, tr, _ := s.GetTriage(ctx, op, sc, first); !slices.Equal(tr.Duplicates, []string{second}) {
				t.Errorf("duplicates of the first = %v", tr.Duplicates)
			}
			// A closed report takes no more changes.
			apperrtest.Want(t, "closed", s.Classify(ctx, op, sc, second, intake.Classification{Exploitation: []string{"labour"}}), apperr.Conflict, "")
		})

		t.Run("ask the reporter", func(t *testing.T) {
			id := e.submit(t, intake.UrgencySoon)
			apperrtest.Want(t, "empty", s.Ask(ctx, op, sc, id, "  "), apperr.Invalid, "message")
			if err := s.Ask(ctx, op, sc, id, "Which entrance?"); err != nil {
				t.Fatal(err)
			}
			rep, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || len(rep.Messages) != 1 || rep.Messages[0].Body != "Which entrance?" || tr.FirstResponseKind != intake.ResponseQuestion {
				t.Fatalf("after asking: %+v %+v, %v", rep.Messages, tr, err)
			}
			if q := e.queue(t, op, intake.QueueFilter{}); q[slices.IndexFunc(q, func(i intake.QueueItem) bool { return i.ID == id })].Open {
				t.Error("the queue says the ball is with staff after they asked")
			}
		})

		t.Run("dismiss with a sealed note", func(t *testing.T) {
			id := e.submit(t, intake.UrgencyNoRush)
			apperrtest.Want(t, "no reason", s.Dismiss(ctx, op, sc, id, "", ""), apperr.Invalid, "reason")
			const note = "Same car wash as last week; police already there."
			if err := s.Dismiss(ctx, op, sc, id, "handled_elsewhere", note); err != nil {
				t.Fatal(err)
			}
			rep, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || rep.Status != intake.StatusDismissed || tr.DismissReason != "handled_elsewhere" || tr.DismissNote != note ||
				tr.FirstResponseKind != intake.ResponseDismissal {
				t.Fatalf("dismissed = %s %+v, %v", rep.Status, tr, err)
			}
			var raw []byte
			var dismissedAt *time.Time
			err = db.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT dismiss_note, dismissed_at FROM reports WHERE id = $1`, id).Scan(&raw, &dismissedAt)
			})
			if err != nil || len(raw) == 0 || bytes.Contains(raw, []byte("car wash")) || dismissedAt == nil {
				t.Errorf("stored note %q (dismissed at %v), %v: want it sealed and the time set", raw, dismissedAt, err)
			}
		})

		t.Run("turn into a screening and link a case", func(t *testing.T) {
			id := e.submit(t, intake.UrgencyChild)
			apperrtest.Want(t, "no consent", func() error {
				_, err := s.Convert(ctx, op, sc, id, intake.Conversion{ReporterIsPerson: true})
				return err
			}(), apperr.Invalid, "consent")
			sid, err := s.Convert(ctx, op, sc, id, intake.Conversion{ReporterIsPerson: true, Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			rep, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || rep.Status != intake.StatusScreening || tr.ScreeningID != sid || tr.Conversion != intake.ConversionConsented ||
				tr.FirstResponseKind != intake.ResponseConversion {
				t.Fatalf("converted = %s %+v, %v", rep.Status, tr, err)
			}
			var setting, org string
			var child int
			err = db.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT setting, org_id, age_child_reasons FROM screenings WHERE id = $1`, sid).Scan(&setting, &org, &child)
			})
			if err != nil || setting != "hotline_call" || org != e.hotline || child != 1 {
				t.Errorf("screening = %s %s child %d, %v", setting, org, child, err)
			}
			if _, err := s.Convert(ctx, op, sc, id, intake.Conversion{}); !apperr.Is(err, apperr.Conflict) {
				t.Errorf("converting twice: %v", err)
			}

			// A referral of that screening gives a person code another
			// report can be linked to.
			const code = "WM-7K3Q-92XD"
			now := storage.Now()
			err = db.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, code, screening_id, from_org, to_org, created_by, purposes, population,
					person_agreed, guardian_involved, result, catalogue_version, status, created_at, updated_at)
					VALUES ('ref-1', $1, $2, $3, $4, $5, '["labour"]', 'adult', 1, 0, '{}', 'v', 'pending', $6, $6)`,
					code, sid, e.hotline, e.other, op.UserID, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			other := e.submit(t, intake.UrgencySoon)
			apperrtest.Want(t, "bad code", s.LinkCase(ctx, op, sc, other, "WM-0000-0000"), apperr.Invalid, "code")
			apperrtest.Want(t, "unknown code", s.LinkCase(ctx, op, sc, other, "WM-2222-2222"), apperr.Invalid, "code")
			if err := s.LinkCase(ctx, op, sc, other, " wm-7k3q-92xd "); err != nil {
				t.Fatal(err)
			}
			if rep, tr, _ := s.GetTriage(ctx, op, sc, other); rep.Status != intake.StatusLinked || tr.CaseCode != code {
				t.Errorf("linked = %s %q", rep.Status, tr.CaseCode)
			}
		})

		t.Run("another organisation", func(t *testing.T) {
			id := e.submit(t, intake.UrgencyDanger)
			out, osc := e.outsider, triageScope(t, e.outsider)
			_, conv := s.Convert(ctx, out, osc, id, intake.Conversion{})
			_, _, view := s.GetTriage(ctx, out, osc, id)
			for name, err := range map[string]error{
				"view":     view,
				"assign":   s.Assign(ctx, out, osc, id, intake.Assignment{UserID: out.UserID}),
				"classify": s.Classify(ctx, out, osc, id, intake.Classification{Exploitation: []string{"labour"}}),
				"ask":      s.Ask(ctx, out, osc, id, "Hello?"),
				"dismiss":  s.Dismiss(ctx, out, osc, id, "test", ""),
				"convert":  conv,
				"handover": s.HandOver(ctx, out, osc, intake.HandoverReport, id, "note"),
			} {
				if !apperr.Is(err, apperr.NotFound) {
					t.Errorf("%s by another organisation: %v, want NotFound", name, err)
				}
			}
			if n := len(deniedFor(t, e.Env, id)); n != 7 {
				t.Errorf("%d denied audit entries for the report, want 7", n)
			}
			rep, tr, err := s.GetTriage(ctx, op, sc, id)
			if err != nil || rep.Status != intake.StatusNew || tr.FirstResponseAt != nil || len(rep.Messages) != 0 {
				t.Errorf("the report changed: %s %+v, %v", rep.Status, tr, err)
			}
		})

		t.Run("every change is audited", func(t *testing.T) {
			id := e.submit(t, intake.UrgencySoon)
			_ = s.Assign(ctx, op, sc, id, intake.Assignment{UserID: colleague.UserID})
			_ = s.Classify(ctx, op, sc, id, intake.Classification{Exploitation: []string{"labour"}})
			_ = s.Ask(ctx, op, sc, id, "More?")
			_ = s.HandOver(ctx, op, sc, intake.HandoverReport, id, "Waiting for an answer")
			_ = s.TakeOver(ctx, op, sc, intake.HandoverReport, id)
			_ = s.Dismiss(ctx, op, sc, id, "other", "")
			got := actionsFor(t, e.Env, id)
			for _, want := range []string{"reports.submit:done", "reports.assign:allowed", "reports.classify:allowed", "reports.ask:allowed",
				"reports.handover:allowed", "reports.takeover:allowed", "reports.dismiss:allowed"} {
				if !slices.Contains(got, want) {
					t.Errorf("audit of the report lacks %s: %v", want, got)
				}
			}
		})
	})
}
