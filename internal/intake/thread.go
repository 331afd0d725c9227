package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Authors of thread messages.
const (
	AuthorStaff    = "staff"
	AuthorReporter = "reporter"
)

// Message is one entry of a report's thread.
type Message struct {
	N      int
	Author string // AuthorStaff or AuthorReporter
	// AuthorUserID is the staff member who wrote it (empty for the reporter).
	AuthorUserID string
	Body         string
	At           time.Time
}

// Thread is what a reporter sees with their receipt code: when the report
// was sent, and the questions and answers — never the report itself, so
// whoever finds a written-down code learns as little as possible.
type Thread struct {
	ReportID string
	Sent     time.Time
	Messages []Message
	// Open is the number of staff questions after the reporter's last answer.
	Open int
}

// OpenThread finds the report of a receipt code and returns its thread.
// visitor is whose budget the attempt spends (Visitor: a solved proof of
// work, else the caller's ClientKey); attempts are throttled per visitor
// and for everyone. A wrong or malformed code is NotFound with a message
// that does not say which.
func (s *Service) OpenThread(ctx context.Context, visitor, code string) (*Thread, error) {
	id, err := s.checkCode(ctx, visitor, code)
	if err != nil {
		return nil, err
	}
	var th *Thread
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		th, err = s.thread(ctx, tx, id)
		return err
	})
	return th, err
}

// Reply adds the reporter's answer to the thread of a receipt code and
// returns the thread with it; visitor as for OpenThread. An empty or too
// long answer is refused before the code is tried.
func (s *Service) Reply(ctx context.Context, visitor, code, text string) (*Thread, error) {
	text = normaliseText(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return nil, apperr.Validation(apperr.FieldError{Field: "message", Key: "public.error.message_required"})
	case n > MaxMessage:
		return nil, apperr.Validation(apperr.FieldError{Field: "message", Key: "public.error.too_long", Args: map[string]any{"n": MaxMessage}})
	}
	id, err := s.checkCode(ctx, visitor, code)
	if err != nil {
		return nil, err
	}
	var th *Thread
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		org, err := s.addMessage(ctx, tx, id, AuthorReporter, "", text)
		if err != nil {
			return err
		}
		if _, err := s.audit.Append(ctx, tx, audit.Entry{Action: "reports.reply", Outcome: audit.Done,
			SubjectType: "report", SubjectID: id, SubjectOrgID: org}); err != nil {
			return err
		}
		th, err = s.thread(ctx, tx, id)
		return err
	})
	return th, err
}

// AskReporter adds a staff question to the thread of report reportID; the
// reporter sees it when they come back with their code. scope is what
// access.Authorize returned for the caller's triage action; a report
// outside it is NotFound.
func (s *Service) AskReporter(ctx context.Context, actor access.Actor, scope access.Scope, reportID, text string) error {
	text = normaliseText(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return apperr.Validation(apperr.FieldError{Field: "message", Key: "public.error.message_required"})
	case n > MaxMessage:
		return apperr.Validation(apperr.FieldError{Field: "message", Key: "public.error.too_long", Args: map[string]any{"n": MaxMessage}})
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.inScope(ctx, tx, scope, reportID); err != nil {
			return err
		}
		org, err := s.addMessage(ctx, tx, reportID, AuthorStaff, actor.UserID, text)
		if err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.ask",
			Outcome: audit.Allowed, SubjectType: "report", SubjectID: reportID, SubjectOrgID: org})
		return err
	})
}

// checkCode returns the id of the report whose receipt code is code. A
// code that is no receipt code at all (wrong length, letters) is refused
// at once and spends nothing: the sender already knows it is malformed. A
// well-formed one counts against visitor's budget and gets exactly one
// argon2id check.
func (s *Service) checkCode(ctx context.Context, visitor, code string) (string, error) {
	notFound := apperr.New(apperr.NotFound, "public.error.code_unknown")
	code = NormaliseCode(code)
	if code == "" {
		return "", notFound
	}
	if err := s.admitCode(ctx, visitor); err != nil {
		return "", err
	}
	type candidate struct{ id, hash string }
	var cands []candidate
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, receipt_hash FROM reports WHERE receipt_lookup = $1 ORDER BY id LIMIT 8`, s.codeLookup(code))
		if err != nil {
			return fmt.Errorf("look up receipt: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c candidate
			if err := rows.Scan(&c.id, &c.hash); err != nil {
				return fmt.Errorf("look up receipt: %w", err)
			}
			cands = append(cands, c)
		}
		return rows.Err()
	})
	if err != nil {
		return "", err
	}
	secret := s.codeSecret(code)
	if len(cands) == 0 {
		s.hasher.DummyCheck(secret)
		return "", notFound
	}
	for _, c := range cands {
		ok, _, err := s.hasher.Check(c.hash, secret)
		if err != nil {
			return "", fmt.Errorf("check receipt of report %s: %w", c.id, err)
		}
		if ok {
			return c.id, nil
		}
	}
	return "", notFound
}

// addMessage appends a message to a report's thread and returns the
// report's organisation.
func (s *Service) addMessage(ctx context.Context, tx *storage.Tx, reportID, author, userID, text string) (string, error) {
	var org sql.NullString
	var last int
	err := tx.QueryRowContext(ctx, `SELECT r.org_id, COALESCE((SELECT MAX(n) FROM report_messages m WHERE m.report_id = r.id), 0)
		FROM reports r WHERE r.id = $1`+tx.ForUpdate(), reportID).Scan(&org, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return "", fmt.Errorf("load report %s: %w", reportID, err)
	}
	if last >= s.cfg.MaxMessages {
		return "", apperr.New(apperr.Conflict, "public.error.thread_full")
	}
	n := last + 1
	body, err := s.vault.Seal(ctx, tx, record(reportID), "message/"+strconv.Itoa(n), []byte(text))
	if err != nil {
		return "", err
	}
	at := minute(s.now())
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_messages (report_id, n, author, author_user_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, reportID, n, author, storage.NullString(userID), body, at); err != nil {
		return "", fmt.Errorf("insert message %d of report %s: %w", n, reportID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET updated_at = $1 WHERE id = $2`, at, reportID); err != nil {
		return "", fmt.Errorf("touch report %s: %w", reportID, err)
	}
	return org.String, nil
}

// thread loads and decrypts a report's thread.
func (s *Service) thread(ctx context.Context, tx *storage.Tx, id string) (*Thread, error) {
	th := &Thread{ReportID: id}
	if err := tx.QueryRowContext(ctx, `SELECT created_at FROM reports WHERE id = $1`, id).Scan(&th.Sent); err != nil {
		return nil, fmt.Errorf("load report %s: %w", id, err)
	}
	th.Sent = th.Sent.UTC()
	msgs, err := s.messages(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	th.Messages = msgs
	for _, m := range msgs {
		if m.Author == AuthorReporter {
			th.Open = 0
		} else {
			th.Open++
		}
	}
	return th, nil
}

func (s *Service) messages(ctx context.Context, tx *storage.Tx, id string) ([]Message, error) {
	rows, err := tx.QueryContext(ctx, `SELECT n, author, COALESCE(author_user_id, ''), body, created_at
		FROM report_messages WHERE report_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("load thread of report %s: %w", id, err)
	}
	type sealed struct {
		m    Message
		body []byte
	}
	var all []sealed
	for rows.Next() {
		var x sealed
		if err := rows.Scan(&x.m.N, &x.m.Author, &x.m.AuthorUserID, &x.body, &x.m.At); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load thread of report %s: %w", id, err)
		}
		x.m.At = x.m.At.UTC()
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load thread of report %s: %w", id, err)
	}
	out := make([]Message, 0, len(all))
	for _, x := range all {
		// Opened after the rows are closed: the vault queries the same
		// transaction, which one connection cannot do mid-scan.
		body, err := s.vault.Open(ctx, tx, record(id), "message/"+strconv.Itoa(x.m.N), x.body)
		if err != nil {
			return nil, err
		}
		x.m.Body = string(body)
		out = append(out, x.m)
	}
	return out, nil
}
