package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Status values a report takes when it leaves the queue. StatusNew and
// StatusHeld are the open queue.
const (
	StatusDismissed = "dismissed" // dismissed with a reason
	StatusDuplicate = "duplicate" // repeats another report
	StatusLinked    = "linked"    // belongs to a referral's person
	StatusScreening = "screening" // turned into a screening
	StatusCase      = "case"      // turned into a case (case_code names it)
)

// StatusOpen is the queue filter for StatusNew and StatusHeld together.
const StatusOpen = "open"

// QueueStatuses lists the status filters of the queue, the default first.
var QueueStatuses = []string{StatusOpen, StatusNew, StatusHeld, StatusDismissed, StatusDuplicate, StatusLinked, StatusScreening, StatusCase}

// Sources of a report.
const (
	SourceForm = "form" // the public form; the reporter has a receipt code
	SourceCall = "call" // made from a hotline call; nobody can open its thread
)

// Exploitations are the forms of exploitation a report is classified as:
// the screening's purposes, then "other" and "unclear". A report may
// describe several (forced begging and pickpocketing).
var Exploitations = []string{"labour", "sexual", "domestic_servitude", "begging", "criminality", "forced_marriage",
	"organ_removal", "other_exploitation", "other", "unclear"}

// encodeExploitation stores a classification's forms as a JSON array, or
// "" when there are none (an unclassified report).
func encodeExploitation(forms []string) string {
	if len(forms) == 0 {
		return ""
	}
	b, _ := json.Marshal(forms) // a []string always encodes
	return string(b)
}

func decodeExploitation(reportID, stored string) ([]string, error) {
	if stored == "" {
		return nil, nil
	}
	var forms []string
	if err := json.Unmarshal([]byte(stored), &forms); err != nil {
		return nil, fmt.Errorf("forms of exploitation of report %s: %w", reportID, err)
	}
	return forms, nil
}

// DismissReasons are the reason codes of a dismissal. Codes, not text:
// whatever else needs saying goes into the sealed note.
var DismissReasons = []string{"not_trafficking", "not_enough_information", "handled_elsewhere", "out_of_area", "abuse", "test", "other"}

// Kinds of first response: the first staff action on a report.
const (
	ResponseQuestion       = "question"
	ResponseClassification = "classification"
	ResponseAssignment     = "assignment"
	ResponseDuplicate      = "duplicate"
	ResponseCaseLink       = "case_link"
	ResponseDismissal      = "dismissal"
	ResponseConversion     = "conversion"
	ResponseCall           = "call" // the report was made by an operator during the call
)

// Bases of a conversion into a screening.
const (
	ConversionConsented  = "reporter_consented" // the reporter is the person and agreed
	ConversionThirdParty = "third_party"        // the reporter is someone else
)

// Bases of a conversion into a case: the person's consent, or the legal
// basis of a case opened without it (the same codes as cases.LegalBases).
const (
	ConversionPersonConsented = "person_consented"
	ConversionImmediateDanger = "immediate_danger"
	ConversionChildProtection = "child_protection"
)

// Limits of the triage's free text, in characters.
const (
	MaxDismissNote  = 2000
	MaxHandoverNote = 1000
)

// MissingChildClock is the time that counts most when a child is missing:
// the first 24 hours, shown as a clock from the time of the call.
const MissingChildClock = 24 * time.Hour

// Deadlines are the first-response deadlines per urgency, from the time a
// report came in. Zero fields take DefaultDeadlines.
type Deadlines struct {
	ImmediateDanger time.Duration
	Child           time.Duration
	Soon            time.Duration
	NoRush          time.Duration
}

// DefaultDeadlines are the deadlines when the configuration sets none.
var DefaultDeadlines = Deadlines{ImmediateDanger: time.Hour, Child: 4 * time.Hour, Soon: 24 * time.Hour, NoRush: 72 * time.Hour}

// For returns the deadline of urgency; an unknown urgency gets the longest.
func (d Deadlines) For(urgency string) time.Duration {
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	switch urgency {
	case UrgencyDanger:
		return pick(d.ImmediateDanger, DefaultDeadlines.ImmediateDanger)
	case UrgencyChild:
		return pick(d.Child, DefaultDeadlines.Child)
	case UrgencySoon:
		return pick(d.Soon, DefaultDeadlines.Soon)
	}
	return pick(d.NoRush, DefaultDeadlines.NoRush)
}

// Deadline returns the first-response deadline of urgency in force.
func (s *Service) Deadline(urgency string) time.Duration { return s.cfg.Deadlines.For(urgency) }

// Now returns the service's clock, for pages that show ages and clocks.
func (s *Service) Now() time.Time { return s.now() }

// IsOpen reports whether a report of status is in the queue (new or held).
func IsOpen(status string) bool { return open(status) }

func open(status string) bool { return status == StatusNew || status == StatusHeld }

// QueueFilter selects the triage queue. Empty fields do not filter;
// Status "" means StatusOpen.
type QueueFilter struct {
	Status  string
	Urgency string
	// Exploitation matches the reports classified with this form (among
	// others).
	Exploitation string
	// PlaceType matches the staff classification, or the reporter's
	// answer while there is none.
	PlaceType string
	// Limit caps the rows; 0 means 200.
	Limit int
}

// QueueItem is one row of the triage queue: codes and times, no free text.
type QueueItem struct {
	Summary
	Source       string
	Exploitation []string
	// Classified is true when PlaceType is the staff's classification
	// rather than the reporter's answer.
	Classified     bool
	AssignedUserID string
	AssignedName   string
	// Due is the first-response deadline; Overdue is true when it passed
	// without one while the report is open.
	Due           time.Time
	Overdue       bool
	FirstResponse *time.Time
	// MissingSince is set when a child is missing; the clock ends
	// MissingChildClock after it.
	MissingSince *time.Time
	Handover     bool
	// Answered is true when the reporter wrote last in the thread: an
	// answer waits to be read.
	Answered bool
}

// ClockEnds is when the 24 hours of a missing child end; zero when no
// child is missing.
func (q QueueItem) ClockEnds() time.Time { return clockEnds(q.MissingSince) }

func clockEnds(since *time.Time) time.Time {
	if since == nil {
		return time.Time{}
	}
	return since.Add(MissingChildClock)
}

// Queue returns the triage queue of the organisation scope covers — the
// reports it has (received, or forwarded to it) — most urgent first, then
// oldest first, each with its age and first-response deadline. scope comes
// from access.Authorize for access.ViewReports.
func (s *Service) Queue(ctx context.Context, actor access.Actor, scope access.Scope, f QueueFilter) ([]QueueItem, error) {
	if err := s.checkQueueFilter(&f); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	var out []QueueItem
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.queue(ctx, tx, scope, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkQueueFilter checks the triage queue's filter, Status "" being
// StatusOpen.
func (s *Service) checkQueueFilter(f *QueueFilter) error {
	if f.Status == "" {
		f.Status = StatusOpen
	}
	var fields []apperr.FieldError
	check := func(field, v string, allowed []string) {
		if v != "" && !slices.Contains(allowed, v) {
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.report.filter"})
		}
	}
	check("status", f.Status, QueueStatuses)
	check("urgency", f.Urgency, Urgencies)
	check("exploitation", f.Exploitation, Exploitations)
	check("place_type", f.PlaceType, append(s.PlaceTypes(), Unknown))
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// queue reads the triage queue under a checked filter, at most f.Limit
// reports, most urgent first, then oldest first.
func (s *Service) queue(ctx context.Context, tx *storage.Tx, scope access.Scope, f QueueFilter) ([]QueueItem, error) {
	now := s.now()
	var out []QueueItem
	err := func() error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, COALESCE(r.org_id, ''), r.status, r.urgency, r.place_type, r.triage_place_type,
				r.signs, r.source, r.exploitation, COALESCE(r.assigned_user_id, ''), COALESCE(u.username, ''), r.created_at,
				r.first_response_at, r.missing_since,
				(SELECT count(*) FROM report_attachments a WHERE a.report_id = r.id),
				COALESCE((SELECT m.author FROM report_messages m WHERE m.report_id = r.id ORDER BY m.n DESC LIMIT 1), ''),
				(SELECT count(*) FROM handovers h WHERE h.report_id = r.id AND h.done_at IS NULL)
			FROM reports r LEFT JOIN users u ON u.id = r.assigned_user_id
			WHERE ($1 = '*' OR r.org_id = $1)
				AND (($2 = 'open' AND r.status IN ('new', 'held')) OR r.status = $2)
				AND ($3 = '' OR r.urgency = $3)
				AND ($4 = '' OR r.exploitation LIKE $10)
				AND ($5 = '' OR (CASE WHEN r.triage_place_type <> '' THEN r.triage_place_type ELSE r.place_type END) = $5)
			ORDER BY CASE r.urgency WHEN $6 THEN 0 WHEN $7 THEN 1 WHEN $8 THEN 2 ELSE 3 END, r.created_at, r.id
			LIMIT $9`, scope.Org(), f.Status, f.Urgency, f.Exploitation, f.PlaceType,
			Urgencies[0], Urgencies[1], Urgencies[2], f.Limit, `%"`+f.Exploitation+`"%`)
		if err != nil {
			return fmt.Errorf("triage queue: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var q QueueItem
			var triagePlace, signs, exploitation, last string
			var handovers int
			if err := rows.Scan(&q.ID, &q.OrgID, &q.Status, &q.Urgency, &q.PlaceType, &triagePlace, &signs, &q.Source, &exploitation,
				&q.AssignedUserID, &q.AssignedName, &q.CreatedAt, &q.FirstResponse, &q.MissingSince, &q.Attachments, &last, &handovers); err != nil {
				return fmt.Errorf("triage queue: %w", err)
			}
			if q.Exploitation, err = decodeExploitation(q.ID, exploitation); err != nil {
				return err
			}
			var ids []string
			if err := json.Unmarshal([]byte(signs), &ids); err != nil {
				return fmt.Errorf("signs of report %s: %w", q.ID, err)
			}
			q.Signs = len(ids)
			if triagePlace != "" {
				q.PlaceType, q.Classified = triagePlace, true
			}
			q.CreatedAt = q.CreatedAt.UTC()
			q.FirstResponse, q.MissingSince = utcPtr(q.FirstResponse), utcPtr(q.MissingSince)
			q.Age = now.Sub(q.CreatedAt)
			q.Open = last != AuthorStaff && q.Source == SourceForm
			q.Answered = last == AuthorReporter
			q.Due = q.CreatedAt.Add(s.Deadline(q.Urgency))
			q.Overdue = open(q.Status) && q.FirstResponse == nil && now.After(q.Due)
			q.Handover = handovers > 0
			out = append(out, q)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b QueueItem) int { return urgencyRank(a.Urgency) - urgencyRank(b.Urgency) })
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Triage is what staff decided about a report so far.
type Triage struct {
	Source       string
	Exploitation []string
	// PlaceType is the staff's classification of the place ("" while none).
	PlaceType      string
	AssignedUserID string
	AssignedName   string
	MissingSince   *time.Time
	DuplicateOf    string
	// Duplicates are the reports linked as duplicates of this one.
	Duplicates []string
	CaseCode   string
	// CaseOrg is the name of the organisation that holds the case the
	// report became ("" for no case, or one converted before reports
	// recorded it).
	CaseOrg       string
	ScreeningID   string
	Conversion    string
	DismissReason string
	DismissNote   string
	ClosedAt      *time.Time
	// The first response: when, by whom (username) and which kind.
	FirstResponseAt   *time.Time
	FirstResponseBy   string
	FirstResponseKind string
	Due               time.Time
	Overdue           bool
	// CallID is the call the report was made from (Source is SourceCall).
	CallID string
	// Code is the campaign attribution code the reporter named, or the
	// caller whose call the report was made from; "" for none.
	Code string
	// Handover is the open hand-over note, if any.
	Handover *Handover
}

// ClockEnds is when the 24 hours of a missing child end; zero when no
// child is missing.
func (t *Triage) ClockEnds() time.Time { return clockEnds(t.MissingSince) }

// GetTriage decrypts report id for staff (audited, as Get) and returns it
// with its triage. A report outside scope is NotFound, and the attempt is
// audited as denied.
func (s *Service) GetTriage(ctx context.Context, actor access.Actor, scope access.Scope, id string) (*Report, *Triage, error) {
	r, err := s.Get(ctx, actor, scope, id)
	if err != nil {
		return nil, nil, s.denied(ctx, actor, "reports.view", "report", id, err)
	}
	t := &Triage{}
	now := s.now()
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var dup, assigned, screeningID, frBy sql.NullString
		var note []byte
		var exploitation string
		err := tx.QueryRowContext(ctx, `SELECT r.source, r.exploitation, r.triage_place_type, r.assigned_user_id, COALESCE(u.username, ''),
				r.missing_since, r.duplicate_of, r.case_code, COALESCE(co.name, ''), r.screening_id, r.conversion, r.dismiss_reason, r.dismiss_note, r.closed_at,
				r.first_response_at, COALESCE(fu.username, ''), r.first_response, COALESCE((SELECT c.id FROM calls c WHERE c.report_id = r.id LIMIT 1), ''),
				COALESCE(r.attribution_code, (SELECT c.attribution_code FROM calls c WHERE c.report_id = r.id LIMIT 1), '')
			FROM reports r LEFT JOIN users u ON u.id = r.assigned_user_id LEFT JOIN users fu ON fu.id = r.first_response_by
				LEFT JOIN organisations co ON co.id = r.case_org_id
			WHERE r.id = $1 AND ($2 = '*' OR r.org_id = $2)`, id, scope.Org()).
			Scan(&t.Source, &exploitation, &t.PlaceType, &assigned, &t.AssignedName, &t.MissingSince, &dup, &t.CaseCode, &t.CaseOrg, &screeningID,
				&t.Conversion, &t.DismissReason, &note, &t.ClosedAt, &t.FirstResponseAt, &frBy, &t.FirstResponseKind, &t.CallID, &t.Code)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load triage of report %s: %w", id, err)
		}
		t.AssignedUserID, t.DuplicateOf, t.ScreeningID, t.FirstResponseBy = assigned.String, dup.String, screeningID.String, frBy.String
		if t.Exploitation, err = decodeExploitation(id, exploitation); err != nil {
			return err
		}
		t.MissingSince, t.ClosedAt, t.FirstResponseAt = utcPtr(t.MissingSince), utcPtr(t.ClosedAt), utcPtr(t.FirstResponseAt)
		plain, err := s.vault.Open(ctx, tx, record(id), "dismiss_note", note)
		if err != nil {
			return err
		}
		t.DismissNote = string(plain)
		rows, err := tx.QueryContext(ctx, `SELECT id FROM reports WHERE duplicate_of = $1 AND ($2 = '*' OR org_id = $2) ORDER BY created_at, id`, id, scope.Org())
		if err != nil {
			return fmt.Errorf("duplicates of report %s: %w", id, err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return fmt.Errorf("duplicates of report %s: %w", id, err)
			}
			t.Duplicates = append(t.Duplicates, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("duplicates of report %s: %w", id, err)
		}
		t.Handover, err = s.openHandover(ctx, tx, HandoverReport, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	t.Due = r.CreatedAt.Add(s.Deadline(r.Urgency))
	t.Overdue = open(r.Status) && t.FirstResponseAt == nil && now.After(t.Due)
	return r, t, nil
}

// Person is a member of staff a report can be assigned to.
type Person struct {
	ID       string
	Username string
}

// triageRoles lists the roles that may triage reports: only they can be
// assigned one.
func triageRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.ReachOf(r, access.TriageReports) != access.None {
			out = append(out, string(r))
		}
	}
	return out
}

// Assignees lists the active staff of the actor's organisation who may
// triage reports, by username.
func (s *Service) Assignees(ctx context.Context, actor access.Actor, scope access.Scope) ([]Person, error) {
	roles, args := storage.InList(3, triageRoles())
	var out []Person
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, username FROM users
			WHERE org_id = $1 AND ($2 = '*' OR org_id = $2) AND disabled_at IS NULL AND role IN (`+roles+`)
			ORDER BY lower(username), id`, append([]any{actor.OrgID, scope.Org()}, args...)...)
		if err != nil {
			return fmt.Errorf("list assignees: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Person
			if err := rows.Scan(&p.ID, &p.Username); err != nil {
				return fmt.Errorf("list assignees: %w", err)
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// reportState is what the triage actions check before they change a report.
type reportState struct {
	id, org, status, source, urgency, ageGroup string
	// exploitation is the stored classification (see encodeExploitation);
	// language the language the report was made in; place the type of
	// place, as triage classified it or else as the reporter gave it.
	exploitation, language, place string
	missing                       bool
}

// loadState loads report id within scope; lock is tx.ForUpdate() for a
// change, "" for a check in a read transaction.
func (s *Service) loadState(ctx context.Context, tx *storage.Tx, scope access.Scope, id, lock string) (reportState, error) {
	st := reportState{id: id}
	var org sql.NullString
	var missing *time.Time
	err := tx.QueryRowContext(ctx, `SELECT org_id, status, source, urgency, age_group, missing_since, exploitation, language,
			CASE WHEN triage_place_type <> '' THEN triage_place_type ELSE place_type END
		FROM reports WHERE id = $1 AND ($2 = '*' OR org_id = $2)`+lock, id, scope.Org()).
		Scan(&org, &st.status, &st.source, &st.urgency, &st.ageGroup, &missing, &st.exploitation, &st.language, &st.place)
	if errors.Is(err, sql.ErrNoRows) {
		return st, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return st, fmt.Errorf("load report %s: %w", id, err)
	}
	st.org, st.missing = org.String, missing != nil
	return st, nil
}

// change is one triage action on an open report: fn changes the locked
// report and returns the audit detail; the first response (kind, if not
// "") and the audit entry are written in the same transaction. A report
// outside scope is NotFound, audited as denied.
func (s *Service) change(ctx context.Context, actor access.Actor, scope access.Scope, id, action, kind string,
	fn func(tx *storage.Tx, st reportState, at time.Time) (string, error)) error {
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		st, err := s.loadState(ctx, tx, scope, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if !open(st.status) {
			return apperr.New(apperr.Conflict, "error.report.closed")
		}
		at := minute(s.now())
		// Before fn: forwarding moves the report out of scope.
		if kind != "" {
			if err := s.firstResponse(ctx, tx, actor, scope, id, kind, at); err != nil {
				return err
			}
		}
		detail, err := fn(tx, st, at)
		if err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
			Outcome: audit.Allowed, SubjectType: "report", SubjectID: id, SubjectOrgID: st.org, Detail: detail})
		return err
	})
	return s.denied(ctx, actor, action, "report", id, err)
}

// firstResponse records the first staff action on a report, once.
func (s *Service) firstResponse(ctx context.Context, tx *storage.Tx, actor access.Actor, scope access.Scope, id, kind string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET first_response_at = $1, first_response_by = $2, first_response = $3
		WHERE id = $4 AND first_response_at IS NULL AND ($5 = '*' OR org_id = $5)`, at, storage.NullString(actor.UserID), kind, id, scope.Org()); err != nil {
		return fmt.Errorf("record first response to report %s: %w", id, err)
	}
	return nil
}

// denied records a subject out of scope (NotFound) as a refused action in
// its own transaction — the action itself never ran — and returns err.
func (s *Service) denied(ctx context.Context, actor access.Actor, action, subjectType, id string, err error) error {
	if !apperr.Is(err, apperr.NotFound) || actor.UserID == "" {
		return err
	}
	return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
		SubjectType: subjectType, SubjectID: id}, err)
}

// Assignment is who a report goes to: a person of the organisation that
// has it (UserID), or another organisation (OrgID), which then has the
// report instead. Exactly one is set.
type Assignment struct {
	UserID string
	OrgID  string
}

// forwardExcluded are the kinds of organisation a report cannot be forwarded
// to: their staff see reports only when a victim agreed to share.
var forwardExcluded = []string{"police", "prosecution"}

// Assign gives report id to a person or forwards it to another
// organisation. Forwarding ends the report's open hand-over and its
// assignment to a person.
func (s *Service) Assign(ctx context.Context, actor access.Actor, scope access.Scope, id string, a Assignment) error {
	a.UserID, a.OrgID = strings.TrimSpace(a.UserID), strings.TrimSpace(a.OrgID)
	if (a.UserID == "") == (a.OrgID == "") {
		return apperr.Validation(apperr.FieldError{Field: "user", Key: "error.report.assign_one"})
	}
	if a.UserID != "" {
		return s.change(ctx, actor, scope, id, "reports.assign", ResponseAssignment, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
			roles, args := storage.InList(3, triageRoles())
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1 AND org_id = $2 AND disabled_at IS NULL AND role IN (`+roles+`)`,
				append([]any{a.UserID, st.org}, args...)...).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return "", apperr.Validation(apperr.FieldError{Field: "user", Key: "error.report.assignee"})
			}
			if err != nil {
				return "", fmt.Errorf("check assignee: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE reports SET assigned_user_id = $1, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
				a.UserID, at, id, scope.Org()); err != nil {
				return "", fmt.Errorf("assign report %s: %w", id, err)
			}
			return a.UserID, nil
		})
	}
	return s.change(ctx, actor, scope, id, "reports.forward", ResponseAssignment, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		if a.OrgID == st.org {
			return "", apperr.Validation(apperr.FieldError{Field: "org", Key: "error.report.same_org"})
		}
		kinds, args := storage.InList(2, forwardExcluded)
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM organisations WHERE id = $1 AND disabled_at IS NULL AND kind NOT IN (`+kinds+`)`,
			append([]any{a.OrgID}, args...)...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.Validation(apperr.FieldError{Field: "org", Key: "error.report.forward_org"})
		}
		if err != nil {
			return "", fmt.Errorf("check organisation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET org_id = $1, assigned_user_id = NULL, updated_at = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			a.OrgID, at, id, scope.Org()); err != nil {
			return "", fmt.Errorf("forward report %s: %w", id, err)
		}
		if err := s.endHandovers(ctx, tx, actor, "report_id", id, at); err != nil {
			return "", err
		}
		return a.OrgID, nil
	})
}

// Classification is the staff's view of what a report is about.
type Classification struct {
	Exploitation []string // of Exploitations; none leaves the form open
	PlaceType    string   // one of PlaceTypes, Unknown, or ""
	// MissingChild starts the 24-hour clock (if not running already);
	// false stops it.
	MissingChild bool
}

// Classify records the form of exploitation and the type of place.
func (s *Service) Classify(ctx context.Context, actor access.Actor, scope access.Scope, id string, c Classification) error {
	var fields []apperr.FieldError
	if slices.ContainsFunc(c.Exploitation, func(e string) bool { return !slices.Contains(Exploitations, e) }) {
		fields = append(fields, apperr.FieldError{Field: "exploitation", Key: "error.report.choice"})
	}
	// Each form once, in display order.
	var forms []string
	for _, e := range Exploitations {
		if slices.Contains(c.Exploitation, e) {
			forms = append(forms, e)
		}
	}
	if c.PlaceType != "" && c.PlaceType != Unknown && !slices.Contains(s.placeTypes, c.PlaceType) {
		fields = append(fields, apperr.FieldError{Field: "place_type", Key: "error.report.choice"})
	}
	if len(fields) == 0 && len(forms) == 0 && c.PlaceType == "" && !c.MissingChild {
		fields = append(fields, apperr.FieldError{Field: "exploitation", Key: "error.report.classify_empty"})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return s.change(ctx, actor, scope, id, "reports.classify", ResponseClassification, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		// The clock keeps running from when it started; unticking stops it.
		missing := "missing_since = NULL"
		if c.MissingChild {
			missing = "missing_since = COALESCE(missing_since, $3)"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET exploitation = $1, triage_place_type = $2, updated_at = $3, `+missing+`
			WHERE id = $4 AND ($5 = '*' OR org_id = $5)`, encodeExploitation(forms), c.PlaceType, at, id, scope.Org()); err != nil {
			return "", fmt.Errorf("classify report %s: %w", id, err)
		}
		detail := strings.Join(forms, ",") + "/" + c.PlaceType
		if c.MissingChild {
			detail += "/missing_child"
		}
		return detail, nil
	})
}

// idPrefix is how a report is named on the pages: the first 8 characters of
// its id, which staff may type to link a duplicate.
var idPrefix = regexp.MustCompile(`^[0-9a-f]{8}(-[0-9a-f-]{0,28})?$`)

// ShortID is the short reference of a report shown on the pages.
func ShortID(id string) string {
	if len(id) < 8 {
		return id
	}
	return id[:8]
}

// LinkDuplicate marks report id as a duplicate of another report of the
// same organisation, named by its id or short reference. The report leaves
// the queue; the other keeps a list of its duplicates.
func (s *Service) LinkDuplicate(ctx context.Context, actor access.Actor, scope access.Scope, id, other string) error {
	other = strings.ToLower(strings.TrimSpace(other))
	if !idPrefix.MatchString(other) {
		return apperr.Validation(apperr.FieldError{Field: "duplicate", Key: "error.report.duplicate_unknown"})
	}
	return s.change(ctx, actor, scope, id, "reports.duplicate", ResponseDuplicate, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM reports WHERE id LIKE $1 AND id <> $2 AND ($3 = '*' OR org_id = $3) ORDER BY id LIMIT 2`,
			other+"%", id, scope.Org())
		if err != nil {
			return "", fmt.Errorf("find report %s: %w", other, err)
		}
		var found []string
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				rows.Close()
				return "", fmt.Errorf("find report %s: %w", other, err)
			}
			found = append(found, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", fmt.Errorf("find report %s: %w", other, err)
		}
		switch len(found) {
		case 0:
			return "", apperr.Validation(apperr.FieldError{Field: "duplicate", Key: "error.report.duplicate_unknown"})
		case 2:
			return "", apperr.Validation(apperr.FieldError{Field: "duplicate", Key: "error.report.duplicate_ambiguous"})
		}
		if err := s.closeReport(ctx, tx, actor, scope, id, StatusDuplicate, at, "duplicate_of = $5", found[0]); err != nil {
			return "", err
		}
		return found[0], nil
	})
}

// caseCode is the form of a referral's person code (see identification).
var caseCode = regexp.MustCompile(`^WM-[2-9A-Z]{4}-[2-9A-Z]{4}$`)

// LinkCase links report id to the referral with person code code, which
// must be a referral the organisation sent or received. The report leaves
// the queue: it is followed up in that referral.
func (s *Service) LinkCase(ctx context.Context, actor access.Actor, scope access.Scope, id, code string) error {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if !caseCode.MatchString(code) {
		return apperr.Validation(apperr.FieldError{Field: "code", Key: "error.report.case_unknown"})
	}
	return s.change(ctx, actor, scope, id, "reports.link_case", ResponseCaseLink, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM referrals WHERE code = $1 AND ($2 = '*' OR from_org = $2 OR to_org = $2)`, code, scope.Org()).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.Validation(apperr.FieldError{Field: "code", Key: "error.report.case_unknown"})
		}
		if err != nil {
			return "", fmt.Errorf("find referral: %w", err)
		}
		if err := s.closeReport(ctx, tx, actor, scope, id, StatusLinked, at, "case_code = $5", code); err != nil {
			return "", err
		}
		return code, nil
	})
}

// closeReport sets a closing status with one more column (set, with $5 as
// its value) and ends the report's open hand-over.
func (s *Service) closeReport(ctx context.Context, tx *storage.Tx, actor access.Actor, scope access.Scope, id, status string, at time.Time, set string, value any) error {
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, closed_at = $2, updated_at = $2, `+set+`
		WHERE id = $3 AND ($4 = '*' OR org_id = $4)`, status, at, id, scope.Org(), value); err != nil {
		return fmt.Errorf("close report %s as %s: %w", id, status, err)
	}
	return s.endHandovers(ctx, tx, actor, "report_id", id, at)
}

// Ask adds a staff question to the thread of report id, as AskReporter
// does, and counts it as the first response. A report made from a call has
// no thread: its caller has no receipt code.
func (s *Service) Ask(ctx context.Context, actor access.Actor, scope access.Scope, id, text string) error {
	text = normaliseText(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return apperr.Validation(apperr.FieldError{Field: "message", Key: "error.report.question_required"})
	case n > MaxMessage:
		return apperr.Validation(apperr.FieldError{Field: "message", Key: "error.report.too_long", Args: map[string]any{"n": MaxMessage}})
	}
	return s.change(ctx, actor, scope, id, "reports.ask", ResponseQuestion, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		if st.source != SourceForm {
			return "", apperr.Validation(apperr.FieldError{Field: "message", Key: "error.report.no_thread"})
		}
		_, err := s.addMessage(ctx, tx, id, AuthorStaff, actor.UserID, text)
		return "", err
	})
}

// Dismiss takes report id out of the queue with a reason code and an
// optional note, which is sealed. Retention deletes dismissed reports after
// a while (dismissed_at).
func (s *Service) Dismiss(ctx context.Context, actor access.Actor, scope access.Scope, id, reason, note string) error {
	note = normaliseText(note)
	var fields []apperr.FieldError
	if !slices.Contains(DismissReasons, reason) {
		fields = append(fields, apperr.FieldError{Field: "reason", Key: "error.report.reason_required"})
	}
	if utf8.RuneCountInString(note) > MaxDismissNote {
		fields = append(fields, apperr.FieldError{Field: "note", Key: "error.report.too_long", Args: map[string]any{"n": MaxDismissNote}})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return s.change(ctx, actor, scope, id, "reports.dismiss", ResponseDismissal, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		sealed, err := s.vault.Seal(ctx, tx, record(id), "dismiss_note", []byte(note))
		if err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, dismiss_reason = $2, dismiss_note = $3, closed_at = $4, dismissed_at = $4, updated_at = $4
			WHERE id = $5 AND ($6 = '*' OR org_id = $6)`, StatusDismissed, reason, sealed, at, id, scope.Org()); err != nil {
			return "", fmt.Errorf("dismiss report %s: %w", id, err)
		}
		if err := s.endHandovers(ctx, tx, actor, "report_id", id, at); err != nil {
			return "", err
		}
		return reason, nil
	})
}

// Conversion is how a report becomes a screening or a case. When the
// person the report is about sent it themselves, they must have agreed
// to a screening. A case needs the person's consent or, without it, a
// legal basis (cases.LegalBases).
type Conversion struct {
	ReporterIsPerson bool
	Consent          bool
	LegalBasis       string
}

// ScreeningSetting is the setting of screenings made from reports.
const ScreeningSetting = "hotline_call"

// Convert turns report id into a draft screening of the actor's
// organisation (setting "hotline_call"; reasons to believe a child when the
// report says so) and returns the screening's id. The screening is created
// first, by the screening store (audited there); the link is recorded in a
// second transaction. If another person closed the report in between, the
// new draft stays unlinked and Convert returns Conflict.
func (s *Service) Convert(ctx context.Context, actor access.Actor, scope access.Scope, id string, c Conversion) (string, error) {
	if c.ReporterIsPerson && !c.Consent {
		return "", apperr.Validation(apperr.FieldError{Field: "consent", Key: "error.report.consent_required"})
	}
	var st reportState
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		st, err = s.loadState(ctx, tx, scope, id, "")
		return err
	})
	if err != nil {
		return "", s.denied(ctx, actor, "reports.convert", "report", id, err)
	}
	if !open(st.status) {
		return "", apperr.New(apperr.Conflict, "error.report.closed")
	}
	child := st.urgency == UrgencyChild || st.ageGroup == "children" || st.ageGroup == "both" || st.missing
	sc, err := screening.NewStore(s.db, s.audit, s.catalogue).Create(ctx, actor,
		screening.Start{Setting: ScreeningSetting, Age: screening.Age{ReasonsToBelieveChild: child}})
	if err != nil {
		return "", err
	}
	basis := ConversionThirdParty
	if c.ReporterIsPerson {
		basis = ConversionConsented
	}
	err = s.change(ctx, actor, scope, id, "reports.convert", ResponseConversion, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET conversion = $1 WHERE id = $2 AND ($3 = '*' OR org_id = $3)`, basis, id, scope.Org()); err != nil {
			return "", fmt.Errorf("convert report %s: %w", id, err)
		}
		if err := s.closeReport(ctx, tx, actor, scope, id, StatusScreening, at, "screening_id = $5", sc.ID); err != nil {
			return "", err
		}
		return sc.ID + " " + basis, nil
	})
	if err != nil {
		return "", err
	}
	return sc.ID, nil
}

// CaseSubject is what a report says about the person a case opens for.
type CaseSubject struct {
	// Child is true when the report gives reasons to believe the person
	// is a child.
	Child bool
	// Forms are the forms of exploitation triage classified the report as
	// (Exploitations, which include "other" and "unclear").
	Forms []string
	// Language is the language the report was made in (a BCP 47 tag,
	// "other" or "").
	Language string
	// Place is the type of place the report names (a field-guide location,
	// "online" or "other"); "" when not known.
	Place string
}

// OpenedCase is the case a CaseOpener opened: its code and the
// organisation that holds it.
type OpenedCase struct {
	Code  string
	OrgID string
}

// CaseOpener opens a case for the person a report is about, inside the
// report's transaction.
type CaseOpener func(ctx context.Context, tx *storage.Tx, subject CaseSubject) (OpenedCase, error)

// ToCase turns report id into a case when the person is already in contact
// and assistance starts at once (a screening is the other way). The case is
// opened and the report closed in one transaction, so neither happens
// without the other; the report keeps the case's code and organisation.
// Without the person's consent the conversion needs a legal basis, which
// the report's conversion and the audit entry name.
func (s *Service) ToCase(ctx context.Context, actor access.Actor, scope access.Scope, id string, c Conversion, open CaseOpener) (OpenedCase, error) {
	basis := ConversionPersonConsented
	switch {
	case c.Consent:
	case c.LegalBasis == "":
		return OpenedCase{}, apperr.Validation(apperr.FieldError{Field: "legal_basis", Key: "error.report.consent_or_basis"})
	case c.LegalBasis != ConversionImmediateDanger && c.LegalBasis != ConversionChildProtection:
		return OpenedCase{}, apperr.Validation(apperr.FieldError{Field: "legal_basis", Key: "error.case_legal_basis_unknown"})
	default:
		basis = c.LegalBasis
	}
	var out OpenedCase
	err := s.change(ctx, actor, scope, id, "reports.to_case", ResponseConversion, func(tx *storage.Tx, st reportState, at time.Time) (string, error) {
		forms, err := decodeExploitation(id, st.exploitation)
		if err != nil {
			return "", err
		}
		child := st.urgency == UrgencyChild || st.ageGroup == "children" || st.ageGroup == "both" || st.missing
		place := st.place
		if place == Unknown {
			place = ""
		}
		if out, err = open(ctx, tx, CaseSubject{Child: child, Forms: forms, Language: st.language, Place: place}); err != nil {
			return "", err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET conversion = $1, case_org_id = $2 WHERE id = $3 AND ($4 = '*' OR org_id = $4)`,
			basis, out.OrgID, id, scope.Org()); err != nil {
			return "", fmt.Errorf("convert report %s: %w", id, err)
		}
		if err := s.closeReport(ctx, tx, actor, scope, id, StatusCase, at, "case_code = $5", out.Code); err != nil {
			return "", err
		}
		return out.Code + " " + basis, nil
	})
	return out, err
}

// Hand-over subjects.
const (
	HandoverReport = "report"
	HandoverCall   = "call"
)

// Handover is an open hand-over note for the next shift.
type Handover struct {
	ID string
	// Kind is HandoverReport or HandoverCall; SubjectID the report or call.
	Kind      string
	SubjectID string
	Note      string
	By        string // username of who wrote it
	At        time.Time
	// Urgency of a report; for a call the most urgent of its flags.
	Urgency      string
	MissingSince *time.Time
}

// ClockEnds is when the 24 hours of a missing child end; zero when no
// child is missing.
func (h Handover) ClockEnds() time.Time { return clockEnds(h.MissingSince) }

// handoverSubject is the table and vault record of a hand-over subject.
func handoverSubject(kind, id string) (table, column, rec, action string, err error) {
	switch kind {
	case HandoverReport:
		return "reports", "report_id", record(id), "reports", nil
	case HandoverCall:
		return "calls", "call_id", callRecord(id), "calls", nil
	}
	return "", "", "", "", fmt.Errorf("unknown hand-over subject %q", kind)
}

// HandOver flags an open report or call for the next shift with a short
// note (sealed), replacing the subject's earlier open note. scope comes
// from access.Authorize for the subject's action (access.TriageReports or
// access.LogCalls).
func (s *Service) HandOver(ctx context.Context, actor access.Actor, scope access.Scope, kind, id, note string) error {
	table, column, rec, action, err := handoverSubject(kind, id)
	if err != nil {
		return err
	}
	note = normaliseText(note)
	switch n := utf8.RuneCountInString(note); {
	case n == 0:
		return apperr.Validation(apperr.FieldError{Field: "handover_note", Key: "error.handover.note_required"})
	case n > MaxHandoverNote:
		return apperr.Validation(apperr.FieldError{Field: "handover_note", Key: "error.report.too_long", Args: map[string]any{"n": MaxHandoverNote}})
	}
	action += ".handover"
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var org, status string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(org_id, ''), status FROM `+table+` WHERE id = $1 AND ($2 = '*' OR org_id = $2)`+tx.ForUpdate(),
			id, scope.Org()).Scan(&org, &status)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && org == "") {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load %s %s: %w", kind, id, err)
		}
		if (kind == HandoverReport && !open(status)) || (kind == HandoverCall && status != CallOpen) {
			return apperr.New(apperr.Conflict, "error.handover.closed")
		}
		now := s.now()
		if err := s.endHandovers(ctx, tx, actor, column, id, now); err != nil {
			return err
		}
		hid := uuid.Must(uuid.NewV7()).String()
		sealed, err := s.vault.Seal(ctx, tx, rec, "handover/"+hid, []byte(note))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO handovers (id, org_id, `+column+`, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			hid, org, id, sealed, actor.UserID, now); err != nil {
			return fmt.Errorf("insert hand-over of %s %s: %w", kind, id, err)
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
			Outcome: audit.Allowed, SubjectType: kind, SubjectID: id, SubjectOrgID: org, Detail: hid})
		return err
	})
	return s.denied(ctx, actor, action, kind, id, err)
}

// TakeOver ends the open hand-over of a report or call: the next shift has
// read the note and took it on. Without an open hand-over it does nothing.
func (s *Service) TakeOver(ctx context.Context, actor access.Actor, scope access.Scope, kind, id string) error {
	table, column, _, action, err := handoverSubject(kind, id)
	if err != nil {
		return err
	}
	action += ".takeover"
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var org string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(org_id, '') FROM `+table+` WHERE id = $1 AND ($2 = '*' OR org_id = $2)`+tx.ForUpdate(),
			id, scope.Org()).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load %s %s: %w", kind, id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE handovers SET done_at = $1, done_by = $2 WHERE `+column+` = $3 AND done_at IS NULL AND ($4 = '*' OR org_id = $4)`,
			s.now(), storage.NullString(actor.UserID), id, scope.Org())
		if err != nil {
			return fmt.Errorf("take over %s %s: %w", kind, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: action,
			Outcome: audit.Allowed, SubjectType: kind, SubjectID: id, SubjectOrgID: org})
		return err
	})
	return s.denied(ctx, actor, action, kind, id, err)
}

// endHandovers marks the open hand-overs of a subject done.
func (s *Service) endHandovers(ctx context.Context, tx *storage.Tx, actor access.Actor, column, id string, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE handovers SET done_at = $1, done_by = $2 WHERE `+column+` = $3 AND done_at IS NULL`,
		at, storage.NullString(actor.UserID), id); err != nil {
		return fmt.Errorf("end hand-overs of %s: %w", id, err)
	}
	return nil
}

// Handovers returns the open hand-overs of the organisation scope covers,
// oldest first, with their notes decrypted; reading them is audited when
// there are any. scope comes from access.Authorize for access.LogCalls.
func (s *Service) Handovers(ctx context.Context, actor access.Actor, scope access.Scope) ([]Handover, error) {
	var out []Handover
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.handovers(ctx, tx, `h.done_at IS NULL AND ($1 = '*' OR h.org_id = $1)`, scope.Org())
		if err != nil || len(out) == 0 {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "handovers.view",
			Outcome: audit.Allowed, SubjectType: "organisation", SubjectID: actor.OrgID, SubjectOrgID: actor.OrgID, Detail: strconv.Itoa(len(out))})
		return err
	})
	return out, err
}

// openHandover is the open hand-over of one subject, or nil.
func (s *Service) openHandover(ctx context.Context, tx *storage.Tx, kind, id string) (*Handover, error) {
	_, column, _, _, err := handoverSubject(kind, id)
	if err != nil {
		return nil, err
	}
	list, err := s.handovers(ctx, tx, `h.done_at IS NULL AND h.`+column+` = $1`, id)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[len(list)-1], nil
}

// handovers loads and decrypts the hand-overs matching where ($1 is arg).
func (s *Service) handovers(ctx context.Context, tx *storage.Tx, where, arg string) ([]Handover, error) {
	rows, err := tx.QueryContext(ctx, `SELECT h.id, COALESCE(h.report_id, ''), COALESCE(h.call_id, ''), h.note, COALESCE(u.username, ''), h.created_at,
			COALESCE(r.urgency, ''), r.missing_since, COALESCE(c.danger, 0), COALESCE(c.child, 0), COALESCE(c.missing_child, 0), c.called_at
		FROM handovers h LEFT JOIN users u ON u.id = h.created_by
			LEFT JOIN reports r ON r.id = h.report_id LEFT JOIN calls c ON c.id = h.call_id
		WHERE `+where+` ORDER BY h.created_at, h.id`, arg)
	if err != nil {
		return nil, fmt.Errorf("list hand-overs: %w", err)
	}
	type sealed struct {
		h    Handover
		note []byte
	}
	var all []sealed
	for rows.Next() {
		var x sealed
		var reportID, callID string
		var danger, child, missing int
		var calledAt *time.Time
		if err := rows.Scan(&x.h.ID, &reportID, &callID, &x.note, &x.h.By, &x.h.At, &x.h.Urgency, &x.h.MissingSince,
			&danger, &child, &missing, &calledAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list hand-overs: %w", err)
		}
		x.h.At = x.h.At.UTC()
		x.h.MissingSince = utcPtr(x.h.MissingSince)
		if reportID != "" {
			x.h.Kind, x.h.SubjectID = HandoverReport, reportID
		} else {
			x.h.Kind, x.h.SubjectID = HandoverCall, callID
			x.h.Urgency = callUrgency(danger != 0, child != 0 || missing != 0)
			if missing != 0 {
				x.h.MissingSince = utcPtr(calledAt)
			}
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list hand-overs: %w", err)
	}
	out := make([]Handover, 0, len(all))
	for _, x := range all {
		// Opened after the rows are closed: the vault queries the same
		// transaction.
		_, _, rec, _, err := handoverSubject(x.h.Kind, x.h.SubjectID)
		if err != nil {
			return nil, err
		}
		note, err := s.vault.Open(ctx, tx, rec, "handover/"+x.h.ID, x.note)
		if err != nil {
			return nil, err
		}
		x.h.Note = string(note)
		out = append(out, x.h)
	}
	return out, nil
}

// Attachment decrypts attachment n of report id for staff, as
// GetAttachment does; a report outside scope is NotFound, and the attempt
// is audited as denied.
func (s *Service) Attachment(ctx context.Context, actor access.Actor, scope access.Scope, id string, n int) (*Attachment, error) {
	a, err := s.GetAttachment(ctx, actor, scope, id, n)
	if err != nil {
		return nil, s.denied(ctx, actor, "reports.attachment", "report", id, err)
	}
	return a, nil
}
