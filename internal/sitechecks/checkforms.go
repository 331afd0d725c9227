package sitechecks

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// CheckForm is a site-check questionnaire with what its answers mean: the
// shipped one (ID "") or one the operator imported as an XLSForm workbook.
type CheckForm struct {
	// ID is the stored form's id; "" for the shipped questionnaire.
	ID         string
	FormID     string
	Version    string
	Title      string
	SourceName string
	ImportedAt time.Time
	Form       *forms.Form
	// Items are an imported form's items that map to the screening
	// catalogue or give a finding.
	Items      []FormItem
	signals    []Signal
	indicators []Indicator
}

// Shipped reports whether f is Waymark's own questionnaire.
func (f CheckForm) Shipped() bool { return f.ID == "" }

// FormItem maps an item of an imported questionnaire: a yes to it gives a
// finding of Severity and, when Indicator names a question of the
// screening catalogue, that question answered yes in a screening the
// check opens.
type FormItem struct {
	Question  string   `json:"question"`
	Indicator string   `json:"indicator,omitempty"`
	Severity  Severity `json:"severity"`
}

// shippedForm is the shipped questionnaire with its Go tables.
var shippedForm = CheckForm{FormID: questionnaire.ID, Version: questionnaire.Version, Title: questionnaire.Title, Form: questionnaire,
	signals: signals, indicators: indicators}

func importedForm(f CheckForm) CheckForm {
	for _, it := range f.Items {
		f.signals = append(f.signals, Signal{Question: it.Question, Answer: "yes", Severity: it.Severity})
		if it.Indicator != "" {
			f.indicators = append(f.indicators, Indicator{Question: it.Question, Answer: "yes", Screening: it.Indicator, Value: screening.Yes})
		}
	}
	// Most serious first, as the shipped table.
	slices.SortStableFunc(f.signals, func(a, b Signal) int {
		return slices.Index(Severities(), a.Severity) - slices.Index(Severities(), b.Severity)
	})
	return f
}

// derive lists the signals the answers give, in the form's order.
func (f CheckForm) derive(ans forms.Answers) []Signal {
	var out []Signal
	for _, sg := range f.signals {
		if ans.Values[sg.Question] == sg.Answer {
			out = append(out, sg)
		}
	}
	return out
}

// screeningAnswers are the screening answers the answers stand for, with
// core.does_work yes; empty without a sign about workers.
func (f CheckForm) screeningAnswers(ans forms.Answers) map[string]screening.Answer {
	out := map[string]screening.Answer{}
	signs := false
	for _, in := range f.indicators {
		if ans.Values[in.Question] == in.Answer {
			out[in.Screening] = in.Value
			signs = signs || aboutWorkers(in.Screening)
		}
	}
	if !signs {
		return map[string]screening.Answer{}
	}
	out["core.does_work"] = screening.Yes
	return out
}

// label is an item's label in lang, the text of an imported form's
// derived finding.
func (f CheckForm) label(question, lang string) string {
	for _, fi := range f.Form.Fields() {
		if fi.Name == question {
			if l := fi.Label[lang]; l != "" {
				return l
			}
			for _, l := range append([]string{f.Form.DefaultLang}, f.Form.Languages...) {
				if fi.Label[l] != "" {
					return fi.Label[l]
				}
			}
		}
	}
	return question
}

// Columns of an imported survey sheet that Waymark reads and the forms
// engine does not know: they are taken out before the engine reads it.
const (
	indicatorColumn = "indicator"
	severityColumn  = "severity"
	// unzipLimit bounds what a workbook may unpack to, as the forms
	// engine does.
	unzipLimit = 16 << 20
)

// mappedRow is an item's mapping as read, with its row for refusals.
type mappedRow struct {
	FormItem
	row int
}

// splitWorkbook reads the indicator and severity columns of a workbook's
// survey sheet and returns the workbook without them, for the forms
// engine. A workbook it cannot open is returned as it is: the engine
// explains what is wrong with it.
func splitWorkbook(src []byte) ([]byte, []mappedRow, error) {
	if !bytes.HasPrefix(src, []byte("PK\x03\x04")) {
		return src, nil, nil
	}
	wb, err := excelize.OpenReader(bytes.NewReader(src), excelize.Options{UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipLimit})
	if err != nil {
		return src, nil, nil
	}
	defer wb.Close()
	sheet := ""
	for _, name := range wb.GetSheetList() {
		if strings.EqualFold(strings.TrimSpace(name), "survey") {
			sheet = name
		}
	}
	if sheet == "" {
		return src, nil, nil
	}
	rows, err := wb.GetRows(sheet)
	if err != nil || len(rows) == 0 || len(rows) > 20*forms.MaxRows {
		return src, nil, nil
	}
	nameCol, indCol, sevCol := -1, -1, -1
	for i, h := range rows[0] {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "name":
			nameCol = i
		case indicatorColumn:
			indCol = i
		case severityColumn:
			sevCol = i
		}
	}
	if indCol < 0 && sevCol < 0 {
		return src, nil, nil
	}
	cell := func(r []string, i int) string {
		if i < 0 || i >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[i])
	}
	var mapped []mappedRow
	for n, r := range rows[1:] {
		ind, sev := cell(r, indCol), cell(r, sevCol)
		if ind == "" && sev == "" {
			continue
		}
		mapped = append(mapped, mappedRow{FormItem: FormItem{Question: cell(r, nameCol), Indicator: ind, Severity: Severity(strings.ToLower(sev))}, row: n + 2})
	}
	// The later column first, so the earlier keeps its place.
	cols := []int{indCol, sevCol}
	slices.Sort(cols)
	slices.Reverse(cols)
	for _, c := range cols {
		if c < 0 {
			continue
		}
		name, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return nil, nil, fmt.Errorf("name column %d: %w", c+1, err)
		}
		if err := wb.RemoveCol(sheet, name); err != nil {
			return nil, nil, fmt.Errorf("take out column %s of the survey: %w", name, err)
		}
	}
	buf, err := wb.WriteToBuffer()
	if err != nil {
		return nil, nil, fmt.Errorf("write the survey without Waymark's columns: %w", err)
	}
	return buf.Bytes(), mapped, nil
}

// maxFileName bounds the kept name of an uploaded file.
const maxFileName = 200

// ImportForm stores an operator's own site-check questionnaire: an XLSForm
// workbook whose survey sheet has an "indicator" column naming, for an
// item, the question of the screening catalogue a yes to it stands for,
// and a "severity" column giving the finding a yes makes (critical, high,
// medium, low). Such items are yes/no questions (a select_one with a
// choice "yes"). A form is kept per form_id and version: importing a new
// version keeps the older ones for the checks answered on them. A refused
// workbook gets the engine's errors or ours, each naming its row, and
// nothing is stored.
func (s *Service) ImportForm(ctx context.Context, actor access.Actor, name string, file io.Reader) (CheckForm, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check_form", ""); err != nil {
		return CheckForm{}, err
	}
	src, err := io.ReadAll(io.LimitReader(file, forms.MaxFileSize+1))
	if err != nil {
		return CheckForm{}, fmt.Errorf("read questionnaire upload: %w", err)
	}
	if len(src) > forms.MaxFileSize {
		return CheckForm{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "forms.error.file_too_large",
			Args: map[string]any{"max": forms.MaxFileSize >> 20}})
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if utf8.RuneCountInString(name) > maxFileName {
		name = string([]rune(name)[:maxFileName])
	}
	stripped, mapped, err := splitWorkbook(src)
	if err != nil {
		return CheckForm{}, err
	}
	form, err := forms.ParseXLSX(bytes.NewReader(stripped))
	if err != nil {
		return CheckForm{}, err
	}
	items, err := s.checkItems(form, mapped)
	if err != nil {
		return CheckForm{}, err
	}
	f := CheckForm{ID: newID(), FormID: form.ID, Version: form.Version, Title: strings.TrimSpace(form.Title), SourceName: name,
		ImportedAt: s.now(), Form: form, Items: items}
	if f.FormID == "" {
		f.FormID = strings.TrimSuffix(name, path.Ext(name))
	}
	if f.Version == "" {
		f.Version = "1"
	}
	if f.Title == "" {
		f.Title = f.FormID
	}
	switch {
	case f.FormID == questionnaire.ID:
		return CheckForm{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "sitechecks.error.import.shipped_id",
			Args: map[string]any{"form": f.FormID}})
	case utf8.RuneCountInString(f.FormID) > maxShort || utf8.RuneCountInString(f.Version) > maxShort || utf8.RuneCountInString(f.Title) > maxShort:
		return CheckForm{}, apperr.Validation(apperr.FieldError{Field: "file", Key: "sitechecks.error.import.settings_too_long"})
	}
	b, err := json.Marshal(items)
	if err != nil {
		return CheckForm{}, fmt.Errorf("encode questionnaire items: %w", err)
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM site_check_forms WHERE form_id = $1 AND version = $2)`,
			f.FormID, f.Version).Scan(&taken); err != nil {
			return fmt.Errorf("check questionnaire version: %w", err)
		}
		if taken {
			return apperr.Validation(apperr.FieldError{Field: "file", Key: "sitechecks.error.import.version_taken",
				Args: map[string]any{"form": f.FormID, "version": f.Version}})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_check_forms (id, form_id, version, title, source_name, source, indicators, imported_by, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, f.ID, f.FormID, f.Version, f.Title, f.SourceName, src, string(b), actor.UserID, f.ImportedAt); err != nil {
			return fmt.Errorf("store questionnaire: %w", storage.MapError(err))
		}
		return s.record(ctx, tx, actor, "site_check_form.import", "site_check_form", f.ID, fmt.Sprintf("items=%d", len(items)))
	})
	if err != nil {
		return CheckForm{}, err
	}
	return importedForm(f), nil
}

// checkItems checks an imported form's mapped items: each a yes/no item of
// the form, with a severity, and an indicator the screening catalogue
// has; at least one item must name an indicator, or the form could never
// open a screening.
func (s *Service) checkItems(form *forms.Form, mapped []mappedRow) ([]FormItem, error) {
	fields := map[string]forms.FieldInfo{}
	for _, fi := range form.Fields() {
		fields[fi.Name] = fi
	}
	var errs []apperr.FieldError
	add := func(row int, key string, args map[string]any) {
		if args == nil {
			args = map[string]any{}
		}
		args["row"] = row
		errs = append(errs, apperr.FieldError{Field: "file", Key: key, Args: args})
	}
	var out []FormItem
	indicators := 0
	for _, m := range mapped {
		fi, ok := fields[m.Question]
		yes := ok && fi.Type == forms.TypeSelectOne && fi.Repeat == "" &&
			slices.ContainsFunc(fi.Choices, func(c forms.ChoiceInfo) bool { return c.Name == "yes" })
		if !yes {
			add(m.row, "sitechecks.error.import.not_yes_no", nil)
			continue
		}
		if !slices.Contains(Severities(), m.Severity) {
			add(m.row, "sitechecks.error.import.severity", map[string]any{"severity": string(m.Severity)})
			continue
		}
		if m.Indicator != "" {
			if _, ok := s.screenings.Catalogue().Indicator(m.Indicator); !ok {
				add(m.row, "sitechecks.error.import.unknown_indicator", map[string]any{"indicator": m.Indicator})
				continue
			}
			indicators++
		}
		out = append(out, m.FormItem)
	}
	if len(errs) == 0 && indicators == 0 {
		errs = append(errs, apperr.FieldError{Field: "file", Key: "sitechecks.error.import.no_indicators"})
	}
	if len(errs) > 0 {
		return nil, apperr.Validation(errs...)
	}
	return out, nil
}

const formColumns = `id, form_id, version, title, source_name, source, indicators, imported_at`

// scanForm reads a stored form and parses its workbook again (once per
// process: parsed forms are kept by id).
func (s *Service) scanForm(r interface{ Scan(...any) error }) (CheckForm, error) {
	var f CheckForm
	var src []byte
	var items string
	if err := r.Scan(&f.ID, &f.FormID, &f.Version, &f.Title, &f.SourceName, &src, &items, &f.ImportedAt); err != nil {
		return CheckForm{}, err
	}
	if err := json.Unmarshal([]byte(items), &f.Items); err != nil {
		return CheckForm{}, fmt.Errorf("decode items of site-check form %s: %w", f.ID, err)
	}
	if parsed, ok := s.forms.Load(f.ID); ok {
		f.Form = parsed.(*forms.Form)
		return importedForm(f), nil
	}
	stripped, _, err := splitWorkbook(src)
	if err != nil {
		return CheckForm{}, err
	}
	if f.Form, err = forms.ParseXLSX(bytes.NewReader(stripped)); err != nil {
		return CheckForm{}, fmt.Errorf("stored site-check form %s no longer parses: %w", f.ID, err)
	}
	s.forms.Store(f.ID, f.Form)
	return importedForm(f), nil
}

// formOf returns the form a check was answered on, by its form_id and
// version.
func (s *Service) formOf(ctx context.Context, tx *storage.Tx, formID, version string) (CheckForm, error) {
	if formID == shippedForm.FormID && version == shippedForm.Version {
		return shippedForm, nil
	}
	f, err := s.scanForm(tx.QueryRowContext(ctx, `SELECT `+formColumns+` FROM site_check_forms WHERE form_id = $1 AND version = $2`, formID, version))
	if errors.Is(err, sql.ErrNoRows) {
		return CheckForm{}, fmt.Errorf("site check form %s version %s is not stored", formID, version)
	}
	return f, err
}

// formByID returns the form a new check is answered on: "" is the shipped
// one.
func (s *Service) formByID(ctx context.Context, tx *storage.Tx, id string) (CheckForm, error) {
	if id == "" {
		return shippedForm, nil
	}
	f, err := s.scanForm(tx.QueryRowContext(ctx, `SELECT `+formColumns+` FROM site_check_forms WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return CheckForm{}, apperr.Validation(apperr.FieldError{Field: "form", Key: "sitechecks.error.form"})
	}
	return f, err
}

// Forms lists the questionnaires a check can be answered on: the shipped
// one first, then the imported ones by form and newest version first.
// Current are the ones a new check offers: the shipped one and the newest
// version of each imported form.
func (s *Service) Forms(ctx context.Context, actor access.Actor) (all, current []CheckForm, err error) {
	if err := s.authorize(ctx, actor, access.ViewProcurement, "site_check_form", ""); err != nil {
		return nil, nil, err
	}
	all, current = []CheckForm{shippedForm}, []CheckForm{shippedForm}
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+formColumns+` FROM site_check_forms ORDER BY form_id, imported_at DESC, id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f, err := s.scanForm(rows)
			if err != nil {
				return err
			}
			if all[len(all)-1].FormID != f.FormID {
				current = append(current, f)
			}
			all = append(all, f)
		}
		return rows.Err()
	})
	return all, current, err
}

// Form returns a questionnaire a new check is answered on ("" the shipped
// one); an unknown id is a field error.
func (s *Service) Form(ctx context.Context, actor access.Actor, id string) (CheckForm, error) {
	if err := s.authorize(ctx, actor, access.ViewProcurement, "site_check_form", id); err != nil {
		return CheckForm{}, err
	}
	var f CheckForm
	err := s.db.Read(ctx, func(tx *storage.Tx) (err error) {
		f, err = s.formByID(ctx, tx, id)
		return err
	})
	return f, err
}

// FormOf returns the questionnaire a check was answered on, to show its
// answers.
func (s *Service) FormOf(ctx context.Context, c Check) (CheckForm, error) {
	var f CheckForm
	err := s.db.Read(ctx, func(tx *storage.Tx) (err error) {
		f, err = s.formOf(ctx, tx, c.FormID, c.FormVersion)
		return err
	})
	return f, err
}
