// Package agreements is the formal side of the local partnership: the
// memoranda of cooperation between its organisations (and parties outside
// it), with their signed documents and renewal dates, and the named contact
// persons each organisation gives its partners.
//
// The Danube Roundtable's Ljubljana example (/work/shared/seeds/
// danube-roundtable-summary.txt) is the model: an NGO and the police
// confirm their cooperation in a memorandum, and the police name trained
// contact persons whom the NGO calls when it sees signs of trafficking.
// The coordinator keeps both (access.ManageAgreements); every staff role
// that screens, refers or holds cases reads them (access.ViewAgreements).
//
// An agreement's title and scope are institutional text and stay in the
// clear; its signed document carries signatories' names and signatures and
// is sealed under "agreements/<id>". A contact person's name, phone and
// e-mail are their personal data, sealed under "contacts/<id>"; every read
// of them is audited, and removing a contact forgets its key.
//
// A renewal date has a reminder: the coordinators are mailed a set number
// of days before it (SendReminders, run by the jobs runner like the crisis
// unit's deadline reminders), and the agreement list marks it until the
// agreement is renewed or ended.
package agreements

import (
	"context"
	"errors"
	"fmt"
	"github.com/google/uuid"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/files"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service keeps agreements and contact persons.
type Service struct {
	db       *storage.DB
	vault    *vault.Vault
	gate     audit.Gate
	now      func() time.Time
	accounts *accounts.Service
	files    *files.Cleaner
}

// Deps are what the agreements service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// Accounts names the partnership's organisations.
	Accounts *accounts.Service
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the agreements service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, accounts: d.Accounts,
		files: files.NewCleaner(MaxDocument, 1)}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Agreement statuses.
const (
	Draft  = "draft"
	Signed = "signed"
	Ended  = "ended"
)

var statuses = []string{Draft, Signed, Ended}

// Statuses lists an agreement's statuses in their order.
func Statuses() []string { return slices.Clone(statuses) }

// Limits.
const (
	MaxTitle   = 300
	MaxScope   = 5000
	maxOutside = 20
	maxParty   = 200
	maxOrgs    = 100
	// MaxRemindDays is the earliest a reminder can come before renewal.
	MaxRemindDays = 365
	// DefaultRemindDays is the reminder the form proposes.
	DefaultRemindDays = 60
	// MaxDocument is the largest signed document accepted, in bytes.
	MaxDocument = 10 << 20
)

func agreementRecord(id string) string { return "agreements/" + id }

// Party is an organisation of the partnership that is party to an
// agreement.
type Party struct {
	OrgID string
	Name  string
	Kind  accounts.OrgKind
}

// Agreement is a memorandum of cooperation.
type Agreement struct {
	ID     string
	Title  string
	Scope  string
	Status string
	// SignedOn and RenewOn are YYYY-MM-DD, "" when not set.
	SignedOn   string
	RenewOn    string
	RemindDays int
	Parties    []Party
	// Outside are parties that are not organisations of the partnership.
	Outside      []string
	DocumentSize int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// HasDocument reports whether the signed document is on file.
func (a Agreement) HasDocument() bool { return a.DocumentSize > 0 }

// DocumentKB is the signed document's size in kilobytes, rounded up.
func (a Agreement) DocumentKB() int { return (a.DocumentSize + 1023) / 1024 }

// RemindFrom is the day the renewal reminder is due, "" without one. Only
// a signed agreement is renewed.
func (a Agreement) RemindFrom() string {
	if a.Status != Signed || a.RenewOn == "" {
		return ""
	}
	d, err := time.Parse(time.DateOnly, a.RenewOn)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -a.RemindDays).Format(time.DateOnly)
}

// RenewalDue reports whether the reminder day has come on day today
// (YYYY-MM-DD): the renewal needs attention.
func (a Agreement) RenewalDue(today string) bool {
	from := a.RemindFrom()
	return from != "" && from <= today
}

// Overdue reports whether a signed agreement's renewal date has passed.
func (a Agreement) Overdue(today string) bool {
	return a.Status == Signed && a.RenewOn != "" && a.RenewOn < today
}

// Input is the agreement form.
type Input struct {
	Title    string
	Scope    string
	Status   string
	SignedOn string
	RenewOn  string
	// RemindDays is the number of days before RenewOn the reminder comes;
	// "" means DefaultRemindDays.
	RemindDays string
	OrgIDs     []string
	// Outside names the parties outside the partnership, one per line.
	Outside string
}

// fields collects a form's field errors, with this package's checks.
type fields struct{ apperr.Fields }

func (f *fields) badArgs(field, key string, args map[string]any) {
	f.Fields = append(f.Fields, apperr.FieldError{Field: field, Key: key, Args: args})
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// lines splits text into trimmed, non-empty, distinct lines.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.Join(strings.Fields(l), " "); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// check normalises the input and returns its field errors and the parsed
// reminder days; which organisations exist is checked in the transaction.
func (in *Input) check(today string) (fields, int) {
	var fe fields
	in.Title, in.Scope = strings.Join(strings.Fields(in.Title), " "), strings.TrimSpace(in.Scope)
	in.Status, in.SignedOn, in.RenewOn = strings.TrimSpace(in.Status), strings.TrimSpace(in.SignedOn), strings.TrimSpace(in.RenewOn)
	in.RemindDays = strings.TrimSpace(in.RemindDays)
	var orgs []string
	for _, id := range in.OrgIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(orgs, id) {
			orgs = append(orgs, id)
		}
	}
	in.OrgIDs = orgs
	outside := lines(in.Outside)
	in.Outside = strings.Join(outside, "\n")

	if in.Title == "" || tooLong(in.Title, MaxTitle) {
		fe.badArgs("title", "agreements.error.title", map[string]any{"n": MaxTitle})
	}
	if tooLong(in.Scope, MaxScope) {
		fe.badArgs("scope", "agreements.error.too_long", map[string]any{"n": MaxScope})
	}
	if !slices.Contains(statuses, in.Status) {
		fe.Add("status", "agreements.error.status")
	}
	if len(in.OrgIDs) > maxOrgs {
		fe.Add("orgs", "agreements.error.parties")
	}
	if len(outside) > maxOutside || slices.ContainsFunc(outside, func(p string) bool { return tooLong(p, maxParty) }) {
		fe.badArgs("outside", "agreements.error.outside", map[string]any{"n": maxOutside, "max": maxParty})
	}
	if len(in.OrgIDs)+len(outside) < 2 {
		fe.Add("orgs", "agreements.error.parties")
	}
	days := DefaultRemindDays
	if in.RemindDays != "" {
		n, err := strconv.Atoi(in.RemindDays)
		if err != nil || n < 0 || n > MaxRemindDays {
			fe.badArgs("remind_days", "agreements.error.remind_days", map[string]any{"n": MaxRemindDays})
		}
		days = n
	}
	signed, signedOK := checkDate(&fe, "signed_on", in.SignedOn)
	renew, renewOK := checkDate(&fe, "renew_on", in.RenewOn)
	switch {
	case in.Status == Draft && in.SignedOn != "":
		fe.Add("signed_on", "agreements.error.signed_draft")
	case (in.Status == Signed || in.Status == Ended) && in.SignedOn == "":
		fe.Add("signed_on", "agreements.error.signed_on")
	case signedOK && signed > today:
		fe.Add("signed_on", "agreements.error.date_future")
	}
	switch {
	case in.RenewOn != "" && in.Status == Draft:
		fe.Add("renew_on", "agreements.error.renew_unsigned")
	case signedOK && renewOK && renew <= signed:
		fe.Add("renew_on", "agreements.error.renew_before_signing")
	}
	return fe, days
}

// checkDate parses a YYYY-MM-DD field; "" is no date.
func checkDate(fe *fields, field, v string) (string, bool) {
	if v == "" {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		fe.Add(field, "agreements.error.date")
		return "", false
	}
	return v, true
}

// checkOrgs adds a field error unless every id is an active organisation
// or one already party to the agreement (a partner disabled since stays
// party to what it signed).
func checkOrgs(ctx context.Context, tx *storage.Tx, fe *fields, ids, keep []string) error {
	for _, id := range ids {
		if slices.Contains(keep, id) {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, id).Scan(&n); err != nil {
			return fmt.Errorf("check organisation %s: %w", id, err)
		}
		if n == 0 {
			fe.Add("orgs", "agreements.error.org_unknown")
			return nil
		}
	}
	return nil
}

func (s *Service) today() string { return s.now().UTC().Format(time.DateOnly) }

// Today is the service's current day, YYYY-MM-DD, for pages that mark
// due renewals.
func (s *Service) Today() string { return s.today() }

const agreementColumns = `id, title, scope, status, signed_on, renew_on, remind_days, outside, document_size, created_at, updated_at`

func scanAgreement(r interface{ Scan(...any) error }) (Agreement, error) {
	var a Agreement
	var outside string
	if err := r.Scan(&a.ID, &a.Title, &a.Scope, &a.Status, &a.SignedOn, &a.RenewOn, &a.RemindDays, &outside,
		&a.DocumentSize, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return Agreement{}, err
	}
	a.Outside = lines(outside)
	return a, nil
}

// loadParties fills in the parties of the agreements in list.
func loadParties(ctx context.Context, tx *storage.Tx, list []Agreement) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	at := map[string]int{}
	for i, a := range list {
		ids[i], at[a.ID] = a.ID, i
	}
	in, args := storage.InList(1, ids)
	rows, err := tx.QueryContext(ctx, `SELECT p.agreement_id, o.id, o.name, o.kind FROM agreement_parties p
		JOIN organisations o ON o.id = p.org_id WHERE p.agreement_id IN (`+in+`) ORDER BY lower(o.name), o.id`, args...)
	if err != nil {
		return fmt.Errorf("load agreement parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var p Party
		if err := rows.Scan(&id, &p.OrgID, &p.Name, &p.Kind); err != nil {
			return fmt.Errorf("scan agreement party: %w", err)
		}
		list[at[id]].Parties = append(list[at[id]].Parties, p)
	}
	return rows.Err()
}

func getAgreement(ctx context.Context, tx *storage.Tx, id string, lock bool) (Agreement, error) {
	q := `SELECT ` + agreementColumns + ` FROM agreements WHERE id = $1`
	if lock {
		q += tx.ForUpdate()
	}
	a, err := scanAgreement(tx.QueryRowContext(ctx, q, id))
	if err != nil {
		return Agreement{}, fmt.Errorf("load agreement %s: %w", id, storage.MapError(err))
	}
	list := []Agreement{a}
	if err := loadParties(ctx, tx, list); err != nil {
		return Agreement{}, err
	}
	return list[0], nil
}

// rank orders the list: signed agreements whose renewal comes first, then
// drafts, then ended ones.
func rank(a Agreement) int { return slices.Index([]string{Signed, Draft, Ended}, a.Status) }

// List returns every agreement: signed ones by renewal date (the nearest
// first, those without one last), then drafts, then ended ones.
func (s *Service) List(ctx context.Context, actor access.Actor) ([]Agreement, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ViewAgreements, "agreement", ""); err != nil {
		return nil, err
	}
	var out []Agreement
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+agreementColumns+` FROM agreements ORDER BY lower(title), id LIMIT 1000`)
		if err != nil {
			return fmt.Errorf("list agreements: %w", err)
		}
		for rows.Next() {
			a, err := scanAgreement(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan agreement: %w", err)
			}
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list agreements: %w", err)
		}
		return loadParties(ctx, tx, out)
	})
	slices.SortStableFunc(out, func(a, b Agreement) int {
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		if a.Status == Signed && a.RenewOn != b.RenewOn {
			if a.RenewOn == "" || b.RenewOn == "" {
				return len(b.RenewOn) - len(a.RenewOn)
			}
			return strings.Compare(a.RenewOn, b.RenewOn)
		}
		return 0
	})
	return out, err
}

// Get returns one agreement.
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Agreement, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ViewAgreements, "agreement", id); err != nil {
		return Agreement{}, err
	}
	var out Agreement
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = getAgreement(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Create records a new agreement.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Agreement, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "agreement", ""); err != nil {
		return Agreement{}, err
	}
	fe, days := in.check(s.today())
	var out Agreement
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkOrgs(ctx, tx, &fe, in.OrgIDs, nil); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreements (id, title, scope, status, signed_on, renew_on, remind_days, outside,
				created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)`,
			id, in.Title, in.Scope, in.Status, in.SignedOn, in.RenewOn, days, in.Outside, actor.UserID, now); err != nil {
			return fmt.Errorf("insert agreement: %w", storage.MapError(err))
		}
		if err := setParties(ctx, tx, id, in.OrgIDs); err != nil {
			return err
		}
		if err := s.gate.Record(ctx, tx, actor, "agreement.create", "agreement", id, "", in.Status); err != nil {
			return err
		}
		var err error
		out, err = getAgreement(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Update changes an agreement; its document stays.
func (s *Service) Update(ctx context.Context, actor access.Actor, id string, in Input) (Agreement, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "agreement", id); err != nil {
		return Agreement{}, err
	}
	fe, days := in.check(s.today())
	var out Agreement
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		cur, err := getAgreement(ctx, tx, id, true)
		if err != nil {
			return err
		}
		var keep []string
		for _, p := range cur.Parties {
			keep = append(keep, p.OrgID)
		}
		if err := checkOrgs(ctx, tx, &fe, in.OrgIDs, keep); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET title = $1, scope = $2, status = $3, signed_on = $4, renew_on = $5,
				remind_days = $6, outside = $7, updated_by = $8, updated_at = $9 WHERE id = $10`,
			in.Title, in.Scope, in.Status, in.SignedOn, in.RenewOn, days, in.Outside, actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("update agreement %s: %w", id, storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agreement_parties WHERE agreement_id = $1`, id); err != nil {
			return fmt.Errorf("clear parties of agreement %s: %w", id, err)
		}
		if err := setParties(ctx, tx, id, in.OrgIDs); err != nil {
			return err
		}
		if err := s.gate.Record(ctx, tx, actor, "agreement.update", "agreement", id, "", cur.Status+">"+in.Status); err != nil {
			return err
		}
		out, err = getAgreement(ctx, tx, id, false)
		return err
	})
	return out, err
}

func setParties(ctx context.Context, tx *storage.Tx, id string, orgIDs []string) error {
	for _, org := range orgIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_parties (agreement_id, org_id) VALUES ($1, $2)`, id, org); err != nil {
			return fmt.Errorf("add party %s to agreement %s: %w", org, id, storage.MapError(err))
		}
	}
	return nil
}

// SetDocument stores the signed document of an agreement, replacing any
// before it. Only a PDF is accepted, recognised by its content.
func (s *Service) SetDocument(ctx context.Context, actor access.Actor, id string, data []byte) (Agreement, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "agreement", id); err != nil {
		return Agreement{}, err
	}
	mediaType, clean, err := s.files.Clean(data)
	switch {
	case errors.Is(err, files.ErrTooLarge):
		return Agreement{}, apperr.Validation(apperr.FieldError{Field: "document", Key: "agreements.error.document_size",
			Args: map[string]any{"n": MaxDocument >> 20}})
	case err != nil && !errors.Is(err, files.ErrType) && !errors.Is(err, files.ErrDamaged) && !errors.Is(err, files.ErrImageTooLarge):
		return Agreement{}, fmt.Errorf("check document of agreement %s: %w", id, err)
	case err != nil || mediaType != files.TypePDF:
		return Agreement{}, apperr.Validation(apperr.FieldError{Field: "document", Key: "agreements.error.document_type"})
	}
	var out Agreement
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := getAgreement(ctx, tx, id, true); err != nil {
			return err
		}
		sealed, err := s.vault.Seal(ctx, tx, agreementRecord(id), "document", clean)
		if err != nil {
			return fmt.Errorf("seal document of agreement %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agreements SET document = $1, document_size = $2, updated_by = $3, updated_at = $4 WHERE id = $5`,
			sealed, len(clean), actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("store document of agreement %s: %w", id, err)
		}
		if err := s.gate.Record(ctx, tx, actor, "agreement.document", "agreement", id, "", strconv.Itoa(len(clean))); err != nil {
			return err
		}
		out, err = getAgreement(ctx, tx, id, false)
		return err
	})
	return out, err
}

// Document returns an agreement's signed document (a PDF) and its title;
// the read is audited, as the document names its signatories.
func (s *Service) Document(ctx context.Context, actor access.Actor, id string) (title string, pdf []byte, err error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ViewAgreements, "agreement", id); err != nil {
		return "", nil, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var sealed []byte
		if err := tx.QueryRowContext(ctx, `SELECT title, document FROM agreements WHERE id = $1`, id).Scan(&title, &sealed); err != nil {
			return fmt.Errorf("load document of agreement %s: %w", id, storage.MapError(err))
		}
		if len(sealed) == 0 {
			return apperr.New(apperr.NotFound, "agreements.error.no_document")
		}
		b, err := s.vault.Open(ctx, tx, agreementRecord(id), "document", sealed)
		if err != nil {
			if errors.Is(err, vault.ErrErased) {
				return apperr.New(apperr.NotFound, "agreements.error.no_document")
			}
			return fmt.Errorf("open document of agreement %s: %w", id, err)
		}
		pdf = b
		return s.gate.Record(ctx, tx, actor, "agreement.document_read", "agreement", id, "", "")
	})
	return title, pdf, err
}

// Organisations lists the partnership's organisations, for choosing the
// parties of an agreement and the organisation of a contact person.
func (s *Service) Organisations(ctx context.Context, actor access.Actor) ([]accounts.Organisation, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ViewAgreements, "organisation", ""); err != nil {
		return nil, err
	}
	return s.accounts.ListOrganisations(ctx, actor)
}
