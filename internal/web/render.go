package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
)

//go:embed templates static
var assets embed.FS

// Shell renders pages inside Waymark's common layout: header, navigation,
// language switcher, error summary, and the page's own content.
type Shell struct {
	pages map[string]*template.Template
	// partials is the layout with every area's partials, for Fragment.
	partials     *template.Template
	catalog      *i18n.Catalog
	log          *slog.Logger
	assetVersion string
	zone         *time.Location
}

// NavItem is one link of the main navigation.
type NavItem struct {
	Href    string
	Key     string
	Current bool
}

// View is what every page template receives. Page-specific data is in Data.
type View struct {
	P        *i18n.Printer
	TitleKey string
	// Title, when set, is the page's title already in the reader's
	// language: for titles that name what the page is about.
	Title     string
	Nav       []NavItem
	Signed    *SignedIn
	Languages []i18n.Language
	// Path is the current path, to come back to after switching language.
	Path string
	// Errors is the summary at the top; FieldErrors the message next to each field.
	Errors      []FieldMessage
	FieldErrors map[string]string
	Notice      string
	Form        map[string]string
	Data        any
	Asset       string
	// Zone is the time zone dates are shown in: the installation's local time.
	Zone *time.Location
}

// SignedIn describes the signed-in user in the header.
type SignedIn struct {
	Username string
	RoleKey  string
	OrgName  string
	// Complete is false while the second factor is outstanding.
	Complete bool
}

// FieldMessage is one entry of the error summary; Field is the id it links to.
type FieldMessage struct {
	Field   string
	Message string
}

// NewShell parses the layout with every page template of each of pages
// (files named *.html): ui's own and each area's. Files named _*.html are
// partials shared by every page (the header of a case page, the
// questionnaire); the others are pages, named after their file, and two
// pages of one name are an error. A template that fails to parse stops
// start-up, not a request.
func NewShell(catalog *i18n.Catalog, zone *time.Location, log *slog.Logger, pages ...fs.FS) (*Shell, error) {
	s := &Shell{pages: map[string]*template.Template{}, catalog: catalog, log: log, zone: zone}
	css, err := assets.ReadFile("static/app.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	s.assetVersion = hex.EncodeToString(sum[:6])
	base, err := template.New("layout").Funcs(funcs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	for _, set := range pages {
		partials, err := fs.Glob(set, "_*.html")
		if err != nil {
			return nil, err
		}
		if len(partials) > 0 {
			if _, err := base.ParseFS(set, partials...); err != nil {
				return nil, fmt.Errorf("parse partials: %w", err)
			}
		}
	}
	// Pages are clones of this; it is executed only through Fragment and
	// so never cloned after it has been executed.
	if s.partials, err = base.Clone(); err != nil {
		return nil, err
	}
	for _, set := range pages {
		names, err := fs.Glob(set, "*.html")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			if strings.HasPrefix(name, "_") {
				continue
			}
			page := strings.TrimSuffix(name, ".html")
			if _, dup := s.pages[page]; dup {
				return nil, fmt.Errorf("page %s is defined twice", name)
			}
			t, err := base.Clone()
			if err != nil {
				return nil, err
			}
			if _, err := t.ParseFS(set, name); err != nil {
				return nil, fmt.Errorf("parse page %s: %w", name, err)
			}
			s.pages[page] = t
		}
	}
	return s, nil
}

// Pages lists the parsed page names (for tests that render every page).
func (s *Shell) Pages() []string { return slices.Collect(maps.Keys(s.pages)) }

// Catalog returns the message catalogue.
func (s *Shell) Catalog() *i18n.Catalog { return s.catalog }

// Zone is the installation's time zone, which times are shown in (a PDF
// printout says when it was made in it).
func (s *Shell) Zone() *time.Location { return s.zone }

// Render writes page with the layout. It renders into a buffer first so a
// template error never sends half a page.
func (s *Shell) Render(w http.ResponseWriter, r *http.Request, status int, page string, v *View) {
	t, ok := s.pages[page]
	if !ok {
		s.log.Error("unknown page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if v.P == nil {
		v.P = Printer(r)
	}
	v.Languages = s.catalog.Languages()
	v.Asset = s.assetVersion
	v.Zone = s.zone
	if v.Path == "" {
		v.Path = r.URL.Path
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Fragment renders the template name, defined in the layout or in an
// area's partials, to HTML: for a page that keeps a part of itself laid
// out while what it shows is unchanged.
func (s *Shell) Fragment(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := s.partials.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render fragment %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil
}

// FormError fills the error summary and the per-field messages from err.
func (v *View) FormError(err error) {
	e := apperr.As(err)
	v.FieldErrors = map[string]string{}
	if len(e.Fields) == 0 {
		v.Errors = append(v.Errors, FieldMessage{Message: v.P.Error(err)})
		return
	}
	for _, f := range e.Fields {
		msg := v.P.T(f.Key, argList(f.Args)...)
		v.Errors = append(v.Errors, FieldMessage{Field: f.Field, Message: msg})
		if _, seen := v.FieldErrors[f.Field]; !seen {
			v.FieldErrors[f.Field] = msg
		}
	}
}

// FormErrorAt is FormError for a form whose one field holds a whole
// document (an imported file): every field error of err names a part of the
// document, and is shown, and linked to, at that one field.
func (v *View) FormErrorAt(err error, field string) {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		v.FormError(err)
		return
	}
	at := *e
	at.Fields = make([]apperr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = field
		at.Fields[i] = f
	}
	v.FormError(&at)
}

func argList(m map[string]any) []any {
	var out []any
	for k, val := range m {
		out = append(out, k, val)
	}
	return out
}

// Static serves the embedded CSS, scripts and images. They are versioned by
// a query string, so they may be cached for long.
func (s *Shell) Static() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r.URL.Path = "/" + path.Base(r.URL.Path)
		files.ServeHTTP(w, r)
	})
}

// Field is what the "field" partial renders: a labelled input with its
// error message and description tied to it for screen readers.
type Field struct {
	V        *View
	Name     string
	Type     string
	LabelKey string
	HintKey  string
	Required bool
	Auto     string
	Options  []Option
}

// Option is one choice of a select field: a message key, or a Label shown
// as it is (data such as an organisation's name).
type Option struct {
	Value    string
	LabelKey string
	Label    string
}

// Value is the submitted value of the field.
func (f Field) Value() string { return f.V.Form[f.Name] }

// Error is the translated error of the field, if any.
func (f Field) Error() string { return f.V.FieldErrors[f.Name] }

var funcs = template.FuncMap{
	// day shows a calendar day kept as YYYY-MM-DD in the reader's date
	// format; a day has no time zone, so it is formatted as it is.
	"day": func(p *i18n.Printer, s string) string {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return p.Date(t, time.UTC)
	},
	// field builds a Field: view, name, type, label key, then optional
	// "required", "hint:KEY", "auto:VALUE".
	"field": func(v *View, name, typ, label string, opts ...any) Field {
		f := Field{V: v, Name: name, Type: typ, LabelKey: label}
		for _, o := range opts {
			switch o := o.(type) {
			case string:
				switch {
				case o == "required":
					f.Required = true
				case strings.HasPrefix(o, "hint:"):
					f.HintKey = strings.TrimPrefix(o, "hint:")
				case strings.HasPrefix(o, "auto:"):
					f.Auto = strings.TrimPrefix(o, "auto:")
				}
			case []Option:
				f.Options = o
			}
		}
		return f
	},
}
