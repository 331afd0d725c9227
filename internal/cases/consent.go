package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Consent purposes: what the person agreed their data may be used for.
const (
	// PurposeCaseManagement is keeping the case and assisting the person.
	PurposeCaseManagement = "case_management"
	// PurposeReferral is referring the person to service providers.
	PurposeReferral = "referral"
	// PurposeSharing is sharing or transferring the case to other
	// organisations of the referral mechanism.
	PurposeSharing = "sharing"
)

var consentPurposes = []string{PurposeCaseManagement, PurposeReferral, PurposeSharing}

// ConsentPurposes lists the purposes in display order.
func ConsentPurposes() []string { return slices.Clone(consentPurposes) }

// Consent methods and who gave it.
var (
	consentMethods = []string{"written", "oral_witnessed", "oral_recorded"}
	consentGivers  = []string{"person", "guardian"}
)

// ConsentMethods lists how consent can be obtained.
func ConsentMethods() []string { return slices.Clone(consentMethods) }

// ConsentRecord is one informed consent.
type ConsentRecord struct {
	ID       string
	CaseID   string
	Purposes []string
	Orgs     []string
	// Providers are service providers of the directory the person agreed
	// to be referred to; one outside the partnership is covered only here.
	Providers  []string
	Categories []Category
	// Language is the language the information was given in (ISO 639-1);
	// Interpreter is true when it went through an interpreter.
	Language    string
	Interpreter bool
	Method      string
	// GivenBy is "person" or, for a child, "guardian".
	GivenBy string
	// ChildHeard and BestInterest record, for a child, that the child was
	// heard and the guardian confirmed the consent serves the child's best
	// interest.
	ChildHeard   bool
	BestInterest bool
	GivenOn      string
	RecordedBy   string
	RecordedAt   time.Time
	WithdrawnOn  string
	WithdrawnBy  string
}

// Current reports whether the consent stands on day.
func (c ConsentRecord) Current(day time.Time) bool {
	d := day.Format(time.DateOnly)
	return c.GivenOn <= d && (c.WithdrawnOn == "" || c.WithdrawnOn > d)
}

// Covers reports whether the consent stands on day for purpose, for
// organisation org ("" when no organisation is involved) and every one of cats.
func (c ConsentRecord) Covers(day time.Time, purpose, org string, cats []Category) bool {
	if !c.Current(day) || !slices.Contains(c.Purposes, purpose) {
		return false
	}
	if org != "" && !slices.Contains(c.Orgs, org) {
		return false
	}
	for _, cat := range cats {
		if cat != Profile && cat != Consent && !slices.Contains(c.Categories, cat) {
			return false
		}
	}
	return true
}

// ConsentInput is the consent form.
type ConsentInput struct {
	Purposes     []string
	Orgs         []string
	Providers    []string
	Categories   []string
	Language     string
	Interpreter  bool
	Method       string
	GivenBy      string
	ChildHeard   bool
	BestInterest bool
	GivenOn      string
}

// check validates the form for a case on day; orgs must exist (checked by
// the caller in SQL).
func (in ConsentInput) check(c Case, day time.Time) []apperr.FieldError {
	var fe []apperr.FieldError
	bad := func(field, key string) { fe = append(fe, apperr.FieldError{Field: field, Key: key}) }
	if len(in.Purposes) == 0 || !all(in.Purposes, func(p string) bool { return slices.Contains(consentPurposes, p) }) {
		bad("purposes", "error.consent_purposes")
	}
	if !all(in.Categories, func(s string) bool { return slices.Contains(shareable, Category(s)) }) {
		bad("categories", "error.consent_categories")
	}
	if !languageCode.MatchString(in.Language) {
		bad("language", "error.case_language_codes")
	}
	if !slices.Contains(consentMethods, in.Method) {
		bad("method", "error.consent_method")
	}
	if !slices.Contains(consentGivers, in.GivenBy) {
		bad("given_by", "error.consent_given_by")
	}
	if c.Child {
		// A child's consent goes through the guardian, who confirms the
		// child was heard and that it serves the child's best interest
		// (OSCE Alliance position paper; CRC art. 3 and 12).
		if in.GivenBy != "guardian" {
			bad("given_by", "error.consent_child_guardian")
		}
		if !in.ChildHeard || !in.BestInterest {
			bad("best_interest", "error.consent_child_best_interest")
		}
	}
	on, err := parseDay(in.GivenOn)
	switch {
	case err != nil:
		bad("given_on", "error.date")
	case on.After(day):
		bad("given_on", "error.date_future")
	}
	// Sharing is always with named organisations; a referral may go to a
	// provider outside the partnership, so its organisations are optional.
	if slices.Contains(in.Purposes, PurposeSharing) && len(in.Orgs) == 0 {
		bad("orgs", "error.consent_orgs")
	}
	return fe
}

const consentColumns = `id, case_id, purposes, orgs, categories, language, interpreter, method, given_by, child_heard,
	best_interest, given_on, recorded_by, recorded_at, withdrawn_on, COALESCE(withdrawn_by, ''), providers`

func scanConsent(row scanner) (ConsentRecord, error) {
	var c ConsentRecord
	var purposes, orgs, cats, providers string
	var interp, heard, best int
	err := row.Scan(&c.ID, &c.CaseID, &purposes, &orgs, &cats, &c.Language, &interp, &c.Method, &c.GivenBy, &heard,
		&best, &c.GivenOn, &c.RecordedBy, &c.RecordedAt, &c.WithdrawnOn, &c.WithdrawnBy, &providers)
	if err != nil {
		return ConsentRecord{}, err
	}
	c.Interpreter, c.ChildHeard, c.BestInterest = interp != 0, heard != 0, best != 0
	for _, f := range []struct {
		src string
		dst any
	}{{purposes, &c.Purposes}, {orgs, &c.Orgs}, {cats, &c.Categories}, {providers, &c.Providers}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return ConsentRecord{}, fmt.Errorf("decode consent %s: %w", c.ID, err)
		}
	}
	return c, nil
}

// Consents lists a case's consent records, newest first, inside a
// transaction that went through the gate.
func Consents(ctx context.Context, tx *storage.Tx, caseID string) ([]ConsentRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+consentColumns+` FROM case_consents WHERE case_id = $1 ORDER BY recorded_at DESC, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load consents of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []ConsentRecord
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan consent of case %s: %w", caseID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CheckConsent finds a current consent of the case for purpose, naming
// organisation org ("" when none is involved) and covering cats. Every
// share and referral calls it in code before it acts; without consent it is
// a Conflict error that names what is missing. For a child the consent must
// have come through the guardian with the child's best interest confirmed.
func (s *Service) CheckConsent(ctx context.Context, tx *storage.Tx, c Case, purpose, org string, cats []Category) (string, error) {
	list, err := Consents(ctx, tx, c.ID)
	if err != nil {
		return "", err
	}
	day := s.now()
	for _, k := range list {
		if c.Child && (k.GivenBy != "guardian" || !k.BestInterest) {
			continue
		}
		if k.Covers(day, purpose, org, cats) {
			return k.ID, nil
		}
	}
	if c.Child {
		return "", apperr.New(apperr.Conflict, "error.case_no_consent_child")
	}
	return "", apperr.New(apperr.Conflict, "error.case_no_consent")
}

// CheckProviderConsent finds a current consent of the case to referrals,
// with its assistance data, that names the provider: by its organisation
// when it is a partner, else by the provider itself. A consent that names
// neither does not cover a provider outside the partnership.
func (s *Service) CheckProviderConsent(ctx context.Context, tx *storage.Tx, c Case, providerID, providerOrg string) (string, error) {
	list, err := Consents(ctx, tx, c.ID)
	if err != nil {
		return "", err
	}
	day := s.now()
	for _, k := range list {
		if c.Child && (k.GivenBy != "guardian" || !k.BestInterest) {
			continue
		}
		if !k.Covers(day, PurposeReferral, "", []Category{Assistance}) {
			continue
		}
		if slices.Contains(k.Providers, providerID) || (providerOrg != "" && slices.Contains(k.Orgs, providerOrg)) {
			return k.ID, nil
		}
	}
	if c.Child {
		return "", apperr.New(apperr.Conflict, "error.case_no_consent_child")
	}
	return "", apperr.New(apperr.Conflict, "error.case_no_consent_provider")
}

// RecordConsent records an informed consent on a case.
func (s *Service) RecordConsent(ctx context.Context, actor access.Actor, caseID string, in ConsentInput) (ConsentRecord, error) {
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	in.Orgs = cleanList(in.Orgs, strings.TrimSpace)
	in.Providers = cleanList(in.Providers, strings.TrimSpace)
	in.Purposes = cleanList(in.Purposes, strings.TrimSpace)
	in.Categories = cleanList(in.Categories, strings.TrimSpace)
	var out ConsentRecord
	err := s.Change(ctx, actor, access.ManageCases, caseID, Consent, func(tx *storage.Tx, a Access) error {
		fe := in.check(a.Case, s.now())
		if len(in.Orgs) > 0 {
			ph, args := storage.InList(1, in.Orgs)
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE disabled_at IS NULL AND id IN (`+ph+`)`, args...).Scan(&n); err != nil {
				return fmt.Errorf("check consent organisations: %w", err)
			}
			if n != len(in.Orgs) {
				fe = append(fe, apperr.FieldError{Field: "orgs", Key: "error.org_unknown"})
			}
		}
		if len(in.Providers) > 0 {
			n := 0
			if s.providersKnown != nil {
				var err error
				if n, err = s.providersKnown(ctx, tx, in.Providers); err != nil {
					return err
				}
			}
			if n != len(in.Providers) {
				fe = append(fe, apperr.FieldError{Field: "providers", Key: "error.consent_provider_unknown"})
			}
		}
		if len(fe) > 0 {
			return apperr.Validation(fe...)
		}
		out = ConsentRecord{ID: newID(), CaseID: caseID, Purposes: in.Purposes, Orgs: in.Orgs, Providers: in.Providers, Language: in.Language,
			Interpreter: in.Interpreter, Method: in.Method, GivenBy: in.GivenBy, ChildHeard: in.ChildHeard,
			BestInterest: in.BestInterest, GivenOn: in.GivenOn, RecordedBy: actor.UserID, RecordedAt: s.now()}
		for _, c := range in.Categories {
			out.Categories = append(out.Categories, Category(c))
		}
		return s.insertConsent(ctx, tx, actor, a.Case, out)
	})
	return out, err
}

// insertConsent stores a validated consent record on case c and logs it.
func (s *Service) insertConsent(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, k ConsentRecord) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_consents (id, case_id, purposes, orgs, categories, language, interpreter,
			method, given_by, child_heard, best_interest, given_on, recorded_by, recorded_at, providers)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		k.ID, c.ID, jsonList(k.Purposes), jsonList(k.Orgs), jsonList(k.Categories), k.Language,
		storage.Flag(k.Interpreter), k.Method, k.GivenBy, storage.Flag(k.ChildHeard), storage.Flag(k.BestInterest),
		k.GivenOn, actor.UserID, k.RecordedAt, jsonList(k.Providers))
	if err != nil {
		return fmt.Errorf("insert consent on case %s: %w", c.ID, err)
	}
	return s.Log(ctx, tx, actor, c, Event{Kind: "consent_recorded", Category: Consent, RefID: k.ID,
		Detail: strings.Join(k.Purposes, ",")})
}

// WithdrawConsent records that the person withdrew a consent on a day.
// Shares that rested on it end at once: the receivers lose access in the
// same transaction.
func (s *Service) WithdrawConsent(ctx context.Context, actor access.Actor, caseID, consentID, on string) error {
	return s.Change(ctx, actor, access.ManageCases, caseID, Consent, func(tx *storage.Tx, a Access) error {
		day, err := parseDay(on)
		switch {
		case err != nil:
			return apperr.Validation(apperr.FieldError{Field: "withdrawn_on", Key: "error.date"})
		case day.After(s.now()):
			return apperr.Validation(apperr.FieldError{Field: "withdrawn_on", Key: "error.date_future"})
		}
		k, err := scanConsent(tx.QueryRowContext(ctx, `SELECT `+consentColumns+` FROM case_consents WHERE id = $1 AND case_id = $2`, consentID, caseID))
		if err != nil {
			return fmt.Errorf("load consent %s: %w", consentID, storage.MapError(err))
		}
		if k.WithdrawnOn != "" {
			return apperr.New(apperr.Conflict, "error.consent_withdrawn_already")
		}
		if on < k.GivenOn {
			return apperr.Validation(apperr.FieldError{Field: "withdrawn_on", Key: "error.consent_withdrawn_before_given"})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_consents SET withdrawn_on = $1, withdrawn_by = $2, withdrawn_at = $3 WHERE id = $4`,
			on, actor.UserID, s.now(), consentID); err != nil {
			return fmt.Errorf("withdraw consent %s: %w", consentID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_shares SET status = 'ended', ended_at = $1
			WHERE consent_id = $2 AND status IN ('pending', 'accepted') AND kind = 'share'`, s.now(), consentID); err != nil {
			return fmt.Errorf("end shares of consent %s: %w", consentID, err)
		}
		for _, h := range s.withdrawHooks {
			if err := h(ctx, tx, actor, a.Case, consentID); err != nil {
				return err
			}
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "consent_withdrawn", Category: Consent, RefID: consentID})
	})
}
