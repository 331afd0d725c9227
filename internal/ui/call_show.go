package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

type callPage struct {
	C        *intake.Call
	Row      callRow
	Info     []string
	Notes    []string
	Open     bool
	Handover *handoverView
	// Report form choices.
	Places    []web.Option
	Urgencies []web.Option
	MaxNotes  int
	MaxDetail int
	// Heard is how the caller heard of us; nil when not asked.
	Heard *heardView
}

// heardView is "how did you hear about us" on a call's or a report's
// page (template "heard").
type heardView struct {
	P *i18n.Printer
	// Code is a material's code; Typed the answer as typed when it
	// matched none.
	Code, Typed string
	// Source is the code's campaign and material for staff who may see
	// them; nil otherwise.
	Source *campaigns.Source
}

// heard is the view of a code named or an answer typed; nil for neither.
func (h *Handler) heard(r *http.Request, p *i18n.Printer, code, typed string) (*heardView, error) {
	if code == "" && typed == "" {
		return nil, nil
	}
	v := &heardView{P: p, Code: code, Typed: typed}
	if code != "" && h.campaigns != nil {
		src, ok, err := h.campaigns.SourceOf(r.Context(), actor(r), code)
		if err != nil {
			return nil, err
		}
		if ok {
			v.Source = &src
		}
	}
	return v, nil
}

// renderCall shows one call with its notes (decrypted, audited), the
// 24-hour clock of a missing child, and the forms to turn it into a
// report, hand it over or close it. v carries a failed form.
func (h *Handler) renderCall(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.LogCalls)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := svc.GetCall(r.Context(), a, scope, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := v.P
	page := callPage{C: c, Row: h.callRowOf(p, *c, svc.Now()), Notes: lines(c.Notes), Open: c.Status == intake.CallOpen,
		Places: h.placeOptions(p, svc, "report.unknown"), MaxNotes: intake.MaxHandoverNote, MaxDetail: intake.MaxDetails}
	if page.Heard, err = h.heard(r, p, c.Code, c.CodeTyped); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, i := range c.InfoGiven {
		page.Info = append(page.Info, p.T("call.info."+i))
	}
	for _, u := range intake.Urgencies {
		page.Urgencies = append(page.Urgencies, web.Option{Value: u, LabelKey: "report.urgency." + u})
	}
	if ho := c.Handover; ho != nil {
		page.Handover = &handoverView{By: ho.By, At: ho.At, Lines: lines(ho.Note)}
	}
	if v.Form["urgency"] == "" {
		v.Form["urgency"] = c.Urgency()
	}
	if _, posted := v.Form["details"]; !posted {
		v.Form["details"] = c.Notes
	}
	if done := r.URL.Query().Get("done"); done != "" && p.Has("call.done."+done) {
		v.Notice = p.T("call.done." + done)
	}
	v.Data = page
	h.shell.Render(w, r, status, "call", v)
}

// showCall is a call's page.
func (h *Handler) showCall(w http.ResponseWriter, r *http.Request) {
	h.renderCall(w, r, http.StatusOK, h.view(r, "call.title"))
}

// callAction runs one change (see intakeAction) on a call.
func (h *Handler) callAction(w http.ResponseWriter, r *http.Request, fields []string, done string, do intakeChange) {
	h.intakeAction(w, r, intakePage{titleKey: "call.title", action: access.LogCalls, path: "/calls/", render: h.renderCall},
		fields, done, do)
}
