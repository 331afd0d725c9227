package identification

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Statuses of a referral.
const (
	StatusPending  = "pending"
	StatusAccepted = "accepted"
	StatusDeclined = "declined"
)

// Kinds of referral: what the receiving organisation is asked for.
const (
	// ForReasonableGrounds: the screening found reasonable grounds for at
	// least one form of exploitation.
	ForReasonableGrounds = "reasonable_grounds"
	// ForSpecialistAssessment: the screening found no reasonable grounds but
	// left forms in doubt (further assessment). A frontline worker often
	// cannot settle the doubt on the spot, and the person should not go
	// without help for it; the receiving organisation assesses and decides
	// as on any referral.
	ForSpecialistAssessment = "specialist_assessment"
)

// DeclineReasons are the reasons a receiving organisation may give, as
// codes: free text about a person would not belong in a reason.
var declineReasons = []string{"no_capacity", "outside_mandate", "person_withdrew", "duplicate", "other"}

// DeclineReasons lists the decline reason codes in display order.
func DeclineReasons() []string { return slices.Clone(declineReasons) }

// MaxNote is the longest referral note or grounds text, in characters.
const MaxNote = 10000

// Org names an organisation of a referral or decision.
type Org struct {
	ID   string
	Name string
	Kind accounts.OrgKind
}

// Referral is a person referred from a screening into the local referral
// mechanism. It names nobody: Code is a random pseudonym.
type Referral struct {
	ID               string
	Code             string
	ScreeningID      string
	From             Org
	To               Org
	CreatedBy        string
	Purposes         []string
	Population       string
	PersonAgreed     bool
	GuardianInvolved bool
	// Kind is ForReasonableGrounds or ForSpecialistAssessment.
	Kind string
	// Result is the screening result as evaluated when the person was referred.
	Result screening.Result
	// UnconfirmedPrefills counts the answers behind Result that were
	// pre-filled from a site check and not confirmed with the person when
	// they were referred.
	UnconfirmedPrefills int
	CatalogueVersion    string
	HasNote             bool
	Status              string
	RespondedBy         string
	RespondedAt         *time.Time
	DeclineReason       string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	// Decisions are the decisions recorded on the referral, oldest first,
	// without their grounds (see RevealNotes).
	Decisions []Decision
	// Forwards are the competent authorities the referral was forwarded
	// to for the formal decision, oldest first.
	Forwards []Forward
	// HTCDS is the trafficking status that follows from the decisions.
	HTCDS HTCDS
}

// Open reports whether the referral still stands (it was not declined).
func (r Referral) Open() bool { return r.Status != StatusDeclined }

// Draft is what the referral form starts from: the screening, its result
// now, whether it can be referred, and the protocol's suggestions.
type Draft struct {
	Screening screening.Screening
	Result    screening.Result
	// Problem is a message key saying why the screening cannot be referred
	// (not completed, neither reasonable grounds nor doubt, referred
	// already); "" if it can.
	Problem string
	// Existing is the open referral of this screening, if there is one.
	Existing *Referral
	// Kind is what the result can be referred for, "" if nothing.
	Kind string
	// Purposes are ticked by default: those with reasonable grounds, or for
	// a specialist assessment those with further assessment.
	Purposes   []string
	Population string
	// To is the receiving organisation the protocol names, or "".
	To string
}

// NewReferral is the referral form.
type NewReferral struct {
	ScreeningID string
	Purposes    []string
	To          string
	// PersonAgreed records that the person agreed to this referral; it is
	// required for an adult.
	PersonAgreed bool
	// GuardianInvolved records, for a child, that the guardian or child
	// protection was involved; it replaces the child's own consent.
	GuardianInvolved bool
	Note             string
}

const referralColumns = `r.id, r.code, r.screening_id, r.from_org, fo.name, fo.kind, r.to_org, tor.name, tor.kind, r.created_by,
	r.purposes, r.population, r.person_agreed, r.guardian_involved, r.kind, r.result, r.catalogue_version, r.note IS NOT NULL,
	r.status, r.responded_by, r.responded_at, r.decline_reason, r.created_at, r.updated_at, r.unconfirmed_prefills`

const referralFrom = ` FROM referrals r JOIN organisations fo ON fo.id = r.from_org JOIN organisations tor ON tor.id = r.to_org`

// inScope is the organisation filter of every referral query: the
// referral's sending or receiving organisation, or a competent authority
// it was forwarded to. $1 is the scope.
const inScope = `($1 = '*' OR r.from_org = $1 OR r.to_org = $1 OR ` + forwardedTo + `)`

// byAuthor is the author filter of the queries that read referrals for
// someone whose reach is their own records (access.OwnRecords): those they
// made. $N is the scope's Author().
func byAuthor(n int) string { return fmt.Sprintf(`($%d = '*' OR r.created_by = $%d)`, n, n) }

// forwardedTo is the condition that the referral was forwarded to $1.
const forwardedTo = `EXISTS (SELECT 1 FROM referral_forwards rf WHERE rf.referral_id = r.id AND rf.to_org = $1)`

type scanner interface{ Scan(dest ...any) error }

func scanReferral(row scanner) (Referral, error) {
	var r Referral
	var purposes, result string
	var agreed, guardian int
	var respondedBy sql.NullString
	err := row.Scan(&r.ID, &r.Code, &r.ScreeningID, &r.From.ID, &r.From.Name, &r.From.Kind, &r.To.ID, &r.To.Name, &r.To.Kind,
		&r.CreatedBy, &purposes, &r.Population, &agreed, &guardian, &r.Kind, &result, &r.CatalogueVersion, &r.HasNote,
		&r.Status, &respondedBy, &r.RespondedAt, &r.DeclineReason, &r.CreatedAt, &r.UpdatedAt, &r.UnconfirmedPrefills)
	if err != nil {
		return Referral{}, err
	}
	r.PersonAgreed, r.GuardianInvolved, r.RespondedBy = agreed != 0, guardian != 0, respondedBy.String
	if err := json.Unmarshal([]byte(purposes), &r.Purposes); err != nil {
		return Referral{}, fmt.Errorf("decode purposes of referral %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(result), &r.Result); err != nil {
		return Referral{}, fmt.Errorf("decode result of referral %s: %w", r.ID, err)
	}
	return r, nil
}

// getReferral loads one referral in scope with its decisions.
func getReferral(ctx context.Context, tx *storage.Tx, scope access.Scope, id, lock string) (Referral, error) {
	// FOR UPDATE cannot lock the joined organisations on PostgreSQL without
	// locking them too; OF r keeps the lock on the referral.
	if lock != "" {
		lock = " FOR UPDATE OF r"
	}
	r, err := scanReferral(tx.QueryRowContext(ctx, `SELECT `+referralColumns+referralFrom+`
		WHERE r.id = $2 AND `+inScope+` AND `+byAuthor(3)+lock, scope.Org(), id, scope.Author()))
	if err != nil {
		return Referral{}, fmt.Errorf("load referral %s: %w", id, storage.MapError(err))
	}
	if err := loadDetails(ctx, tx, &r); err != nil {
		return Referral{}, err
	}
	return r, nil
}

// loadDetails loads a referral's decisions and forwards and derives its
// HTCDS status.
func loadDetails(ctx context.Context, tx *storage.Tx, r *Referral) error {
	var err error
	if r.Decisions, err = loadDecisions(ctx, tx, r.ID); err != nil {
		return err
	}
	if r.Forwards, err = loadForwards(ctx, tx, r.ID); err != nil {
		return err
	}
	r.HTCDS = Derive(r.Decisions)
	return nil
}

// Prepare reads a screening of the actor's organisation for the referral
// form. A screening that cannot be referred is no error: Draft.Problem says
// why, so the page can explain it.
func (s *Service) Prepare(ctx context.Context, actor access.Actor, screeningID string) (Draft, error) {
	scope, err := s.authorize(ctx, actor, access.CreateReferral, "screening", screeningID)
	if err != nil {
		return Draft{}, err
	}
	sc, err := s.screenings.Get(ctx, actor, screeningID)
	if err != nil {
		return Draft{}, err
	}
	// By the rules of the screening's own catalogue version: a screening
	// completed under version 1 is referred on the result it had.
	_, res, err := s.screenings.Evaluate(sc)
	if err != nil {
		return Draft{}, err
	}
	d := Draft{Screening: sc, Result: res, Population: res.Population}
	d.Kind, d.Purposes = referable(res)
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		p, err := loadProtocol(ctx, tx)
		if err != nil {
			return err
		}
		d.To = p.Receiver(d.Population, d.Purposes)
		ex, err := openReferralOf(ctx, tx, scope, sc.ID)
		if err == nil {
			d.Existing = &ex
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		return Draft{}, err
	}
	switch {
	case sc.Status != screening.StatusCompleted:
		d.Problem = "error.referral.not_completed"
	case d.Kind == "":
		d.Problem = "error.referral.no_grounds"
	case d.Existing != nil:
		d.Problem = "error.referral.already_referred"
	}
	return d, nil
}

// referable says what a screening result can be referred for, with the
// forms ticked by default: the forms with reasonable grounds when there are
// any, else the forms in doubt (further assessment) for a specialist
// assessment; "" and none when neither.
func referable(res screening.Result) (string, []string) {
	if forms := formsWith(res, screening.OutcomeReasonableGrounds); len(forms) > 0 {
		return ForReasonableGrounds, forms
	}
	if forms := formsWith(res, screening.OutcomeFurtherAssessment); len(forms) > 0 {
		return ForSpecialistAssessment, forms
	}
	return "", nil
}

// formsWith lists the forms of exploitation with the outcome, in display
// order; a version 1 result's forms count as the forms that replaced them.
func formsWith(res screening.Result, outcome string) []string {
	var found []string
	for _, pr := range res.Purposes {
		if pr.Outcome == outcome {
			found = append(found, pr.Purpose)
		}
	}
	found = CurrentForms(found)
	var out []string
	for _, p := range purposes {
		if slices.Contains(found, p) {
			out = append(out, p)
		}
	}
	return out
}

// openReferralOf returns the referral of a screening that was not declined.
func openReferralOf(ctx context.Context, tx *storage.Tx, scope access.Scope, screeningID string) (Referral, error) {
	r, err := scanReferral(tx.QueryRowContext(ctx, `SELECT `+referralColumns+referralFrom+`
		WHERE r.screening_id = $2 AND r.status <> $3 AND `+inScope+` AND `+byAuthor(4)+` ORDER BY r.created_at DESC LIMIT 1`,
		scope.Org(), screeningID, StatusDeclined, scope.Author()))
	if err != nil {
		return Referral{}, fmt.Errorf("load referral of screening %s: %w", screeningID, storage.MapError(err))
	}
	return r, nil
}

// validate checks the form's own fields.
func (in *NewReferral) validate(population string) error {
	var fields []apperr.FieldError
	in.To = strings.TrimSpace(in.To)
	in.Note = strings.TrimSpace(in.Note)
	in.Purposes = slices.Compact(slices.Sorted(slices.Values(in.Purposes)))
	switch {
	case len(in.Purposes) == 0:
		fields = append(fields, apperr.FieldError{Field: "purposes", Key: "error.referral.purposes_required"})
	case slices.ContainsFunc(in.Purposes, func(p string) bool { return !slices.Contains(purposes, p) }):
		fields = append(fields, apperr.FieldError{Field: "purposes", Key: "error.referral.unknown_purpose"})
	}
	if in.To == "" {
		fields = append(fields, apperr.FieldError{Field: "to", Key: "error.referral.to_required"})
	}
	if population == screening.Child {
		if !in.GuardianInvolved {
			fields = append(fields, apperr.FieldError{Field: "guardian", Key: "error.referral.guardian_required"})
		}
	} else if !in.PersonAgreed {
		fields = append(fields, apperr.FieldError{Field: "consent", Key: "error.referral.consent_required"})
	}
	switch {
	case !utf8.ValidString(in.Note):
		fields = append(fields, apperr.FieldError{Field: "note", Key: "error.bad_encoding"})
	case utf8.RuneCountInString(in.Note) > MaxNote:
		fields = append(fields, apperr.FieldError{Field: "note", Key: "error.referral.note_too_long", Args: map[string]any{"max": MaxNote}})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// Refer creates a referral from a completed screening of the actor's
// organisation, to an active partner organisation, with recorded consent:
// for reasonable grounds when some form has them, else for a specialist
// assessment when some form needs further assessment. The referral carries
// its kind, the evaluated result and the catalogue version; the note is
// sealed.
func (s *Service) Refer(ctx context.Context, actor access.Actor, in NewReferral) (Referral, error) {
	scope, err := s.authorize(ctx, actor, access.CreateReferral, "screening", in.ScreeningID)
	if err != nil {
		return Referral{}, err
	}
	sc, err := s.screenings.Get(ctx, actor, in.ScreeningID)
	if err != nil {
		return Referral{}, err
	}
	// By the rules of the screening's own catalogue version: a screening
	// completed under version 1 is referred on the result it had.
	c, res, err := s.screenings.Evaluate(sc)
	if err != nil {
		return Referral{}, err
	}
	plan, err := c.Plan(sc.Input(c), "en")
	if err != nil {
		return Referral{}, fmt.Errorf("plan screening %s: %w", sc.ID, err)
	}
	unconfirmed := len(sc.UnconfirmedAsked(plan))
	if err := in.validate(res.Population); err != nil {
		return Referral{}, err
	}
	if sc.Status != screening.StatusCompleted {
		return Referral{}, apperr.New(apperr.Conflict, "error.referral.not_completed")
	}
	kind, _ := referable(res)
	if kind == "" {
		return Referral{}, apperr.New(apperr.Conflict, "error.referral.no_grounds")
	}
	result, err := json.Marshal(res)
	if err != nil {
		return Referral{}, fmt.Errorf("encode result of screening %s: %w", sc.ID, err)
	}
	purposesJSON, err := json.Marshal(in.Purposes)
	if err != nil {
		return Referral{}, fmt.Errorf("encode purposes: %w", err)
	}
	now := s.now()
	id := newID()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// The screening may have been changed since it was read; refer only
		// what was evaluated.
		var status string
		var updated time.Time
		if err := tx.QueryRowContext(ctx, `SELECT status, updated_at FROM screenings WHERE id = $1`+tx.ForUpdate(), sc.ID).
			Scan(&status, &updated); err != nil {
			return fmt.Errorf("recheck screening %s: %w", sc.ID, storage.MapError(err))
		}
		if status != sc.Status || !updated.Equal(sc.UpdatedAt) {
			return apperr.New(apperr.Conflict, "error.referral.screening_changed")
		}
		if _, err := openReferralOf(ctx, tx, scope, sc.ID); err == nil {
			return apperr.New(apperr.Conflict, "error.referral.already_referred")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err := activeOrg(ctx, tx, in.To); err != nil {
			if apperr.Is(err, apperr.Invalid) {
				return apperr.Validation(apperr.FieldError{Field: "to", Key: "error.referral.unknown_org"})
			}
			return err
		}
		code, err := newCode(ctx, tx)
		if err != nil {
			return err
		}
		note, err := s.vault.Seal(ctx, tx, referralRecord(id), "note", []byte(in.Note))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, code, screening_id, from_org, to_org, created_by, purposes,
			population, person_agreed, guardian_involved, kind, result, catalogue_version, note, status, decline_reason, created_at, updated_at,
			unconfirmed_prefills)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '', $16, $16, $17)`,
			id, code, sc.ID, sc.OrgID, in.To, actor.UserID, string(purposesJSON), res.Population,
			storage.Flag(in.PersonAgreed), storage.Flag(in.GuardianInvolved), kind, string(result), res.CatalogueVersion, note, StatusPending, now,
			unconfirmed); err != nil {
			return fmt.Errorf("insert referral: %w", storage.MapError(err))
		}
		return s.record(ctx, tx, actor, "referral.create", audit.Done, "referral", id, sc.OrgID, "to:"+in.To+" kind:"+kind)
	})
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, actor, id)
}

// codeAlphabet leaves out letters and digits that are easily confused when
// read out on the phone (0/O, 1/I/L, 5/S, 8/B, U/V).
const codeAlphabet = "234679ACDEFGHJKMNPQRTWXYZ"

// newCode returns a person code no referral has, like "WM-7K3Q-92XD": 8
// random symbols, about 37 bits, enough that codes are not guessable from
// one another and collide rarely; a collision draws again.
func newCode(ctx context.Context, tx *storage.Tx) (string, error) {
	for range 10 {
		b := make([]byte, 8)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		for i := range b {
			b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
		}
		code := "WM-" + string(b[:4]) + "-" + string(b[4:])
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE code = $1`, code).Scan(&n); err != nil {
			return "", fmt.Errorf("check person code: %w", err)
		}
		if n == 0 {
			return code, nil
		}
	}
	return "", fmt.Errorf("no free person code after 10 draws")
}

// Get returns one referral the actor's organisation sent or received, with
// its decisions. Any other referral is not found, and the attempt is audited.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Referral, error) {
	scope, err := s.authorize(ctx, actor, access.ViewReferrals, "referral", id)
	if err != nil {
		return Referral{}, err
	}
	var r Referral
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		r, err = getReferral(ctx, tx, scope, id, "")
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Referral{}, s.denied(ctx, actor, string(access.ViewReferrals), "referral", id, err)
	}
	return r, err
}

// MaxList is the most referrals one List call returns per direction.
const MaxList = 200

// Lists are the referrals of an organisation: those it received (its
// inbox), those forwarded to it for the formal decision and those it
// sent, newest first.
type Lists struct {
	Received  []Referral
	Forwarded []Referral
	Sent      []Referral
}

// List returns the referrals the actor's organisation received and sent.
func (s *Service) List(ctx context.Context, actor access.Actor) (Lists, error) {
	scope, err := s.authorize(ctx, actor, access.ViewReferrals, "referral", "")
	if err != nil {
		return Lists{}, err
	}
	var l Lists
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		for _, dir := range []struct {
			cond string
			out  *[]Referral
		}{{"r.to_org = $1", &l.Received}, {forwardedTo, &l.Forwarded}, {"r.from_org = $1", &l.Sent}} {
			rows, err := tx.QueryContext(ctx, `SELECT `+referralColumns+referralFrom+`
				WHERE `+inScope+` AND ($1 = '*' OR `+dir.cond+`) AND `+byAuthor(3)+` ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
				scope.Org(), MaxList, scope.Author())
			if err != nil {
				return fmt.Errorf("list referrals: %w", err)
			}
			for rows.Next() {
				r, err := scanReferral(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("scan referral: %w", err)
				}
				*dir.out = append(*dir.out, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("list referrals: %w", err)
			}
		}
		for _, list := range [][]Referral{l.Received, l.Forwarded, l.Sent} {
			for i := range list {
				if err := loadDetails(ctx, tx, &list[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return l, err
}

// Accept records that the receiving organisation takes the referral on.
func (s *Service) Accept(ctx context.Context, actor access.Actor, id string) (Referral, error) {
	return s.respond(ctx, actor, id, StatusAccepted, "")
}

// Decline records that the receiving organisation does not take the
// referral on, with a reason code; the sending organisation may refer the
// person elsewhere.
func (s *Service) Decline(ctx context.Context, actor access.Actor, id, reason string) (Referral, error) {
	return s.respond(ctx, actor, id, StatusDeclined, reason)
}

func (s *Service) respond(ctx context.Context, actor access.Actor, id, status, reason string) (Referral, error) {
	scope, err := s.authorize(ctx, actor, access.RespondReferral, "referral", id)
	if err != nil {
		return Referral{}, err
	}
	action := "referral.accept"
	if status == StatusDeclined {
		action = "referral.decline"
		if !slices.Contains(declineReasons, reason) {
			return Referral{}, apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.referral.reason_required"})
		}
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := getReferral(ctx, tx, scope, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if r.To.ID != actor.OrgID {
			return apperr.New(apperr.Forbidden, "error.referral.not_receiver")
		}
		if r.Status != StatusPending {
			return apperr.New(apperr.Conflict, "error.referral.already_answered")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, responded_by = $2, responded_at = $3, decline_reason = $4, updated_at = $3
			WHERE id = $5`, status, actor.UserID, now, reason, id); err != nil {
			return fmt.Errorf("answer referral %s: %w", id, storage.MapError(err))
		}
		if status == StatusAccepted && s.onAccept != nil {
			if err := s.onAccept(ctx, tx, actor, r); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, actor, action, audit.Done, "referral", id, r.To.ID, reason)
	})
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return Referral{}, s.denied(ctx, actor, action, "referral", id, err)
	}
	if err != nil {
		return Referral{}, err
	}
	return s.Get(ctx, actor, id)
}

// Notes are a referral's free text: the note, the grounds of each decision
// and the body a review or appeal was lodged with, by decision id.
type Notes struct {
	Note    string
	Grounds map[string]string
	Bodies  map[string]string
	// Withheld is true for a competent authority the referral was
	// forwarded to when the person's consent does not cover sharing with
	// it: the note and the grounds of other organisations' decisions may
	// name the person, so it sees only the grounds of its own decisions.
	Withheld bool
}

// RevealNotes decrypts a referral's note, the grounds of its decisions and
// the bodies reviews or appeals were lodged with. It needs a recent step-up
// and is audited in the same transaction.
func (s *Service) RevealNotes(ctx context.Context, actor access.Actor, id string) (Notes, error) {
	scope, err := s.authorize(ctx, actor, access.ViewReferrals, "referral", id)
	if err != nil {
		return Notes{}, err
	}
	if !actor.SteppedUp {
		return Notes{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	n := Notes{Grounds: map[string]string{}, Bodies: map[string]string{}}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := getReferral(ctx, tx, scope, id, "")
		if err != nil {
			return err
		}
		if scope.Org() != "*" && actor.OrgID != r.From.ID && actor.OrgID != r.To.ID {
			shared := false
			if s.consented != nil {
				if shared, err = s.consented(ctx, tx, r, actor.OrgID); err != nil {
					return err
				}
			}
			n.Withheld = !shared
		}
		var note []byte
		if err := tx.QueryRowContext(ctx, `SELECT note FROM referrals WHERE id = $1`, id).Scan(&note); err != nil {
			return fmt.Errorf("load referral note %s: %w", id, storage.MapError(err))
		}
		if !n.Withheld {
			plain, err := s.vault.Open(ctx, tx, referralRecord(id), "note", note)
			if err != nil {
				return err
			}
			n.Note = string(plain)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, decided_org, grounds, lodged_with FROM referral_decisions WHERE referral_id = $1`, id)
		if err != nil {
			return fmt.Errorf("load grounds of referral %s: %w", id, err)
		}
		type sealedText struct{ grounds, body []byte }
		sealed := map[string]sealedText{}
		for rows.Next() {
			var did, org string
			var t sealedText
			if err := rows.Scan(&did, &org, &t.grounds, &t.body); err != nil {
				rows.Close()
				return fmt.Errorf("scan grounds: %w", err)
			}
			if !n.Withheld || org == actor.OrgID {
				sealed[did] = t
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load grounds of referral %s: %w", id, err)
		}
		for did, t := range sealed {
			plain, err := s.vault.Open(ctx, tx, referralRecord(id), groundsField(did), t.grounds)
			if err != nil {
				return err
			}
			n.Grounds[did] = string(plain)
			if t.body != nil {
				plain, err := s.vault.Open(ctx, tx, referralRecord(id), bodyField(did), t.body)
				if err != nil {
					return err
				}
				n.Bodies[did] = string(plain)
			}
		}
		detail := ""
		if n.Withheld {
			detail = "withheld"
		}
		return s.record(ctx, tx, actor, "referral.note_view", audit.Allowed, "referral", id, r.From.ID, detail)
	})
	if apperr.Is(err, apperr.NotFound) {
		return Notes{}, s.denied(ctx, actor, string(access.ViewReferrals), "referral", id, err)
	}
	return n, err
}
