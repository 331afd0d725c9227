package legalstatus_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// protectionState summarises the new records and what a change touches.
func (f *fixture) protectionState(t *testing.T, caseID string) string {
	t.Helper()
	return f.counts(t, caseID,
		`SELECT count(*) FROM legal_penalties WHERE case_id = $1`,
		`SELECT count(*) FROM legal_nonpunishment WHERE case_id = $1`,
		`SELECT count(*) FROM legal_nonpunishment WHERE case_id = $1 AND outcome <> 'pending'`,
		`SELECT count(*) FROM legal_protective_measures WHERE case_id = $1`,
		`SELECT count(*) FROM legal_protective_measures WHERE case_id = $1 AND status <> 'pending'`,
		`SELECT count(*) FROM legal_permits WHERE case_id = $1`,
		`SELECT count(*) FROM case_deadlines WHERE case_id = $1`,
		`SELECT count(*) FROM case_events WHERE case_id = $1`)
}

// share offers case c to the other organisation with the person's consent
// for categories, and the other organisation accepts.
func (f *fixture) share(t *testing.T, c cases.Case, categories ...string) {
	t.Helper()
	svc := f.env.App.Cases
	if _, err := svc.RecordConsent(ctx, f.worker.Actor, c.ID, cases.ConsentInput{
		Purposes: []string{cases.PurposeCaseManagement, cases.PurposeSharing}, Orgs: []string{f.outsider.Actor.OrgID}, Categories: categories,
		Language: "ro", Method: "written", GivenBy: "person", GivenOn: day(0)}); err != nil {
		t.Fatalf("consent: %v", err)
	}
	sh, err := svc.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.outsider.Actor.OrgID, Kind: cases.KindShare, Categories: categories})
	if err != nil {
		t.Fatalf("share: %v", err)
	}
	if _, err := svc.RespondShare(ctx, f.outsider.Actor, sh.ID, true, ""); err != nil {
		t.Fatalf("accept share: %v", err)
	}
}

func TestNonPunishment(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			who := f.worker.Actor
			const office = "Border police station 4"
			pen, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "administrative_fine", Linked: "yes",
				OccurredOn: day(-60), Authority: office, Note: "Forged passport handed over by the recruiter"})
			if err != nil {
				t.Fatalf("penalty: %v", err)
			}
			other := f.open(t, false)
			if _, err := f.svc.SavePenalty(ctx, who, other.ID, legalstatus.PenaltyInput{Kind: "detention", Linked: "no"}); err != nil {
				t.Fatalf("penalty of the other case: %v", err)
			}

			sub := func(in legalstatus.SubmissionInput) func() error {
				return func() error { _, err := f.svc.SaveSubmission(ctx, who, c.ID, in); return err }
			}
			bad := []refusal{
				{"unknown penalty kind", "penalty_kind", "legalstatus.error.choose", func() error {
					_, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "parking_ticket", Linked: "yes"})
					return err
				}},
				{"linked neither yes nor no", "penalty_linked", "legalstatus.error.choose", func() error {
					_, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "detention", Linked: "maybe"})
					return err
				}},
				{"penalty in the future", "penalty_on", "legalstatus.error.date_future", func() error {
					_, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "detention", Linked: "no", OccurredOn: day(20)})
					return err
				}},
				{"outcome before submission", "submission_decided_on", "legalstatus.error.outcome_before_submission",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "accepted", DecidedOn: day(-20)})},
				{"decided without a date", "submission_decided_on", "legalstatus.error.decided_on_required",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "rejected"})},
				{"pending with a decision date", "submission_decided_on", "legalstatus.error.no_decision_yet",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "pending", DecidedOn: day(-1)})},
				{"unknown outcome", "submission_outcome", "legalstatus.error.choose",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "won"})},
				{"unknown submitter", "submission_by", "legalstatus.error.choose",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "mayor", Outcome: "pending"})},
				{"no penalty", "submission_penalty", "legalstatus.error.choose",
					sub(legalstatus.SubmissionInput{Penalty: 0, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "pending"})},
				{"a penalty the case does not have", "submission_penalty", "legalstatus.error.choose",
					sub(legalstatus.SubmissionInput{Penalty: 2, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "pending"})},
				{"no submission date", "submission_on", "legalstatus.error.required",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedBy: "lawyer", Outcome: "pending"})},
				{"hearing for a decided submission", "submission_hearing_on", "legalstatus.error.hearing_decided",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "accepted", DecidedOn: day(-1), HearingOn: day(10)})},
				{"hearing in the past", "submission_hearing_on", "legalstatus.error.hearing_past",
					sub(legalstatus.SubmissionInput{Penalty: 1, SubmittedOn: day(-10), SubmittedBy: "lawyer", Outcome: "pending", HearingOn: day(-2)})},
			}
			refuseAll(t, c.ID, f.protectionState, bad)

			const prosecutor = "District prosecutor, Dept. 3"
			s, err := f.svc.SaveSubmission(ctx, who, c.ID, legalstatus.SubmissionInput{Penalty: pen.Number, SubmittedOn: day(-5),
				SubmittedBy: "assisting_organisation", SubmittedTo: prosecutor, Outcome: "pending", HearingOn: day(21)})
			if err != nil {
				t.Fatalf("submission: %v", err)
			}
			if due, remind := f.deadline(t, "nonpunishment_hearing", s.ID); due != day(21) || remind != day(7) {
				t.Errorf("hearing deadline = %s remind %s, want %s remind %s", due, remind, day(21), day(7))
			}
			f.notInClear(t, office, "Forged passport", prosecutor)

			// The outcome: the hearing is no longer awaited; the recipient is kept.
			if _, err := f.svc.SaveSubmission(ctx, who, c.ID, legalstatus.SubmissionInput{Number: s.Number, Penalty: pen.Number,
				SubmittedOn: day(-5), SubmittedBy: "assisting_organisation", Outcome: "partly", DecidedOn: day(0)}); err != nil {
				t.Fatalf("outcome: %v", err)
			}
			if due, _ := f.deadline(t, "nonpunishment_hearing", s.ID); due != "" {
				t.Errorf("a decided submission keeps its hearing deadline %s", due)
			}
			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ov.Penalties) != 1 || ov.Penalties[0].Authority != office || ov.Penalties[0].Linked != "yes" ||
				len(ov.Submissions) != 1 || ov.Submissions[0].Outcome != "partly" || ov.Submissions[0].SubmittedTo != prosecutor ||
				ov.Submissions[0].Penalty != 1 {
				t.Errorf("overview: %+v %+v", ov.Penalties, ov.Submissions)
			}
			if len(ov.History) < 3 || ov.History[0].Kind != "legal_submission_updated" || ov.History[0].Detail != "partly" {
				t.Errorf("history: %+v", ov.History)
			}
		})
	}
}

func TestProtectiveMeasures(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			who := f.worker.Actor
			pr, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "cooperates",
				NextHearing: day(30)})
			if err != nil {
				t.Fatal(err)
			}
			old, err := f.env.App.Risk.Assess(ctx, who, c.ID, risk.NewAssessment{Level: "medium"})
			if err != nil {
				t.Fatal(err)
			}
			// Assessments are ordered by time; the next one must come later.
			time.Sleep(2 * time.Millisecond)
			cur, err := f.env.App.Risk.Assess(ctx, who, c.ID, risk.NewAssessment{Level: "high", Factors: []string{"witness"}})
			if err != nil {
				t.Fatal(err)
			}
			other := f.open(t, false)
			otherPr, err := f.svc.SaveProceeding(ctx, who, other.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "investigation", Cooperation: "undecided"})
			if err != nil {
				t.Fatal(err)
			}
			otherRisk, err := f.env.App.Risk.Assess(ctx, who, other.ID, risk.NewAssessment{Level: "low"})
			if err != nil {
				t.Fatal(err)
			}

			measure := func(in legalstatus.MeasureInput) func() error {
				return func() error { _, err := f.svc.SaveMeasure(ctx, who, c.ID, in); return err }
			}
			bad := []refusal{
				{"unknown measure", "measure_kind", "legalstatus.error.choose",
					measure(legalstatus.MeasureInput{Kind: "new_identity", RequestedOn: day(-1), RequestedBy: "lawyer", Status: "pending"})},
				{"unknown requester", "measure_requested_by", "legalstatus.error.choose",
					measure(legalstatus.MeasureInput{Kind: "video_testimony", RequestedOn: day(-1), RequestedBy: "neighbour", Status: "pending"})},
				{"unknown status", "measure_status", "legalstatus.error.choose",
					measure(legalstatus.MeasureInput{Kind: "video_testimony", RequestedOn: day(-1), RequestedBy: "lawyer", Status: "partly"})},
				{"decided before requested", "measure_decided_on", "legalstatus.error.decided_before_requested",
					measure(legalstatus.MeasureInput{Kind: "video_testimony", RequestedOn: day(-1), RequestedBy: "lawyer", Status: "granted", DecidedOn: day(-3)})},
				{"another measure without saying what", "measure_note", "legalstatus.error.note_required",
					measure(legalstatus.MeasureInput{Kind: "other", RequestedOn: day(-1), RequestedBy: "lawyer", Status: "pending"})},
				{"another case's proceedings", "measure_proceeding", "legalstatus.error.choose",
					measure(legalstatus.MeasureInput{Kind: "no_confrontation", RequestedOn: day(-1), RequestedBy: "lawyer", Status: "pending", ProceedingID: otherPr.ID})},
				{"another case's risk assessment", "measure_risk", "legalstatus.error.choose",
					measure(legalstatus.MeasureInput{Kind: "police_protection", RequestedOn: day(-1), RequestedBy: "police", Status: "pending", RiskAssessmentID: otherRisk.ID})},
				{"requested in the future", "measure_requested_on", "legalstatus.error.date_future",
					measure(legalstatus.MeasureInput{Kind: "closed_hearing", RequestedOn: day(5), RequestedBy: "prosecutor", Status: "pending"})},
			}
			refuseAll(t, c.ID, f.protectionState, bad)

			m, err := f.svc.SaveMeasure(ctx, who, c.ID, legalstatus.MeasureInput{Kind: "video_testimony", RequestedOn: day(-2), RequestedBy: "lawyer",
				Status: "pending", ProceedingID: pr.ID, HearingOn: day(30), RiskAssessmentID: cur.ID})
			if err != nil {
				t.Fatalf("measure: %v", err)
			}
			if m.Number != 1 || m.Proceeding != pr.Number {
				t.Errorf("measure = %+v", m)
			}
			const asked = "Separate waiting room away from the accused's family"
			if _, err := f.svc.SaveMeasure(ctx, who, c.ID, legalstatus.MeasureInput{Kind: "other", RequestedOn: day(-20), RequestedBy: "person",
				Status: "granted", DecidedOn: day(-10), RiskAssessmentID: old.ID, Note: asked}); err != nil {
				t.Fatalf("other measure: %v", err)
			}
			f.notInClear(t, asked)
			// The court grants the first; the links stay.
			if _, err := f.svc.SaveMeasure(ctx, who, c.ID, legalstatus.MeasureInput{Number: 1, Kind: "video_testimony", RequestedOn: day(-2),
				RequestedBy: "lawyer", Status: "granted", DecidedOn: day(0), ProceedingID: pr.ID, HearingOn: day(30), RiskAssessmentID: cur.ID}); err != nil {
				t.Fatalf("decision: %v", err)
			}

			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ov.Assessments) != 2 || ov.Assessments[0].ID != cur.ID {
				t.Fatalf("assessments = %+v, want the current one first", ov.Assessments)
			}
			if len(ov.Measures) != 2 || ov.Measures[0].Status != "granted" || ov.Measures[0].RiskAssessmentID != cur.ID ||
				ov.Measures[0].Proceeding != 1 || ov.Measures[1].Note != asked || ov.Measures[1].RiskAssessmentID != old.ID {
				t.Errorf("measures = %+v", ov.Measures)
			}
		})
	}
}

func TestPermitRegimes(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			who := f.worker.Actor
			before := f.protectionState(t, c.ID)

			for name, in := range map[string]legalstatus.PermitInput{
				"work maybe":  {Type: "temporary_victim_permit", Status: "applied", AllowsWork: "maybe"},
				"study sure":  {Type: "temporary_victim_permit", Status: "applied", AllowsStudy: "sure"},
				"no start":    {Type: "long_term", Status: "granted"},
				"type golden": {Type: "golden", Status: "granted", Start: day(0)},
			} {
				if _, err := f.svc.AddPermit(ctx, who, c.ID, in); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("%s: err = %v, want invalid", name, err)
				}
			}
			if after := f.protectionState(t, c.ID); after != before {
				t.Errorf("refused permits changed %q to %q", before, after)
			}

			temp, err := f.svc.AddPermit(ctx, who, c.ID, legalstatus.PermitInput{Type: "temporary_victim_permit", Status: "granted",
				Start: day(0), Expiry: day(180), AllowsWork: "yes", AllowsStudy: "no"})
			if err != nil {
				t.Fatalf("temporary permit: %v", err)
			}
			// A long-term permit may have no expiry, so no reminders; work and
			// study are a resident's and are not recorded on it.
			long, err := f.svc.AddPermit(ctx, who, c.ID, legalstatus.PermitInput{Type: "long_term", Status: "granted", Start: day(0), AllowsWork: "no"})
			if err != nil {
				t.Fatalf("long-term permit: %v", err)
			}
			if due, _ := f.deadline(t, "permit_expiry", long.ID); due != "" {
				t.Errorf("a permit without expiry has an expiry deadline %s", due)
			}
			// A renewal keeps what it is given.
			if _, err := f.svc.RenewPermit(ctx, who, c.ID, temp.Number, legalstatus.PermitInput{Status: "granted", Start: day(180), Expiry: day(545),
				AllowsWork: "yes", AllowsStudy: "yes"}); err != nil {
				t.Fatalf("renew: %v", err)
			}
			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, p := range ov.Permits {
				got = append(got, p.Type+":"+p.AllowsWork+"/"+p.AllowsStudy)
			}
			want := "temporary_victim_permit:yes/no long_term:/ temporary_victim_permit:yes/yes"
			if strings.Join(got, " ") != want {
				t.Errorf("permits = %v, want %s", got, want)
			}
			if !legalstatus.Temporary("humanitarian") || legalstatus.Temporary("long_term") || legalstatus.Temporary("eu_citizen_no_permit_needed") {
				t.Error("Temporary classifies the permit types wrongly")
			}
		})
	}
}

// TestProtectionSharing: a partner given the legal category reads the new
// records; one given only assistance reads none of them.
func TestProtectionSharing(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			who := f.worker.Actor
			seed := func(c cases.Case) {
				t.Helper()
				if _, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "criminal_charge", Linked: "yes"}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.SaveMeasure(ctx, who, c.ID, legalstatus.MeasureInput{Kind: "closed_hearing", RequestedOn: day(-1),
					RequestedBy: "prosecutor", Status: "pending"}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.env.App.Risk.Assess(ctx, who, c.ID, risk.NewAssessment{Level: "high"}); err != nil {
					t.Fatal(err)
				}
			}
			assistanceOnly, legalOnly := f.open(t, false), f.open(t, false)
			seed(assistanceOnly)
			seed(legalOnly)
			f.share(t, assistanceOnly, "assistance")
			f.share(t, legalOnly, "legal")

			if _, err := f.svc.Get(ctx, f.outsider.Actor, assistanceOnly.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("partner without the legal share: err = %v, want forbidden", err)
			}
			ov, err := f.svc.Get(ctx, f.outsider.Actor, legalOnly.ID)
			if err != nil {
				t.Fatalf("partner with the legal share: %v", err)
			}
			if len(ov.Penalties) != 1 || len(ov.Measures) != 1 || ov.CanChange {
				t.Errorf("partner with the legal share sees %+v %+v, can change %t", ov.Penalties, ov.Measures, ov.CanChange)
			}
			if len(ov.Assessments) != 0 {
				t.Errorf("a partner without the risk share sees the risk assessments through the legal tab: %+v", ov.Assessments)
			}
			if _, err := f.svc.SaveMeasure(ctx, f.outsider.Actor, legalOnly.ID, legalstatus.MeasureInput{Kind: "closed_hearing",
				RequestedOn: day(-1), RequestedBy: "prosecutor", Status: "pending"}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("partner recording a measure: err = %v, want forbidden", err)
			}
		})
	}
}

func TestProtectionExportAndErase(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			c := f.open(t, false)
			who := f.worker.Actor
			pen, err := f.svc.SavePenalty(ctx, who, c.ID, legalstatus.PenaltyInput{Kind: "immigration_detention", Linked: "yes", Authority: "Aliens office"})
			if err != nil {
				t.Fatal(err)
			}
			s, err := f.svc.SaveSubmission(ctx, who, c.ID, legalstatus.SubmissionInput{Penalty: pen.Number, SubmittedOn: day(-1), SubmittedBy: "lawyer",
				SubmittedTo: "Administrative court", Outcome: "pending", HearingOn: day(9)})
			if err != nil {
				t.Fatal(err)
			}
			pr, err := f.svc.SaveProceeding(ctx, who, c.ID, legalstatus.ProceedingInput{Role: "witness", Stage: "trial", Cooperation: "cooperates"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SaveMeasure(ctx, who, c.ID, legalstatus.MeasureInput{Kind: "anonymised_testimony", RequestedOn: day(-1),
				RequestedBy: "lawyer", Status: "pending", ProceedingID: pr.ID}); err != nil {
				t.Fatal(err)
			}
			a, err := f.env.App.Cases.Get(ctx, who, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var rec legalstatus.Record
			if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var err error
				rec, err = f.svc.Export(ctx, tx, a)
				return err
			}); err != nil {
				t.Fatalf("export: %v", err)
			}
			b, _ := json.Marshal(rec)
			for _, want := range []string{`"penalties":[{`, `"authority":"Aliens office"`, `"linked_to_exploitation":"yes"`,
				`"non_punishment_submissions":[{`, `"submitted_to":"Administrative court"`, `"protective_measures":[{`,
				`"measure":"anonymised_testimony"`, `"proceeding":1`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("export lacks %s:\n%s", want, b)
				}
			}
			if err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error { return f.svc.Erase(ctx, tx, a) }); err != nil {
				t.Fatalf("erase: %v", err)
			}
			ov, err := f.svc.Get(ctx, who, c.ID)
			if err != nil || len(ov.Penalties)+len(ov.Submissions)+len(ov.Measures)+len(ov.Proceedings) != 0 {
				t.Errorf("after erasure: %+v (%v)", ov.Record, err)
			}
			if due, _ := f.deadline(t, "nonpunishment_hearing", s.ID); due != "" {
				t.Errorf("erasure left the hearing deadline %s", due)
			}
		})
	}
}
