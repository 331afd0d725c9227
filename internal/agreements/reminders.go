package agreements

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
// day has come and that were not reminded of this renewal date yet: one
// mail per user in their language, with titles, renewal dates and links.
// An agreement is marked reminded of its date once every user with an
// address got the mail, so a failed delivery is tried again on the next
// run; a new renewal date is reminded anew. It returns how many mails were
// sent.
func (s *Service) SendReminders(ctx context.Context, r notify.Reminders) (int, error) {
	if !r.Ready() {
		return 0, nil
	}
	today := s.today()
	var due []Agreement
	var keepers []notify.Recipient
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
		keepers, err = accounts.Keepers(ctx, tx, access.ManageAgreements)
		return err
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sent, err := r.MailEach(ctx, keepers, func(p *i18n.Printer, base string) (string, string) { return reminderMail(p, base, today, due) })
	if err != nil || sent == 0 {
		return sent, err
	}
	return sent, s.markReminded(ctx, due)
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

// reminderMail writes one user's renewal reminder in p's language.
func reminderMail(p *i18n.Printer, base, today string, due []Agreement) (subject, body string) {
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
	return p.N("agreements.mail.subject", len(due)), b.String()
}
