package mapping

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// Sources of a questionnaire.
const (
	SourceShipped = "shipped"
	SourceXLSX    = "xlsx"
)

// Questionnaire is a stored questionnaire.
type Questionnaire struct {
	ID         string
	FormID     string
	Title      string
	Version    string
	SourceKind string
	// SourceName is the shipped slug or the uploaded file's name.
	SourceName string
	Restricted bool
	ImportedBy string // username
	ImportedAt time.Time
}

// Slug is the shipped questionnaire's slug, "" for an imported one.
func (q Questionnaire) Slug() string {
	if q.SourceKind == SourceShipped {
		return q.SourceName
	}
	return ""
}

const maxFileName = 200

// ImportXLSForm stores an uploaded .xlsx questionnaire. A form the engine
// refuses comes back with the engine's errors (sheet, row and column) and
// nothing is stored. restricted limits its results to roles allowed
// access.ViewMappingRestricted.
func (s *Service) ImportXLSForm(ctx context.Context, actor access.Actor, name string, file io.Reader, restricted bool) (Questionnaire, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_questionnaire", ""); err != nil {
		return Questionnaire{}, err
	}
	src, err := io.ReadAll(io.LimitReader(file, forms.MaxFileSize+1))
	if err != nil {
		return Questionnaire{}, fmt.Errorf("read questionnaire upload: %w", err)
	}
	if len(src) > forms.MaxFileSize {
		return Questionnaire{}, apperr.New(apperr.TooLarge, "mapping.error.file_too_large")
	}
	// The name is kept only to show where the form came from; the content
	// decides whether it is a workbook.
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if tooLong(name, maxFileName) {
		name = string([]rune(name)[:maxFileName])
	}
	form, err := forms.ParseXLSX(bytes.NewReader(src))
	if err != nil {
		return Questionnaire{}, err
	}
	formID := form.ID
	if formID == "" {
		// XLSForm's default form id is the file's name.
		formID = strings.TrimSuffix(name, path.Ext(name))
	}
	return s.store(ctx, actor, form, formID, SourceXLSX, name, src, restricted)
}

// AddShipped stores one of Waymark's own questionnaires so rounds can ask
// it; a questionnaire already stored in this version is returned as it is.
func (s *Service) AddShipped(ctx context.Context, actor access.Actor, slug string) (Questionnaire, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_questionnaire", slug); err != nil {
		return Questionnaire{}, err
	}
	sh, ok := shippedBySlug(slug)
	if !ok {
		return Questionnaire{}, apperr.New(apperr.NotFound, "mapping.error.no_questionnaire")
	}
	src, err := ShippedSource(slug)
	if err != nil {
		return Questionnaire{}, fmt.Errorf("read shipped questionnaire %s: %w", slug, err)
	}
	form, err := forms.ParseText(slug, src)
	if err != nil {
		return Questionnaire{}, fmt.Errorf("shipped questionnaire %s does not parse: %w", slug, err)
	}
	var existing string
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id FROM mapping_questionnaires WHERE form_id = $1 AND version = $2`, form.ID, form.Version).Scan(&existing)
	})
	switch {
	case err == nil:
		return s.Questionnaire(ctx, actor, existing)
	case !errors.Is(err, sql.ErrNoRows):
		return Questionnaire{}, fmt.Errorf("find shipped questionnaire %s: %w", slug, err)
	}
	return s.store(ctx, actor, form, form.ID, SourceShipped, slug, src, sh.Restricted)
}

func (s *Service) store(ctx context.Context, actor access.Actor, form *forms.Form, formID, kind, name string, src []byte, restricted bool) (Questionnaire, error) {
	q := Questionnaire{ID: newID(), FormID: formID, Title: strings.TrimSpace(form.Title), Version: form.Version,
		SourceKind: kind, SourceName: name, Restricted: restricted, ImportedAt: s.now()}
	if q.Title == "" {
		q.Title = formID
	}
	if q.Version == "" {
		q.Version = "1"
	}
	if tooLong(q.Title, 300) || tooLong(q.FormID, 200) || tooLong(q.Version, 100) {
		return Questionnaire{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "mapping.error.settings_too_long"})
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM mapping_questionnaires WHERE form_id = $1 AND version = $2)`,
			q.FormID, q.Version).Scan(&taken); err != nil {
			return fmt.Errorf("check questionnaire version: %w", err)
		}
		if taken {
			return apperr.Validation(apperr.FieldError{Field: "file", Key: "mapping.error.version_taken",
				Args: map[string]any{"form": q.FormID, "version": q.Version}})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_questionnaires (id, form_id, title, version, source_kind, source_name, source,
			restricted, imported_by, imported_org, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			q.ID, q.FormID, q.Title, q.Version, q.SourceKind, q.SourceName, src, storage.Flag(q.Restricted), actor.UserID, actor.OrgID, q.ImportedAt); err != nil {
			return fmt.Errorf("store questionnaire: %w", storage.MapError(err))
		}
		return s.log(ctx, tx, actor, "questionnaire_import", "mapping_questionnaire", q.ID, kind)
	})
	if err != nil {
		return Questionnaire{}, err
	}
	s.forms.Store(q.ID, form)
	return q, nil
}

const questionnaireColumns = `q.id, q.form_id, q.title, q.version, q.source_kind, q.source_name, q.restricted, COALESCE(u.username, ''), q.imported_at`

const questionnaireFrom = ` FROM mapping_questionnaires q LEFT JOIN users u ON u.id = q.imported_by`

func scanQuestionnaire(r interface{ Scan(...any) error }) (Questionnaire, error) {
	var q Questionnaire
	var restricted int
	if err := r.Scan(&q.ID, &q.FormID, &q.Title, &q.Version, &q.SourceKind, &q.SourceName, &restricted, &q.ImportedBy, &q.ImportedAt); err != nil {
		return Questionnaire{}, err
	}
	q.Restricted = restricted != 0
	return q, nil
}

func getQuestionnaire(ctx context.Context, tx *storage.Tx, id string) (Questionnaire, error) {
	q, err := scanQuestionnaire(tx.QueryRowContext(ctx, `SELECT `+questionnaireColumns+questionnaireFrom+` WHERE q.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Questionnaire{}, apperr.New(apperr.NotFound, "mapping.error.no_questionnaire")
	}
	if err != nil {
		return Questionnaire{}, fmt.Errorf("load questionnaire %s: %w", id, err)
	}
	return q, nil
}

// seesResults reports whether actor may see a questionnaire's results:
// restricted ones need access.ViewMappingRestricted, others
// access.ViewMappingReport.
func seesResults(actor access.Actor, q Questionnaire) bool {
	if q.Restricted {
		return access.Can(actor, access.ViewMappingRestricted)
	}
	return access.Can(actor, access.ViewMappingReport)
}

// Questionnaires lists the stored questionnaires, newest first, for those
// who run the mapping.
func (s *Service) Questionnaires(ctx context.Context, actor access.Actor) ([]Questionnaire, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_questionnaire", ""); err != nil {
		return nil, err
	}
	var out []Questionnaire
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+questionnaireColumns+questionnaireFrom+` ORDER BY q.imported_at DESC, q.id`)
		if err != nil {
			return fmt.Errorf("list questionnaires: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			q, err := scanQuestionnaire(rows)
			if err != nil {
				return fmt.Errorf("scan questionnaire: %w", err)
			}
			out = append(out, q)
		}
		return rows.Err()
	})
	return out, err
}

// Questionnaire returns one stored questionnaire to those who run the mapping.
func (s *Service) Questionnaire(ctx context.Context, actor access.Actor, id string) (Questionnaire, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_questionnaire", id); err != nil {
		return Questionnaire{}, err
	}
	var q Questionnaire
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		q, err = getQuestionnaire(ctx, tx, id)
		return err
	})
	return q, err
}

// Preview is a stored questionnaire's form as a round over the whole city
// would show it, for the coordinator to read before asking it.
func (s *Service) Preview(ctx context.Context, actor access.Actor, id string) (Questionnaire, *forms.Form, error) {
	q, err := s.Questionnaire(ctx, actor, id)
	if err != nil {
		return Questionnaire{}, nil, err
	}
	var form *forms.Form
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		form, err = s.formFor(ctx, tx, q.ID, nil)
		return err
	})
	return q, form, err
}

// formFor parses questionnaire id as a round with area codes scope shows
// it: the shipped forms' "area" list gets the round's areas (every current
// area when scope is empty).
func (s *Service) formFor(ctx context.Context, tx *storage.Tx, id string, scope []string) (*forms.Form, error) {
	var kind, name string
	var src []byte
	if err := tx.QueryRowContext(ctx, `SELECT source_kind, source_name, source FROM mapping_questionnaires WHERE id = $1`, id).Scan(&kind, &name, &src); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.New(apperr.NotFound, "mapping.error.no_questionnaire")
		}
		return nil, fmt.Errorf("load questionnaire source %s: %w", id, err)
	}
	if kind == SourceXLSX {
		if f, ok := s.forms.Load(id); ok {
			return f.(*forms.Form), nil
		}
		form, err := forms.ParseXLSX(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("stored questionnaire %s no longer parses: %w", id, err)
		}
		s.forms.Store(id, form)
		return form, nil
	}
	areas, err := s.areasIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	key := id + areaKey(areas)
	if f, ok := s.forms.Load(key); ok {
		return f.(*forms.Form), nil
	}
	form, err := forms.ParseText(name, withAreas(src, areas))
	if err != nil {
		return nil, fmt.Errorf("stored questionnaire %s no longer parses: %w", id, err)
	}
	s.forms.Store(key, form)
	return form, nil
}
