package procurement

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

// DueReviews returns the contracts whose review reminder has come, the
// nearest review first.
func (s *Service) DueReviews(ctx context.Context, actor access.Actor) ([]Contract, error) {
	if err := s.view(ctx, actor, "procurement_contract", ""); err != nil {
		return nil, err
	}
	var out []Contract
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = dueReviews(ctx, tx, s.today(), false)
		return err
	})
	return out, err
}

// dueReviews are the contracts not ended whose reminder day has come; with
// unreminded, only those not yet mailed about their review date.
func dueReviews(ctx context.Context, tx *storage.Tx, today string, unreminded bool) ([]Contract, error) {
	q := `SELECT ` + contractColumns + contractFrom + ` WHERE c.status <> 'ended' AND c.review_on <> ''`
	if unreminded {
		q += ` AND c.reminded_for <> c.review_on`
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY c.review_on, c.id LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("list contract reviews: %w", err)
	}
	defer rows.Close()
	var out []Contract
	for rows.Next() {
		c, err := scanContract(rows)
		if err != nil {
			return nil, fmt.Errorf("scan contract: %w", err)
		}
		if c.ReviewDue(today) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// SendReminders mails every user who keeps the contracts (the roles
// allowed access.ManageProcurement) the contracts whose review reminder
// day has come and that were not reminded of this review date yet: one
// mail per user in their language. A contract is marked reminded of its
// date once every user with an address got the mail, so a failed delivery
// is tried again. It returns how many mails were sent.
func (s *Service) SendReminders(ctx context.Context, r notify.Reminders) (int, error) {
	if !r.Ready() {
		return 0, nil
	}
	today := s.today()
	var due []Contract
	var keepers []notify.Recipient
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		if due, err = dueReviews(ctx, tx, today, true); err != nil || len(due) == 0 {
			return err
		}
		keepers, err = accounts.Keepers(ctx, tx, access.ManageProcurement)
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
			if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET reminded_for = review_on WHERE id = $1 AND review_on = $2`,
				c.ID, c.ReviewOn); err != nil {
				return fmt.Errorf("mark contract %s reminded: %w", c.ID, err)
			}
		}
		return nil
	})
}

// reminderMail writes one user's review reminder in p's language.
func reminderMail(p *i18n.Printer, base, today string, due []Contract) (subject, body string) {
	var b strings.Builder
	b.WriteString(p.N("procurement.mail.intro", len(due)) + "\n\n")
	for _, c := range due {
		d, _ := time.Parse(time.DateOnly, c.ReviewOn)
		when := p.Date(d, time.UTC)
		if c.ReviewOn < today {
			when = p.T("procurement.mail.overdue", "date", when)
		}
		fmt.Fprintf(&b, "- %s · %s\n  %s/procurement/contracts/%s\n", c.Subject, when, base, c.ID)
	}
	b.WriteString("\n" + p.T("procurement.mail.list", "url", base+"/procurement") + "\n")
	return p.N("procurement.mail.subject", len(due)), b.String()
}
