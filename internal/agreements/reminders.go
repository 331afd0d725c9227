package agreements

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
)

// recipient is a user who keeps the agreements and is mailed renewals.
type recipient struct {
	id, language string
}

// Due returns the signed agreements whose renewal reminder has come, the
// nearest renewal first, for the coordinator's overview.
func (s *Service) Due(ctx context.Context, actor access.Actor) ([]Agreement, error) {
	all, err := s.List(ctx, actor)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var out []Agreement
	for _, a := range all {
		if a.RenewalDue(today) {
			out = append(out, a)
		}
	}
	return out, nil
}

// SendReminders mails every user who keeps the agreements (the roles
// allowed access.ManageAgreements) the signed agreements whose reminder
// day has come and that were not reminded of this renewal date yet. It
// goes the way the crisis unit's deadline reminders go (same mailer,
// settings and address lookup, run by the jobs runner): one mail per user
// in their language, with titles, renewal dates and links. An agreement is
// marked reminded of its date once every user with an address got the
// mail, so a failed delivery is tried again on the next run; a new renewal
// date is reminded anew. It returns how many mails were sent.
func (s *Service) SendReminders(ctx context.Context, r crisisunit.Reminders) (int, error) {
	if r.Mailer.Addr == "" || r.Address == nil || r.Catalog == nil {
		return 0, nil
	}
	today := s.today()
	var due []Agreement
	var users []recipient
	roles, roleArgs := storage.InList(1, keeperRoles())
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+agreementColumns+` FROM agreements
			WHERE status = 'signed' AND renew_on <> '' AND reminded_for <> renew_on ORDER BY renew_on, id LIMIT 1000`)
		if err != nil {
			return fmt.Errorf("list agreements to remind: %w", err)
		}
		for rows.Next() {
			a, err := scanAgreement(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan agreement: %w", err)
			}
			if a.RenewalDue(today) {
				due = append(due, a)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(due) == 0 {
			return err
		}
		q, err := tx.QueryContext(ctx, `SELECT u.id, u.language FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE u.role IN (`+roles+`) AND u.disabled_at IS NULL AND o.disabled_at IS NULL ORDER BY u.id`, roleArgs...)
		if err != nil {
			return fmt.Errorf("list agreement keepers: %w", err)
		}
		defer q.Close()
		for q.Next() {
			var u recipient
			if err := q.Scan(&u.id, &u.language); err != nil {
				return fmt.Errorf("scan agreement keeper: %w", err)
			}
			users = append(users, u)
		}
		return q.Err()
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, u := range users {
		addr, err := r.Address(ctx, u.id)
		if err != nil {
			errs = append(errs, fmt.Errorf("address of user %s: %w", u.id, err))
			continue
		}
		if addr == "" {
			continue
		}
		if _, err := r.Mailer.Send(ctx, s.reminderMail(r, addr, u.language, today, due)); err != nil {
			errs = append(errs, fmt.Errorf("mail agreement renewals to user %s: %w", u.id, err))
			continue
		}
		sent++
	}
	if len(errs) == 0 && sent > 0 {
		if err := s.markReminded(ctx, due); err != nil {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// keeperRoles are the roles that keep the agreements.
func keeperRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.Can(access.Actor{Role: r}, access.ManageAgreements) {
			out = append(out, string(r))
		}
	}
	return out
}

// markReminded records which renewal date each agreement was mailed about;
// one whose date was moved meanwhile keeps its own reminder.
func (s *Service) markReminded(ctx context.Context, due []Agreement) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for _, a := range due {
			if _, err := tx.ExecContext(ctx, `UPDATE agreements SET reminded_for = renew_on WHERE id = $1 AND renew_on = $2`, a.ID, a.RenewOn); err != nil {
				return fmt.Errorf("mark agreement %s reminded: %w", a.ID, err)
			}
		}
		return nil
	})
}

// reminderMail writes one user's renewal reminder in their language.
func (s *Service) reminderMail(r crisisunit.Reminders, addr, lang, today string, due []Agreement) notify.Mail {
	p := r.Catalog.For(r.Catalog.Match(lang, ""))
	base := strings.TrimRight(r.PublicURL, "/")
	var b strings.Builder
	b.WriteString(p.N("agreements.mail.intro", len(due)) + "\n\n")
	for _, a := range due {
		d, _ := time.Parse(time.DateOnly, a.RenewOn)
		when := p.Date(d, time.UTC)
		if a.Overdue(today) {
			when = p.T("agreements.mail.overdue", "date", when)
		}
		fmt.Fprintf(&b, "- %s · %s\n  %s/agreements/%s\n", a.Title, when, base, a.ID)
	}
	b.WriteString("\n" + p.T("agreements.mail.list", "url", base+"/agreements") + "\n")
	return notify.Mail{To: []string{addr}, Subject: p.N("agreements.mail.subject", len(due)), Body: b.String()}
}
