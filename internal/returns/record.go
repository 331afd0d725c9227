package returns

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Return is the return of a case's person, decrypted.
type Return struct {
	ID     string
	CaseID string
	// Country is the ISO 3166-1 alpha-2 code of the destination.
	Country string
	details
	// RiskLevel (cases.RiskLevels) and RiskAssessedOn are the risk
	// assessment before the return.
	RiskLevel      string
	RiskAssessedOn string
	// The written consent to return.
	ConsentOn          string
	ConsentLanguage    string
	ConsentInterpreter bool
	ConsentOnFile      bool
	ConsentGivenBy     string
	TravelOn           string
	// A child's return: the family assessment and the escort's kind.
	FamilyOutcome    string
	FamilyAssessedOn string
	EscortKind       string
	// ReceivedAt is when the person was received abroad, nil until
	// confirmed; ReceivedBy who confirmed it.
	ReceivedAt *time.Time
	ReceivedBy string
	FollowUps  []FollowUp
	RecordedBy string
	RecordedAt time.Time
	UpdatedBy  string
	UpdatedAt  time.Time
}

// details is what is sealed about a return.
type details struct {
	Place           string `json:"place,omitempty"`
	Receiver        string `json:"receiver,omitempty"`
	ReceiverContact string `json:"receiver_contact,omitempty"`
	Consulate       string `json:"consulate,omitempty"`
	RiskNote        string `json:"risk_note,omitempty"`
	Escort          string `json:"escort,omitempty"`
	Authority       string `json:"authority,omitempty"`
}

// FollowUp is a follow-up contact after the return.
type FollowUp struct {
	ID    string
	DueOn string
	// DoneOn and Outcome are "" until it took place; Note is decrypted.
	DoneOn     string
	Outcome    string
	Note       string
	RecordedBy string
	RecordedAt time.Time
}

// Plan is the return form: the record is created with it and changed with
// it until the reception is confirmed.
type Plan struct {
	Country         string
	Place           string
	Receiver        string
	ReceiverContact string
	Consulate       string
	RiskLevel       string
	RiskAssessedOn  string
	RiskNote        string
	// ConsentWritten is the worker's statement that the person (or the
	// guardian) consented in writing; without it nothing is recorded.
	ConsentWritten     bool
	ConsentOn          string
	ConsentLanguage    string
	ConsentInterpreter bool
	ConsentOnFile      bool
	ConsentGivenBy     string
	TravelOn           string
	// For a child.
	FamilyOutcome    string
	FamilyAssessedOn string
	EscortKind       string
	Escort           string
	Authority        string
}

func (in *Plan) trim() {
	trimAll(&in.Country, &in.Place, &in.Receiver, &in.ReceiverContact, &in.Consulate, &in.RiskLevel, &in.RiskAssessedOn,
		&in.RiskNote, &in.ConsentOn, &in.ConsentLanguage, &in.ConsentGivenBy, &in.TravelOn, &in.FamilyOutcome,
		&in.FamilyAssessedOn, &in.EscortKind, &in.Escort, &in.Authority)
	in.Country = strings.ToUpper(in.Country)
	in.ConsentLanguage = strings.ToLower(in.ConsentLanguage)
}

// validate checks the plan for a case of a child or an adult.
func (in *Plan) validate(child bool, now time.Time) error {
	in.trim()
	var f form
	if !ValidCountry(in.Country) {
		f.bad("country", "error.return.country")
	}
	f.text("place", in.Place, MaxName, true)
	f.text("receiver", in.Receiver, MaxName, true)
	f.text("receiver_contact", in.ReceiverContact, MaxText, true)
	f.text("consulate", in.Consulate, MaxName, false)
	if !slices.Contains(cases.RiskLevels(), in.RiskLevel) {
		f.bad("risk_level", "error.return.risk_level")
	}
	f.pastDay("risk_assessed_on", in.RiskAssessedOn, now)
	f.text("risk_note", in.RiskNote, MaxText, false)
	// The written consent to a voluntary and informed return (Danube
	// guidelines §3.2, return): without it nothing is recorded.
	if !in.ConsentWritten {
		f.bad("consent_written", "error.return.consent_written")
	}
	f.pastDay("consent_on", in.ConsentOn, now)
	if !languageCode(in.ConsentLanguage) {
		f.bad("consent_language", "error.return.language")
	}
	switch {
	case child && in.ConsentGivenBy != "guardian":
		f.bad("consent_given_by", "error.return.consent_guardian")
	case !child && in.ConsentGivenBy != "person":
		f.bad("consent_given_by", "error.return.consent_person")
	}
	switch {
	case in.TravelOn == "":
		f.bad("travel_on", "error.required")
	case !validDay(in.TravelOn):
		f.bad("travel_on", "error.date_invalid")
	case validDay(in.ConsentOn) && in.TravelOn < in.ConsentOn:
		f.bad("travel_on", "error.return.travel_before_consent")
	}
	if child {
		in.validateChild(&f, now)
	} else {
		in.FamilyOutcome, in.FamilyAssessedOn, in.EscortKind, in.Escort, in.Authority = "", "", "", "", ""
	}
	return f.err()
}

// validateChild checks what a child's return needs (OSCE Alliance position
// paper): the family assessed and found safe to return to, an escort in
// charge of the child's care who is not the police, and the authority of
// origin responsible.
func (in *Plan) validateChild(f *form, now time.Time) {
	switch {
	case in.FamilyOutcome == "":
		f.bad("family_outcome", "error.return.family_required")
	case !slices.Contains(familyOutcomes, in.FamilyOutcome):
		f.bad("family_outcome", "error.return.family_outcome")
	case in.FamilyOutcome == "unsafe":
		f.bad("family_outcome", "error.return.family_unsafe")
	}
	f.pastDay("family_assessed_on", in.FamilyAssessedOn, now)
	switch {
	case in.EscortKind == policeEscort:
		f.bad("escort_kind", "error.return.escort_police")
	case !slices.Contains(escortKinds, in.EscortKind):
		f.bad("escort_kind", "error.return.escort_kind")
	}
	f.text("escort", in.Escort, MaxName, true)
	f.text("authority", in.Authority, MaxName, true)
}

func languageCode(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// returnStage reports whether a case at stage st may have its return
// recorded: at the return stage, or at a stage that may move there.
func returnStage(st cases.Stage) bool {
	return st == cases.Return || slices.Contains(st.Next(), cases.Return)
}

// Reachable reports whether a case's return page is offered: at the return
// stage or a stage moving there, or closed from the return stage.
func Reachable(c cases.Case) bool {
	return returnStage(c.Stage) || (c.Stage == cases.Closed && c.ClosedFrom == cases.Return)
}

func detailsField(id string) string  { return "return." + id }
func receivedField(id string) string { return "return_received." + id }
func followUpField(id string) string { return "return_followup." + id }

// Save records the return of a case's person, or changes it until the
// reception abroad is confirmed. It is refused, and nothing is stored,
// without the written consent, for a case not at or moving to the return
// stage, and for a child without a safe family assessment or with the
// police as escort.
func (s *Service) Save(ctx context.Context, actor access.Actor, caseID string, in Plan) (Return, error) {
	now := s.cases.Now()
	var out Return
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		if err := in.validate(a.Case.Child, now); err != nil {
			return err
		}
		if !returnStage(a.Case.Stage) {
			return apperr.New(apperr.Conflict, "error.return.stage")
		}
		old, found, err := s.load(ctx, tx, caseID, false)
		if err != nil {
			return err
		}
		if found && old.ReceivedAt != nil {
			return apperr.New(apperr.Conflict, "error.return.received")
		}
		out = Return{ID: cases.NewID(), CaseID: caseID, RecordedBy: actor.UserID, RecordedAt: now}
		if found {
			out.ID, out.RecordedBy, out.RecordedAt = old.ID, old.RecordedBy, old.RecordedAt
		}
		out.Country, out.RiskLevel, out.RiskAssessedOn = in.Country, in.RiskLevel, in.RiskAssessedOn
		out.ConsentOn, out.ConsentLanguage, out.ConsentInterpreter = in.ConsentOn, in.ConsentLanguage, in.ConsentInterpreter
		out.ConsentOnFile, out.ConsentGivenBy, out.TravelOn = in.ConsentOnFile, in.ConsentGivenBy, in.TravelOn
		out.FamilyOutcome, out.FamilyAssessedOn, out.EscortKind = in.FamilyOutcome, in.FamilyAssessedOn, in.EscortKind
		out.details = details{Place: in.Place, Receiver: in.Receiver, ReceiverContact: in.ReceiverContact, Consulate: in.Consulate,
			RiskNote: in.RiskNote, Escort: in.Escort, Authority: in.Authority}
		out.UpdatedBy, out.UpdatedAt = actor.UserID, now
		plain, err := json.Marshal(out.details)
		if err != nil {
			return fmt.Errorf("encode return: %w", err)
		}
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), detailsField(out.ID), plain)
		if err != nil {
			return fmt.Errorf("seal return: %w", err)
		}
		kind := "return_planned"
		if found {
			kind = "return_updated"
			_, err = tx.ExecContext(ctx, `UPDATE case_returns SET country = $1, details = $2, risk_level = $3, risk_assessed_on = $4,
					consent_on = $5, consent_language = $6, consent_interpreter = $7, consent_on_file = $8, consent_given_by = $9,
					travel_on = $10, family_outcome = $11, family_assessed_on = $12, escort_kind = $13, updated_by = $14, updated_at = $15
				WHERE id = $16`, out.Country, sealed, out.RiskLevel, out.RiskAssessedOn, out.ConsentOn, out.ConsentLanguage,
				storage.Flag(out.ConsentInterpreter), storage.Flag(out.ConsentOnFile), out.ConsentGivenBy, out.TravelOn,
				out.FamilyOutcome, out.FamilyAssessedOn, out.EscortKind, actor.UserID, now, out.ID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO case_returns (id, case_id, org_id, country, details, risk_level, risk_assessed_on,
					consent_on, consent_language, consent_interpreter, consent_on_file, consent_given_by, travel_on,
					family_outcome, family_assessed_on, escort_kind, recorded_by, recorded_at, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $17, $18)`,
				out.ID, caseID, a.Case.OrgID, out.Country, sealed, out.RiskLevel, out.RiskAssessedOn, out.ConsentOn,
				out.ConsentLanguage, storage.Flag(out.ConsentInterpreter), storage.Flag(out.ConsentOnFile), out.ConsentGivenBy,
				out.TravelOn, out.FamilyOutcome, out.FamilyAssessedOn, out.EscortKind, actor.UserID, now)
		}
		if err != nil {
			return fmt.Errorf("save return of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: kind, Category: cases.Assistance, RefID: out.ID})
	})
	if err != nil {
		return Return{}, err
	}
	return out, nil
}

// Reception is the confirmation that the person was received abroad.
type Reception struct {
	At time.Time
	// By is who confirmed it (the receiving organisation, a person there).
	By string
}

// ConfirmReception records that the person was received abroad; the return
// is then no longer changed. The case does not move by itself: the page
// proposes the next move to the worker.
func (s *Service) ConfirmReception(ctx context.Context, actor access.Actor, caseID string, in Reception) error {
	now := s.cases.Now()
	in.By = strings.TrimSpace(in.By)
	var f form
	switch {
	case in.At.IsZero():
		f.bad("received_at", "error.required")
	case in.At.After(now.Add(5 * time.Minute)):
		f.bad("received_at", "error.return.time_future")
	}
	f.text("received_by", in.By, MaxName, true)
	if err := f.err(); err != nil {
		return err
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		r, found, err := s.load(ctx, tx, caseID, false)
		switch {
		case err != nil:
			return err
		case !found:
			return apperr.New(apperr.Conflict, "error.return.none")
		case r.ReceivedAt != nil:
			return apperr.New(apperr.Conflict, "error.return.received")
		case in.At.UTC().Format(time.DateOnly) < dayBefore(r.TravelOn):
			return apperr.Validation(apperr.FieldError{Field: "received_at", Key: "error.return.received_before_travel"})
		}
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), receivedField(r.ID), []byte(in.By))
		if err != nil {
			return fmt.Errorf("seal reception: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_returns SET received_at = $1, received_by = $2, updated_by = $3, updated_at = $4
			WHERE id = $5`, in.At.UTC(), sealed, actor.UserID, now, r.ID); err != nil {
			return fmt.Errorf("confirm reception of case %s: %w", caseID, err)
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "return_received", Category: cases.Assistance, RefID: r.ID})
	})
}

// dayBefore is the day before day. A reception is compared with the
// travel day in UTC, where an arrival early on the travel day may still be
// the day before.
func dayBefore(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

// PlanFollowUp adds a follow-up contact due on a day, which becomes a
// deadline of the case until its outcome is recorded.
func (s *Service) PlanFollowUp(ctx context.Context, actor access.Actor, caseID, dueOn string) (FollowUp, error) {
	now := s.cases.Now()
	dueOn = strings.TrimSpace(dueOn)
	var f form
	switch {
	case dueOn == "":
		f.bad("due_on", "error.required")
	case !validDay(dueOn):
		f.bad("due_on", "error.date_invalid")
	case dueOn < earliest(now):
		f.bad("due_on", "error.return.due_past")
	}
	if err := f.err(); err != nil {
		return FollowUp{}, err
	}
	fu := FollowUp{ID: cases.NewID(), DueOn: dueOn, RecordedBy: actor.UserID, RecordedAt: now}
	err := s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		r, found, err := s.load(ctx, tx, caseID, false)
		switch {
		case err != nil:
			return err
		case !found:
			return apperr.New(apperr.Conflict, "error.return.none")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_return_followups (id, return_id, case_id, org_id, due_on, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, fu.ID, r.ID, caseID, a.Case.OrgID, fu.DueOn, actor.UserID, now); err != nil {
			return fmt.Errorf("insert follow-up of case %s: %w", caseID, err)
		}
		due, _ := time.Parse(time.DateOnly, fu.DueOn)
		if err := s.cases.SetDeadline(ctx, tx, a.Case, cases.Deadline{Kind: "return_followup", RefID: fu.ID, Due: due, RemindOn: due.AddDate(0, 0, -7)}); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "return_followup_planned", Category: cases.Assistance, RefID: fu.ID})
	})
	if err != nil {
		return FollowUp{}, err
	}
	return fu, nil
}

// FollowUpResult is what a follow-up contact found.
type FollowUpResult struct {
	DoneOn  string
	Outcome string
	Note    string
}

// RecordFollowUp records the outcome of a follow-up contact and clears its
// deadline.
func (s *Service) RecordFollowUp(ctx context.Context, actor access.Actor, caseID, followUpID string, in FollowUpResult) error {
	now := s.cases.Now()
	trimAll(&in.DoneOn, &in.Outcome, &in.Note)
	var f form
	f.pastDay("done_on", in.DoneOn, now)
	if !slices.Contains(followUpOutcomes, in.Outcome) {
		f.bad("outcome", "error.return.followup_outcome")
	}
	f.text("note", in.Note, MaxText, false)
	if err := f.err(); err != nil {
		return err
	}
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		var done string
		err := tx.QueryRowContext(ctx, `SELECT done_on FROM case_return_followups WHERE id = $1 AND case_id = $2`, followUpID, caseID).Scan(&done)
		switch {
		case err != nil:
			return fmt.Errorf("load follow-up %s: %w", followUpID, storage.MapError(err))
		case done != "":
			return apperr.New(apperr.Conflict, "error.return.followup_done")
		}
		sealed, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), followUpField(followUpID), []byte(in.Note))
		if err != nil {
			return fmt.Errorf("seal follow-up note: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_return_followups SET done_on = $1, outcome = $2, note = $3 WHERE id = $4`,
			in.DoneOn, in.Outcome, sealed, followUpID); err != nil {
			return fmt.Errorf("record follow-up %s: %w", followUpID, err)
		}
		if err := s.cases.ClearDeadline(ctx, tx, "return_followup", followUpID); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "return_followup_done", Category: cases.Assistance, RefID: followUpID, Detail: in.Outcome})
	})
}

// Record is what the return page of a case shows.
type Record struct {
	Access cases.Access `json:"-"`
	// Return is nil until recorded.
	Return *Return
	// Country is the note on the destination country (the return's, or
	// the person's first citizenship before one is recorded), nil when
	// the partnership keeps none.
	Country *CountryNote
}

// Get returns the return of a case, decrypted, with the note on its
// destination country, as an audited read of the case's assistance.
func (s *Service) Get(ctx context.Context, actor access.Actor, caseID string) (Record, error) {
	var out Record
	err := s.cases.View(ctx, actor, caseID, cases.Assistance, func(tx *storage.Tx, a cases.Access) error {
		var err error
		if out, err = s.Export(ctx, tx, a); err != nil {
			return err
		}
		country := ""
		switch {
		case out.Return != nil:
			country = out.Return.Country
		case len(a.Case.Citizenships) > 0:
			country = a.Case.Citizenships[0]
		}
		if country == "" {
			return nil
		}
		note, found, err := loadNote(ctx, tx, country)
		if found {
			out.Country = &note
		}
		return err
	})
	return out, err
}

// Export reads the return of a case, decrypted, inside a transaction that
// went through the case gate: for the return page and the person's data
// export.
func (s *Service) Export(ctx context.Context, tx *storage.Tx, a cases.Access) (Record, error) {
	out := Record{Access: a}
	r, found, err := s.load(ctx, tx, a.Case.ID, true)
	if err != nil || !found {
		return out, err
	}
	// The pre-return risk belongs to the risk category: a partner given
	// the assistance plan but not the risk record does not see it.
	if !a.Sees(cases.Risk) {
		r.RiskLevel, r.RiskAssessedOn, r.RiskNote = "", "", ""
	}
	out.Return = &r
	return out, nil
}

// load reads the return of a case; open decrypts it and its follow-ups.
func (s *Service) load(ctx context.Context, tx *storage.Tx, caseID string, open bool) (Return, bool, error) {
	var r Return
	var interp, onFile int
	var sealed, received []byte
	err := tx.QueryRowContext(ctx, `SELECT id, case_id, country, details, risk_level, risk_assessed_on, consent_on, consent_language,
			consent_interpreter, consent_on_file, consent_given_by, travel_on, family_outcome, family_assessed_on, escort_kind,
			received_at, received_by, recorded_by, recorded_at, updated_by, updated_at
		FROM case_returns WHERE case_id = $1`, caseID).Scan(&r.ID, &r.CaseID, &r.Country, &sealed, &r.RiskLevel, &r.RiskAssessedOn,
		&r.ConsentOn, &r.ConsentLanguage, &interp, &onFile, &r.ConsentGivenBy, &r.TravelOn, &r.FamilyOutcome, &r.FamilyAssessedOn,
		&r.EscortKind, &r.ReceivedAt, &received, &r.RecordedBy, &r.RecordedAt, &r.UpdatedBy, &r.UpdatedAt)
	if err != nil {
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return Return{}, false, nil
		}
		return Return{}, false, fmt.Errorf("load return of case %s: %w", caseID, err)
	}
	r.ConsentInterpreter, r.ConsentOnFile = interp != 0, onFile != 0
	if r.ReceivedAt != nil {
		at := r.ReceivedAt.UTC()
		r.ReceivedAt = &at
	}
	if !open {
		return r, true, nil
	}
	vault, rec := s.cases.Vault(), cases.Record(caseID)
	plain, err := vault.Open(ctx, tx, rec, detailsField(r.ID), sealed)
	if err != nil {
		return Return{}, false, fmt.Errorf("open return %s: %w", r.ID, err)
	}
	if err := json.Unmarshal(plain, &r.details); err != nil {
		return Return{}, false, fmt.Errorf("decode return %s: %w", r.ID, err)
	}
	if received != nil {
		by, err := vault.Open(ctx, tx, rec, receivedField(r.ID), received)
		if err != nil {
			return Return{}, false, fmt.Errorf("open reception of return %s: %w", r.ID, err)
		}
		r.ReceivedBy = string(by)
	}
	if r.FollowUps, err = s.loadFollowUps(ctx, tx, caseID); err != nil {
		return Return{}, false, err
	}
	return r, true, nil
}

func (s *Service) loadFollowUps(ctx context.Context, tx *storage.Tx, caseID string) ([]FollowUp, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, due_on, done_on, outcome, note, recorded_by, recorded_at
		FROM case_return_followups WHERE case_id = $1 ORDER BY due_on, recorded_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load follow-ups of case %s: %w", caseID, err)
	}
	var out []FollowUp
	var sealed [][]byte
	for rows.Next() {
		var fu FollowUp
		var blob []byte
		if err := rows.Scan(&fu.ID, &fu.DueOn, &fu.DoneOn, &fu.Outcome, &blob, &fu.RecordedBy, &fu.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan follow-up of case %s: %w", caseID, err)
		}
		out, sealed = append(out, fu), append(sealed, blob)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load follow-ups of case %s: %w", caseID, err)
	}
	// The vault reads the same transaction, so decrypt after the rows closed.
	for i := range out {
		if sealed[i] == nil {
			continue
		}
		plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), followUpField(out[i].ID), sealed[i])
		if err != nil {
			return nil, fmt.Errorf("open follow-up %s: %w", out[i].ID, err)
		}
		out[i].Note = string(plain)
	}
	return out, nil
}
