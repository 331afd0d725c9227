// Package legalstatus keeps the person's legal status apart from assistance: the reflection period, residence permits, asylum, criminal proceedings and compensation claims.
//
// Assistance never depends on the person's cooperation with the
// authorities (OSCE Alliance position paper, "reflection delay" and
// "residence permit"; Danube guidelines on unconditional support; Council
// of Europe Convention on Action against Trafficking, art. 13-14, cited in
// the Danube guidelines): the records here are the person's own, the
// choice to cooperate is kept only in a criminal proceeding's record, and
// no package of assistance reads them (imports_test.go holds that line).
// Every read and change goes through the case gate under the Legal
// category; free text is sealed under the case's vault record.
package legalstatus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the legalstatus capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the legalstatus service.
func New(c *cases.Service) *Service { return &Service{cases: c} }

// Codes of the records. Lists are data, shown through message keys
// "legalstatus.<list>.<code>".
var (
	extensionReasons = []string{"recovery_needs", "identification_pending", "safety", "health", "child_best_interest", "decision_on_cooperation", "other"}
	permitTypes      = []string{"reflection_period_permit", "temporary_victim_permit", "humanitarian", "asylum_based", "long_term", "eu_citizen_no_permit_needed", "other"}
	permitStatuses   = []string{"applied", "granted", "refused", "expired", "renewal_applied"}
	asylumStatuses   = []string{"intends_to_apply", "applied", "interviewed", "granted_refugee", "granted_subsidiary", "refused", "appealed", "withdrawn"}
	proceedingRoles  = []string{"witness", "injured_party", "none"}
	proceedingStages = []string{"investigation", "charges", "trial", "appeal", "closed"}
	cooperation      = []string{"undecided", "cooperates", "declines"}
	compTypes        = []string{"criminal_court", "civil", "state_fund", "labour_claim"}
	compStatuses     = []string{"planned", "filed", "awarded", "rejected", "appealed", "paid", "withdrawn"}
	// permitRights answer whether a temporary permit allows work or study;
	// "" is not recorded.
	permitRights = []string{"", "yes", "no"}
)

// ExtensionReasons lists why a reflection period may be extended.
func ExtensionReasons() []string { return slices.Clone(extensionReasons) }

// PermitTypes lists the kinds of residence permit.
func PermitTypes() []string { return slices.Clone(permitTypes) }

// PermitStatuses lists the states of a residence permit.
func PermitStatuses() []string { return slices.Clone(permitStatuses) }

// AsylumStatuses lists the states of an asylum application.
func AsylumStatuses() []string { return slices.Clone(asylumStatuses) }

// ProceedingRoles lists the person's role in criminal proceedings.
func ProceedingRoles() []string { return slices.Clone(proceedingRoles) }

// ProceedingStages lists the stages of criminal proceedings.
func ProceedingStages() []string { return slices.Clone(proceedingStages) }

// CooperationChoices lists the person's choice whether to cooperate with
// investigation and prosecution.
func CooperationChoices() []string { return slices.Clone(cooperation) }

// CompensationTypes lists the routes to compensation.
func CompensationTypes() []string { return slices.Clone(compTypes) }

// CompensationStatuses lists the states of a compensation claim.
func CompensationStatuses() []string { return slices.Clone(compStatuses) }

// Reflection is the reflection and recovery period of a case.
type Reflection struct {
	// Start and End are YYYY-MM-DD; empty until the case enters the
	// reflection and recovery stage.
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
	// Days is the jurisdiction's length of the period.
	Days       int         `json:"days"`
	Extensions []Extension `json:"extensions"`
}

// Running reports whether the period runs on day.
func (r Reflection) Running(day time.Time) bool {
	return cases.Case{ReflectionEnd: r.End}.ReflectionRunning(day)
}

// DaysLeft is the number of days from day to the end, 0 once it ended.
func (r Reflection) DaysLeft(day time.Time) int { return cases.DaysUntil(r.End, day) }

// Extension is one extension of the reflection period.
type Extension struct {
	ID          string    `json:"id"`
	PreviousEnd string    `json:"previous_end"`
	NewEnd      string    `json:"new_end"`
	Reason      string    `json:"reason"`
	RecordedBy  string    `json:"-"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// Permit is a residence permit.
type Permit struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Start  string `json:"start,omitempty"`
	Expiry string `json:"expiry,omitempty"`
	// Reference and Authority are decrypted; Reference only for the case
	// team on the page (see Overview.ReferencesShown), always in Export.
	Reference    string `json:"reference,omitempty"`
	HasReference bool   `json:"-"`
	Authority    string `json:"issuing_authority,omitempty"`
	// AllowsWork and AllowsStudy are "yes", "no" or "" (not recorded) for a
	// temporary permit; a long-term permit and no permit have neither.
	AllowsWork  string `json:"allows_work,omitempty"`
	AllowsStudy string `json:"allows_study,omitempty"`
	// Renews is the number of the permit this one renews, RenewedBy the
	// number of the permit that renewed this one; 0 for none.
	Renews    int       `json:"renews,omitempty"`
	RenewedBy int       `json:"renewed_by,omitempty"`
	CreatedAt time.Time `json:"recorded_at"`
	UpdatedAt time.Time `json:"updated_at"`
	renewsID  string
}

// Asylum is an asylum application.
type Asylum struct {
	ID        string    `json:"id"`
	Number    int       `json:"number"`
	AppliedOn string    `json:"applied_on,omitempty"`
	Status    string    `json:"status"`
	DecidedOn string    `json:"decided_on,omitempty"`
	CreatedAt time.Time `json:"recorded_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Proceeding is a criminal proceeding the person takes part in.
type Proceeding struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	Role   string `json:"role"`
	Stage  string `json:"stage"`
	// Cooperation is the person's choice; it is recorded here only.
	Cooperation  string    `json:"cooperation"`
	NextHearing  string    `json:"next_hearing,omitempty"`
	Reference    string    `json:"reference,omitempty"`
	HasReference bool      `json:"-"`
	CreatedAt    time.Time `json:"recorded_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Compensation is a compensation claim. Amounts are in minor units of
// Currency (cents); nil is not known.
type Compensation struct {
	ID        string    `json:"id"`
	Number    int       `json:"number"`
	Type      string    `json:"type"`
	Status    string    `json:"status"`
	FiledOn   string    `json:"filed_on,omitempty"`
	Currency  string    `json:"currency"`
	Claimed   *int64    `json:"amount_claimed_minor,omitempty"`
	Awarded   *int64    `json:"amount_awarded_minor,omitempty"`
	CreatedAt time.Time `json:"recorded_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Record is everything about one case's legal status.
type Record struct {
	Reflection   Reflection     `json:"reflection"`
	Permits      []Permit       `json:"residence_permits"`
	Asylum       []Asylum       `json:"asylum_applications"`
	Proceedings  []Proceeding   `json:"criminal_proceedings"`
	Compensation []Compensation `json:"compensation_claims"`
	Penalties    []Penalty      `json:"penalties"`
	Submissions  []Submission   `json:"non_punishment_submissions"`
	Measures     []Measure      `json:"protective_measures"`
}

// HistoryEntry is one change of the legal status, from the case timeline.
type HistoryEntry struct {
	Kind string
	// RefID is the record changed; Detail its new status or stage code.
	RefID  string
	Detail string
	Actor  string // username
	At     time.Time
}

// Overview is the legal status tab of a case.
type Overview struct {
	Access cases.Access
	Record
	History []HistoryEntry
	// ReferencesShown is true when reference numbers were decrypted: only
	// for the case team (worker and members), as they can identify the person.
	ReferencesShown bool
	// CanChange is true when the reader may record changes now.
	CanChange bool
	Today     time.Time
	// Assessments are the case's risk assessments, newest (current) first,
	// so the tab shows which protective measures answer the current risk;
	// empty for a reader the risk category was not shared with.
	Assessments []risk.Assessment
}

// Get returns the legal status of a case after an audited read of the
// Legal category.
func (s *Service) Get(ctx context.Context, actor access.Actor, caseID string) (Overview, error) {
	var out Overview
	err := s.cases.View(ctx, actor, caseID, cases.Legal, func(tx *storage.Tx, a cases.Access) error {
		rec, err := s.load(ctx, tx, a.Case, a.Member)
		if err != nil {
			return err
		}
		hist, err := history(ctx, tx, a.Case.ID)
		if err != nil {
			return err
		}
		out = Overview{Access: a, Record: rec, History: hist, ReferencesShown: a.Member, Today: s.cases.Now(),
			CanChange: a.MayChange(actor, access.ManageCases, cases.Legal)}
		if a.Sees(cases.Risk) {
			out.Assessments, err = risk.Assessments(ctx, tx, a.Case.ID)
		}
		return err
	})
	return out, err
}

// Export gathers the whole legal status of the case a, decrypted, in the
// caller's transaction: for the data-protection export of a person's data.
// The caller has passed the case gate (cases.Change or View).
func (s *Service) Export(ctx context.Context, tx *storage.Tx, a cases.Access) (Record, error) {
	return s.load(ctx, tx, a.Case, true)
}

// Erase deletes every legal-status record of the case a and its legal
// deadlines, in the caller's transaction: for the data-protection erasure
// of a person's data. The caller has passed the case gate.
func (s *Service) Erase(ctx context.Context, tx *storage.Tx, a cases.Access) error {
	for _, q := range []string{
		`DELETE FROM case_deadlines WHERE case_id = $1 AND kind IN ('permit_expiry', 'permit_renewal', 'proceeding_date', 'nonpunishment_hearing')`,
		`DELETE FROM legal_protective_measures WHERE case_id = $1`,
		`DELETE FROM legal_nonpunishment WHERE case_id = $1`,
		`DELETE FROM legal_penalties WHERE case_id = $1`,
		`DELETE FROM legal_reflection_extensions WHERE case_id = $1`,
		// A renewal names the permit it renews; unlink before deleting.
		`UPDATE legal_permits SET renews_id = NULL WHERE case_id = $1`,
		`DELETE FROM legal_permits WHERE case_id = $1`,
		`DELETE FROM legal_asylum WHERE case_id = $1`,
		`DELETE FROM legal_proceedings WHERE case_id = $1`,
		`DELETE FROM legal_compensation WHERE case_id = $1`,
	} {
		if _, err := tx.ExecContext(ctx, q, a.Case.ID); err != nil {
			return fmt.Errorf("erase legal status of case %s: %w", a.Case.ID, err)
		}
	}
	return nil
}

// load reads every record of the case; reveal decrypts reference numbers.
func (s *Service) load(ctx context.Context, tx *storage.Tx, c cases.Case, reveal bool) (Record, error) {
	rec := Record{Reflection: Reflection{Start: c.ReflectionStart, End: c.ReflectionEnd, Days: s.cases.ReflectionDays()}}
	var err error
	if rec.Reflection.Extensions, err = loadExtensions(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	if rec.Permits, err = s.loadPermits(ctx, tx, c.ID, reveal); err != nil {
		return Record{}, err
	}
	if rec.Asylum, err = loadAsylum(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	if rec.Proceedings, err = s.loadProceedings(ctx, tx, c.ID, reveal); err != nil {
		return Record{}, err
	}
	if rec.Compensation, err = loadCompensation(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	if rec.Penalties, err = s.loadPenalties(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	if rec.Submissions, err = s.loadSubmissions(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	if rec.Measures, err = s.loadMeasures(ctx, tx, c.ID); err != nil {
		return Record{}, err
	}
	return rec, nil
}

// history lists the legal-status entries of the case timeline, newest first.
func history(ctx context.Context, tx *storage.Tx, caseID string) ([]HistoryEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.kind, e.ref_id, e.detail, COALESCE(u.username, ''), e.at
		FROM case_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.case_id = $1 AND e.category = $2 ORDER BY e.at DESC, e.id DESC LIMIT 200`, caseID, string(cases.Legal))
	if err != nil {
		return nil, fmt.Errorf("load legal history of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(&h.Kind, &h.RefID, &h.Detail, &h.Actor, &h.At); err != nil {
			return nil, fmt.Errorf("scan legal history of case %s: %w", caseID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// change runs fn as one legal-status change of the case: the owning
// organisation, a role that manages cases, an open case.
func (s *Service) change(ctx context.Context, actor access.Actor, caseID string, fn func(tx *storage.Tx, a cases.Access) error) error {
	return s.cases.Change(ctx, actor, access.ManageCases, caseID, cases.Legal, fn)
}

// log records a change on the case timeline and in the audit log; detail
// is a code, never free text, and never the person's choice to cooperate.
func (s *Service) log(ctx context.Context, tx *storage.Tx, actor access.Actor, c cases.Case, kind, refID, detail string) error {
	return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: kind, Category: cases.Legal, RefID: refID, Detail: detail})
}

// nextNumber is the next per-case number of a kind of record; the case row
// is locked by Change, so two changes cannot take the same number.
func nextNumber(ctx context.Context, tx *storage.Tx, table, caseID string) (int, error) {
	var n int
	// table is one of this package's constants, never input.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM `+table+` WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("number %s of case %s: %w", table, caseID, err)
	}
	return n + 1, nil
}

// recordID finds the id of a record by its per-case number.
func recordID(ctx context.Context, tx *storage.Tx, table, caseID string, number int) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE case_id = $1 AND number = $2`, caseID, number).Scan(&id)
	if err != nil {
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return "", apperr.Wrap(apperr.NotFound, "legalstatus.error.record_not_found", err)
		}
		return "", fmt.Errorf("find %s %d of case %s: %w", table, number, caseID, err)
	}
	return id, nil
}

// seal encrypts a text under the case's record, bound to its row and field.
func (s *Service) seal(ctx context.Context, tx *storage.Tx, caseID, field, text string) ([]byte, error) {
	b, err := s.cases.Vault().Seal(ctx, tx, cases.Record(caseID), field, []byte(text))
	if err != nil {
		return nil, fmt.Errorf("seal %s: %w", field, err)
	}
	return b, nil
}

// loadSealed runs query, whose one argument is the case, and scans each
// row into a record and the record's sealed columns, which it returns
// apart: they can only be opened once the rows are closed, as the vault
// queries the same transaction. what names the records in errors.
func loadSealed[T, S any](ctx context.Context, tx *storage.Tx, what, caseID, query string,
	scan func(rows *sql.Rows, r *T, sealed *S) error) ([]T, []S, error) {
	rows, err := tx.QueryContext(ctx, query, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s of case %s: %w", what, caseID, err)
	}
	out := []T{}
	var sealed []S
	for rows.Next() {
		var r T
		var t S
		if err := scan(rows, &r, &t); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("scan %s of case %s: %w", what, caseID, err)
		}
		out, sealed = append(out, r), append(sealed, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("load %s of case %s: %w", what, caseID, err)
	}
	return out, sealed, nil
}

// byNumber finds the record numbered number in a case's list of records.
func byNumber[T any](list []T, number int, numberOf func(T) int) (T, error) {
	i := slices.IndexFunc(list, func(r T) bool { return numberOf(r) == number })
	if i < 0 {
		var none T
		return none, apperr.New(apperr.NotFound, "legalstatus.error.record_not_found")
	}
	return list[i], nil
}

// open decrypts a text of the case; once the case's key was forgotten
// (erasure, anonymisation) the text is gone and reads as empty.
func (s *Service) open(ctx context.Context, tx *storage.Tx, caseID, field string, ct []byte) (string, error) {
	b, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), field, ct)
	if errors.Is(err, vault.ErrErased) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s: %w", field, err)
	}
	return string(b), nil
}
