package businesses

import (
	"context"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
)

// SendReminders mails every user who keeps the businesses (the roles
// allowed access.ManageBusinesses) the commitments whose follow-up is due
// and that were not reminded of that date yet: one mail per user in their
// language. A commitment is marked reminded of its date once every user
// with an address got the mail; a new date is reminded anew. It returns
// how many mails were sent.
func (s *Service) SendReminders(ctx context.Context, r notify.Reminders) (int, error) {
	if !r.Ready() {
		return 0, nil
	}
	today := s.today()
	var due []Commitment
	var keepers []notify.Recipient
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
		keepers, err = accounts.Keepers(ctx, tx, access.ManageBusinesses)
		return err
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sent, err := r.MailEach(ctx, keepers, func(p *i18n.Printer, base string) (string, string) { return reminderMail(p, base, today, due) })
	if err != nil || sent == 0 {
		return sent, err
	}
	return sent, s.db.Write(ctx, func(tx *storage.Tx) error {
		for _, c := range due {
			if _, err := tx.ExecContext(ctx, `UPDATE business_commitments SET reminded_for = follow_up_on WHERE id = $1 AND follow_up_on = $2`,
				c.ID, c.FollowUpOn); err != nil {
				return fmt.Errorf("mark commitment %s reminded: %w", c.ID, err)
			}
		}
		return nil
	})
}

// reminderMail writes one user's follow-up reminder in p's language.
func reminderMail(p *i18n.Printer, base, today string, due []Commitment) (subject, body string) {
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
	return p.N("businesses.mail.subject", len(due)), b.String()
}
