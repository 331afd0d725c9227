package dataprotection

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// ExportHTCDS exports one case as an HTCDS document. The pseudonymous
// variant (the default) carries no name, birth date or contact and is for
// the owning organisation's staff allowed to export; the full variant
// reveals the identity, so like the person's data export it needs the case
// team and a recent step-up. Both are recorded on the timeline.
func (s *Service) ExportHTCDS(ctx context.Context, actor access.Actor, caseID, variant string) (Document, error) {
	if variant == "" {
		variant = Pseudonymous
	}
	if variant != Full && variant != Pseudonymous {
		return Document{}, apperr.Validation(apperr.FieldError{Field: "variant", Key: "error.data.htcds_variant", Args: map[string]any{"field": "variant"}})
	}
	cat := cases.Profile
	if variant == Full {
		if !actor.SteppedUp {
			if _, err := s.cases.Authorize(ctx, actor, access.ExportCase, "case", caseID); err != nil {
				return Document{}, err
			}
			return Document{}, apperr.New(apperr.StepUp, "error.step_up")
		}
		cat = cases.Identity
	}
	var out Document
	err := s.cases.Change(ctx, actor, access.ExportCase, caseID, cat, func(tx *storage.Tx, a cases.Access) error {
		var identity *cases.Person
		if variant == Full {
			if !a.Member {
				return apperr.New(apperr.Forbidden, "error.case_not_member")
			}
			p, err := s.cases.PersonIn(ctx, tx, a.Case)
			if err != nil {
				return err
			}
			identity = &p
		}
		facts, err := s.facts(ctx, tx, a.Case)
		if err != nil {
			return err
		}
		out = Document{Standard: Standard, Version: Version, Variant: variant, Reference: a.Case.Code,
			Record: recordOf(a.Case, identity, facts)}
		if out.Record.Birthdate == "" {
			out.Age = &Age{Band: a.Case.AgeBand, Child: a.Case.Child}
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "data_exported", Category: cases.Profile, Detail: "htcds_" + variant})
	})
	return out, err
}

// facts gathers the HTCDS fields kept outside the case row: from
// Waymark's own records (the referral the case came from, its consents)
// when it has them, else as an imported document declared them.
func (s *Service) facts(ctx context.Context, tx *storage.Tx, c cases.Case) (htcdsFacts, error) {
	var f htcdsFacts
	var agreement, consent, ageWhenTrafficked sql.NullInt64
	var methods, vulns string
	err := tx.QueryRowContext(ctx, `SELECT trafficking_status, decision_org, agreement, consent, age_when_trafficked, methods_of_control,
		vulnerabilities, referring_org, referral_date FROM case_imports WHERE case_id = $1`, c.ID).Scan(&f.status, &f.org, &agreement, &consent,
		&ageWhenTrafficked, &methods, &vulns, &f.referrer, &f.referralDate)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return htcdsFacts{}, fmt.Errorf("load import of case %s: %w", c.ID, err)
	default:
		if err := errors.Join(json.Unmarshal([]byte(methods), &f.methods), json.Unmarshal([]byte(vulns), &f.vulnerabilities)); err != nil {
			return htcdsFacts{}, fmt.Errorf("decode import of case %s: %w", c.ID, err)
		}
	}
	boolPtr := func(n sql.NullInt64) *bool {
		if !n.Valid {
			return nil
		}
		b := n.Int64 != 0
		return &b
	}
	f.agreement, f.consent = boolPtr(agreement), boolPtr(consent)
	if ageWhenTrafficked.Valid {
		n := int(ageWhenTrafficked.Int64)
		f.ageWhenTrafficked = &n
	}
	if s.cfg.Referral != nil {
		ref, err := s.cfg.Referral(ctx, tx, c)
		if err != nil {
			return htcdsFacts{}, err
		}
		if ref.TraffickingStatus != "" {
			f.status, f.org = ref.TraffickingStatus, ref.DecisionMakingOrg
		}
		if ref.Referrer != "" {
			f.referrer = ref.Referrer
		}
		if !ref.Accepted.IsZero() {
			f.referralDate = ref.Accepted.UTC().Format(time.DateOnly)
		}
		if m := methodsOf(ref.MethodsOfControl); len(m) > 0 {
			f.methods = m
		}
		if v := vulnerabilitiesOf(ref.Vulnerabilities, ref.ProtectionNeeds); len(v) > 0 {
			f.vulnerabilities = v
		}
	}
	list, err := cases.Consents(ctx, tx, c.ID)
	if err != nil {
		return htcdsFacts{}, err
	}
	if len(list) > 0 {
		now := s.cases.Now()
		agree, current := false, false
		for _, k := range list {
			if k.Current(now) {
				current = true
				agree = agree || slices.Contains(k.Purposes, cases.PurposeCaseManagement)
			}
		}
		f.agreement, f.consent = &agree, &current
	}
	return f, nil
}

// ImportHTCDS opens a case in the actor's organisation from an HTCDS
// document (origin "import"). The document is checked strictly first;
// on any error nothing is stored. Fields Waymark does not keep come back
// as warnings.
func (s *Service) ImportHTCDS(ctx context.Context, actor access.Actor, data []byte) (cases.Case, []Warning, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.OpenCase, "case", ""); err != nil {
		return cases.Case{}, nil, err
	}
	p, err := ParseHTCDS(data, s.cases.Now())
	if err != nil {
		return cases.Case{}, nil, err
	}
	var c cases.Case
	err = s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		var err error
		c, err = s.cases.OpenIn(ctx, tx, actor, cases.NewCase{Person: p.Person, Origin: cases.Imported, OriginID: p.Document.Reference})
		if err != nil {
			return htcdsFieldNames(err)
		}
		r := p.Document.Record
		methods, err := json.Marshal(orEmpty(r.MethodsOfControl))
		if err != nil {
			return err
		}
		vulns, err := json.Marshal(orEmpty(r.Vulnerabilities))
		if err != nil {
			return err
		}
		var ageWhenTrafficked sql.NullInt64
		if r.AgeWhenTrafficked != nil {
			ageWhenTrafficked = sql.NullInt64{Int64: int64(*r.AgeWhenTrafficked), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_imports (case_id, reference, trafficking_status, decision_org, agreement, consent,
				age_when_trafficked, methods_of_control, vulnerabilities, referring_org, referral_date, imported_by, imported_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			c.ID, p.Document.Reference, r.TraffickingStatus, r.DecisionMakingOrg, nullBool(r.AgreementToManagePersonalData),
			nullBool(r.Consent), ageWhenTrafficked, string(methods), string(vulns), r.ReferringOrganisation, r.IncomingReferralDate,
			actor.UserID, s.cases.Now()); err != nil {
			return fmt.Errorf("record import of case %s: %w", c.ID, err)
		}
		return s.cases.Log(ctx, tx, actor, c, cases.Event{Kind: "htcds_imported", Category: cases.Profile, Detail: p.Document.Variant})
	})
	if err != nil {
		return cases.Case{}, nil, err
	}
	return c, p.Warnings, nil
}

// orEmpty stores an absent list as an empty one, as the column's default.
func orEmpty(vs []string) []string {
	if vs == nil {
		return []string{}
	}
	return vs
}

// methodsOf keeps the methods of control the catalogue names in the
// picklist's order; a value the picklist lacks is a method of control all
// the same, which HTCDS calls Other.
func methodsOf(values []string) []string {
	for i, v := range values {
		if !slices.Contains(methodsOfControl, v) {
			values[i] = "Other"
		}
	}
	return inOrder(methodsOfControl, values)
}

// vulnerabilitiesOf is the vic_Vulnerabilities values of a screening: those
// its catalogue names and those of its protection needs, in the picklist's
// order.
func vulnerabilitiesOf(values, needs []string) []string {
	for _, n := range needs {
		if v, ok := protectionNeedValues[n]; ok {
			values = append(values, v)
		}
	}
	return inOrder(vulnerabilities, values)
}

func nullBool(b *bool) sql.NullInt64 {
	if b == nil {
		return sql.NullInt64{}
	}
	if *b {
		return sql.NullInt64{Int64: 1, Valid: true}
	}
	return sql.NullInt64{Int64: 0, Valid: true}
}

// caseFields maps the fields of the case form to the HTCDS fields they came
// from, so an error found while opening the case names the document's field.
var caseFields = map[string]string{
	"given_names": "prs_FirstName", "birth_date": "prs_Birthdate", "gender": "prs_Gender",
	"citizenships": "prs_Citizenship", "languages": "prs_PrimaryLanguage", "exploitation": "vic_TypeOfExploitation",
}

func htcdsFieldNames(err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if name, ok := caseFields[f.Field]; ok {
			f.Field = name
		}
		out[i] = f
	}
	return apperr.Validation(out...)
}
