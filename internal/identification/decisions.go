package identification

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Stages of identification.
const (
	// StageReasonableGrounds is the first decision: are there reasonable
	// grounds to believe the person is a victim of trafficking?
	StageReasonableGrounds = "reasonable_grounds"
	// StageVictimStatus is the formal decision on victim status, by a
	// competent authority.
	StageVictimStatus = "victim_status"
)

// Outcomes of a decision: positive/negative for reasonable grounds,
// confirmed/not confirmed for victim status.
const (
	OutcomePositive     = "positive"
	OutcomeNegative     = "negative"
	OutcomeConfirmed    = "confirmed"
	OutcomeNotConfirmed = "not_confirmed"
	// OutcomePending is the outcome of a review or appeal lodged with a
	// body outside Waymark until the body's outcome is recorded.
	OutcomePending = "pending"
)

// MaxBody is the longest name of a body a review or appeal is lodged with,
// in characters.
const MaxBody = 200

// Kinds of decision: the first one of a stage, or a review or appeal of the
// latest one.
const (
	KindInitial = "initial"
	KindReview  = "review"
	KindAppeal  = "appeal"
)

// Stages lists the stages in order.
func Stages() []string { return []string{StageReasonableGrounds, StageVictimStatus} }

// Outcomes lists the outcomes a stage allows.
func Outcomes(stage string) []string {
	switch stage {
	case StageReasonableGrounds:
		return []string{OutcomePositive, OutcomeNegative}
	case StageVictimStatus:
		return []string{OutcomeConfirmed, OutcomeNotConfirmed}
	}
	return nil
}

// Kinds lists the kinds of decision.
func Kinds() []string { return []string{KindInitial, KindReview, KindAppeal} }

// DateLayout is how decision dates are written.
const DateLayout = "2006-01-02"

// Decision is one recorded decision on a referral. Decisions are never
// changed: a review or appeal is a new decision naming the one it reviews.
type Decision struct {
	ID         string
	ReferralID string
	Stage      string
	Outcome    string
	Kind       string
	// Reviews is the id of the decision this one reviews; "" for an initial one.
	Reviews   string
	DecidedOn string // YYYY-MM-DD
	// DecidedBy is the deciding user's id and DecidedByName their username.
	DecidedBy     string
	DecidedByName string
	Org           Org
	CreatedAt     time.Time
	// Lodged is true for a review or appeal lodged with a body that has no
	// account in Waymark (its name is sealed, see RevealNotes): DecidedBy
	// and Org recorded it, and its outcome is pending until the next
	// decision records the body's outcome.
	Lodged bool
	// Outside is true for the outcome of a lodged review or appeal: the
	// body it was lodged with decided, DecidedBy and Org recorded it.
	Outside bool
}

// Pending reports whether the decision is a lodged review or appeal that
// awaits its outcome.
func (d Decision) Pending() bool { return d.Outcome == OutcomePending }

// NewDecision is the decision form.
type NewDecision struct {
	Stage     string
	Outcome   string
	Kind      string
	Reviews   string
	Grounds   string
	DecidedOn string // YYYY-MM-DD
	// LodgedWith names the body outside Waymark a review or appeal was
	// lodged with; the decision then has no outcome yet.
	LodgedWith string
}

func groundsField(decisionID string) string { return "grounds." + decisionID }

func bodyField(decisionID string) string { return "body." + decisionID }

func loadDecisions(ctx context.Context, tx *storage.Tx, referralID string) ([]Decision, error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.referral_id, d.stage, d.outcome, d.kind, COALESCE(d.reviews_id, ''), d.decided_on,
			d.decided_by, u.username, d.decided_org, o.name, o.kind, d.created_at, d.lodged_with IS NOT NULL
		FROM referral_decisions d JOIN users u ON u.id = d.decided_by JOIN organisations o ON o.id = d.decided_org
		WHERE d.referral_id = $1 ORDER BY d.created_at, d.id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("load decisions of referral %s: %w", referralID, err)
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.ReferralID, &d.Stage, &d.Outcome, &d.Kind, &d.Reviews, &d.DecidedOn,
			&d.DecidedBy, &d.DecidedByName, &d.Org.ID, &d.Org.Name, &d.Org.Kind, &d.CreatedAt, &d.Lodged); err != nil {
			return nil, fmt.Errorf("scan decision: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load decisions of referral %s: %w", referralID, err)
	}
	lodged := map[string]bool{}
	for i := range out {
		lodged[out[i].ID] = out[i].Lodged
		out[i].Outside = lodged[out[i].Reviews]
	}
	return out, nil
}

// latest returns the latest decision of a stage, or nil: the one decided on
// the latest day, and of those the one recorded last. A pending review or
// appeal counts: the next decision must record its outcome.
func latest(ds []Decision, stage string) *Decision {
	return latestOf(ds, stage, true)
}

// latestDecided is latest without pending reviews and appeals: the
// decision that stands while one awaits its outcome.
func latestDecided(ds []Decision, stage string) *Decision {
	return latestOf(ds, stage, false)
}

func latestOf(ds []Decision, stage string, pending bool) *Decision {
	var best *Decision
	for i := range ds {
		d := &ds[i]
		if d.Stage != stage || (d.Pending() && !pending) {
			continue
		}
		if best == nil || d.DecidedOn > best.DecidedOn || (d.DecidedOn == best.DecidedOn && !d.CreatedAt.Before(best.CreatedAt)) {
			best = d
		}
	}
	return best
}

// validate checks the form's own fields against today's date.
func (in *NewDecision) validate(now time.Time) error {
	var fields []apperr.FieldError
	in.Grounds = strings.TrimSpace(in.Grounds)
	in.DecidedOn = strings.TrimSpace(in.DecidedOn)
	in.Reviews = strings.TrimSpace(in.Reviews)
	in.LodgedWith = strings.TrimSpace(in.LodgedWith)
	switch {
	case in.LodgedWith != "":
		// A body outside Waymark has not decided yet.
		in.Outcome = OutcomePending
	case !slices.Contains(Outcomes(in.Stage), in.Outcome):
		fields = append(fields, apperr.FieldError{Field: "outcome", Key: "error.decision.outcome_required"})
	}
	switch {
	case !utf8.ValidString(in.LodgedWith):
		fields = append(fields, apperr.FieldError{Field: "lodged_with", Key: "error.bad_encoding"})
	case utf8.RuneCountInString(in.LodgedWith) > MaxBody:
		fields = append(fields, apperr.FieldError{Field: "lodged_with", Key: "error.decision.body_too_long", Args: map[string]any{"max": MaxBody}})
	case in.LodgedWith != "" && in.Kind == KindInitial:
		fields = append(fields, apperr.FieldError{Field: "lodged_with", Key: "error.decision.lodged_initial"})
	}
	switch {
	case !slices.Contains(Kinds(), in.Kind):
		fields = append(fields, apperr.FieldError{Field: "kind", Key: "error.decision.kind_required"})
	case in.Kind == KindInitial && in.Reviews != "":
		fields = append(fields, apperr.FieldError{Field: "reviews", Key: "error.decision.initial_reviews"})
	case in.Kind != KindInitial && in.Reviews == "":
		fields = append(fields, apperr.FieldError{Field: "reviews", Key: "error.decision.reviews_required"})
	}
	switch {
	case !utf8.ValidString(in.Grounds):
		fields = append(fields, apperr.FieldError{Field: "grounds", Key: "error.bad_encoding"})
	case in.Grounds == "":
		fields = append(fields, apperr.FieldError{Field: "grounds", Key: "error.decision.grounds_required"})
	case utf8.RuneCountInString(in.Grounds) > MaxNote:
		fields = append(fields, apperr.FieldError{Field: "grounds", Key: "error.referral.note_too_long", Args: map[string]any{"max": MaxNote}})
	}
	// A date is a calendar day wherever the decision was taken: it is in
	// the future only once it has begun nowhere on earth (UTC+14).
	if d, err := time.Parse(DateLayout, in.DecidedOn); err != nil {
		fields = append(fields, apperr.FieldError{Field: "decided_on", Key: "error.date_invalid"})
	} else if d.After(now.UTC().Add(14 * time.Hour)) {
		fields = append(fields, apperr.FieldError{Field: "decided_on", Key: "error.decision.date_future"})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// Decide records a decision on a referral the actor's organisation sent,
// received or was forwarded. The reasonable-grounds decision is for case
// workers and coordinators of either organisation; the formal decision on
// victim status only for users of a competent authority the local protocol
// names for the referral's forms and population, and only after a
// positive reasonable-grounds decision. The first decision of a stage is
// initial; every later one reviews or appeals the latest one. An appeal is
// decided by another body than the decision it appeals; when that body has
// no account in Waymark the appeal (or review) is recorded as lodged with
// it, and the next decision of the stage records its outcome.
func (s *Service) Decide(ctx context.Context, actor access.Actor, referralID string, in NewDecision) (Decision, error) {
	var action access.Action
	switch in.Stage {
	case StageReasonableGrounds:
		action = access.DecideGrounds
	case StageVictimStatus:
		action = access.DecideStatus
	default:
		return Decision{}, apperr.Validation(apperr.FieldError{Field: "stage", Key: "error.decision.stage_unknown"})
	}
	scope, err := s.authorize(ctx, actor, action, "referral", referralID)
	if err != nil {
		return Decision{}, err
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return Decision{}, err
	}
	d := Decision{ID: newID(), ReferralID: referralID, Stage: in.Stage, Outcome: in.Outcome, Kind: in.Kind, Reviews: in.Reviews,
		DecidedOn: in.DecidedOn, DecidedBy: actor.UserID, CreatedAt: now, Lodged: in.LodgedWith != ""}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := getReferral(ctx, tx, scope, referralID, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !r.Open() {
			return apperr.New(apperr.Conflict, "error.decision.referral_declined")
		}
		prev := latest(r.Decisions, in.Stage)
		// Recording a lodged review or appeal, or the outcome a body outside
		// Waymark gave, is no decision of the recording organisation.
		d.Outside = prev != nil && prev.Pending()
		recordsOnly := d.Lodged || d.Outside
		competent := false
		if in.Stage == StageVictimStatus {
			p, err := loadProtocol(ctx, tx)
			if err != nil {
				return err
			}
			competent = slices.Contains(p.DecidersFor(r.Population, r.Purposes), actor.OrgID)
			if !recordsOnly && !competent {
				return apperr.New(apperr.Forbidden, "error.decision.not_competent")
			}
			if !r.GroundsFound() {
				return apperr.New(apperr.Conflict, "error.decision.needs_grounds")
			}
		}
		// The outside body's outcome is recorded by the organisation that
		// lodged the review or appeal with it, or by a deciding authority:
		// anyone else could otherwise decide victim status by "recording"
		// an outcome nobody gave.
		if d.Outside && prev.Org.ID != actor.OrgID && !competent {
			return apperr.New(apperr.Forbidden, "error.decision.outside_recorder")
		}
		switch {
		case in.Kind == KindInitial && prev != nil:
			return apperr.New(apperr.Conflict, "error.decision.initial_exists")
		case in.Kind != KindInitial && (prev == nil || prev.ID != in.Reviews):
			return apperr.Validation(apperr.FieldError{Field: "reviews", Key: "error.decision.review_latest"})
		case in.Kind != KindInitial && in.DecidedOn < prev.DecidedOn:
			return apperr.Validation(apperr.FieldError{Field: "decided_on", Key: "error.decision.before_reviewed"})
		case d.Outside && d.Lodged:
			return apperr.Validation(apperr.FieldError{Field: "lodged_with", Key: "error.decision.lodged_pending"})
		case d.Outside && in.Kind != prev.Kind:
			return apperr.Validation(apperr.FieldError{Field: "kind", Key: "error.decision.lodged_kind"})
		case in.Kind == KindAppeal && !recordsOnly && prev.Org.ID == actor.OrgID:
			// An appeal goes to another body than the one whose decision is
			// appealed; the same body reconsidering is a review.
			return apperr.Validation(apperr.FieldError{Field: "kind", Key: "error.decision.appeal_same_body"})
		}
		org, err := loadOrg(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		d.Org = Org{ID: actor.OrgID, Name: org.Name, Kind: org.Kind}
		grounds, err := s.vault.Seal(ctx, tx, referralRecord(referralID), groundsField(d.ID), []byte(in.Grounds))
		if err != nil {
			return err
		}
		var reviews, body any
		if d.Reviews != "" {
			reviews = d.Reviews
		}
		if d.Lodged {
			if body, err = s.vault.Seal(ctx, tx, referralRecord(referralID), bodyField(d.ID), []byte(in.LodgedWith)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_decisions (id, referral_id, stage, outcome, kind, reviews_id, grounds,
			decided_on, decided_by, decided_org, created_at, lodged_with) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			d.ID, referralID, d.Stage, d.Outcome, d.Kind, reviews, grounds, d.DecidedOn, d.DecidedBy, d.Org.ID, now, body); err != nil {
			return fmt.Errorf("insert decision: %w", storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET updated_at = $1 WHERE id = $2`, now, referralID); err != nil {
			return fmt.Errorf("touch referral %s: %w", referralID, err)
		}
		if err := s.record(ctx, tx, actor, "referral.decision", audit.Done, "referral", referralID, r.From.ID,
			d.Stage+":"+d.Outcome+":"+d.Kind+":"+d.ID); err != nil {
			return err
		}
		if s.onDecision == nil {
			return nil
		}
		r.Decisions = append(r.Decisions, d)
		r.HTCDS = Derive(r.Decisions)
		return s.onDecision(ctx, tx, actor, r, d)
	})
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return Decision{}, s.denied(ctx, actor, string(action), "referral", referralID, err)
	}
	if err != nil {
		return Decision{}, err
	}
	return d, nil
}

// MayDecideStatus reports whether the local protocol names orgID among the
// competent authorities that take the formal decision on the referral.
func (s *Service) MayDecideStatus(ctx context.Context, orgID string, r Referral) (bool, error) {
	var ok bool
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		p, err := loadProtocol(ctx, tx)
		ok = slices.Contains(p.DecidersFor(r.Population, r.Purposes), orgID)
		return err
	})
	return ok, err
}
