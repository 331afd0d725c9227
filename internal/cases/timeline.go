package cases

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// MaxNote is the longest note, in characters.
const MaxNote = 20000

// AddNote adds an encrypted note to the case's timeline.
func (s *Service) AddNote(ctx context.Context, actor access.Actor, caseID, text string) (Event, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Event{}, apperr.Validation(apperr.FieldError{Field: "note", Key: "error.required"})
	case utf8.RuneCountInString(text) > MaxNote:
		return Event{}, apperr.Validation(apperr.FieldError{Field: "note", Key: "error.too_long"})
	}
	var e Event
	err := s.Change(ctx, actor, access.ManageCases, caseID, Notes, func(tx *storage.Tx, a Access) error {
		e = Event{ID: newID(), CaseID: caseID, Kind: "note", Category: Notes, ActorID: actor.UserID, At: s.now(), HasBody: true}
		sealed, err := s.vault.Seal(ctx, tx, Record(caseID), "note/"+e.ID, []byte(text))
		if err != nil {
			return fmt.Errorf("seal note on case %s: %w", caseID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, org_id, kind, category, body, actor_id, at)
			VALUES ($1, $2, $3, 'note', $4, $5, $6, $7)`, e.ID, caseID, a.Case.OrgID, string(Notes), sealed, actor.UserID, e.At); err != nil {
			return fmt.Errorf("insert note on case %s: %w", caseID, err)
		}
		return s.record(ctx, tx, actor, "case.note", audit.Allowed, "case", caseID, a.Case.OrgID, "")
	})
	return e, err
}

// Entry is a timeline event with the text of a note when it was read.
type Entry struct {
	Event
	Text string
}

// Timeline lists the events of the case the actor may see, newest first.
// With notes, the text of notes is decrypted (an audited read of the notes
// category); without, only that there is a note.
func (s *Service) Timeline(ctx context.Context, actor access.Actor, caseID string, notes bool, limit int) (Access, []Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	cat := Profile
	if notes {
		cat = Notes
	}
	var acc Access
	var out []Entry
	err := s.View(ctx, actor, caseID, cat, func(tx *storage.Tx, a Access) error {
		acc = a
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, category, ref_id, detail, COALESCE(actor_id, ''), at, body
			FROM case_events WHERE case_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, caseID, limit)
		if err != nil {
			return fmt.Errorf("load timeline of case %s: %w", caseID, err)
		}
		defer rows.Close()
		type sealedEntry struct {
			Entry
			body []byte
		}
		var list []sealedEntry
		for rows.Next() {
			var e sealedEntry
			if err := rows.Scan(&e.ID, &e.Kind, &e.Category, &e.RefID, &e.Detail, &e.ActorID, &e.At, &e.body); err != nil {
				return fmt.Errorf("scan timeline of case %s: %w", caseID, err)
			}
			e.CaseID, e.HasBody = caseID, e.body != nil
			if a.Sees(e.Category) {
				list = append(list, e)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, e := range list {
			if notes && e.body != nil {
				plain, err := s.vault.Open(ctx, tx, Record(caseID), "note/"+e.ID, e.body)
				if err != nil {
					return fmt.Errorf("open note %s: %w", e.ID, err)
				}
				e.Text = string(plain)
			}
			out = append(out, e.Entry)
		}
		return nil
	})
	return acc, out, err
}
