// Package page is the kit every area of staff pages is built on: the route
// type an area's table is made of, and the rendering, error pages and form
// parsing all pages share. An area lives in its own package under ui/
// (ui/partners, ui/plan, …) with its own route table and templates; ui
// mounts every area behind the one session gate, so an area's handlers
// only parse, call their service and render.
package page

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/web"
)

// Gate says who may reach a route before the handler runs. Finer decisions
// (which organisation, which record) are made by the services through the
// access policy.
type Gate int

const (
	Public   Gate = iota // anyone, signed in or not
	Partial              // a session that still owes its second factor
	SignedIn             // a complete session allowed the route's Action
	// Home is SignedIn for anyone with a session. A visitor without one
	// gets the public help page instead of the sign-in, so the root tells
	// people where to get help; one whose session has ended still brings
	// its cookie and is sent to sign in again.
	Home
)

// Route is one page route.
type Route struct {
	Pattern string
	Gate    Gate
	// Action is checked for SignedIn and Home routes.
	Action  access.Action
	Handler http.HandlerFunc
}

// Area is a set of staff pages in a package of its own.
type Area interface {
	Routes() []Route
}

// Uploader is an Area some of whose routes take files larger than the
// site-wide body limit; those handlers set their own limit
// (http.MaxBytesReader) before reading the body. See web.LimitBody.
type Uploader interface {
	TakesFiles(r *http.Request) bool
}

// Kit renders pages inside the layout and answers failures. One Kit serves
// every area.
type Kit struct {
	shell *web.Shell
	log   *slog.Logger
}

// NewKit returns the kit rendering through shell.
func NewKit(shell *web.Shell, log *slog.Logger) *Kit { return &Kit{shell: shell, log: log} }

// Shell is the page shell (its catalogue, static files).
func (k *Kit) Shell() *web.Shell { return k.shell }

// Current is the signed-in state of a request, nil when signed out.
func Current(r *http.Request) *accounts.Current {
	c, _ := web.Session(r).(*accounts.Current)
	return c
}

// Actor is the signed-in user a request acts for (the zero Actor when
// signed out, which the policy allows nothing).
func Actor(r *http.Request) access.Actor {
	if c := Current(r); c != nil {
		return c.Actor
	}
	return access.Actor{}
}

// Language picks the page language: a language the address names
// (?lang=de: an invitation link sent to a German speaker), then the
// signed-in user's preference, then the language cookie, then the
// browser's Accept-Language.
func (k *Kit) Language(r *http.Request) *http.Request {
	preferred := ""
	if c, err := r.Cookie("lang"); err == nil {
		preferred = c.Value
	}
	if cur := Current(r); cur != nil && cur.User.Language != "" {
		preferred = cur.User.Language
	}
	if asked := r.URL.Query().Get("lang"); asked != "" {
		preferred = asked
	}
	cat := k.shell.Catalog()
	lang := cat.Match(preferred, r.Header.Get("Accept-Language"))
	return r.WithContext(web.WithPrinter(r.Context(), cat.For(lang)))
}

// navigation is the main menu: each link shown to roles allowed its action.
// Offered cases, service referrals and deadlines are linked from the case
// list, the protocol of collaboration from the local protocol, the
// municipality's areas from its overview: a phone keeps the menu short.
var navigation = []struct {
	href   string
	key    string
	action access.Action
}{
	{"/", "nav.home", access.ViewDashboard},
	{"/reports", "nav.reports", access.ViewReports},
	{"/calls", "nav.calls", access.LogCalls},
	{"/organisations", "nav.organisations", access.ViewOrganisations},
	{"/users", "nav.users", access.ViewUsers},
	{"/audit", "nav.audit", access.ViewAudit},
	{"/screenings", "nav.screening", access.EvaluateScreening},
	{"/guide", "nav.guide", access.EvaluateScreening},
	{"/referrals", "nav.referrals", access.ViewReferrals},
	{"/cases", "nav.cases", access.ViewCases},
	{"/tasks", "nav.tasks", access.ViewCases},
	{"/providers", "nav.providers", access.ViewCases},
	{"/protocol", "nav.protocol", access.ManageProtocol},
	{"/municipality", "nav.municipality", access.ViewMunicipal},
	{"/procurement", "nav.procurement", access.ManageProcurement},
	{"/statistics", "nav.statistics", access.ViewStatistics},
	{"/inspections", "nav.inspections", access.TakePartInInspections},
	{"/intelligence", "nav.intelligence", access.SubmitIntelligence},
	{"/account", "nav.account", access.ManageOwnAccount},
}

// reachedFrom names, for a menu item, the action of an overview that links
// it: roles allowed that action find the item there, and their menu stays
// short.
var reachedFrom = map[string]access.Action{"/inspections": access.ViewMunicipal, "/intelligence": access.ViewMunicipal}

// View starts the view of a page with the layout's common parts filled in:
// the printer, the signed-in user and the menu.
func (k *Kit) View(r *http.Request, titleKey string) *web.View {
	v := &web.View{P: web.Printer(r), TitleKey: titleKey, Form: map[string]string{}}
	cur := Current(r)
	if cur == nil {
		return v
	}
	v.Signed = &web.SignedIn{Username: cur.User.Username, RoleKey: "role." + string(cur.User.Role), OrgName: cur.User.OrgName, Complete: cur.Next == accounts.StepDone}
	if cur.Next != accounts.StepDone {
		return v
	}
	for _, item := range navigation {
		if access.Can(cur.Actor, item.action) && !access.Can(cur.Actor, reachedFrom[item.href]) {
			here := r.URL.Path == item.href || (item.href != "/" && strings.HasPrefix(r.URL.Path, item.href+"/"))
			v.Nav = append(v.Nav, web.NavItem{Href: item.href, Key: item.key, Current: here})
		}
	}
	return v
}

// Render writes the page template named page inside the layout.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, status int, page string, v *web.View) {
	k.shell.Render(w, r, status, page, v)
}

// Fail renders an error page with the status of the error's code. Internal
// errors are logged with their cause; the user sees only the safe message.
// A missing step-up sends the user to confirm who they are and come back.
func (k *Kit) Fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := web.StatusOf(e.Code)
	if status >= 500 {
		k.log.Error("request failed", "route", web.Route(r), "err", err)
	}
	if e.Code == apperr.StepUp {
		http.Redirect(w, r, "/stepup?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if web.Printer(r) == nil {
		r = k.Language(r)
	}
	v := k.View(r, "error.title")
	v.Data = v.P.Error(err)
	k.shell.Render(w, r, status, "error", v)
}

// FormFailed answers a posted form that failed: a record out of reach (or
// not the actor's to change) is the error page; anything else shows the
// form again with its errors, through render at the error's status.
func (k *Kit) FormFailed(w http.ResponseWriter, r *http.Request, v *web.View, err error, render func(status int)) {
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		k.Fail(w, r, err)
		return
	}
	if StatusOf(err) >= 500 {
		k.log.Error("request failed", "route", web.Route(r), "err", err)
	}
	v.FormError(err)
	render(StatusOf(err))
}

// Log is the logger pages report unexpected conditions to.
func (k *Kit) Log() *slog.Logger { return k.log }

// StatusOf is the HTTP status of err's code.
func StatusOf(err error) int { return web.StatusOf(apperr.CodeOf(err)) }

// ParseForm reads a posted form; an oversized or malformed body, a body
// that is not UTF-8 and text with control characters are clear errors.
func ParseForm(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") && !strings.HasPrefix(ct, "multipart/form-data") {
		return apperr.New(apperr.Unsupported, "error.unsupported")
	}
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return apperr.Wrap(apperr.TooLarge, "error.too_large", err)
		}
		return apperr.Wrap(apperr.Invalid, "error.bad_form", err)
	}
	for k, vals := range r.PostForm {
		if !utf8.ValidString(k) {
			return apperr.New(apperr.Invalid, "error.bad_encoding")
		}
		for _, v := range vals {
			if !utf8.ValidString(v) {
				return apperr.New(apperr.Invalid, "error.bad_encoding")
			}
		}
	}
	return web.CheckText(r.PostForm)
}
