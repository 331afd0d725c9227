// Package intelligence is the channel for information about businesses,
// places and recruiters that reaches the police contact points (issue 13
// item 7; Danube guidelines §3.4 and p. xii — /work/shared/seeds/).
//
// It is never about victims: the form has no field for a person and says
// so, whoever submits confirms it, and a text that looks like it is about
// a victim or holds a person's data goes back to its submitter to remove
// it or confirm it is not (victims.go). The text may name suspects, so it
// is sealed under "intelligence/<id>"; only the police contact points
// (access.ReadIntelligence) open it, and every list, read and change is
// audited in its transaction. Any staff role but the administrator and
// the analyst submits (access.SubmitIntelligence) and then sees only the
// status of their own submissions — received, acted upon or not
// actionable — never what the police did.
//
// The channel is kept apart from case data: its own table, no case id,
// and this package depends on neither cases nor any capability built on
// them.
package intelligence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/persondata"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Service is the intelligence channel.
type Service struct {
	db    *storage.DB
	vault *vault.Vault
	gate  audit.Gate
	areas func(context.Context) ([]geo.Area, error)
	now   func() time.Time
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Vault *vault.Vault
	Audit *audit.Log
	// Areas are the city's current areas (geo.Service.Current).
	Areas func(context.Context) ([]geo.Area, error)
	// Now defaults to storage.Now.
	Now func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, gate: audit.NewGate(d.DB, d.Audit), areas: d.Areas, now: d.Now}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.areas == nil {
		s.areas = func(context.Context) ([]geo.Area, error) { return nil, nil }
	}
	return s
}

// What an entry is about.
var abouts = []string{"business", "place", "recruiter"}

// Abouts lists what an entry can be about.
func Abouts() []string { return slices.Clone(abouts) }

// Statuses of an entry: new until a police contact point marks it.
const (
	StatusNew     = "new"
	Received      = "received"
	ActedUpon     = "acted_upon"
	NotActionable = "not_actionable"
)

// Marks lists the statuses a police contact point sets.
func Marks() []string { return []string{Received, ActedUpon, NotActionable} }

// Limits.
const (
	maxText = 4000
	// listed bounds the entries a list shows.
	listed = 500
)

func record(id string) string { return "intelligence/" + id }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Entry is an entry of the channel. Text is filled by Read only.
type Entry struct {
	ID          string
	OrgID       string
	OrgName     string
	SubmittedAt time.Time
	About       string
	Sector      string
	AreaCode    string
	Text        string
	Status      string
	StatusAt    *time.Time
}

// Input is the submission form. NotAboutVictims is the submitter's
// confirmation that the text names no victim; Confirmed are the kinds of
// flag (see persondata.Check) they were shown and confirmed are about a business,
// place or recruiter.
type Input struct {
	About           string
	Sector          string
	AreaCode        string
	Text            string
	NotAboutVictims bool
	Confirmed       []string
}

// Submit records an entry for the actor's organisation, its text sealed.
// A text persondata.Check flags is not stored until every kind of flag in it is
// confirmed: until then Submit returns a *Review with the flags. The
// confirmation is audited, as the kinds of flag confirmed.
func (s *Service) Submit(ctx context.Context, actor access.Actor, in Input) (Entry, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.SubmitIntelligence, "intelligence", ""); err != nil {
		return Entry{}, err
	}
	in.About, in.Sector, in.AreaCode, in.Text = strings.TrimSpace(in.About), strings.TrimSpace(in.Sector), strings.TrimSpace(in.AreaCode), strings.TrimSpace(in.Text)
	var fe apperr.Fields
	if !slices.Contains(abouts, in.About) {
		fe.Add("about", "intelligence.error.about")
	}
	if in.Sector != "" && !mapping.HasChoice("labour_exploitation", "sector", in.Sector) {
		fe.Add("sector", "intelligence.error.sector")
	}
	if in.AreaCode != "" {
		areas, err := s.areas(ctx)
		if err != nil {
			return Entry{}, fmt.Errorf("load the city's areas: %w", err)
		}
		if !slices.ContainsFunc(areas, func(a geo.Area) bool { return a.Code == in.AreaCode }) {
			fe.Add("area", "intelligence.error.area")
		}
	}
	if in.Text == "" || utf8.RuneCountInString(in.Text) > maxText {
		fe.Add("text", "intelligence.error.text")
	}
	if !in.NotAboutVictims {
		fe.Add("not_about_victims", "intelligence.error.not_about_victims")
	}
	if err := fe.Err(); err != nil {
		return Entry{}, err
	}
	flags := persondata.Check(in.Text)
	for _, k := range persondata.Kinds(flags) {
		if !slices.Contains(in.Confirmed, k) {
			return Entry{}, &Review{Flags: flags}
		}
	}
	var out Entry
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		id := newID()
		sealed, err := s.vault.Seal(ctx, tx, record(id), "text", []byte(in.Text))
		if err != nil {
			return fmt.Errorf("seal intelligence: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO intelligence_entries (id, org_id, submitted_by, submitted_at, about, sector, area_code, text, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, actor.OrgID, actor.UserID, s.now(), in.About, in.Sector, in.AreaCode, sealed, StatusNew); err != nil {
			return fmt.Errorf("insert intelligence: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "intelligence.submit", "intelligence", id, actor.OrgID, in.About); err != nil {
			return err
		}
		if len(flags) > 0 {
			if err := s.gate.Record(ctx, tx, actor, "intelligence.confirm_not_victim", "intelligence", id, actor.OrgID,
				strings.Join(persondata.Kinds(flags), ",")); err != nil {
				return err
			}
		}
		out, _, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

const columns = `e.id, e.org_id, o.name, e.submitted_at, e.about, e.sector, e.area_code, e.status, e.status_at`

const from = ` FROM intelligence_entries e JOIN organisations o ON o.id = e.org_id`

func scan(r interface{ Scan(...any) error }) (Entry, error) {
	var out Entry
	var at *time.Time
	if err := r.Scan(&out.ID, &out.OrgID, &out.OrgName, &out.SubmittedAt, &out.About, &out.Sector, &out.AreaCode, &out.Status, &at); err != nil {
		return Entry{}, err
	}
	out.StatusAt = at
	return out, nil
}

// get loads entry id and its sealed text.
func get(ctx context.Context, tx *storage.Tx, id string) (Entry, []byte, error) {
	var sealed []byte
	var out Entry
	var at *time.Time
	err := tx.QueryRowContext(ctx, `SELECT `+columns+`, e.text`+from+` WHERE e.id = $1`, id).Scan(&out.ID, &out.OrgID, &out.OrgName,
		&out.SubmittedAt, &out.About, &out.Sector, &out.AreaCode, &out.Status, &at, &sealed)
	if err != nil {
		return Entry{}, nil, fmt.Errorf("load intelligence %s: %w", id, storage.MapError(err))
	}
	out.StatusAt = at
	return out, sealed, nil
}

// list lists entries matching where, newest first.
func list(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+columns+from+` WHERE `+where+fmt.Sprintf(` ORDER BY e.submitted_at DESC, e.id DESC LIMIT %d`, listed), args...)
	if err != nil {
		return nil, fmt.Errorf("list intelligence: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan intelligence: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Mine lists the actor's own submissions: what each was about, when, and
// its status; never the police's notes, for there are none to give.
func (s *Service) Mine(ctx context.Context, actor access.Actor) ([]Entry, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.SubmitIntelligence, "intelligence", ""); err != nil {
		return nil, err
	}
	var out []Entry
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = list(ctx, tx, `e.submitted_by = $1`, actor.UserID)
		return err
	})
	return out, err
}

// Inbox lists every entry for a police contact point, without the texts;
// the listing is audited.
func (s *Service) Inbox(ctx context.Context, actor access.Actor) ([]Entry, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ReadIntelligence, "intelligence", ""); err != nil {
		return nil, err
	}
	var out []Entry
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if out, err = list(ctx, tx, `1 = 1`); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "intelligence.list", "intelligence", "", "", fmt.Sprint(len(out)))
	})
	return out, err
}

// Read opens entry id for a police contact point; the read is audited.
func (s *Service) Read(ctx context.Context, actor access.Actor, id string) (Entry, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ReadIntelligence, "intelligence", id); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		e, sealed, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		text, err := s.vault.Open(ctx, tx, record(id), "text", sealed)
		if err != nil && !errors.Is(err, vault.ErrErased) {
			return fmt.Errorf("open intelligence %s: %w", id, err)
		}
		e.Text = string(text)
		out = e
		return s.gate.Record(ctx, tx, actor, "intelligence.read", "intelligence", id, e.OrgID, "")
	})
	return out, err
}

// Mark sets the status of entry id.
func (s *Service) Mark(ctx context.Context, actor access.Actor, id, status string) (Entry, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ReadIntelligence, "intelligence", id); err != nil {
		return Entry{}, err
	}
	if !slices.Contains(Marks(), status) {
		return Entry{}, apperr.Validation(apperr.FieldError{Field: "status", Key: "intelligence.error.status"})
	}
	var out Entry
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE intelligence_entries SET status = $1, status_by = $2, status_at = $3 WHERE id = $4`,
			status, actor.UserID, s.now(), id)
		if err != nil {
			return fmt.Errorf("mark intelligence: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if out, _, err = get(ctx, tx, id); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "intelligence.mark", "intelligence", id, out.OrgID, status)
	})
	return out, err
}
