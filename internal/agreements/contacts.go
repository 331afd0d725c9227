package agreements

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

func contactRecord(id string) string { return "contacts/" + id }

// Limits of a contact person's fields, in characters.
const (
	maxContactName = 200
	maxJobTitle    = 200
	maxEmail       = 254
	maxLanguages   = 20
)

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// Contact is a named contact person of an organisation of the partnership.
type Contact struct {
	ID       string
	OrgID    string
	OrgName  string
	OrgKind  accounts.OrgKind
	Name     string
	JobTitle string
	// Phone, Email and Hours say how and when to reach the person.
	Phone     string
	Email     string
	Hours     string
	Languages []string
	UpdatedAt time.Time
}

// Dial is the phone number for a tel: link: "+" and digits.
func (c Contact) Dial() string { return accounts.Reach{Phone: c.Phone}.Dial() }

// ContactInput is the contact person form.
type ContactInput struct {
	OrgID    string
	Name     string
	JobTitle string
	Phone    string
	Email    string
	Hours    string
	// Languages are ISO 639 codes; a comma-separated value counts as several.
	Languages []string
}

func phoneRune(r rune) bool { return r >= '0' && r <= '9' || strings.ContainsRune(" -()/.+", r) }

func (in *ContactInput) check() fields {
	var fe fields
	in.OrgID, in.Name, in.JobTitle = strings.TrimSpace(in.OrgID), strings.Join(strings.Fields(in.Name), " "), strings.TrimSpace(in.JobTitle)
	in.Phone, in.Email, in.Hours = strings.Join(strings.Fields(in.Phone), " "), strings.TrimSpace(in.Email), strings.TrimSpace(in.Hours)
	var langs []string
	for _, v := range in.Languages {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" && !slices.Contains(langs, p) {
				langs = append(langs, p)
			}
		}
	}
	in.Languages = langs
	if in.OrgID == "" {
		fe.Add("org", "agreements.error.org_unknown")
	}
	if in.Name == "" || tooLong(in.Name, maxContactName) {
		fe.badArgs("name", "agreements.error.contact_name", map[string]any{"n": maxContactName})
	}
	if tooLong(in.JobTitle, maxJobTitle) {
		fe.badArgs("job_title", "agreements.error.too_long", map[string]any{"n": maxJobTitle})
	}
	digits := strings.Count(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return 'd'
		}
		return -1
	}, in.Phone), "d")
	plus := strings.Count(in.Phone, "+")
	if digits < 3 || tooLong(in.Phone, accounts.MaxPhone) || strings.IndexFunc(in.Phone, func(r rune) bool { return !phoneRune(r) }) >= 0 ||
		plus > 1 || (plus == 1 && !strings.HasPrefix(in.Phone, "+")) {
		fe.badArgs("phone", "agreements.error.phone", map[string]any{"n": accounts.MaxPhone})
	}
	if in.Email != "" {
		a, err := mail.ParseAddress(in.Email)
		if err != nil || a.Address != in.Email || tooLong(in.Email, maxEmail) {
			fe.Add("email", "agreements.error.email")
		}
	}
	if tooLong(in.Hours, accounts.MaxHours) {
		fe.badArgs("hours", "agreements.error.too_long", map[string]any{"n": accounts.MaxHours})
	}
	if len(in.Languages) > maxLanguages || slices.ContainsFunc(in.Languages, func(l string) bool { return !languageCode.MatchString(l) }) {
		fe.Add("languages", "agreements.error.languages")
	}
	return fe
}

// checkContactOrg adds a field error unless orgID is an active
// organisation or the one the contact already belongs to.
func checkContactOrg(ctx context.Context, tx *storage.Tx, fe *fields, orgID, keep string) error {
	if orgID == "" || orgID == keep {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL`, orgID).Scan(&n); err != nil {
		return fmt.Errorf("check organisation %s: %w", orgID, err)
	}
	if n == 0 {
		fe.Add("org", "agreements.error.org_unknown")
	}
	return nil
}

// sealed is a contact person's row as stored.
type sealed struct {
	Contact
	name, phone, email []byte
}

const contactColumns = `c.id, c.org_id, o.name, o.kind, c.name, c.phone, c.email, c.job_title, c.hours, c.languages, c.updated_at`

const contactFrom = ` FROM org_contacts c JOIN organisations o ON o.id = c.org_id`

func scanContact(r interface{ Scan(...any) error }) (sealed, error) {
	var c sealed
	var langs string
	if err := r.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.OrgKind, &c.name, &c.phone, &c.email, &c.JobTitle, &c.Hours, &langs, &c.UpdatedAt); err != nil {
		return sealed{}, err
	}
	if err := json.Unmarshal([]byte(langs), &c.Languages); err != nil {
		return sealed{}, fmt.Errorf("decode languages of contact %s: %w", c.ID, err)
	}
	return c, nil
}

// open decrypts a contact person's name, phone and e-mail.
func (s *Service) open(ctx context.Context, tx *storage.Tx, c sealed) (Contact, error) {
	out := c.Contact
	for _, f := range []struct {
		name string
		data []byte
		to   *string
	}{{"name", c.name, &out.Name}, {"phone", c.phone, &out.Phone}, {"email", c.email, &out.Email}} {
		if len(f.data) == 0 {
			continue
		}
		b, err := s.vault.Open(ctx, tx, contactRecord(c.ID), f.name, f.data)
		if err != nil && !errors.Is(err, vault.ErrErased) {
			return Contact{}, fmt.Errorf("open %s of contact %s: %w", f.name, c.ID, err)
		}
		*f.to = string(b)
	}
	return out, nil
}

func (s *Service) loadContacts(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Contact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+contactColumns+contactFrom+` WHERE `+where+` LIMIT 5000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	var list []sealed
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan contact: %w", err)
		}
		list = append(list, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	out := make([]Contact, 0, len(list))
	for _, c := range list {
		o, err := s.open(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b Contact) int {
		if c := strings.Compare(strings.ToLower(a.OrgName), strings.ToLower(b.OrgName)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// Contacts returns the contact persons of the given organisations (of
// every organisation when none is given), of active organisations only,
// by organisation and name. The read is audited: one entry naming how
// many persons were shown.
func (s *Service) Contacts(ctx context.Context, actor access.Actor, orgIDs ...string) ([]Contact, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ViewAgreements, "contact", ""); err != nil {
		return nil, err
	}
	var out []Contact
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		where, args := "o.disabled_at IS NULL", []any{}
		if len(orgIDs) > 0 {
			var in string
			in, args = storage.InList(1, orgIDs)
			where += " AND c.org_id IN (" + in + ")"
		}
		var err error
		if out, err = s.loadContacts(ctx, tx, where, args...); err != nil {
			return err
		}
		subject := ""
		if len(orgIDs) == 1 {
			subject = orgIDs[0]
		}
		return s.gate.Record(ctx, tx, actor, "contacts.read", "organisation", subject, subject, strconv.Itoa(len(out)))
	})
	return out, err
}

// Contact returns one contact person for its edit form; the read is
// audited.
func (s *Service) Contact(ctx context.Context, actor access.Actor, id string) (Contact, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "contact", id); err != nil {
		return Contact{}, err
	}
	var out Contact
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if out, err = s.contact(ctx, tx, id); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "contact.read", "contact", id, out.OrgID, "")
	})
	return out, err
}

func (s *Service) contact(ctx context.Context, tx *storage.Tx, id string) (Contact, error) {
	c, err := scanContact(tx.QueryRowContext(ctx, `SELECT `+contactColumns+contactFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return Contact{}, fmt.Errorf("load contact %s: %w", id, storage.MapError(err))
	}
	return s.open(ctx, tx, c)
}

// sealContact encrypts a contact person's name, phone and e-mail; an
// empty e-mail is nil.
func (s *Service) sealContact(ctx context.Context, tx *storage.Tx, id string, in ContactInput) (name, phone, email []byte, err error) {
	v := s.vault
	if name, err = v.Seal(ctx, tx, contactRecord(id), "name", []byte(in.Name)); err != nil {
		return nil, nil, nil, fmt.Errorf("seal name of contact %s: %w", id, err)
	}
	if phone, err = v.Seal(ctx, tx, contactRecord(id), "phone", []byte(in.Phone)); err != nil {
		return nil, nil, nil, fmt.Errorf("seal phone of contact %s: %w", id, err)
	}
	if in.Email != "" {
		if email, err = v.Seal(ctx, tx, contactRecord(id), "email", []byte(in.Email)); err != nil {
			return nil, nil, nil, fmt.Errorf("seal e-mail of contact %s: %w", id, err)
		}
	}
	return name, phone, email, nil
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateContact adds a named contact person to an organisation.
func (s *Service) CreateContact(ctx context.Context, actor access.Actor, in ContactInput) (Contact, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "contact", ""); err != nil {
		return Contact{}, err
	}
	fe := in.check()
	var out Contact
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkContactOrg(ctx, tx, &fe, in.OrgID, ""); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id, now := newID(), s.now()
		name, phone, email, err := s.sealContact(ctx, tx, id, in)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_contacts (id, org_id, name, phone, email, job_title, hours, languages,
				created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)`,
			id, in.OrgID, name, phone, email, in.JobTitle, in.Hours, jsonList(in.Languages), actor.UserID, now); err != nil {
			return fmt.Errorf("insert contact: %w", storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "contact.create", "contact", id, in.OrgID, ""); err != nil {
			return err
		}
		out, err = s.contact(ctx, tx, id)
		return err
	})
	return out, err
}

// UpdateContact changes a contact person.
func (s *Service) UpdateContact(ctx context.Context, actor access.Actor, id string, in ContactInput) (Contact, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "contact", id); err != nil {
		return Contact{}, err
	}
	fe := in.check()
	var out Contact
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT org_id FROM org_contacts WHERE id = $1`+tx.ForUpdate(), id).Scan(&cur); err != nil {
			return fmt.Errorf("load contact %s: %w", id, storage.MapError(err))
		}
		if err := checkContactOrg(ctx, tx, &fe, in.OrgID, cur); err != nil {
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		name, phone, email, err := s.sealContact(ctx, tx, id, in)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_contacts SET org_id = $1, name = $2, phone = $3, email = $4, job_title = $5,
				hours = $6, languages = $7, updated_by = $8, updated_at = $9 WHERE id = $10`,
			in.OrgID, name, phone, email, in.JobTitle, in.Hours, jsonList(in.Languages), actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("update contact %s: %w", id, storage.MapError(err))
		}
		if err := s.gate.Record(ctx, tx, actor, "contact.update", "contact", id, in.OrgID, ""); err != nil {
			return err
		}
		out, err = s.contact(ctx, tx, id)
		return err
	})
	return out, err
}

// RemoveContact deletes a contact person and forgets the key their name,
// phone and e-mail were sealed with (crypto-erasure: no copy of the row
// left in the database file can be read).
func (s *Service) RemoveContact(ctx context.Context, actor access.Actor, id string) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageAgreements, "contact", id); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var org string
		if err := tx.QueryRowContext(ctx, `SELECT org_id FROM org_contacts WHERE id = $1`+tx.ForUpdate(), id).Scan(&org); err != nil {
			return fmt.Errorf("load contact %s: %w", id, storage.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_contacts WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete contact %s: %w", id, err)
		}
		if err := s.vault.Forget(ctx, tx, contactRecord(id)); err != nil {
			return fmt.Errorf("forget key of contact %s: %w", id, err)
		}
		return s.gate.Record(ctx, tx, actor, "contact.remove", "contact", id, org, "")
	})
}
