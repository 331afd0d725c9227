package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/files"
	"waymark.city/waymark/internal/storage"
)

// MaxNote is the longest note, in characters.
const MaxNote = 20000

// MaxFile is the largest file attached to a note, in bytes.
const MaxFile = 10 << 20

// File is a file attached to a note: a scanned document, a photo of an
// injury for a medical referral. It is cleaned (package files) and sealed
// under the case's record.
type File struct {
	Name      string `json:"name"`
	MediaType string `json:"type"`
	Data      []byte `json:"data"`
}

// AddNote adds an encrypted note, with an optional file, to the case's timeline.
func (s *Service) AddNote(ctx context.Context, actor access.Actor, caseID, text string, file *File) (Event, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Event{}, apperr.Validation(apperr.FieldError{Field: "note", Key: "error.required"})
	case utf8.RuneCountInString(text) > MaxNote:
		return Event{}, apperr.Validation(apperr.FieldError{Field: "note", Key: "error.too_long"})
	}
	var attachment []byte
	if file != nil {
		clean, err := s.cleanFile(*file)
		if err != nil {
			return Event{}, err
		}
		if attachment, err = json.Marshal(clean); err != nil {
			return Event{}, fmt.Errorf("encode note file: %w", err)
		}
	}
	var e Event
	err := s.Change(ctx, actor, access.ManageCases, caseID, Notes, func(tx *storage.Tx, a Access) error {
		e = Event{ID: newID(), CaseID: caseID, Kind: "note", Category: Notes, ActorID: actor.UserID, At: s.now(), HasBody: true,
			HasAttachment: attachment != nil}
		sealed, err := s.vault.Seal(ctx, tx, Record(caseID), "note/"+e.ID, []byte(text))
		if err != nil {
			return fmt.Errorf("seal note on case %s: %w", caseID, err)
		}
		var sealedFile []byte
		if attachment != nil {
			if sealedFile, err = s.vault.Seal(ctx, tx, Record(caseID), "file/"+e.ID, attachment); err != nil {
				return fmt.Errorf("seal note file on case %s: %w", caseID, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, org_id, kind, category, body, attachment, actor_id, at)
			VALUES ($1, $2, $3, 'note', $4, $5, $6, $7, $8)`, e.ID, caseID, a.Case.OrgID, string(Notes), sealed, sealedFile, actor.UserID, e.At); err != nil {
			return fmt.Errorf("insert note on case %s: %w", caseID, err)
		}
		detail := ""
		if attachment != nil {
			detail = "file"
		}
		return s.record(ctx, tx, actor, "case.note", audit.Allowed, "case", caseID, a.Case.OrgID, detail)
	})
	return e, err
}

// cleanFile checks a note's file and keeps only a safe name: the base name,
// printable, at most 100 characters.
func (s *Service) cleanFile(f File) (File, error) {
	typ, data, err := s.files.Clean(f.Data)
	switch {
	case errors.Is(err, files.ErrType):
		return File{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "error.file_type"})
	case errors.Is(err, files.ErrTooLarge):
		return File{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "error.file_too_large", Args: map[string]any{"n": MaxFile >> 20}})
	case errors.Is(err, files.ErrDamaged), errors.Is(err, files.ErrImageTooLarge):
		return File{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "error.file_damaged"})
	case err != nil:
		return File{}, err
	}
	name := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) || strings.ContainsRune(`/\"<>:|?*`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[len(r)-100:])
	}
	return File{Name: name, MediaType: typ, Data: data}, nil
}

// NoteFile returns the n-th file attached to the case's notes (oldest
// first), an audited read of the notes category.
func (s *Service) NoteFile(ctx context.Context, actor access.Actor, caseID string, n int) (File, error) {
	var f File
	err := s.View(ctx, actor, caseID, Notes, func(tx *storage.Tx, a Access) error {
		if n < 1 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		var id string
		var sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT id, attachment FROM case_events WHERE case_id = $1 AND attachment IS NOT NULL
			ORDER BY at, id LIMIT 1 OFFSET $2`, caseID, n-1).Scan(&id, &sealed)
		if err != nil {
			return fmt.Errorf("load file %d of case %s: %w", n, caseID, storage.MapError(err))
		}
		plain, err := s.vault.Open(ctx, tx, Record(caseID), "file/"+id, sealed)
		if err != nil {
			return fmt.Errorf("open file %d of case %s: %w", n, caseID, err)
		}
		return json.Unmarshal(plain, &f)
	})
	return f, err
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
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, category, ref_id, detail, COALESCE(actor_id, ''), at, body, attachment IS NOT NULL
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
			if err := rows.Scan(&e.ID, &e.Kind, &e.Category, &e.RefID, &e.Detail, &e.ActorID, &e.At, &e.body, &e.HasAttachment); err != nil {
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
