package crisisunit

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// UserDeadline is a deadline of a case that falls to one user: named on
// it, the case's worker when none is named, or anyone of a partner given a
// task on it. Codes and dates only.
type UserDeadline struct {
	Kind     string
	RefID    string
	CaseID   string
	CaseCode string
	Due      time.Time
	RemindOn time.Time
	Category cases.Category
	// Held is set when the user's organisation does not own the case.
	Held bool
}

// Path is where the deadline is dealt with, relative to the site: the
// case's tab for it, or the task list for a partner that may not open the
// case.
func (d UserDeadline) Path() string {
	if d.Held {
		return "/tasks"
	}
	return "/cases/" + d.CaseID + d.Tab()
}

// Tab is the path of the case page a deadline of this kind is about,
// relative to the case ("/risk", "/conferences", … or "" for the overview).
func (d UserDeadline) Tab() string { return categoryTabs[d.Category] }

// categoryTabs maps the category of data a deadline belongs to to the case
// tab that shows it.
var categoryTabs = map[cases.Category]string{
	cases.CrisisUnit: "/conferences", cases.Risk: "/risk", cases.Legal: "/legal",
	cases.Assistance: "/plan", cases.Children: "/child",
}

// myDeadlines are the deadlines of the next year falling to actor (named,
// or on cases they are the worker of), overdue first: the deadlines
// dashboard's own query, so scope and index use are the gate's.
func (s *Service) myDeadlines(ctx context.Context, actor access.Actor) ([]UserDeadline, error) {
	list, err := s.cases.Deadlines(ctx, actor, cases.DeadlineFilter{Mine: true, Days: 366, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]UserDeadline, len(list))
	for i, d := range list {
		out[i] = UserDeadline{Kind: d.Kind, RefID: d.RefID, CaseID: d.CaseID, CaseCode: d.CaseCode, Due: d.Due, RemindOn: d.RemindOn, Category: d.Category, Held: d.Held}
	}
	return out, nil
}

// MyDeadlines lists the deadlines falling to the actor, overdue first.
func (s *Service) MyDeadlines(ctx context.Context, actor access.Actor) ([]UserDeadline, error) {
	return s.myDeadlines(ctx, actor)
}

// FeedInfo says whether the actor has a calendar feed, and since when.
type FeedInfo struct {
	Exists    bool
	CreatedAt time.Time
}

// Feed returns whether the actor has a calendar feed.
func (s *Service) Feed(ctx context.Context, actor access.Actor) (FeedInfo, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "calendar_feed", actor.UserID); err != nil {
		return FeedInfo{}, err
	}
	var out FeedInfo
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM calendar_feeds WHERE user_id = $1`, actor.UserID).Scan(&out.CreatedAt)
		if err == nil {
			out.Exists = true
		}
		if apperr.Is(storage.MapError(err), apperr.NotFound) {
			return nil
		}
		return err
	})
	return out, err
}

// NewFeedToken creates (or replaces) the actor's calendar feed token and
// returns it. Only its SHA-256 is stored, so it is shown once; an earlier
// token stops working.
func (s *Service) NewFeedToken(ctx context.Context, actor access.Actor) (string, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCases, "calendar_feed", actor.UserID); err != nil {
		return "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	hash := sha256.Sum256([]byte(token))
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, actor.UserID); err != nil {
			return fmt.Errorf("drop calendar feed of user %s: %w", actor.UserID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)`,
			actor.UserID, hash[:], s.cases.Now()); err != nil {
			return fmt.Errorf("store calendar feed of user %s: %w", actor.UserID, err)
		}
		return s.cases.Audit(ctx, tx, actor, "calendar_feed.create", "user", actor.UserID, actor.OrgID, "")
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedOwner is the user a calendar feed token belongs to.
type FeedOwner struct {
	UserID   string
	Language string
}

// FeedDeadlines resolves a calendar feed token to its user and that user's
// deadlines. An unknown token, or one of a disabled account or
// organisation, is NotFound.
func (s *Service) FeedDeadlines(ctx context.Context, token string) (FeedOwner, []UserDeadline, error) {
	var owner FeedOwner
	if token == "" || len(token) > 100 {
		return owner, nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	hash := sha256.Sum256([]byte(token))
	var actor access.Actor
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT u.id, u.org_id, u.role, u.language FROM calendar_feeds f JOIN users u ON u.id = f.user_id
			JOIN organisations o ON o.id = u.org_id
			WHERE f.token_hash = $1 AND u.disabled_at IS NULL AND o.disabled_at IS NULL`, hash[:]).
			Scan(&actor.UserID, &actor.OrgID, &actor.Role, &owner.Language)
		if err != nil {
			return fmt.Errorf("resolve calendar feed: %w", storage.MapError(err))
		}
		return nil
	})
	if err != nil {
		return owner, nil, err
	}
	owner.UserID = actor.UserID
	// The feed shows what the user's role and organisation may see now.
	out, err := s.myDeadlines(ctx, actor)
	return owner, out, err
}

// Event is one all-day event of a calendar feed.
type Event struct {
	UID         string
	Day         time.Time
	Summary     string
	Description string
	URL         string
}

// Calendar is an iCalendar (RFC 5545) feed of all-day events.
type Calendar struct {
	// Name is shown by calendar apps (X-WR-CALNAME).
	Name string
	// Stamp is when the feed was generated (every event's DTSTAMP).
	Stamp  time.Time
	Events []Event
}

// Marshal writes the calendar as RFC 5545 text: CRLF line ends, TEXT values
// escaped, lines folded at 75 octets without splitting a UTF-8 sequence.
func (c Calendar) Marshal() []byte {
	var b bytes.Buffer
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Waymark//Deadlines//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME:" + escapeText(c.Name))
	}
	stamp := c.Stamp.UTC().Format("20060102T150405Z")
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + stamp)
		line("DTSTART;VALUE=DATE:" + e.Day.Format("20060102"))
		line("DTEND;VALUE=DATE:" + e.Day.AddDate(0, 0, 1).Format("20060102"))
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.URL != "" {
			line("URL:" + e.URL)
		}
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// fold writes one content line, folded so that no physical line exceeds
// 75 octets (RFC 5545 §3.1): a continuation starts with one space.
func fold(b *bytes.Buffer, s string) {
	const limit = 75
	width := limit
	for len(s) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		width = limit - 1 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
