package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Informed records are kept under the Consent category: being informed is
// the first half of informed consent, and like the consents they travel
// with the case to every organisation it is shared with, so that whoever
// works with the person knows what they have already been told (and in
// which language) before asking them to decide anything.

// informedTopics are what the person can be informed of: their rights, the
// reflection and recovery period (OSCE Alliance position paper: as soon as
// they meet a service provider or the police), each decision on their
// status (reasonable grounds, formal identification), their return, or
// anything else.
var informedTopics = []string{"rights", "reflection_period", "decision_rg", "decision_formal", "return", "other"}

// InformedTopics lists the topic codes in display order.
func InformedTopics() []string { return slices.Clone(informedTopics) }

// MaxInformedBy is the longest "informed by", in characters.
const MaxInformedBy = 200

// Informed is one record that the person was informed of something.
type Informed struct {
	ID     string
	CaseID string
	Topic  string
	// On is the day (YYYY-MM-DD); Language the language it was given in
	// (ISO 639-1), Interpreter whether through an interpreter.
	On          string
	Language    string
	Interpreter bool
	// By is who informed the person (a name or a role), decrypted.
	By         string
	RecordedBy string
	RecordedAt time.Time
}

// InformedInput is the form; its field errors name the fields topic,
// informed_on, informed_language and informed_by, which the consent tab's
// page shares with the consent form.
type InformedInput struct {
	Topic       string
	On          string
	Language    string
	Interpreter bool
	By          string
}

func (in *InformedInput) check(day time.Time) []apperr.FieldError {
	in.Topic, in.On, in.By = strings.TrimSpace(in.Topic), strings.TrimSpace(in.On), strings.TrimSpace(in.By)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	var fe []apperr.FieldError
	bad := func(field, key string) { fe = append(fe, apperr.FieldError{Field: field, Key: key}) }
	if !slices.Contains(informedTopics, in.Topic) {
		bad("topic", "error.informed_topic")
	}
	on, err := parseDay(in.On)
	switch {
	case err != nil:
		bad("informed_on", "error.date")
	case on.After(day):
		bad("informed_on", "error.date_future")
	}
	if !languageCode.MatchString(in.Language) {
		bad("informed_language", "error.case_language_codes")
	}
	switch {
	case in.By == "":
		bad("informed_by", "error.required")
	case !utf8.ValidString(in.By):
		bad("informed_by", "error.bad_encoding")
	case utf8.RuneCountInString(in.By) > MaxInformedBy:
		bad("informed_by", "error.too_long")
	}
	return fe
}

func informedField(id string) string { return "informed_by/" + id }

// RecordInformed records that the person was informed of a topic.
func (s *Service) RecordInformed(ctx context.Context, actor access.Actor, caseID string, in InformedInput) (Informed, error) {
	if fe := in.check(s.now()); len(fe) > 0 {
		return Informed{}, apperr.Validation(fe...)
	}
	out := Informed{ID: newID(), CaseID: caseID, Topic: in.Topic, On: in.On, Language: in.Language, Interpreter: in.Interpreter,
		By: in.By, RecordedBy: actor.UserID, RecordedAt: s.now()}
	err := s.Change(ctx, actor, access.ManageCases, caseID, Consent, func(tx *storage.Tx, a Access) error {
		sealed, err := s.vault.Seal(ctx, tx, Record(caseID), informedField(out.ID), []byte(out.By))
		if err != nil {
			return fmt.Errorf("seal informed-by on case %s: %w", caseID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_informed (id, case_id, org_id, topic, informed_on, language, interpreter,
				informed_by, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			out.ID, caseID, a.Case.OrgID, out.Topic, out.On, out.Language, storage.Flag(out.Interpreter), sealed, actor.UserID, out.RecordedAt); err != nil {
			return fmt.Errorf("insert informed record on case %s: %w", caseID, err)
		}
		return s.Log(ctx, tx, actor, a.Case, Event{Kind: "informed", Category: Consent, RefID: out.ID, Detail: out.Topic})
	})
	if err != nil {
		return Informed{}, err
	}
	return out, nil
}

// InformedOf lists what the person of a case was informed of, newest day
// first, decrypted, inside a transaction that went through the gate.
func (s *Service) InformedOf(ctx context.Context, tx *storage.Tx, caseID string) ([]Informed, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, case_id, topic, informed_on, language, interpreter, informed_by, recorded_by, recorded_at
		FROM case_informed WHERE case_id = $1 ORDER BY informed_on DESC, recorded_at DESC, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load informed records of case %s: %w", caseID, err)
	}
	var out []Informed
	var sealed [][]byte
	for rows.Next() {
		var k Informed
		var interp int
		var blob []byte
		if err := rows.Scan(&k.ID, &k.CaseID, &k.Topic, &k.On, &k.Language, &interp, &blob, &k.RecordedBy, &k.RecordedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan informed record of case %s: %w", caseID, err)
		}
		k.Interpreter = interp != 0
		out, sealed = append(out, k), append(sealed, blob)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load informed records of case %s: %w", caseID, err)
	}
	// The vault reads the same transaction, so decrypt after the rows closed.
	for i := range out {
		plain, err := s.vault.Open(ctx, tx, Record(caseID), informedField(out[i].ID), sealed[i])
		if err != nil {
			return nil, fmt.Errorf("open informed record %s: %w", out[i].ID, err)
		}
		out[i].By = string(plain)
	}
	return out, nil
}
