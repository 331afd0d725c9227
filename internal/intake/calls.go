package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Status values of a call.
const (
	CallOpen   = "open"   // still being followed up
	CallClosed = "closed" // nothing left to do
)

// Choices of the call form.
var (
	// CallerTypes is who called.
	CallerTypes = []string{"victim", "witness", "family", "professional", "other"}
	// CallTopics is what the call was mainly about.
	CallTopics = []string{"suspicion", "own_situation", "labour_rights", "residence", "missing_person", "information", "other"}
	// CallInfo is the information the operator gave.
	CallInfo = []string{"rights", "services", "shelter", "legal_aid", "health", "labour", "residence", "safety", "emergency"}
)

// MaxCallNotes is the length limit of a call's notes, in characters.
const MaxCallNotes = 5000

// callLanguage is a BCP 47 tag as the form sends it ("other" is allowed too).
var callLanguage = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$`)

// NewCall is what an operator logs about a call.
type NewCall struct {
	CallerType string
	Language   string // BCP 47 tag, or "other"
	Topic      string
	InfoGiven  []string
	// ReferredTo is the partner organisation the caller was referred to.
	ReferredTo string
	// Urgency flags.
	Child        bool
	Danger       bool
	MissingChild bool
	// Notes are free text; sealed.
	Notes string
	// Code is the campaign attribution code the caller named, as typed or
	// picked from the running campaigns' codes; a code no material has is
	// kept as typed, sealed, and counts for no campaign.
	Code string
	// CodeOther is true when the operator chose "another code": the
	// caller named one, so Code must say which.
	CodeOther bool
}

// MaxCallCode is the length limit of a code as typed, in characters.
const MaxCallCode = 40

// Call is a logged call.
type Call struct {
	ID             string
	OrgID          string
	TakenBy        string // username
	CallerType     string
	Language       string
	Topic          string
	InfoGiven      []string
	ReferredTo     string
	ReferredToName string
	Child          bool
	Danger         bool
	MissingChild   bool
	// Notes are decrypted by GetCall only.
	Notes    string
	ReportID string
	// Code is the campaign attribution code the caller named, or "".
	Code string
	// CodeTyped is what the operator typed when it matched no material's
	// code (GetCall only; "" otherwise).
	CodeTyped string
	Status    string
	CalledAt  time.Time
	UpdatedAt time.Time
	ClosedAt  *time.Time
	// Handover is the open hand-over note (GetCall only).
	Handover *Handover
}

// ClockEnds is when the first 24 hours after a call about a missing child
// end; zero for other calls.
func (c Call) ClockEnds() time.Time {
	if !c.MissingChild {
		return time.Time{}
	}
	return c.CalledAt.Add(MissingChildClock)
}

// Urgency is the report urgency the call's flags amount to.
func (c Call) Urgency() string { return callUrgency(c.Danger, c.Child || c.MissingChild) }

func callUrgency(danger, child bool) string {
	switch {
	case danger:
		return UrgencyDanger
	case child:
		return UrgencyChild
	}
	return UrgencySoon
}

// callRecord is the vault record of a call's sealed fields.
func callRecord(id string) string { return "calls/" + id }

func (in *NewCall) validate() error {
	var fields []apperr.FieldError
	bad := func(field, key string, args map[string]any) {
		fields = append(fields, apperr.FieldError{Field: field, Key: key, Args: args})
	}
	in.Notes = normaliseText(in.Notes)
	in.Code = strings.TrimSpace(in.Code)
	if !slices.Contains(CallerTypes, in.CallerType) {
		bad("caller_type", "error.call.caller_type", nil)
	}
	if in.Language != "other" && !callLanguage.MatchString(in.Language) {
		bad("language", "error.call.language", nil)
	}
	if !slices.Contains(CallTopics, in.Topic) {
		bad("topic", "error.call.topic", nil)
	}
	var info []string
	for _, c := range in.InfoGiven {
		if !slices.Contains(CallInfo, c) {
			bad("info", "error.report.choice", nil)
			break
		}
		if !slices.Contains(info, c) {
			info = append(info, c)
		}
	}
	in.InfoGiven = info
	if utf8.RuneCountInString(in.Notes) > MaxCallNotes {
		bad("notes", "error.report.too_long", map[string]any{"n": MaxCallNotes})
	}
	if utf8.RuneCountInString(in.Code) > MaxCallCode {
		bad("code", "error.report.too_long", map[string]any{"n": MaxCallCode})
	}
	if in.CodeOther && in.Code == "" {
		bad("code", "campaigns.error.call_code_other", nil)
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// LogCall records a call taken by the actor for the actor's organisation
// and returns its id. scope comes from access.Authorize for
// access.LogCalls. The notes are sealed; logging is audited.
func (s *Service) LogCall(ctx context.Context, actor access.Actor, scope access.Scope, in NewCall) (string, error) {
	if actor.OrgID == "" || !scope.Includes(actor.OrgID) {
		return "", apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if err := in.validate(); err != nil {
		return "", err
	}
	info, err := json.Marshal(in.InfoGiven)
	if err != nil {
		return "", fmt.Errorf("encode information given: %w", err)
	}
	if in.InfoGiven == nil {
		info = []byte("[]")
	}
	id := uuid.Must(uuid.NewV7()).String()
	now := s.now()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if in.ReferredTo != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = $1 AND disabled_at IS NULL`, in.ReferredTo).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Validation(apperr.FieldError{Field: "referred_to", Key: "error.call.referred_to"})
			}
			if err != nil {
				return fmt.Errorf("check organisation: %w", err)
			}
		}
		heard, err := s.attribution(ctx, tx, in.Code)
		if err != nil {
			return err
		}
		var typed []byte
		if in.Code != "" && heard == "" {
			// The caller's answer is kept as given, never refused: sealed,
			// since an operator may have typed more than a code.
			if typed, err = s.vault.Seal(ctx, tx, callRecord(id), "attribution_typed", []byte(in.Code)); err != nil {
				return err
			}
		}
		notes, err := s.vault.Seal(ctx, tx, callRecord(id), "notes", []byte(in.Notes))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO calls (id, org_id, taken_by, caller_type, language, topic, info_given, referred_to,
				child, danger, missing_child, notes, attribution_code, attribution_typed, status, called_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
			id, actor.OrgID, actor.UserID, in.CallerType, in.Language, in.Topic, string(info), storage.NullString(in.ReferredTo),
			storage.Flag(in.Child), storage.Flag(in.Danger), storage.Flag(in.MissingChild), notes, storage.NullString(heard), typed, CallOpen, now); err != nil {
			return fmt.Errorf("insert call: %w", err)
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "calls.log",
			Outcome: audit.Allowed, SubjectType: "call", SubjectID: id, SubjectOrgID: actor.OrgID, Detail: in.Topic})
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// CallFilter selects calls.
type CallFilter struct {
	// Status is CallOpen (the default) or CallClosed.
	Status string
	// Limit caps the rows; 0 means 100.
	Limit int
}

const callColumns = `c.id, c.org_id, COALESCE(u.username, ''), c.caller_type, c.language, c.topic, c.info_given,
	COALESCE(c.referred_to, ''), COALESCE(o.name, ''), c.child, c.danger, c.missing_child, c.notes, COALESCE(c.report_id, ''),
	COALESCE(c.attribution_code, ''), c.status, c.called_at, c.updated_at, c.closed_at`

const callJoins = ` FROM calls c LEFT JOIN users u ON u.id = c.taken_by LEFT JOIN organisations o ON o.id = c.referred_to`

// scanCall reads callColumns and then extra.
func scanCall(row interface{ Scan(...any) error }, notes *[]byte, extra ...any) (Call, error) {
	var c Call
	var info string
	var child, danger, missing int
	err := row.Scan(append([]any{&c.ID, &c.OrgID, &c.TakenBy, &c.CallerType, &c.Language, &c.Topic, &info, &c.ReferredTo, &c.ReferredToName,
		&child, &danger, &missing, notes, &c.ReportID, &c.Code, &c.Status, &c.CalledAt, &c.UpdatedAt, &c.ClosedAt}, extra...)...)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(info), &c.InfoGiven); err != nil {
		return c, fmt.Errorf("information given of call %s: %w", c.ID, err)
	}
	c.Child, c.Danger, c.MissingChild = child != 0, danger != 0, missing != 0
	c.CalledAt, c.UpdatedAt, c.ClosedAt = c.CalledAt.UTC(), c.UpdatedAt.UTC(), utcPtr(c.ClosedAt)
	return c, nil
}

// Calls lists the calls of the organisation scope covers, without their
// notes. Open calls come most urgent first (danger, then a child), then
// oldest first, so nothing waiting is pushed off the console; closed calls
// newest first.
func (s *Service) Calls(ctx context.Context, actor access.Actor, scope access.Scope, f CallFilter) ([]Call, error) {
	if f.Status == "" {
		f.Status = CallOpen
	}
	if f.Status != CallOpen && f.Status != CallClosed {
		return nil, apperr.New(apperr.Invalid, "error.invalid_form")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	order := `CASE WHEN c.danger <> 0 THEN 0 WHEN c.missing_child <> 0 THEN 1 WHEN c.child <> 0 THEN 2 ELSE 3 END, c.called_at, c.id`
	if f.Status == CallClosed {
		order = `c.called_at DESC, c.id`
	}
	var out []Call
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+callColumns+callJoins+`
			WHERE ($1 = '*' OR c.org_id = $1) AND c.status = $2 ORDER BY `+order+` LIMIT $3`, scope.Org(), f.Status, f.Limit)
		if err != nil {
			return fmt.Errorf("list calls: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var notes []byte
			c, err := scanCall(rows, &notes)
			if err != nil {
				return fmt.Errorf("list calls: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// GetCall returns call id with its notes decrypted and its open hand-over;
// reading it is audited in the same transaction. A call outside scope is
// NotFound, audited as denied.
func (s *Service) GetCall(ctx context.Context, actor access.Actor, scope access.Scope, id string) (*Call, error) {
	var c Call
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var notes, typed []byte
		var err error
		c, err = scanCall(tx.QueryRowContext(ctx, `SELECT `+callColumns+`, c.attribution_typed`+callJoins+` WHERE c.id = $1 AND ($2 = '*' OR c.org_id = $2)`,
			id, scope.Org()), &notes, &typed)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load call %s: %w", id, err)
		}
		plain, err := s.vault.Open(ctx, tx, callRecord(id), "notes", notes)
		if err != nil {
			return err
		}
		c.Notes = string(plain)
		if plain, err = s.vault.Open(ctx, tx, callRecord(id), "attribution_typed", typed); err != nil {
			return err
		}
		c.CodeTyped = string(plain)
		if c.Handover, err = s.openHandover(ctx, tx, HandoverCall, id); err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "calls.view",
			Outcome: audit.Allowed, SubjectType: "call", SubjectID: id, SubjectOrgID: c.OrgID})
		return err
	})
	if err != nil {
		return nil, s.denied(ctx, actor, "calls.view", "call", id, err)
	}
	return &c, nil
}

// CloseCall marks call id as done and ends its open hand-over.
func (s *Service) CloseCall(ctx context.Context, actor access.Actor, scope access.Scope, id string) error {
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var org, status string
		err := tx.QueryRowContext(ctx, `SELECT org_id, status FROM calls WHERE id = $1 AND ($2 = '*' OR org_id = $2)`+tx.ForUpdate(), id, scope.Org()).
			Scan(&org, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load call %s: %w", id, err)
		}
		if status != CallOpen {
			return apperr.New(apperr.Conflict, "error.call.closed")
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE calls SET status = $1, closed_at = $2, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			CallClosed, now, id, scope.Org()); err != nil {
			return fmt.Errorf("close call %s: %w", id, err)
		}
		if err := s.endHandovers(ctx, tx, actor, "call_id", id, now); err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "calls.close",
			Outcome: audit.Allowed, SubjectType: "call", SubjectID: id, SubjectOrgID: org})
		return err
	})
	return s.denied(ctx, actor, "calls.close", "call", id, err)
}

// CallReport is what a report made from a call says.
type CallReport struct {
	Details   string // what was reported (required)
	PlaceType string // as on the public form; "" means Unknown
	Area      string
	// Urgency is one of Urgencies; "" takes the call's flags.
	Urgency string
}

// noReceipt is the receipt lookup of a report made from a call: four bytes
// never equal a real lookup value (three bytes), so no code opens it.
var noReceipt = []byte{0, 0, 0, 0}

// ReportFromCall turns call id into a report in the call's organisation's
// queue and returns the report's id. The caller is on the phone, so there
// is no receipt code and no thread; the call itself is the first response.
// A missing child starts the report's 24-hour clock at the time of the
// call. Text is sealed; the call and the report are linked and both
// audited in one transaction.
func (s *Service) ReportFromCall(ctx context.Context, actor access.Actor, scope access.Scope, id string, in CallReport) (string, error) {
	var fields []apperr.FieldError
	in.Details, in.Area = normaliseText(in.Details), normaliseText(in.Area)
	switch n := utf8.RuneCountInString(in.Details); {
	case n == 0:
		fields = append(fields, apperr.FieldError{Field: "details", Key: "error.call.details_required"})
	case n > MaxDetails:
		fields = append(fields, apperr.FieldError{Field: "details", Key: "error.report.too_long", Args: map[string]any{"n": MaxDetails}})
	}
	if utf8.RuneCountInString(in.Area) > MaxArea {
		fields = append(fields, apperr.FieldError{Field: "area", Key: "error.report.too_long", Args: map[string]any{"n": MaxArea}})
	}
	if in.PlaceType == "" {
		in.PlaceType = Unknown
	}
	if in.PlaceType != Unknown && !slices.Contains(s.placeTypes, in.PlaceType) {
		fields = append(fields, apperr.FieldError{Field: "place_type", Key: "error.report.choice"})
	}
	if in.Urgency != "" && !slices.Contains(Urgencies, in.Urgency) {
		fields = append(fields, apperr.FieldError{Field: "urgency", Key: "error.report.choice"})
	}
	if len(fields) > 0 {
		return "", apperr.Validation(fields...)
	}
	reportID := uuid.Must(uuid.NewRandom()).String()
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		// Locked on its own: PostgreSQL locks no row of an outer join.
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM calls WHERE id = $1 AND ($2 = '*' OR org_id = $2)`+tx.ForUpdate(), id, scope.Org()).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load call %s: %w", id, err)
		}
		var notes []byte
		c, err := scanCall(tx.QueryRowContext(ctx, `SELECT `+callColumns+callJoins+` WHERE c.id = $1`, id), &notes)
		if err != nil {
			return fmt.Errorf("load call %s: %w", id, err)
		}
		if c.ReportID != "" {
			return apperr.New(apperr.Conflict, "error.call.reported")
		}
		urgency := in.Urgency
		if urgency == "" {
			urgency = c.Urgency()
		}
		ageGroup := Unknown
		var missing any
		if c.Child || c.MissingChild {
			ageGroup = "children"
		}
		if c.MissingChild {
			missing = minute(c.CalledAt)
		}
		at := minute(s.now())
		rec := record(reportID)
		details, err := s.vault.Seal(ctx, tx, rec, "details", []byte(in.Details))
		if err != nil {
			return err
		}
		area, err := s.vault.Seal(ctx, tx, rec, "area", []byte(in.Area))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (id, org_id, status, urgency, place_type, seen_on, time_of_day, people,
				age_group, gender, signs, language, catalogue_version, details, area, contact, receipt_lookup, receipt_hash, created_at, updated_at,
				source, missing_since, first_response_at, first_response_by, first_response)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '[]', $11, $12, $13, $14, NULL, $15, '', $16, $16, $17, $18, $16, $19, $20)`,
			reportID, c.OrgID, StatusNew, urgency, in.PlaceType, c.CalledAt.Format(time.DateOnly), Unknown, Unknown,
			ageGroup, Unknown, c.Language, s.catalogue.Version, details, area, noReceipt, at,
			SourceCall, missing, storage.NullString(actor.UserID), ResponseCall); err != nil {
			return fmt.Errorf("insert report from call %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE calls SET report_id = $1, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			reportID, s.now(), id, scope.Org()); err != nil {
			return fmt.Errorf("link call %s: %w", id, err)
		}
		// On-call staff hear of an urgent call report as of a public one.
		notice := urgency
		if c.MissingChild {
			notice = urgencyMissingChild
		}
		if err := s.notifyUrgent(ctx, tx, reportID, notice, StatusNew, at); err != nil {
			return err
		}
		for _, e := range []audit.Entry{
			{Action: "calls.report", SubjectType: "call", SubjectID: id, Detail: reportID},
			{Action: "reports.create", SubjectType: "report", SubjectID: reportID, Detail: SourceCall},
		} {
			e.ActorUserID, e.ActorOrgID, e.Outcome, e.SubjectOrgID = actor.UserID, actor.OrgID, audit.Allowed, c.OrgID
			if _, err := s.audit.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", s.denied(ctx, actor, "calls.report", "call", id, err)
	}
	return reportID, nil
}
