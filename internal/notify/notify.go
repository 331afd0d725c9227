// Package notify tells on-call staff by e-mail that an urgent report
// arrived — someone in immediate danger, a child, a missing child — so it
// is looked at within minutes, not at the next shift.
//
// The mail carries no personal data and nothing of the report: only that an
// urgent report arrived, when (to the minute), its urgency, and the link to
// the staff queue. Mail crosses servers Waymark does not control; whoever
// reads it there learns that a report exists, nothing more. Staff sign in
// to read the report.
//
// Delivery goes through an outbox table: the intake writes a row in the
// same transaction as the report (Enqueue), so a notification exists
// exactly when the report does. A periodic job (Send) claims due rows
// with a short lease, sends one mail for all of them through a real SMTP
// conversation and marks them sent, so several Waymark processes send each
// notification once. A failed delivery is retried with growing pauses and
// given up after MaxAttempts; failures are logged with the SMTP stage and
// reply code only, never an address (SMTP replies often quote one).
//
// One mail covers every row due at once, so a flood of urgent-looking
// reports produces at most one mail per run of the job, not one per report.
//
// Recipients are a configured list of on-call addresses (WAYMARK_ONCALL),
// typically a duty mailbox or distribution list. They are not stored in
// the outbox, and the staff user profiles (encrypted personal data) are not
// decrypted to find them.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/storage"
)

// Outbox row status values.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Config is how notifications are sent.
type Config struct {
	// Mailer is the SMTP server and sender.
	Mailer Mailer
	// Recipients are the on-call addresses every notification goes to.
	Recipients []string
	// PublicURL is where staff reach Waymark; the mail links to its
	// report queue.
	PublicURL string
	// Zone is the time zone times are written in; nil means UTC.
	Zone *time.Location
	// MaxAttempts is how often a notification is tried before it is marked
	// failed; 0 means 8 (over about four hours).
	MaxAttempts int
	// Batch is the most reports one mail covers; 0 means 1000. The mail
	// lists the first twenty and counts the rest.
	Batch int
	// Lease is how long a sender owns the rows it claimed; 0 means two
	// minutes. It must outlast one SMTP conversation (Mailer.Timeout).
	Lease time.Duration
	// Keep is how long sent and failed rows stay, for diagnosis; 0 means
	// 30 days.
	Keep time.Duration
}

// Deps are what a Notifier needs.
type Deps struct {
	DB     *storage.DB
	Log    *slog.Logger
	Config Config
	// Now is the clock; nil means storage.Now.
	Now func() time.Time
}

// Notifier writes and sends urgent-report notifications. It holds no
// state besides its configuration; the outbox is in the database.
type Notifier struct {
	db  *storage.DB
	log *slog.Logger
	cfg Config
	now func() time.Time
}

// New returns a Notifier.
func New(d Deps) *Notifier {
	c := d.Config
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Batch <= 0 {
		c.Batch = 1000
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.Keep <= 0 {
		c.Keep = 30 * 24 * time.Hour
	}
	if c.Zone == nil {
		c.Zone = time.UTC
	}
	n := &Notifier{db: d.DB, log: d.Log, cfg: c, now: d.Now}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = storage.Now
	}
	return n
}

// Urgent is one urgent report to tell on-call staff about. It holds no
// content of the report.
type Urgent struct {
	ReportID string
	Urgency  string // the report's urgency code
	// Held is true when the report came without a valid proof of work.
	Held bool
	// At is when the report arrived.
	At time.Time
}

// Enqueue records u in the outbox inside tx, the transaction that stores
// the report, so the notification is sent exactly when the report exists.
func (n *Notifier) Enqueue(ctx context.Context, tx *storage.Tx, u Urgent) error {
	now := n.now().UTC()
	held := 0
	if u.Held {
		held = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (id, report_id, urgency, held, occurred_at, status, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		uuid.Must(uuid.NewV7()).String(), u.ReportID, u.Urgency, held, u.At.UTC(), StatusPending, now)
	if err != nil {
		return fmt.Errorf("queue notification of report %s: %w", u.ReportID, err)
	}
	return nil
}

// Send delivers every due notification, one mail per batch, and returns how
// many were sent. Run it periodically (the jobs runner); it is safe to run
// in several processes at once. A failed delivery is rescheduled and
// reported as an error after the rows are updated.
func (n *Notifier) Send(ctx context.Context) (int, error) {
	sent := 0
	for {
		claim, rows, err := n.claim(ctx)
		if err != nil {
			return sent, err
		}
		if len(rows) == 0 {
			break
		}
		accepted, sendErr := n.cfg.Mailer.Send(ctx, n.mail(rows))
		if sendErr != nil {
			if err := n.retry(ctx, claim, rows, sendErr); err != nil {
				return sent, errors.Join(sendErr, err)
			}
			return sent, fmt.Errorf("send urgent-report notification: %w", sendErr)
		}
		if err := n.done(ctx, claim); err != nil {
			// The mail went out; the rows will be sent again once the lease
			// ends. Better twice than never.
			return sent, err
		}
		sent += len(rows)
		n.log.Info("urgent-report notification sent", "reports", len(rows),
			"recipients", accepted, "refused", len(n.cfg.Recipients)-accepted)
	}
	return sent, n.sweep(ctx)
}

// row is a claimed outbox row.
type row struct {
	id       string
	urgency  string
	held     bool
	at       time.Time
	attempts int
}

// claim takes a lease on up to Batch due rows. The conditions are repeated
// in the outer UPDATE so that, on PostgreSQL, a row another process claimed
// meanwhile is re-checked and skipped.
func (n *Notifier) claim(ctx context.Context) (string, []row, error) {
	claim := uuid.Must(uuid.NewRandom()).String()
	now := n.now().UTC()
	var rows []row
	err := n.db.Write(ctx, func(tx *storage.Tx) error {
		rows = rows[:0]
		_, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET claim = $1, claimed_until = $2
			WHERE status = $3 AND next_attempt_at <= $4 AND (claimed_until IS NULL OR claimed_until < $4)
			AND id IN (SELECT id FROM notify_outbox
				WHERE status = $3 AND next_attempt_at <= $4 AND (claimed_until IS NULL OR claimed_until < $4)
				ORDER BY occurred_at, id LIMIT $5)`,
			claim, now.Add(n.cfg.Lease), StatusPending, now, n.cfg.Batch)
		if err != nil {
			return fmt.Errorf("claim notifications: %w", err)
		}
		rs, err := tx.QueryContext(ctx, `SELECT id, urgency, held, occurred_at, attempts FROM notify_outbox
			WHERE claim = $1 ORDER BY occurred_at, id`, claim)
		if err != nil {
			return fmt.Errorf("load claimed notifications: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			var held int
			if err := rs.Scan(&r.id, &r.urgency, &held, &r.at, &r.attempts); err != nil {
				return fmt.Errorf("load claimed notifications: %w", err)
			}
			r.held = held != 0
			rows = append(rows, r)
		}
		return rs.Err()
	})
	return claim, rows, err
}

// done marks the claimed rows sent, if the claim is still ours.
func (n *Notifier) done(ctx context.Context, claim string) error {
	err := n.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = $1, sent_at = $2, attempts = attempts + 1,
			claim = NULL, claimed_until = NULL, last_error = '' WHERE claim = $3`, StatusSent, n.now().UTC(), claim)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark notifications sent: %w", err)
	}
	return nil
}

// retry counts a failed attempt on each row: it is scheduled again after a
// pause that doubles with every attempt (one minute, two, four … at most an
// hour), or marked failed after the last one.
func (n *Notifier) retry(ctx context.Context, claim string, rows []row, cause error) error {
	now := n.now().UTC()
	msg := cause.Error() // SendError: stage and code only
	var failed int
	err := n.db.Write(ctx, func(tx *storage.Tx) error {
		failed = 0
		for _, r := range rows {
			attempts := r.attempts + 1
			status := StatusPending
			if attempts >= n.cfg.MaxAttempts {
				status = StatusFailed
				failed++
			}
			pause := min(time.Minute<<min(attempts-1, 6), time.Hour)
			if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET attempts = $1, status = $2, next_attempt_at = $3,
				last_error = $4, claim = NULL, claimed_until = NULL WHERE id = $5 AND claim = $6`,
				attempts, status, now.Add(pause), msg, r.id, claim); err != nil {
				return fmt.Errorf("reschedule notification %s: %w", r.id, err)
			}
		}
		return nil
	})
	n.log.Warn("urgent-report notification not delivered; will retry", "reports", len(rows)-failed, "err", cause)
	if failed > 0 {
		n.log.Error("urgent-report notification given up", "reports", failed, "attempts", n.cfg.MaxAttempts, "err", cause)
	}
	return err
}

// sweep deletes sent and failed rows older than Keep.
func (n *Notifier) sweep(ctx context.Context) error {
	err := n.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM notify_outbox WHERE status <> $1 AND created_at < $2`,
			StatusPending, n.now().UTC().Add(-n.cfg.Keep))
		return err
	})
	if err != nil {
		return fmt.Errorf("sweep notifications: %w", err)
	}
	return nil
}

// urgencyText names the urgency codes in the mail.
var urgencyText = map[string]string{
	"immediate_danger": "someone is in immediate danger",
	"child":            "a child is involved",
	"missing_child":    "a missing child",
}

func describe(urgency string) string {
	if t, ok := urgencyText[urgency]; ok {
		return t
	}
	return strings.ReplaceAll(urgency, "_", " ")
}

// maxListed is how many reports a mail lists one by one.
const maxListed = 20

// mail writes the notification for rows: when and how urgent, and the
// link to the queue — nothing else.
func (n *Notifier) mail(rows []row) Mail {
	when := func(t time.Time) string { return t.In(n.cfg.Zone).Format("2006-01-02 15:04 MST") }
	note := func(r row) string {
		if r.held {
			return " (sent without the form's anti-abuse check; may be spam)"
		}
		return ""
	}
	link := strings.TrimRight(n.cfg.PublicURL, "/") + "/reports"
	var b strings.Builder
	subject := "Waymark: urgent report"
	if len(rows) == 1 {
		r := rows[0]
		fmt.Fprintf(&b, "An urgent report arrived at %s.\nUrgency: %s%s.\n", when(r.at), describe(r.urgency), note(r))
	} else {
		subject = fmt.Sprintf("Waymark: %d urgent reports", len(rows))
		fmt.Fprintf(&b, "%d urgent reports arrived:\n", len(rows))
		for i, r := range rows {
			if i == maxListed {
				fmt.Fprintf(&b, "- and %d more\n", len(rows)-maxListed)
				break
			}
			fmt.Fprintf(&b, "- %s, urgency: %s%s\n", when(r.at), describe(r.urgency), note(r))
		}
	}
	fmt.Fprintf(&b, "\nOpen Waymark: %s\n\nThis message holds no details of the report. Sign in to read it.\n", link)
	return Mail{To: n.cfg.Recipients, Subject: subject, Body: b.String()}
}
