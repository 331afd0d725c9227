package crisisunit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
)

// due is a deadline whose reminder day has come, and the user it falls to.
type due struct {
	userID   string
	language string
	d        UserDeadline
}

// SendReminders mails every user the deadlines whose reminder day has come
// and that were not reminded yet: one mail per user, holding case codes,
// kinds of deadline, due dates and a link — no name, nothing about the
// person. A deadline is marked reminded once its mail was accepted, so each
// is mailed once (moving it sets a new reminder). Users without a readable
// address are skipped and stay due. It returns how many mails were sent;
// a failed delivery is reported after the other users were tried.
func (s *Service) SendReminders(ctx context.Context, r notify.Reminders) (int, error) {
	if !r.Ready() {
		return 0, nil
	}
	today := s.today().Format(time.DateOnly)
	var rows []due
	roles, roleArgs := storage.InList(2, taskRoles())
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		// A deadline goes to the person named; else, if the case's owner
		// holds it, to the case's worker; else (a task given to a partner
		// with nobody named) to each of that partner's users who work on
		// tasks.
		q, err := tx.QueryContext(ctx, `SELECT u.id, u.language, d.kind, d.ref_id, c.id, c.code, d.due_on, d.remind_on, d.org_id <> c.org_id
			FROM case_deadlines d JOIN cases c ON c.id = d.case_id
			JOIN users u ON u.id = d.user_id OR (d.user_id IS NULL AND (
				(d.org_id = c.org_id AND u.id = c.worker_id) OR (d.org_id <> c.org_id AND u.org_id = d.org_id AND u.role IN (`+roles+`))))
			JOIN organisations o ON o.id = u.org_id
			WHERE d.remind_on <= $1 AND d.reminded_at IS NULL AND c.anonymised_at IS NULL
			  AND u.disabled_at IS NULL AND o.disabled_at IS NULL
			ORDER BY u.id, d.due_on, c.code, d.kind LIMIT 5000`, append([]any{today}, roleArgs...)...)
		if err != nil {
			return fmt.Errorf("list due reminders: %w", err)
		}
		defer q.Close()
		for q.Next() {
			var x due
			var dueOn, remind string
			if err := q.Scan(&x.userID, &x.language, &x.d.Kind, &x.d.RefID, &x.d.CaseID, &x.d.CaseCode, &dueOn, &remind, &x.d.Held); err != nil {
				return fmt.Errorf("scan due reminder: %w", err)
			}
			x.d.Due, _ = time.Parse(time.DateOnly, dueOn)
			x.d.RemindOn, _ = time.Parse(time.DateOnly, remind)
			x.d.Category = cases.CategoryOf(x.d.Kind)
			rows = append(rows, x)
		}
		return q.Err()
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for start := 0; start < len(rows); {
		end := start
		for end < len(rows) && rows[end].userID == rows[start].userID {
			end++
		}
		batch := rows[start:end]
		start = end
		addr, err := r.Address(ctx, batch[0].userID)
		if err != nil {
			errs = append(errs, fmt.Errorf("address of user %s: %w", batch[0].userID, err))
			continue
		}
		if addr == "" {
			continue
		}
		if _, err := r.Mailer.Send(ctx, s.reminderMail(r, addr, batch)); err != nil {
			errs = append(errs, fmt.Errorf("mail reminders to user %s: %w", batch[0].userID, err))
			continue
		}
		sent++
		if err := s.markReminded(ctx, batch); err != nil {
			errs = append(errs, err)
		}
	}
	return sent, errors.Join(errs...)
}

// taskRoles are the roles that work on crisis-unit tasks.
func taskRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.Can(access.Actor{Role: r}, access.ManageCrisisUnit) {
			out = append(out, string(r))
		}
	}
	return out
}

// markReminded records that the batch's deadlines were mailed.
func (s *Service) markReminded(ctx context.Context, batch []due) error {
	now := s.cases.Now()
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		for _, x := range batch {
			// Only if the reminder day is still the one mailed about: a
			// deadline moved meanwhile gets its own reminder.
			if _, err := tx.ExecContext(ctx, `UPDATE case_deadlines SET reminded_at = $1
				WHERE kind = $2 AND ref_id = $3 AND remind_on = $4 AND reminded_at IS NULL`,
				now, x.d.Kind, x.d.RefID, x.d.RemindOn.Format(time.DateOnly)); err != nil {
				return fmt.Errorf("mark %s deadline %s reminded: %w", x.d.Kind, x.d.RefID, err)
			}
		}
		return nil
	})
}

// reminderMail writes one user's reminder in their language.
func (s *Service) reminderMail(r notify.Reminders, addr string, batch []due) notify.Mail {
	p := r.Catalog.For(r.Catalog.Match(batch[0].language, ""))
	base := strings.TrimRight(r.PublicURL, "/")
	today := s.today()
	var b strings.Builder
	b.WriteString(p.N("crisisunit.mail.intro", len(batch)) + "\n\n")
	for _, x := range batch {
		// Due days are calendar days, kept as UTC midnights.
		when := p.Date(x.d.Due, time.UTC)
		if x.d.Due.Before(today) {
			when = p.T("crisisunit.mail.overdue", "date", when)
		}
		fmt.Fprintf(&b, "- %s · %s · %s\n  %s%s\n", x.d.CaseCode, p.T("crisisunit.kind."+x.d.Kind), when, base, x.d.Path())
	}
	b.WriteString("\n" + p.T("crisisunit.mail.tasks", "url", base+"/tasks") + "\n\n" + p.T("crisisunit.mail.footer") + "\n")
	return notify.Mail{To: []string{addr}, Subject: p.N("crisisunit.mail.subject", len(batch)), Body: b.String()}
}
