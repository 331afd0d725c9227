package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// callRow is one call on the console, without its notes.
type callRow struct {
	ID, Ref  string
	CalledAt time.Time
	Ago      string
	Caller   string
	Topic    string
	Language string
	TakenBy  string
	Referred string
	Danger   bool
	Child    bool
	Missing  bool
	Clock    *clockView
	ReportID string
}

// handoverRow is an open hand-over on the console.
type handoverRow struct {
	Href    string
	Kind    string
	Ref     string
	Urgency string // label; "" when not urgent
	Clock   *clockView
	By      string
	At      time.Time
	Lines   []string
}

type consolePage struct {
	CallerTypes []web.Option
	Languages   []web.Option
	Topics      []web.Option
	Info        []web.Option
	InfoChecked map[string]bool
	Orgs        []web.Option
	// Codes are the running campaigns' materials, then "other" and "not
	// asked": how the caller heard of us.
	Codes     []web.Option
	Handovers []handoverRow
	Open      callTable
	Recent    callTable
	MaxNotes  int
}

// callTable is a table of calls; V gives the partial the printer and zone.
type callTable struct {
	V        *web.View
	ID       string
	TitleKey string
	Rows     []callRow
}

func (h *Handler) callRowOf(p *i18n.Printer, c intake.Call, now time.Time) callRow {
	return callRow{ID: c.ID, Ref: intake.ShortID(c.ID), CalledAt: c.CalledAt, Ago: spanText(p, now.Sub(c.CalledAt)),
		Caller: p.T("call.caller." + c.CallerType), Topic: p.T("call.topic." + c.Topic), Language: h.callLanguageName(p, c.Language),
		TakenBy: c.TakenBy, Referred: c.ReferredToName, Danger: c.Danger, Child: c.Child, Missing: c.MissingChild,
		Clock: missingClock(p, c.ClockEnds(), now), ReportID: c.ReportID}
}

func (h *Handler) callLanguageName(p *i18n.Printer, tag string) string {
	if tag == "other" {
		return p.T("call.language_other")
	}
	return h.languageName(tag)
}

// renderConsole shows the operator console: the quick call form first,
// then what the last shift handed over and the open calls, with the
// 24-hour clock of each missing child. v carries a failed form.
func (h *Handler) renderConsole(w http.ResponseWriter, r *http.Request, status int, v *web.View, info []string) {
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.LogCalls)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, now := v.P, svc.Now()
	page := consolePage{InfoChecked: map[string]bool{}, MaxNotes: intake.MaxCallNotes,
		Open: callTable{V: v, ID: "open-calls-table", TitleKey: "call.open_title"}, Recent: callTable{V: v, ID: "recent-calls-table", TitleKey: "call.recent_title"}}
	for _, c := range intake.CallerTypes {
		page.CallerTypes = append(page.CallerTypes, web.Option{Value: c, LabelKey: "call.caller." + c})
	}
	for _, l := range h.shell.Catalog().LanguagesFor("public") {
		page.Languages = append(page.Languages, web.Option{Value: l.Tag, Label: l.Name})
	}
	page.Languages = append(page.Languages, web.Option{Value: "other", LabelKey: "call.language_other"})
	page.Topics = codeOptions("form.choose", "call.topic.", intake.CallTopics)
	for _, c := range intake.CallInfo {
		page.Info = append(page.Info, web.Option{Value: c, LabelKey: "call.info." + c})
	}
	for _, c := range info {
		page.InfoChecked[c] = true
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Orgs = []web.Option{{Value: "", LabelKey: "call.referred_none"}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	if v.Form["language"] == "" {
		v.Form["language"] = p.Lang()
	}
	if page.Codes, err = h.codeOptions(r); err != nil {
		h.fail(w, r, err)
		return
	}
	handovers, err := svc.Handovers(r.Context(), a, scope)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, ho := range handovers {
		if ho.Kind == intake.HandoverReport && !access.Can(a, access.ViewReports) {
			continue
		}
		row := handoverRow{Href: "/" + ho.Kind + "s/" + ho.SubjectID, Kind: p.T("handover.kind." + ho.Kind), Ref: intake.ShortID(ho.SubjectID),
			Clock: missingClock(p, ho.ClockEnds(), now), By: ho.By, At: ho.At, Lines: lines(ho.Note)}
		if ho.Urgency == intake.UrgencyDanger || ho.Urgency == intake.UrgencyChild {
			row.Urgency = p.T("report.urgency." + ho.Urgency)
		}
		page.Handovers = append(page.Handovers, row)
	}
	for _, f := range []struct {
		status string
		limit  int
		into   *[]callRow
	}{{intake.CallOpen, 100, &page.Open.Rows}, {intake.CallClosed, 20, &page.Recent.Rows}} {
		calls, err := svc.Calls(r.Context(), a, scope, intake.CallFilter{Status: f.status, Limit: f.limit})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, c := range calls {
			*f.into = append(*f.into, h.callRowOf(p, c, now))
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "calls", v)
}

// codeOptions are the answers to "how did you hear about us": not asked
// or unknown, each running campaign's material by name and code, or a
// code the operator types.
func (h *Handler) codeOptions(r *http.Request) ([]web.Option, error) {
	out := []web.Option{{Value: "", LabelKey: "campaigns.call_code_none"}}
	if h.campaigns != nil {
		running, err := h.campaigns.RunningCodes(r.Context(), actor(r))
		if err != nil {
			return nil, err
		}
		for _, c := range running {
			out = append(out, web.Option{Value: c.Code, Label: c.Campaign + " – " + c.Title + " (" + c.Code + ")"})
		}
	}
	return append(out, web.Option{Value: codeOther, LabelKey: "campaigns.call_code_other"}), nil
}

// codeOther is the console's choice "another code, typed below".
const codeOther = "other"

// callCode is the code a console form names: the material picked, else
// what was typed (with "other", or with no choice made).
func callCode(picked, typed string) string {
	if picked != "" && picked != codeOther {
		return picked
	}
	return typed
}

// showConsole is the hotline operator console.
func (h *Handler) showConsole(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "call.console_title")
	if r.URL.Query().Get("closed") == "1" {
		v.Notice = v.P.T("call.done.closed")
	}
	h.renderConsole(w, r, http.StatusOK, v, nil)
}
