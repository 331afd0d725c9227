// Package public is Waymark's surface for the public: the help page a
// signed-out visitor sees at the root (Help), the anonymous report form and
// the follow-up with a receipt code. It has its own route table
// (routes.go), one file per action, its own templates and a plain layout
// without staff navigation, cookies or third-party content.
//
// Anonymity: the handlers never read the user agent or other device
// headers, never set a cookie and never log anything about the client. The
// client address is used in exactly one place, ClientKey, which turns it
// into a keyed hash that changes daily and only counts toward rate limits.
// The request log (web.Observe) records route pattern, status and
// duration only.
//
// The pages are offered in every language whose catalogue covers the
// "public" area (i18n.Catalog.LanguagesFor("public")); the reader picks one
// with ?lang=, else the browser's Accept-Language decides. Forms carry the
// language in their action URL, so no cookie is needed to keep it.
package public

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

//go:embed templates static
var assets embed.FS

// Area is the catalogue area of the public pages' messages.
const Area = "public"

// Deps are what the public pages need.
type Deps struct {
	Intake    *intake.Service
	Catalog   *i18n.Catalog
	Catalogue *screening.Catalogue
	Log       *slog.Logger
	// Hotlines lists the local help lines for the help page
	// (accounts.Service.PublicHotlines); nil lists none.
	Hotlines func(context.Context) ([]accounts.Contact, error)
	// Zone is the time zone dates are shown in.
	Zone *time.Location
	// MaxUploads bounds how many report forms with attachments are read at
	// once (each may hold its files in memory); 0 means 8. A form waits up
	// to UploadWait (0 means 15 seconds) for its turn; after that it is
	// shown again with its text and a request to send it without files.
	MaxUploads int
	UploadWait time.Duration
}

// Handler serves the public pages.
type Handler struct {
	intake    *intake.Service
	catalog   *i18n.Catalog
	catalogue *screening.Catalogue
	log       *slog.Logger
	hotlines  func(context.Context) ([]accounts.Contact, error)
	zone      *time.Location
	pages     map[string]*template.Template
	asset     string
	uploads   chan struct{}
	submits   chan struct{}
	wait      time.Duration
}

// New parses the templates; a template that fails to parse stops start-up.
func New(d Deps) (*Handler, error) {
	h := &Handler{intake: d.Intake, catalog: d.Catalog, catalogue: d.Catalogue, log: d.Log, hotlines: d.Hotlines, zone: d.Zone,
		pages: map[string]*template.Template{}, submits: make(chan struct{}, 1)}
	if h.zone == nil {
		h.zone = time.Local
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if d.MaxUploads <= 0 {
		d.MaxUploads = 8
	}
	h.uploads = make(chan struct{}, d.MaxUploads)
	h.wait = d.UploadWait
	if h.wait <= 0 {
		h.wait = 15 * time.Second
	}
	sum := sha256.New()
	for _, name := range []string{"static/public.css", "static/pow.js", "static/favicon.svg"} {
		b, err := assets.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sum.Write(b)
	}
	h.asset = hex.EncodeToString(sum.Sum(nil)[:6])
	base, err := template.New("layout").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse public layout: %w", err)
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(assets, name); err != nil {
			return nil, fmt.Errorf("parse public page %s: %w", name, err)
		}
		h.pages[page] = t
	}
	return h, nil
}

// Pages lists the page templates (for tests that render every page).
func (h *Handler) Pages() []string { return slices.Collect(maps.Keys(h.pages)) }

var funcs = template.FuncMap{
	"join": func(a, b string) string { return a + b },
	// domid turns a code such as an indicator id ("gen.violence") into
	// an id usable in CSS selectors.
	"domid": func(s string) string { return strings.ReplaceAll(s, ".", "-") },
	// choice builds a select of coded answers: view, field name, label
	// key, the message-key prefix of the options, the option codes.
	"choice": func(v *view, name, labelKey, prefix string, options []string) choiceField {
		c := choiceField{V: v, Name: name, LabelKey: labelKey, Prefix: prefix, Options: options, Error: v.FieldErrors[name]}
		if p, ok := v.Data.(*reportPage); ok {
			c.Value = p.Values[name]
		}
		return c
	},
}

// choiceField is what the "choice" template renders.
type choiceField struct {
	V        *view
	Name     string
	LabelKey string
	Prefix   string
	Options  []string
	Value    string
	Error    string
}

// view is what every public template receives.
type view struct {
	P         *i18n.Printer
	TitleKey  string
	Languages []i18n.Language
	// Path is the page to switch language on (no query).
	Path   string
	Asset  string
	Script bool // load the proof-of-work script
	// NoBanner leaves out the emergency line above the page, for the help
	// page, which begins with it.
	NoBanner bool
	// Errors is the summary at the top; FieldErrors the message next to each field.
	Errors      []fieldMessage
	FieldErrors map[string]string
	Notice      string
	Zone        *time.Location
	Data        any
}

type fieldMessage struct {
	Field   string
	Message string
}

// LangQuery is the query string that keeps the page's language.
func (v *view) LangQuery() string { return "?lang=" + url.QueryEscape(v.P.Lang()) }

// LanguageName is the endonym of the page's language.
func (v *view) LanguageName() string {
	for _, l := range v.Languages {
		if l.Tag == v.P.Lang() {
			return l.Name
		}
	}
	return v.P.Lang()
}

// printer chooses the language: ?lang= first, then the browser's
// preference, among the languages of the public area.
func (h *Handler) printer(r *http.Request) *i18n.Printer {
	return h.catalog.For(h.catalog.MatchFor(Area, r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
}

func (h *Handler) newView(r *http.Request, titleKey string) *view {
	// Language links are GET requests: from a page that answered a POST
	// without a GET of its own, they lead to the page where it started.
	back := r.URL.Path
	if back == PathReply {
		back = PathFollowUp
	}
	return &view{P: h.printer(r), TitleKey: titleKey, Languages: h.catalog.LanguagesFor(Area), Path: back,
		Asset: h.asset, Zone: h.zone}
}

// render writes page with the layout, buffered so a template error never
// sends half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := h.pages[page]
	if !ok {
		h.log.Error("unknown public page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.Error("render public page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.P.Lang())
	// Search engines should not list the pages, nor keep copies of them.
	w.Header().Set("X-Robots-Tag", "noindex, noarchive")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail puts err into v (summary and field messages) and returns the HTTP
// status for it. Only "public.*" keys (and the catalogue's own) exist in
// every public language, so any other key is replaced by a public text
// for its code.
func (h *Handler) fail(v *view, r *http.Request, err error) int {
	e := apperr.As(err)
	if web.StatusOf(e.Code) >= 500 {
		h.log.Error("public request failed", "route", web.Route(r), "err", err)
	}
	v.FieldErrors = map[string]string{}
	if len(e.Fields) > 0 {
		for _, f := range e.Fields {
			msg := v.P.Field(publicField(f))
			v.Errors = append(v.Errors, fieldMessage{Field: f.Field, Message: msg})
			if _, seen := v.FieldErrors[f.Field]; !seen {
				v.FieldErrors[f.Field] = msg
			}
		}
		return web.StatusOf(e.Code)
	}
	key := e.Key
	if !strings.HasPrefix(key, "public.") {
		key = codeKey(e.Code)
	}
	v.Errors = append(v.Errors, fieldMessage{Message: v.P.Field(apperr.FieldError{Key: key, Args: e.Args})})
	return web.StatusOf(e.Code)
}

func publicField(f apperr.FieldError) apperr.FieldError {
	if !strings.HasPrefix(f.Key, "public.") {
		f.Key, f.Args = "public.error.choice", nil
	}
	return f
}

// codeKey is the public message for an error code.
func codeKey(c apperr.Code) string {
	switch c {
	case apperr.TooMany:
		return "public.error.too_many"
	case apperr.TooLarge:
		return "public.error.too_large"
	case apperr.NotFound:
		return "public.error.code_unknown"
	case apperr.Invalid, apperr.Unsupported:
		return "public.error.form"
	case apperr.Unavailable:
		return "public.error.busy"
	}
	return "error.internal"
}

// clientKey is the rate-limit key of the client: a daily keyed hash of its
// address as web.ClientAddress decided it (see intake.Service.ClientKey).
// The address goes nowhere else.
func (h *Handler) clientKey(r *http.Request) string {
	return h.intake.ClientKey(web.ClientAddr(r).String(), time.Now())
}

// option is one choice of a select or a group of checkboxes. Lang is set
// when the label is in another language than the page (catalogue texts
// exist only in English and German).
type option struct {
	Value string
	Label string
	Lang  string
}
