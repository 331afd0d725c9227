package businesses

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

// SendReminders mails every user who keeps the businesses (the roles
// allowed access.ManageBusinesses) the commitments whose follow-up is due
// and that were not reminded of that date yet, the way the agreements'
// renewal reminders go (same mailer, settings and address lookup, run by
// the jobs runner). A commitment is marked reminded of its date once
// every user with an address got the mail; a new date is reminded anew.
// It returns how many mails were sent.
func (s *Service) SendReminders(ctx context.Context, r crisisunit.Reminders) (int, error) {
	if r.Mailer.Addr == "" || r.Address == nil || r.Catalog == nil {
		return 0, nil
	}
	today := s.today()
	var due []Commitment
	type recipient struct{ id, language string }
	var users []recipient
	roles, roleArgs := storage.InList(1, keeperRoles())
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		all, err := commitments(ctx, tx, `c.follow_up_on <> '' AND c.reminded_for <> c.follow_up_on ORDER BY c.follow_up_on, c.id LIMIT 1000`)
		if err != nil {
			return err
		}
		for _, c := range all {
			if c.Due(today) {
				due = append(due, c)
			}
		}
		if len(due) == 0 {
			return nil
		}
		q, err := tx.QueryContext(ctx, `SELECT u.id, u.language FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE u.role IN (`+roles+`) AND u.disabled_at IS NULL AND o.disabled_at IS NULL ORDER BY u.id`, roleArgs...)
		if err != nil {
			return fmt.Errorf("list business keepers: %w", err)
		}
		defer q.Close()
		for q.Next() {
			var u recipient
			if err := q.Scan(&u.id, &u.language); err != nil {
				return fmt.Errorf("scan business keeper: %w", err)
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
			errs = append(errs, fmt.Errorf("mail business follow-ups to user %s: %w", u.id, err))
			continue
		}
		sent++
	}
	if len(errs) == 0 && sent > 0 {
		err := s.db.Write(ctx, func(tx *storage.Tx) error {
			for _, c := range due {
				if _, err := tx.ExecContext(ctx, `UPDATE business_commitments SET reminded_for = follow_up_on WHERE id = $1 AND follow_up_on = $2`,
					c.ID, c.FollowUpOn); err != nil {
					return fmt.Errorf("mark commitment %s reminded: %w", c.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// keeperRoles are the roles that keep the businesses.
func keeperRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.Can(access.Actor{Role: r}, access.ManageBusinesses) {
			out = append(out, string(r))
		}
	}
	return out
}

// reminderMail writes one user's follow-up reminder in their language.
func (s *Service) reminderMail(r crisisunit.Reminders, addr, lang, today string, due []Commitment) notify.Mail {
	p := r.Catalog.For(r.Catalog.Match(lang, ""))
	base := strings.TrimRight(r.PublicURL, "/")
	var b strings.Builder
	b.WriteString(p.N("businesses.mail.intro", len(due)) + "\n\n")
	for _, c := range due {
		d, _ := time.Parse(time.DateOnly, c.FollowUpOn)
		when := p.Date(d, time.UTC)
		if c.Overdue(today) {
			when = p.T("businesses.mail.overdue", "date", when)
		}
		fmt.Fprintf(&b, "- %s · %s · %s\n  %s/businesses/%s\n", c.BusinessName, p.T("businesses.commitment."+c.Kind), when, base, c.BusinessID)
	}
	return notify.Mail{To: []string{addr}, Subject: p.N("businesses.mail.subject", len(due)), Body: b.String()}
}
