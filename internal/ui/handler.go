package ui

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Handler serves the staff pages.
type Handler struct {
	kit   *page.Kit
	shell *web.Shell
	// areas are the pages that live in packages of their own (ui/partners,
	// ui/plan, …), mounted behind the same gate.
	areas    []page.Area
	accounts *accounts.Service
	audit    *audit.Log
	db       *storage.DB
	log      *slog.Logger
	cookie   web.SessionCookie
	// secure marks cookies Secure (HTTPS deployments).
	secure bool
	// clientKey turns a client address into an opaque, keyed, daily-changing
	// value for throttling; the address itself is never stored.
	clientKey func(addr string, day time.Time) string
	// publicURL names the site for passkeys; see relyingParty.
	publicURL string
	// signedOut is what a Home route shows a visitor without a session.
	signedOut http.Handler
	// screenings keeps screenings.
	screenings *screening.Store
	// fieldguide is the local adaptation of the field guide.
	fieldguide *fieldguide.Service
	// referrals is the identification service.
	referrals *identification.Service
	// intake is the reports and calls service.
	intake *intake.Service
	// cases is the case gate and core case records; the others are the
	// capabilities built on it.
	cases          *cases.Service
	risk           *risk.Service
	children       *children.Service
	assistance     *assistance.Service
	legalstatus    *legalstatus.Service
	crisisunit     *crisisunit.Service
	dataprotection *dataprotection.Service
	interpreters   *interpreters.Service
	returns        *returns.Service
	// agreements gives the named contact persons the lists of whom to
	// call show.
	agreements *agreements.Service
	// plan is the action plan, whose overdue measures the dashboard shows.
	plan *plan.Service
	// mapping lists on the dashboard the questionnaires a respondent is
	// invited to answer.
	mapping *mapping.Service
	// campaigns offers the console the running campaigns' codes and names
	// the campaign of a call's or a report's code.
	campaigns *campaigns.Service
	// procurement lists on the officer's dashboard the contracts due for
	// review.
	procurement *procurement.Service
	// patterns answers which of the pages' patterns a method and path meet
	// (see landing); its handlers are never run.
	patterns *http.ServeMux
}

// Deps are what the pages need.
type Deps struct {
	// Kit renders pages; areas built on it are mounted with Areas.
	Kit       *page.Kit
	Areas     []page.Area
	Accounts  *accounts.Service
	Audit     *audit.Log
	DB        *storage.DB
	Log       *slog.Logger
	Secure    bool
	ClientKey func(addr string, day time.Time) string
	// PublicURL is the URL people reach Waymark at (config.PublicURL); passkeys
	// are bound to its host. Empty: taken from each request (see relyingParty).
	PublicURL string
	// SignedOut is the page a visitor without a session finds at the root
	// (public.Handler.Help); nil sends them to sign in.
	SignedOut http.Handler
	// Screenings keeps saved screenings and holds the indicator catalogue
	// the screening pages and the field guide show (app.App.Screenings).
	Screenings *screening.Store
	// FieldGuide is the local places, signs and relevance marks shown in
	// the field guide (app.App.FieldGuide).
	FieldGuide *fieldguide.Service
	// Identification is referrals, the local protocol and the decisions on
	// victim status (app.App.Identification).
	Identification *identification.Service
	// Intake is reports from the public, their triage and the hotline
	// console (app.App.Intake).
	Intake *intake.Service
	// Cases and the capabilities built on it (app.App.Cases, …).
	Cases          *cases.Service
	Risk           *risk.Service
	Children       *children.Service
	Assistance     *assistance.Service
	LegalStatus    *legalstatus.Service
	CrisisUnit     *crisisunit.Service
	DataProtection *dataprotection.Service
	// Interpreters is the interpreter register and bookings (app.App.Interpreters).
	Interpreters *interpreters.Service
	// Returns is the return of a case's person and the country notes
	// (app.App.Returns).
	Returns *returns.Service
	// Agreements is the partners' agreements and named contact persons
	// (app.App.Agreements).
	Agreements *agreements.Service
	// Plan is the action plan (app.App.Plan): the dashboard lists its
	// overdue measures and those due for review.
	Plan *plan.Service
	// Mapping is the local mapping (app.App.Mapping): the dashboard lists
	// the questionnaires a respondent is invited to answer.
	Mapping *mapping.Service
	// Campaigns is awareness campaigns (app.App.Campaigns): the console
	// offers their codes, calls and reports name their campaign.
	Campaigns *campaigns.Service
	// Procurement is the municipality's contracts (app.App.Procurement):
	// the officer's dashboard lists those due for review.
	Procurement *procurement.Service
}

// New returns the page handler.
func New(d Deps) *Handler {
	h := &Handler{kit: d.Kit, areas: d.Areas, accounts: d.Accounts, audit: d.Audit, db: d.DB, log: d.Log, secure: d.Secure, cookie: web.SessionCookie{Secure: d.Secure}, clientKey: d.ClientKey, publicURL: d.PublicURL, signedOut: d.SignedOut, referrals: d.Identification, intake: d.Intake, screenings: d.Screenings,
		fieldguide: d.FieldGuide, cases: d.Cases, risk: d.Risk, children: d.Children, assistance: d.Assistance, legalstatus: d.LegalStatus,
		crisisunit: d.CrisisUnit, dataprotection: d.DataProtection, interpreters: d.Interpreters, returns: d.Returns, agreements: d.Agreements, plan: d.Plan, mapping: d.Mapping,
		campaigns: d.Campaigns, procurement: d.Procurement}
	if d.Kit != nil {
		h.shell = d.Kit.Shell()
	}
	h.patterns = http.NewServeMux()
	for _, rt := range h.Routes() {
		h.patterns.Handle(rt.Pattern, http.NotFoundHandler())
	}
	return h
}

func (h *Handler) setSession(w http.ResponseWriter, token string) { h.cookie.Set(w, token) }

func (h *Handler) clearSession(w http.ResponseWriter) { h.cookie.Clear(w) }

func (h *Handler) token(r *http.Request) string { return h.cookie.Token(r) }

// client is the throttling key of the request's client address (decided
// once for the whole app by web.ClientAddress).
func (h *Handler) client(r *http.Request) string {
	return h.clientKey(web.ClientAddr(r).String(), time.Now().UTC())
}

// The kit serves every area; ui's own pages call it through these short
// names.

// current is the signed-in state of a request, nil when signed out.
func current(r *http.Request) *accounts.Current { return page.Current(r) }

func actor(r *http.Request) access.Actor { return page.Actor(r) }

// gate resolves the session and language, then lets the request through
// only if the route's gate allows it.
func (h *Handler) gate(rt Route) http.Handler {
	return web.Named(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cur *accounts.Current
		tok := h.token(r)
		if tok != "" {
			c, err := h.accounts.Resolve(r.Context(), tok)
			switch {
			case err == nil:
				cur = &c
				r = r.WithContext(web.WithSession(r.Context(), cur))
			case apperr.Is(err, apperr.Unauthorized):
				h.clearSession(w)
			default:
				h.fail(w, h.language(r), err)
				return
			}
		}
		r = h.language(r)
		switch rt.Gate {
		case Partial:
			if cur == nil {
				h.toLogin(w, r)
				return
			}
		case SignedIn, Home:
			if cur == nil && rt.Gate == Home && tok == "" && h.signedOut != nil {
				h.signedOut.ServeHTTP(w, r)
				return
			}
			if cur == nil {
				h.toLogin(w, r)
				return
			}
			if cur.Next != accounts.StepDone {
				http.Redirect(w, r, nextStepPath(cur.Next), http.StatusSeeOther)
				return
			}
			if !access.Can(cur.Actor, rt.Action) {
				h.accounts.RecordDenied(r.Context(), cur.Actor, string(rt.Action))
				h.fail(w, r, apperr.New(apperr.Forbidden, "error.forbidden"))
				return
			}
		}
		if web.OverlongPathValue(r) {
			// No record has such an id: refused (and audited for a signed-in
			// caller, as a probe) before the id reaches a query.
			if cur != nil {
				h.accounts.RecordDenied(r.Context(), cur.Actor, string(rt.Action))
			}
			h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		rt.Handler(w, r)
	}))
}

func nextStepPath(s accounts.Step) string {
	if s == accounts.StepEnrol {
		return "/login/enrol"
	}
	return "/login/code"
}

func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) language(r *http.Request) *http.Request { return h.kit.Language(r) }

func (h *Handler) view(r *http.Request, titleKey string) *web.View { return h.kit.View(r, titleKey) }

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) { h.kit.Fail(w, r, err) }

func parseForm(r *http.Request) error { return page.ParseForm(r) }

// safeNext keeps a redirect target on this site: a path, never "//host".
// Browsers drop tabs and newlines from a URL and read a backslash as a
// slash, so "/\t/evil.example" and "/\\evil.example" would leave the site too.
func safeNext(next string) string {
	bad := func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, bad) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func (h *Handler) formFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error, render func(status int)) {
	h.kit.FormFailed(w, r, v, err, render)
}

func statusOf(err error) int { return page.StatusOf(err) }
