package notify_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// fixture is a database, a test SMTP server and a way to make notifiers.
type fixture struct {
	db    *storage.DB
	smtp  *smtptest.Server
	clock *clock
	logs  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var oncall = []string{"duty@hotline.example", "lead@hotline.example"}

func newFixture(t *testing.T, db *storage.DB) *fixture {
	t.Helper()
	srv, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &fixture{db: db, smtp: srv, clock: &clock{t: time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC)}, logs: &syncBuffer{}}
}

func (f *fixture) notifier(cfg notify.Config) *notify.Notifier {
	cfg.Mailer.Addr = f.smtp.Addr()
	if cfg.Mailer.From == "" {
		cfg.Mailer.From = "waymark@city.example"
	}
	if cfg.Recipients == nil {
		cfg.Recipients = oncall
	}
	cfg.PublicURL = "https://waymark.city.example/"
	return notify.New(notify.Deps{DB: f.db, Config: cfg, Now: f.clock.Now,
		Log: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
}

// report inserts a report row (the outbox refers to it) and queues its
// notification, in one transaction as the intake does.
func (f *fixture) report(t *testing.T, n *notify.Notifier, urgency string, held bool) string {
	t.Helper()
	ctx := context.Background()
	id := uuid.Must(uuid.NewRandom()).String()
	at := f.clock.Now().Truncate(time.Minute)
	err := f.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (id, status, urgency, place_type, seen_on, time_of_day, people,
			age_group, gender, signs, language, catalogue_version, details, receipt_lookup, receipt_hash, created_at, updated_at)
			VALUES ($1, 'new', $2, 'other', '', 'unknown', 'unknown', 'unknown', 'unknown', '[]', 'en', '1', $3, $4, 'x', $5, $5)`,
			id, urgency, []byte("sealed"), []byte{1, 2, 3}, at); err != nil {
			return err
		}
		return n.Enqueue(ctx, tx, notify.Urgent{ReportID: id, Urgency: urgency, Held: held, At: at})
	})
	if err != nil {
		t.Fatalf("insert report: %v", err)
	}
	return id
}

func (f *fixture) statuses(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := f.db.Read(context.Background(), func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT status, count(*) FROM notify_outbox GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[s] = n
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSendMailsOnCall(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		n := f.notifier(notify.Config{})
		id := f.report(t, n, "immediate_danger", false)

		sent, err := n.Send(ctx)
		if err != nil || sent != 1 {
			t.Fatalf("Send = %d, %v; want 1", sent, err)
		}
		msgs := f.smtp.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		m := msgs[0]
		if m.From != "waymark@city.example" || strings.Join(m.To, ",") != strings.Join(oncall, ",") {
			t.Errorf("envelope from %q to %v", m.From, m.To)
		}
		for _, want := range []string{
			"Subject: Waymark: urgent report\r\n",
			"To: undisclosed-recipients:;\r\n",
			"An urgent report arrived at 2026-03-14 09:26 UTC.",
			"Urgency: someone is in immediate danger.",
			"Open Waymark: https://waymark.city.example/reports\r\n",
		} {
			if !strings.Contains(m.Data, want) {
				t.Errorf("message lacks %q:\n%s", want, m.Data)
			}
		}
		// Nothing that identifies the report or the recipients.
		for _, leak := range append([]string{id}, oncall...) {
			if strings.Contains(m.Data, leak) {
				t.Errorf("message holds %q:\n%s", leak, m.Data)
			}
		}
		if got := f.statuses(t); got[notify.StatusSent] != 1 || len(got) != 1 {
			t.Errorf("outbox = %v, want one sent", got)
		}
		// Sent once: a second run sends nothing.
		if sent, err := n.Send(ctx); err != nil || sent != 0 {
			t.Errorf("second Send = %d, %v; want 0", sent, err)
		}
		if len(f.smtp.Messages()) != 1 {
			t.Errorf("a second run sent again")
		}
	})
}

func TestSendBatchesOneMail(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		n := f.notifier(notify.Config{})
		f.report(t, n, "child", false)
		f.report(t, n, "immediate_danger", true)
		f.report(t, n, "missing_child", false)
		if sent, err := n.Send(context.Background()); err != nil || sent != 3 {
			t.Fatalf("Send = %d, %v; want 3", sent, err)
		}
		msgs := f.smtp.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want one for all three", len(msgs))
		}
		for _, want := range []string{"Subject: Waymark: 3 urgent reports", "3 urgent reports arrived:",
			"urgency: a child is involved\r\n", "urgency: a missing child\r\n",
			"urgency: someone is in immediate danger (sent without the form's anti-abuse check; may be spam)\r\n"} {
			if !strings.Contains(msgs[0].Data, want) {
				t.Errorf("message lacks %q:\n%s", want, msgs[0].Data)
			}
		}
	})
}

func TestSendRetries(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		n := f.notifier(notify.Config{MaxAttempts: 3})
		f.report(t, n, "child", false)

		// Two temporary failures, then success.
		f.smtp.FailData(2)
		_, err := n.Send(ctx)
		var se *notify.SendError
		if !errors.As(err, &se) || se.Stage != "data" || se.Code != 451 || !se.Temporary {
			t.Fatalf("Send error = %v, want a temporary data failure", err)
		}
		if got := f.statuses(t); got[notify.StatusPending] != 1 {
			t.Fatalf("outbox = %v, want pending", got)
		}
		// Not due again before the pause (one minute) is over.
		if sent, err := n.Send(ctx); sent != 0 || err != nil {
			t.Fatalf("Send during the pause = %d, %v", sent, err)
		}
		f.clock.Advance(time.Minute)
		if _, err := n.Send(ctx); err == nil {
			t.Fatal("second attempt should fail")
		}
		f.clock.Advance(2 * time.Minute)
		if sent, err := n.Send(ctx); sent != 1 || err != nil {
			t.Fatalf("third attempt = %d, %v; want sent", sent, err)
		}
		if len(f.smtp.Messages()) != 1 {
			t.Errorf("%d messages, want 1", len(f.smtp.Messages()))
		}

		// After MaxAttempts failures it is given up.
		f.report(t, n, "child", false)
		f.smtp.FailData(10)
		for range 3 {
			_, _ = n.Send(ctx)
			f.clock.Advance(time.Hour)
		}
		if got := f.statuses(t); got[notify.StatusFailed] != 1 {
			t.Errorf("outbox = %v, want one failed", got)
		}
		if sent, _ := n.Send(ctx); sent != 0 {
			t.Errorf("a failed notification was sent again")
		}
	})
}

func TestRefusedRecipientsNotLogged(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		n := f.notifier(notify.Config{MaxAttempts: 1})
		// One refused: the other still gets the mail.
		f.smtp.Reject(oncall[0])
		f.report(t, n, "child", false)
		if sent, err := n.Send(ctx); sent != 1 || err != nil {
			t.Fatalf("Send = %d, %v", sent, err)
		}
		if msgs := f.smtp.Messages(); len(msgs) != 1 || strings.Join(msgs[0].To, ",") != oncall[1] {
			t.Errorf("messages = %+v", msgs)
		}
		// All refused (the reply quotes the address): failed, and neither
		// the log nor the outbox repeats the address.
		f.smtp.Reject(oncall[1])
		f.report(t, n, "child", false)
		_, err := n.Send(ctx)
		if err == nil || strings.Contains(err.Error(), "@") {
			t.Errorf("Send error = %v, want one without addresses", err)
		}
		var lastError string
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT last_error FROM notify_outbox WHERE status = $1`, notify.StatusFailed).Scan(&lastError)
		}); err != nil {
			t.Fatal(err)
		}
		if lastError != "smtp rcpt: reply 550" {
			t.Errorf("last_error = %q", lastError)
		}
		if logs := f.logs.String(); strings.Contains(logs, "@") || !strings.Contains(logs, "reply 550") {
			t.Errorf("logs:\n%s", logs)
		}
	})
}

func TestSentOnceByTwoSenders(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		// Two processes; one report per mail, so a mail sent twice shows.
		a := f.notifier(notify.Config{Batch: 1})
		b := f.notifier(notify.Config{Batch: 1})
		const reports = 20
		for i := range reports {
			f.report(t, []*notify.Notifier{a, b}[i%2], "immediate_danger", false)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, n := range []*notify.Notifier{a, b} {
			wg.Go(func() {
				for range 50 {
					sent, err := n.Send(context.Background())
					if err != nil {
						t.Errorf("Send: %v", err)
						return
					}
					mu.Lock()
					total += sent
					mu.Unlock()
					if f.statuses(t)[notify.StatusPending] == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if total != reports {
			t.Errorf("senders counted %d sent, want %d", total, reports)
		}
		if got := len(f.smtp.Messages()); got != reports {
			t.Errorf("%d messages for %d notifications", got, reports)
		}
		if got := f.statuses(t); got[notify.StatusSent] != reports {
			t.Errorf("outbox = %v", got)
		}
	})
}

func TestMailerAuth(t *testing.T) {
	srv, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.RequireAuth("waymark", "s3cret")
	mail := notify.Mail{To: []string{"duty@hotline.example"}, Subject: "test", Body: "line one\n.line two starts with a dot\n"}
	tests := []struct {
		name, user, password string
		wantStage            string
	}{
		{"no credentials", "", "", "mail"},
		{"wrong password", "waymark", "nope", "auth"},
		{"right password", "waymark", "s3cret", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example", Username: tt.user, Password: tt.password}
			_, err := m.Send(context.Background(), mail)
			var se *notify.SendError
			switch {
			case tt.wantStage == "" && err != nil:
				t.Fatalf("Send: %v", err)
			case tt.wantStage != "" && (!errors.As(err, &se) || se.Stage != tt.wantStage):
				t.Fatalf("Send error = %v, want stage %s", err, tt.wantStage)
			}
			if err != nil && strings.Contains(err.Error(), tt.password) && tt.password != "" {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].User != "waymark" || !strings.Contains(msgs[0].Data, "\r\n.line two starts with a dot\r\n") {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestMailerUnreachable(t *testing.T) {
	srv, err := smtptest.Start()
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	srv.Close()
	m := &notify.Mailer{Addr: addr, From: "waymark@city.example", Timeout: 2 * time.Second}
	_, err = m.Send(context.Background(), notify.Mail{To: []string{"duty@hotline.example"}, Subject: "x", Body: "x"})
	var se *notify.SendError
	if !errors.As(err, &se) || se.Stage != "connect" || !se.Temporary {
		t.Errorf("Send error = %v, want a temporary connect failure", err)
	}
}

func TestFloodOfUrgentReportsIsOneMail(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newFixture(t, db)
		n := f.notifier(notify.Config{})
		for range 30 {
			f.report(t, n, "immediate_danger", true)
		}
		if sent, err := n.Send(context.Background()); err != nil || sent != 30 {
			t.Fatalf("Send = %d, %v; want 30", sent, err)
		}
		msgs := f.smtp.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d mails for a flood, want 1", len(msgs))
		}
		if lines := strings.Count(msgs[0].Data, "\r\n- "); lines != 21 || !strings.Contains(msgs[0].Data, "- and 10 more\r\n") {
			t.Errorf("mail lists %d lines:\n%s", lines, msgs[0].Data)
		}
	})
}
