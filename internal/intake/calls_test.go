package intake_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func callScope(t *testing.T, a access.Actor) access.Scope {
	t.Helper()
	s, err := access.Authorize(a, access.LogCalls)
	if err != nil {
		t.Fatalf("authorize %s: %v", a.Role, err)
	}
	return s
}

// call is a valid call; tests change what they need.
func call() intake.NewCall {
	return intake.NewCall{CallerType: "witness", Language: "ro", Topic: "suspicion", InfoGiven: []string{"rights", "services"},
		Notes: "Caller drives a taxi; saw three girls dropped at the motel every night."}
}

func TestLogCall(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{})
		s, op := e.Service, e.operator
		sc := callScope(t, op)

		for _, tt := range []struct {
			name  string
			edit  func(*intake.NewCall)
			field string
		}{
			{"caller type", func(c *intake.NewCall) { c.CallerType = "alien" }, "caller_type"},
			{"language", func(c *intake.NewCall) { c.Language = "<b>" }, "language"},
			{"topic", func(c *intake.NewCall) { c.Topic = "" }, "topic"},
			{"information", func(c *intake.NewCall) { c.InfoGiven = []string{"gossip"} }, "info"},
			{"referral", func(c *intake.NewCall) { c.ReferredTo = "no-such-org" }, "referred_to"},
			{"notes", func(c *intake.NewCall) { c.Notes = strings.Repeat("a", intake.MaxCallNotes+1) }, "notes"},
		} {
			in := call()
			tt.edit(&in)
			_, err := s.LogCall(ctx, op, sc, in)
			apperrtest.Want(t, tt.name, err, apperr.Invalid, tt.field)
		}

		plain := call()
		plain.ReferredTo = e.other
		quiet, err := s.LogCall(ctx, op, sc, plain)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		urgent := call()
		urgent.Language, urgent.CallerType, urgent.Topic, urgent.MissingChild = "other", "family", "missing_person", true
		missing, err := s.LogCall(ctx, op, sc, urgent)
		if err != nil {
			t.Fatal(err)
		}
		open, err := s.Calls(ctx, op, sc, intake.CallFilter{})
		if err != nil || len(open) != 2 || open[0].ID != missing || open[1].ID != quiet {
			t.Fatalf("open calls = %+v, %v; want the missing child first", open, err)
		}
		if open[0].Notes != "" || open[1].ReferredToName != "Other NGO" || !slices.Equal(open[1].InfoGiven, []string{"rights", "services"}) {
			t.Errorf("listed calls = %+v", open)
		}
		if c := open[0]; c.Urgency() != intake.UrgencyChild || !c.ClockEnds().Equal(c.CalledAt.Add(24*time.Hour)) {
			t.Errorf("missing child: urgency %s, clock ends %v after %v", c.Urgency(), c.ClockEnds(), c.CalledAt)
		}

		// Notes are sealed at rest and decrypted, with an audit entry, on
		// the call's page.
		var raw []byte
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT notes FROM calls WHERE id = $1`, quiet).Scan(&raw)
		}); err != nil || len(raw) == 0 || bytes.Contains(raw, []byte("taxi")) {
			t.Errorf("stored notes %q, %v: want them sealed", raw, err)
		}
		got, err := s.GetCall(ctx, op, sc, quiet)
		if err != nil || got.Notes != plain.Notes || got.TakenBy != "operator" || got.Status != intake.CallOpen {
			t.Fatalf("GetCall = %+v, %v", got, err)
		}
		if a := actionsFor(t, e.Env, quiet); !slices.Contains(a, "calls.log:allowed") || !slices.Contains(a, "calls.view:allowed") {
			t.Errorf("audit of the call = %v", a)
		}

		// Another organisation neither lists nor opens nor changes it,
		// and each attempt is audited.
		osc := callScope(t, e.outsider)
		if list, _ := s.Calls(ctx, e.outsider, osc, intake.CallFilter{}); len(list) != 0 {
			t.Errorf("another organisation lists %d calls", len(list))
		}
		_, get := s.GetCall(ctx, e.outsider, osc, quiet)
		_, rep := s.ReportFromCall(ctx, e.outsider, osc, quiet, intake.CallReport{Details: "x"})
		for name, err := range map[string]error{
			"get": get, "report": rep, "close": s.CloseCall(ctx, e.outsider, osc, quiet),
			"handover": s.HandOver(ctx, e.outsider, osc, intake.HandoverCall, quiet, "note"),
		} {
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s by another organisation: %v", name, err)
			}
		}
		if n := len(deniedFor(t, e.Env, quiet)); n != 4 {
			t.Errorf("%d denied entries for the call, want 4", n)
		}

		// Closing takes the call off the open list.
		if err := s.CloseCall(ctx, op, sc, quiet); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseCall(ctx, op, sc, quiet); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("closing twice: %v", err)
		}
		closed, err := s.Calls(ctx, op, sc, intake.CallFilter{Status: intake.CallClosed})
		if err != nil || len(closed) != 1 || closed[0].ID != quiet || closed[0].ClosedAt == nil {
			t.Errorf("closed calls = %+v, %v", closed, err)
		}
	})
}

func TestReportFromCall(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{})
		s, op := e.Service, e.operator
		in := call()
		in.MissingChild = true
		id, err := s.LogCall(ctx, op, callScope(t, op), in)
		if err != nil {
			t.Fatal(err)
		}
		called, err := s.GetCall(ctx, op, callScope(t, op), id)
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(10 * time.Minute)
		_, err = s.ReportFromCall(ctx, op, callScope(t, op), id, intake.CallReport{Details: " "})
		apperrtest.Want(t, "no details", err, apperr.Invalid, "details")
		rid, err := s.ReportFromCall(ctx, op, callScope(t, op), id, intake.CallReport{Details: "A boy of 12 did not come home from school.", PlaceType: "transport_hub", Area: "Central station"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReportFromCall(ctx, op, callScope(t, op), id, intake.CallReport{Details: "again"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second report of the call: %v", err)
		}
		sc := triageScope(t, op)
		rep, tr, err := s.GetTriage(ctx, op, sc, rid)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Details != "A boy of 12 did not come home from school." || rep.Area != "Central station" || rep.Urgency != intake.UrgencyChild ||
			rep.AgeGroup != "children" || rep.Language != "ro" || rep.OrgID != e.hotline || rep.Status != intake.StatusNew {
			t.Errorf("report = %+v", rep)
		}
		if tr.Source != intake.SourceCall || tr.CallID != id || tr.FirstResponseKind != intake.ResponseCall || tr.Overdue ||
			tr.MissingSince == nil || tr.MissingSince.After(called.CalledAt) || called.CalledAt.Sub(*tr.MissingSince) >= time.Minute {
			t.Errorf("triage = %+v; the clock must run from the call at %v", tr, called.CalledAt)
		}
		if c, _ := s.GetCall(ctx, op, callScope(t, op), id); c.ReportID != rid {
			t.Errorf("the call links report %q", c.ReportID)
		}
		q := e.queue(t, op, intake.QueueFilter{})
		if len(q) != 1 || q[0].ID != rid || q[0].Source != intake.SourceCall || q[0].Open || q[0].ClockEnds().IsZero() {
			t.Errorf("queue = %+v", q)
		}
		// The caller has no receipt code, so there is nobody to ask.
		apperrtest.Want(t, "ask", s.Ask(ctx, op, sc, rid, "Anything else?"), apperr.Invalid, "message")
		if a := actionsFor(t, e.Env, rid); !slices.Contains(a, "reports.create:allowed") {
			t.Errorf("audit of the report = %v", a)
		}
	})
}

func TestHandovers(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		e := newTriageEnv(t, db, intake.Config{})
		s, op := e.Service, e.operator
		night := e.User(t, "night", access.HotlineOperator, e.hotline)
		in := call()
		in.Danger = true
		cid, err := s.LogCall(ctx, op, callScope(t, op), in)
		if err != nil {
			t.Fatal(err)
		}
		rid := e.submit(t, intake.UrgencySoon)

		apperrtest.Want(t, "empty note", s.HandOver(ctx, op, callScope(t, op), intake.HandoverCall, cid, ""), apperr.Invalid, "handover_note")
		if err := s.HandOver(ctx, op, callScope(t, op), intake.HandoverCall, cid, "She will call back at 22:00 from a friend's phone."); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Minute)
		if err := s.HandOver(ctx, op, triageScope(t, op), intake.HandoverReport, rid, "Reporter asked; wait for answer."); err != nil {
			t.Fatal(err)
		}
		// A second note on the call replaces the first.
		e.Clock.Advance(time.Minute)
		if err := s.HandOver(ctx, op, callScope(t, op), intake.HandoverCall, cid, "Call back expected at 22:30 now."); err != nil {
			t.Fatal(err)
		}
		list, err := s.Handovers(ctx, night, callScope(t, night))
		if err != nil || len(list) != 2 {
			t.Fatalf("hand-overs = %+v, %v", list, err)
		}
		if h := list[0]; h.Kind != intake.HandoverReport || h.SubjectID != rid || h.Note != "Reporter asked; wait for answer." || h.By != "operator" {
			t.Errorf("first hand-over = %+v", h)
		}
		if h := list[1]; h.Kind != intake.HandoverCall || h.SubjectID != cid || h.Note != "Call back expected at 22:30 now." || h.Urgency != intake.UrgencyDanger {
			t.Errorf("second hand-over = %+v", h)
		}
		var raw []byte
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT note FROM handovers WHERE id = $1`, list[1].ID).Scan(&raw)
		}); err != nil || bytes.Contains(raw, []byte("22:30")) {
			t.Errorf("stored note %q, %v: want it sealed", raw, err)
		}
		if other, _ := s.Handovers(ctx, e.outsider, callScope(t, e.outsider)); len(other) != 0 {
			t.Errorf("another organisation sees %d hand-overs", len(other))
		}
		// The night shift takes the call over; closing the report's call
		// is not needed for the report's note to stay.
		if err := s.TakeOver(ctx, night, callScope(t, night), intake.HandoverCall, cid); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.Handovers(ctx, night, callScope(t, night)); len(list) != 1 || list[0].SubjectID != rid {
			t.Errorf("after taking over: %+v", list)
		}
		if a := actionsFor(t, e.Env, cid); !slices.Contains(a, "calls.takeover:allowed") || !slices.Contains(a, "calls.handover:allowed") {
			t.Errorf("audit of the call = %v", a)
		}
		// A closed call cannot be handed over.
		if err := s.CloseCall(ctx, op, callScope(t, op), cid); err != nil {
			t.Fatal(err)
		}
		if err := s.HandOver(ctx, op, callScope(t, op), intake.HandoverCall, cid, "late"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("hand-over of a closed call: %v", err)
		}
	})
}
