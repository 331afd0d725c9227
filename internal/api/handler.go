package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/web"
)

// Handler serves the JSON API.
type Handler struct {
	accounts *accounts.Service
	audit    *audit.Log
	db       *storage.DB
	catalog  *i18n.Catalog
	screen   *screening.Catalogue
	guide    *fieldguide.Service // the local adaptation of the field guide
	ident    *identification.Service
	cases    *cases.Service
	dataprot *dataprotection.Service
	cookie   web.SessionCookie
	log      *slog.Logger
}

// Deps are what the API needs.
type Deps struct {
	Accounts *accounts.Service
	Audit    *audit.Log
	DB       *storage.DB
	Catalog  *i18n.Catalog
	// Screening is the indicator catalogue and engine.
	Screening *screening.Catalogue
	// FieldGuide is the local places, signs and relevance marks
	// (app.App.FieldGuide).
	FieldGuide *fieldguide.Service
	// Identification is referrals and decisions (app.App.Identification).
	Identification *identification.Service
	// Cases is case management (app.App.Cases); DataProtection the export,
	// erasure and HTCDS exchange of cases.
	Cases          *cases.Service
	DataProtection *dataprotection.Service
	Secure         bool
	Log            *slog.Logger
}

// New returns the API handler.
func New(d Deps) *Handler {
	return &Handler{accounts: d.Accounts, audit: d.Audit, db: d.DB, catalog: d.Catalog, screen: d.Screening, guide: d.FieldGuide, ident: d.Identification, cases: d.Cases, dataprot: d.DataProtection, cookie: web.SessionCookie{Secure: d.Secure}, log: d.Log}
}

// gate resolves the session, checks the route's action and turns a returned
// error into the JSON error answer.
func (h *Handler) gate(rt Route) http.Handler {
	return web.Named(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := h.catalog.Match("", r.Header.Get("Accept-Language"))
		r = r.WithContext(web.WithPrinter(r.Context(), h.catalog.For(lang)))
		cur, err := h.accounts.Resolve(r.Context(), h.cookie.Token(r))
		if err == nil && cur.Next != accounts.StepDone {
			err = apperr.New(apperr.Unauthorized, "error.unauthorized")
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if cur.User.Language != "" {
			r = r.WithContext(web.WithPrinter(r.Context(), h.catalog.For(h.catalog.Match(cur.User.Language, ""))))
		}
		r = r.WithContext(web.WithSession(r.Context(), &cur))
		if rt.Action != "" && !access.Can(cur.Actor, rt.Action) {
			h.accounts.RecordDenied(r.Context(), cur.Actor, string(rt.Action))
			h.writeError(w, r, apperr.New(apperr.Forbidden, "error.forbidden"))
			return
		}
		if web.OverlongPathValue(r) {
			// No record has such an id: refused and audited as a probe
			// before the id reaches a query.
			h.accounts.RecordDenied(r.Context(), cur.Actor, string(rt.Action))
			h.writeError(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		if err := rt.Handler(w, r); err != nil {
			h.writeError(w, r, err)
		}
	}))
}

func (h *Handler) notFound(http.ResponseWriter, *http.Request) error {
	return apperr.New(apperr.NotFound, "error.not_found")
}

func actor(r *http.Request) access.Actor {
	if c, ok := web.Session(r).(*accounts.Current); ok {
		return c.Actor
	}
	return access.Actor{}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    apperr.Code  `json:"code"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := web.StatusOf(e.Code)
	if status >= 500 {
		h.log.Error("api request failed", "route", web.Route(r), "err", err)
	}
	p := web.Printer(r)
	body := errorBody{Error: errorDetail{Code: e.Code, Message: p.Error(err)}}
	for _, f := range e.Fields {
		var args []any
		for k, v := range f.Args {
			args = append(args, k, v)
		}
		body.Error.Fields = append(body.Error.Fields, fieldError{Field: f.Field, Message: p.T(f.Key, args...)})
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decode reads a JSON body strictly: the right content type, valid UTF-8,
// no unknown fields, one value, within the body limit.
func decode(r *http.Request, dst any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return apperr.New(apperr.Unsupported, "error.unsupported")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return apperr.Wrap(apperr.TooLarge, "error.too_large", err)
		}
		return apperr.Wrap(apperr.Invalid, "error.bad_json", err)
	}
	// encoding/json would quietly replace invalid UTF-8; refuse it instead.
	if !utf8.Valid(body) {
		return apperr.New(apperr.Invalid, "error.bad_encoding")
	}
	if err := web.CheckJSONText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return apperr.Wrap(apperr.Invalid, "error.bad_json", err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "error.bad_json")
	}
	return nil
}
