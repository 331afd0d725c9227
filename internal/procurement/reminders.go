package procurement

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

// DueReviews returns the contracts whose review reminder has come, the
// nearest review first.
func (s *Service) DueReviews(ctx context.Context, actor access.Actor) ([]Contract, error) {
	if err := s.view(ctx, actor, "procurement_contract", ""); err != nil {
		return nil, err
	}
	var out []Contract
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
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
// day has come and that were not reminded of this review date yet. It
// goes the way the agreements' renewal reminders go (same mailer,
// settings and address lookup, run by the jobs runner): one mail per user
// in their language; a contract is marked reminded of its date once every
// user with an address got the mail, so a failed delivery is tried again.
// It returns how many mails were sent.
func (s *Service) SendReminders(ctx context.Context, r crisisunit.Reminders) (int, error) {
	if r.Mailer.Addr == "" || r.Address == nil || r.Catalog == nil {
		return 0, nil
	}
	today := s.today()
	var due []Contract
	type recipient struct{ id, language string }
	var users []recipient
	roles, roleArgs := storage.InList(1, keeperRoles())
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		var err error
		if due, err = dueReviews(ctx, tx, today, true); err != nil || len(due) == 0 {
			return err
		}
		q, err := tx.QueryContext(ctx, `SELECT u.id, u.language FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE u.role IN (`+roles+`) AND u.disabled_at IS NULL AND o.disabled_at IS NULL ORDER BY u.id`, roleArgs...)
		if err != nil {
			return fmt.Errorf("list contract keepers: %w", err)
		}
		defer q.Close()
		for q.Next() {
			var u recipient
			if err := q.Scan(&u.id, &u.language); err != nil {
				return fmt.Errorf("scan contract keeper: %w", err)
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
		if _, err := r.Mailer.Send(ctx, reminderMail(r, addr, u.language, today, due)); err != nil {
			errs = append(errs, fmt.Errorf("mail contract reviews to user %s: %w", u.id, err))
			continue
		}
		sent++
	}
	if len(errs) == 0 && sent > 0 {
		err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
			for _, c := range due {
				if _, err := tx.ExecContext(ctx, `UPDATE procurement_contracts SET reminded_for = review_on WHERE id = $1 AND review_on = $2`,
					c.ID, c.ReviewOn); err != nil {
					return fmt.Errorf("mark contract %s reminded: %w", c.ID, err)
				}
			}
			return nil
		})
		errs = append(errs, err)
	}
	return sent, errors.Join(errs...)
}

// keeperRoles are the roles that keep the contracts.
func keeperRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.Can(access.Actor{Role: r}, access.ManageProcurement) {
			out = append(out, string(r))
		}
	}
	return out
}

// reminderMail writes one user's review reminder in their language.
func reminderMail(r crisisunit.Reminders, addr, lang, today string, due []Contract) notify.Mail {
	p := r.Catalog.For(r.Catalog.Match(lang, ""))
	base := strings.TrimRight(r.PublicURL, "/")
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
	return notify.Mail{To: []string{addr}, Subject: p.N("procurement.mail.subject", len(due)), Body: b.String()}
}
