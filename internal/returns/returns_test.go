package returns_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/apperr/apperrtest"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *returns.Service
	orgB        string
	worker      apptest.User // case worker of A
	coordinator apptest.User // coordinator of A
	police      apptest.User // police contact of A: reads cases, changes none
	outside     apptest.User // case worker of B
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	a := env.Org("Safe Harbour", accounts.NGO)
	b := env.Org("Elsewhere Services", accounts.SocialServices)
	return &fixture{env: env, svc: env.App.Returns, orgB: b, worker: env.User("worker", access.CaseWorker, a),
		coordinator: env.User("coord", access.Coordinator, a), police: env.User("police", access.PoliceContact, a),
		outside: env.User("outside", access.CaseWorker, b)}
}

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

// openCase opens a case of a 15-year-old or of an adult from Romania, with
// consent to case management and to sharing its profile with organisation
// B, and moves it to stage.
func (f *fixture) openCase(t *testing.T, child bool, stages ...cases.Stage) cases.Case {
	t.Helper()
	ctx := context.Background()
	birth := "1990-01-10"
	if child {
		birth = day(-15 * 365)
	}
	c, err := f.env.App.Cases.Open(ctx, f.worker.Actor, cases.NewCase{Person: cases.PersonInput{
		Person: cases.Person{GivenNames: "Ana", FamilyName: "Testa", BirthDate: birth},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "through_worker",
		Exploitation: []string{"labour"}}})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	consent := cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement, cases.PurposeSharing}, Orgs: []string{f.orgB},
		Categories: []string{string(cases.Risk)}, Language: "ro", Method: "written", GivenBy: "person", GivenOn: day(0)}
	if child {
		consent.GivenBy, consent.ChildHeard, consent.BestInterest = "guardian", true, true
	}
	if _, err := f.env.App.Cases.RecordConsent(ctx, f.worker.Actor, c.ID, consent); err != nil {
		t.Fatalf("consent: %v", err)
	}
	for _, st := range stages {
		if c, err = f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, st, ""); err != nil {
			t.Fatalf("move to %s: %v", st, err)
		}
	}
	return c
}

var toLongTerm = []cases.Stage{cases.Screening, cases.ReasonableGrounds, cases.Reflection, cases.LongTerm}

func adultPlan() returns.Plan {
	return returns.Plan{Country: "ro", Place: "Iași", Receiver: "Open Door Iași", ReceiverContact: "+40 0000 0000, duty phone",
		Consulate: "Consulate of Romania", RiskLevel: "medium", RiskAssessedOn: day(0), RiskNote: "The recruiter lives in another county.",
		ConsentWritten: true, ConsentOn: day(0), ConsentLanguage: "RO", ConsentInterpreter: true, ConsentOnFile: true,
		ConsentGivenBy: "person", TravelOn: day(7)}
}

func childPlan() returns.Plan {
	p := adultPlan()
	p.ConsentGivenBy, p.FamilyOutcome, p.FamilyAssessedOn = "guardian", "safe", day(-3)
	p.EscortKind, p.Escort, p.Authority = "social_worker", "M. Popescu, child protection", "DGASPC Iași"
	return p
}

// state is what a refused change must leave alone.
func (f *fixture) state(t *testing.T, caseID string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`SELECT COUNT(*) FROM case_returns WHERE case_id = $1`,
			`SELECT COALESCE(MAX(updated_at), '') FROM (SELECT CAST(updated_at AS TEXT) AS updated_at FROM case_returns WHERE case_id = $1) r`,
			`SELECT COUNT(*) FROM case_returns WHERE case_id = $1 AND received_at IS NOT NULL`,
			`SELECT COUNT(*) FROM case_return_followups WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_return_followups WHERE case_id = $1 AND done_on <> ''`,
			`SELECT COUNT(*) FROM case_events WHERE case_id = $1`,
			`SELECT COUNT(*) FROM case_deadlines WHERE case_id = $1`,
		} {
			var v string
			if err := tx.QueryRowContext(ctx, q, caseID).Scan(&v); err != nil {
				return err
			}
			b.WriteString(v + "|")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return b.String()
}

// wantKey fails unless err names key, as its message or a field's.
func wantKey(t *testing.T, what string, err error, key string) {
	t.Helper()
	e := apperr.As(err)
	if e.Key == key || slices.ContainsFunc(e.Fields, func(fe apperr.FieldError) bool { return fe.Key == key }) {
		return
	}
	t.Errorf("%s: %v does not name %s", what, err, key)
}

func TestReturnWithReceptionAndFollowUp(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false, toLongTerm...)
			if _, err := f.svc.SaveCountryNote(ctx, f.coordinator.Actor, "ro", returns.CountryNoteInput{
				Risks: "Recruiters return to villages.", Services: "Reintegration shelters in Iași.", Sources: "Partner visit 2025"}); err != nil {
				t.Fatalf("country note: %v", err)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || rec.Return != nil || rec.Country == nil || rec.Country.Risks != "Recruiters return to villages." {
				t.Fatalf("before the return: %+v, %v; want the note on the person's citizenship", rec, err)
			}
			saved, err := f.svc.Save(ctx, f.worker.Actor, c.ID, adultPlan())
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			if saved.Country != "RO" || saved.ConsentLanguage != "ro" {
				t.Errorf("codes not normalised: %s %s", saved.Country, saved.ConsentLanguage)
			}
			changed := adultPlan()
			changed.Place = "Vaslui"
			if _, err := f.svc.Save(ctx, f.worker.Actor, c.ID, changed); err != nil {
				t.Fatalf("change: %v", err)
			}
			// The place and the receiver are sealed, never in the clear.
			var blob []byte
			if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT details FROM case_returns WHERE case_id = $1`, c.ID).Scan(&blob)
			}); err != nil || strings.Contains(string(blob), "Vaslui") || strings.Contains(string(blob), "Open Door") {
				t.Errorf("details stored in the clear (%v)", err)
			}
			// The reception abroad, then the follow-up.
			received := time.Now().UTC().AddDate(0, 0, 7).Add(-time.Hour)
			err = f.svc.ConfirmReception(ctx, f.worker.Actor, c.ID, returns.Reception{At: received, By: "Open Door Iași, duty officer"})
			apperrtest.Want(t, "reception in the future", err, apperr.Invalid, "received_at")
			// The travel date moves to today: a plan can change until the reception.
			changed.TravelOn = day(0)
			if _, err := f.svc.Save(ctx, f.worker.Actor, c.ID, changed); err != nil {
				t.Fatalf("change travel: %v", err)
			}
			if err := f.svc.ConfirmReception(ctx, f.worker.Actor, c.ID, returns.Reception{At: time.Now().Add(-time.Minute), By: "Open Door Iași, duty officer"}); err != nil {
				t.Fatalf("reception: %v", err)
			}
			_, err = f.svc.Save(ctx, f.worker.Actor, c.ID, changed)
			wantKey(t, "change after reception", err, "error.return.received")
			fu, err := f.svc.PlanFollowUp(ctx, f.worker.Actor, c.ID, day(30))
			if err != nil {
				t.Fatalf("follow-up: %v", err)
			}
			deadlines, err := f.env.App.Cases.Deadlines(ctx, f.worker.Actor, cases.DeadlineFilter{Days: 60})
			if err != nil || !slices.ContainsFunc(deadlines, func(d cases.Deadline) bool { return d.Kind == "return_followup" && d.RefID == fu.ID }) {
				t.Errorf("follow-up deadline missing: %+v %v", deadlines, err)
			}
			if err := f.svc.RecordFollowUp(ctx, f.worker.Actor, c.ID, fu.ID, returns.FollowUpResult{DoneOn: day(0), Outcome: "settled", Note: "Back at school."}); err != nil {
				t.Fatalf("record follow-up: %v", err)
			}
			deadlines, _ = f.env.App.Cases.Deadlines(ctx, f.worker.Actor, cases.DeadlineFilter{Days: 60})
			if slices.ContainsFunc(deadlines, func(d cases.Deadline) bool { return d.Kind == "return_followup" }) {
				t.Error("a follow-up done keeps its deadline")
			}
			err = f.svc.RecordFollowUp(ctx, f.worker.Actor, c.ID, fu.ID, returns.FollowUpResult{DoneOn: day(0), Outcome: "settled"})
			wantKey(t, "follow-up twice", err, "error.return.followup_done")

			rec, err = f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			r := rec.Return
			if r == nil || r.Place != "Vaslui" || r.Receiver != "Open Door Iași" || r.ReceivedAt == nil || r.ReceivedBy != "Open Door Iași, duty officer" ||
				len(r.FollowUps) != 1 || r.FollowUps[0].Outcome != "settled" || r.FollowUps[0].Note != "Back at school." || rec.Country == nil {
				t.Errorf("return read back as %+v", rec)
			}
			// Confirming the reception did not move the case.
			a, err := f.env.App.Cases.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || a.Case.Stage != cases.LongTerm {
				t.Errorf("stage after reception = %s (%v), want it unchanged", a.Case.Stage, err)
			}
			_, entries, err := f.env.App.Cases.Timeline(ctx, f.worker.Actor, c.ID, false, 0)
			if err != nil {
				t.Fatalf("timeline: %v", err)
			}
			var kinds []string
			for _, e := range entries {
				kinds = append(kinds, e.Kind)
			}
			for _, k := range []string{"return_planned", "return_updated", "return_received", "return_followup_planned", "return_followup_done"} {
				if !slices.Contains(kinds, k) {
					t.Errorf("timeline %v lacks %s", kinds, k)
				}
			}
		})
	}
}

func TestChildReturn(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, true, toLongTerm...)
			before := f.state(t, c.ID)
			for _, tt := range []struct {
				name   string
				change func(p *returns.Plan)
				field  string
				key    string
			}{
				{"no family assessment", func(p *returns.Plan) { p.FamilyOutcome = "" }, "family_outcome", "error.return.family_required"},
				{"family unsafe", func(p *returns.Plan) { p.FamilyOutcome = "unsafe" }, "family_outcome", "error.return.family_unsafe"},
				{"police escort", func(p *returns.Plan) { p.EscortKind = "police" }, "escort_kind", "error.return.escort_police"},
				{"no escort named", func(p *returns.Plan) { p.Escort = "" }, "escort", "error.required"},
				{"no authority of origin", func(p *returns.Plan) { p.Authority = " " }, "authority", "error.required"},
				{"consent by the child", func(p *returns.Plan) { p.ConsentGivenBy = "person" }, "consent_given_by", "error.return.consent_guardian"},
				{"no written consent", func(p *returns.Plan) { p.ConsentWritten = false }, "consent_written", "error.return.consent_written"},
			} {
				p := childPlan()
				tt.change(&p)
				_, err := f.svc.Save(ctx, f.worker.Actor, c.ID, p)
				apperrtest.Want(t, tt.name, err, apperr.Invalid, tt.field)
				wantKey(t, tt.name, err, tt.key)
			}
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused returns changed the case: %s → %s", before, after)
			}
			if _, err := f.svc.Save(ctx, f.worker.Actor, c.ID, childPlan()); err != nil {
				t.Fatalf("a child's return with a safe family and an escort: %v", err)
			}
			rec, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || rec.Return.Escort != "M. Popescu, child protection" || rec.Return.FamilyOutcome != "safe" || rec.Return.Authority != "DGASPC Iași" {
				t.Errorf("child's return read back as %+v, %v", rec.Return, err)
			}
		})
	}
}

func TestReturnRefused(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false, toLongTerm...)
			early := f.openCase(t, false, cases.Screening)
			// Organisation B holds a share of the case's risk, not of its assistance.
			sh, err := f.env.App.Cases.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.orgB, Kind: cases.KindShare,
				Categories: []string{string(cases.Risk)}})
			if err != nil {
				t.Fatalf("share: %v", err)
			}
			if _, err := f.env.App.Cases.RespondShare(ctx, f.outside.Actor, sh.ID, true, ""); err != nil {
				t.Fatalf("accept share: %v", err)
			}
			before, beforeEarly := f.state(t, c.ID), f.state(t, early.ID)
			with := func(change func(p *returns.Plan)) returns.Plan {
				p := adultPlan()
				change(&p)
				return p
			}
			for _, tt := range []struct {
				name   string
				actor  access.Actor
				caseID string
				in     returns.Plan
				code   apperr.Code
				field  string
				key    string
			}{
				{"without written consent", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.ConsentWritten = false }), apperr.Invalid, "consent_written", "error.return.consent_written"},
				{"without consent date", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.ConsentOn = "" }), apperr.Invalid, "consent_on", "error.required"},
				{"unknown country", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.Country = "XX" }), apperr.Invalid, "country", "error.return.country"},
				{"a region, not a country", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.Country = "EU" }), apperr.Invalid, "country", "error.return.country"},
				{"consent by a guardian for an adult", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.ConsentGivenBy = "guardian" }), apperr.Invalid, "consent_given_by", "error.return.consent_person"},
				{"travel before consent", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.TravelOn = day(-1) }), apperr.Invalid, "travel_on", "error.return.travel_before_consent"},
				{"no risk level", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.RiskLevel = "" }), apperr.Invalid, "risk_level", "error.return.risk_level"},
				{"no receiver", f.worker.Actor, c.ID, with(func(p *returns.Plan) { p.Receiver = "" }), apperr.Invalid, "receiver", "error.required"},
				{"not at a return stage", f.worker.Actor, early.ID, adultPlan(), apperr.Conflict, "", "error.return.stage"},
				{"police may not record", f.police.Actor, c.ID, adultPlan(), apperr.Forbidden, "", ""},
				{"partner without the share", f.outside.Actor, c.ID, adultPlan(), apperr.Forbidden, "", ""},
			} {
				_, err := f.svc.Save(ctx, tt.actor, tt.caseID, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
				if tt.key != "" {
					wantKey(t, tt.name, err, tt.key)
				}
			}
			apperrtest.Want(t, "reception without a return", f.svc.ConfirmReception(ctx, f.worker.Actor, c.ID,
				returns.Reception{At: time.Now(), By: "x"}), apperr.Conflict, "")
			_, err = f.svc.PlanFollowUp(ctx, f.worker.Actor, c.ID, day(10))
			apperrtest.Want(t, "follow-up without a return", err, apperr.Conflict, "")
			if after := f.state(t, c.ID); after != before {
				t.Errorf("refused returns changed the case: %s → %s", before, after)
			}
			if after := f.state(t, early.ID); after != beforeEarly {
				t.Errorf("a refused return changed the early case: %s → %s", beforeEarly, after)
			}

			// Reading: the partner sees the case's risk, not its return; an
			// organisation without any share does not see the case at all.
			if _, err := f.svc.Save(ctx, f.worker.Actor, c.ID, adultPlan()); err != nil {
				t.Fatalf("save: %v", err)
			}
			_, err = f.svc.Get(ctx, f.outside.Actor, c.ID)
			apperrtest.Want(t, "partner reads the return", err, apperr.Forbidden, "")
			other := f.env.User("other", access.CaseWorker, f.env.Org("Third NGO", accounts.NGO))
			_, err = f.svc.Get(ctx, other.Actor, c.ID)
			apperrtest.Want(t, "stranger reads the return", err, apperr.NotFound, "")
		})
	}
}

func TestCountryNotes(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			in := returns.CountryNoteInput{Risks: "Risk of retaliation.", Sources: "NGO report"}
			for _, tt := range []struct {
				name    string
				actor   access.Actor
				country string
				in      returns.CountryNoteInput
				code    apperr.Code
				field   string
			}{
				{"unknown country", f.coordinator.Actor, "XX", in, apperr.Invalid, "country"},
				{"not a code", f.coordinator.Actor, "Romania", in, apperr.Invalid, "country"},
				{"no sources", f.coordinator.Actor, "MD", returns.CountryNoteInput{Risks: "x"}, apperr.Invalid, "sources"},
				{"nothing said", f.coordinator.Actor, "MD", returns.CountryNoteInput{Sources: "x"}, apperr.Invalid, "risks"},
				{"too long", f.coordinator.Actor, "MD", returns.CountryNoteInput{Risks: strings.Repeat("x", returns.MaxNote+1), Sources: "x"}, apperr.Invalid, "risks"},
				{"police may not write", f.police.Actor, "MD", in, apperr.Forbidden, ""},
			} {
				_, err := f.svc.SaveCountryNote(ctx, tt.actor, tt.country, tt.in)
				apperrtest.Want(t, tt.name, err, tt.code, tt.field)
			}
			if notes, err := f.svc.CountryNotes(ctx, f.police.Actor); err != nil || len(notes) != 0 {
				t.Fatalf("refused notes were stored: %+v %v", notes, err)
			}
			// A case worker of any organisation writes, a later note replaces the first.
			if _, err := f.svc.SaveCountryNote(ctx, f.outside.Actor, "md", in); err != nil {
				t.Fatalf("save: %v", err)
			}
			if _, err := f.svc.SaveCountryNote(ctx, f.worker.Actor, "MD", returns.CountryNoteInput{Services: "Shelter in Chișinău.", Sources: "Visit"}); err != nil {
				t.Fatalf("replace: %v", err)
			}
			note, found, err := f.svc.CountryNote(ctx, f.police.Actor, "MD")
			if err != nil || !found || note.Risks != "" || note.Services != "Shelter in Chișinău." || note.UpdatedByName != "worker" {
				t.Errorf("note = %+v %v %v", note, found, err)
			}
			if _, found, err := f.svc.CountryNote(ctx, f.worker.Actor, "XK"); err != nil || found {
				t.Errorf("Kosovo without a note: %v %v", found, err)
			}
			analyst := f.env.User("analyst", access.Analyst, f.orgB)
			_, err = f.svc.CountryNotes(ctx, analyst.Actor)
			apperrtest.Want(t, "analyst reads notes", err, apperr.Forbidden, "")
		})
	}
}

func TestValidCountry(t *testing.T) {
	for code, want := range map[string]bool{"RO": true, "MD": true, "XK": true, "GB": true, "UK": false, "EU": false,
		"XX": false, "ZZ": false, "ro": false, "ROU": false, "": false, "419": false} {
		if got := returns.ValidCountry(code); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, want)
		}
	}
}

// TestMessagesTranslated checks the keys this package's errors and codes
// use exist in English and German.
func TestMessagesTranslated(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range returns.FamilyOutcomes() {
		keys = append(keys, "return.family."+c)
	}
	for _, c := range returns.EscortKinds() {
		keys = append(keys, "return.escort."+c)
	}
	for _, c := range returns.FollowUpOutcomes() {
		keys = append(keys, "return.followup_outcome."+c)
	}
	keys = append(keys, "deadline.kind.return_followup", "error.return.country", "error.return.consent_written", "error.return.escort_police",
		"error.return.family_unsafe", "error.return.family_required", "error.return.stage", "case.tab_return")
	for _, lang := range []string{"en", "de"} {
		p := cat.For(lang)
		for _, k := range keys {
			if p.T(k) == k {
				t.Errorf("%s: %s not translated", lang, k)
			}
		}
	}
}

// TestReturnRiskNeedsRiskShare: the pre-return risk is risk data; a partner
// given the assistance plan but not the risk record reads the return
// without it (found in review).
func TestReturnRiskNeedsRiskShare(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false, toLongTerm...)
			if _, err := f.svc.Save(ctx, f.worker.Actor, c.ID, adultPlan()); err != nil {
				t.Fatalf("save the return: %v", err)
			}
			if _, err := f.env.App.Cases.RecordConsent(ctx, f.worker.Actor, c.ID, cases.ConsentInput{Purposes: []string{cases.PurposeSharing},
				Orgs: []string{f.orgB}, Categories: []string{string(cases.Assistance)}, Language: "ro", Method: "written", GivenBy: "person",
				GivenOn: day(0)}); err != nil {
				t.Fatalf("consent: %v", err)
			}
			sh, err := f.env.App.Cases.ShareCase(ctx, f.worker.Actor, c.ID, cases.ShareInput{To: f.orgB, Kind: cases.KindShare,
				Categories: []string{string(cases.Assistance)}})
			if err != nil {
				t.Fatalf("share: %v", err)
			}
			if _, err := f.env.App.Cases.RespondShare(ctx, f.outside.Actor, sh.ID, true, ""); err != nil {
				t.Fatalf("accept share: %v", err)
			}
			own, err := f.svc.Get(ctx, f.worker.Actor, c.ID)
			if err != nil || own.Return.RiskLevel == "" {
				t.Fatalf("the owner's return lacks its risk: %+v, %v", own.Return, err)
			}
			theirs, err := f.svc.Get(ctx, f.outside.Actor, c.ID)
			if err != nil || theirs.Return == nil || theirs.Return.Country != own.Return.Country {
				t.Fatalf("the partner's return: %+v, %v", theirs.Return, err)
			}
			if r := theirs.Return; r.RiskLevel != "" || r.RiskAssessedOn != "" || r.RiskNote != "" {
				t.Errorf("a partner without the risk share reads the pre-return risk: %q %q %q", r.RiskLevel, r.RiskAssessedOn, r.RiskNote)
			}
		})
	}
}
