package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// lines splits free text into lines, for pages that show it as typed.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// messageView is one entry of a report's thread.
type messageView struct {
	Staff bool
	At    time.Time
	Lines []string
}

// reportLink is a link to another record with its short reference.
type reportLink struct {
	ID, Ref string
}

type reportPage struct {
	// Heard is the campaign code the report came by; nil for none.
	Heard         *heardView
	R             *intake.Report
	T             *intake.Triage
	Ref           string
	Open          bool
	CanTriage     bool
	CanThread     bool
	Urgency       string
	Status        string
	Source        string
	Age           string
	DueText       string
	Clock         *clockView
	FirstResponse string
	Place         string
	TriagePlace   string
	Exploitation  string
	Details       []string
	Area          string
	Contact       []string
	SeenOn        string
	TimeOfDay     string
	People        string
	AgeGroup      string
	Gender        string
	Signs         []string
	Language      string
	Attachments   []attachmentView
	Messages      []messageView
	DuplicateOf   *reportLink
	Duplicates    []reportLink
	DismissReason string
	DismissNote   []string
	Conversion    string
	Handover      *handoverView
	Assignees     []web.Option
	Orgs          []web.Option
	Exploitations []string
	Places        []web.Option
	Reasons       []web.Option
	// The form that turns the report into a case: how consent was given,
	// the legal basis without it and, for a role that cannot see cases,
	// the organisations the case can go to (the protocol's by default).
	ConsentMethods []web.Option
	LegalBases     []web.Option
	CaseOrgs       []web.Option
	MaxMessage     int
	MaxNote        int
	MaxHandover    int
}

// attachmentView is an attachment in the list of a report.
type attachmentView struct {
	N    int
	Type string
	KiB  int64
}

// handoverView is an open hand-over note.
type handoverView struct {
	By    string
	At    time.Time
	Lines []string
}

// choiceLabel is the public form's label of an answer, or "not given".
func choiceLabel(p *i18n.Printer, prefix, v string) string {
	if v == "" || v == intake.Unknown {
		return p.T("report.unknown")
	}
	return p.T(prefix + v)
}

// languageName is a language's own name when Waymark knows it, else its tag.
func (h *Handler) languageName(tag string) string {
	for _, l := range h.shell.Catalog().LanguagesFor("public") {
		if l.Tag == tag {
			return l.Name
		}
	}
	return tag
}

// renderReport shows a report for triage: what the reporter said
// (decrypted, audited), the thread, what staff decided so far and the
// forms of the next steps. v carries a failed form's values and errors.
func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.ViewReports)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rep, tr, err := svc.GetTriage(r.Context(), a, scope, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, now := v.P, svc.Now()
	page := reportPage{R: rep, T: tr, Ref: intake.ShortID(rep.ID), Open: intake.IsOpen(rep.Status), CanTriage: access.Can(a, access.TriageReports),
		CanThread: tr.Source == intake.SourceForm, Urgency: p.T("report.urgency." + rep.Urgency), Status: p.T("report.status." + rep.Status),
		Source: p.T("report.source." + tr.Source), Age: spanText(p, now.Sub(rep.CreatedAt)), Clock: missingClock(p, tr.ClockEnds(), now),
		Place: h.placeLabel(p, rep.PlaceType), Details: lines(rep.Details), Area: rep.Area, Contact: lines(rep.Contact),
		SeenOn: rep.SeenOn, TimeOfDay: choiceLabel(p, "public.time.", rep.TimeOfDay), People: choiceLabel(p, "public.people.", rep.People),
		AgeGroup: choiceLabel(p, "public.age.", rep.AgeGroup), Gender: choiceLabel(p, "public.gender.", rep.Gender),
		Language: h.languageName(rep.Language), DismissNote: lines(tr.DismissNote),
		MaxMessage: intake.MaxMessage, MaxNote: intake.MaxDismissNote, MaxHandover: intake.MaxHandoverNote}
	switch {
	case tr.FirstResponseAt != nil:
		page.DueText = p.T("triage.responded", "span", spanText(p, tr.FirstResponseAt.Sub(rep.CreatedAt)))
		page.FirstResponse = p.T("report.response."+tr.FirstResponseKind) + " · " + tr.FirstResponseBy
	case tr.Overdue:
		page.DueText = p.T("triage.overdue_by", "span", spanText(p, now.Sub(tr.Due)))
	case page.Open:
		page.DueText = p.T("triage.due_in", "span", spanText(p, tr.Due.Sub(now)))
	}
	if page.Heard, err = h.heard(r, p, tr.Code, ""); err != nil {
		h.fail(w, r, err)
		return
	}
	if tr.PlaceType != "" {
		page.TriagePlace = h.placeLabel(p, tr.PlaceType)
	}
	page.Exploitation = exploitationText(p, tr.Exploitation)
	if tr.DismissReason != "" {
		page.DismissReason = p.T("report.reason." + tr.DismissReason)
	}
	if tr.Conversion != "" {
		page.Conversion = p.T("report.conversion." + tr.Conversion)
	}
	if tr.DuplicateOf != "" {
		page.DuplicateOf = &reportLink{ID: tr.DuplicateOf, Ref: intake.ShortID(tr.DuplicateOf)}
	}
	for _, d := range tr.Duplicates {
		page.Duplicates = append(page.Duplicates, reportLink{ID: d, Ref: intake.ShortID(d)})
	}
	if h.screenings != nil {
		c := h.screenings.Catalogue()
		for _, id := range rep.Signs {
			if ind, ok := c.Indicator(id); ok {
				page.Signs = append(page.Signs, ind.Label[c.Lang(p.Lang())])
			}
		}
	}
	for _, at := range rep.Attachments {
		page.Attachments = append(page.Attachments, attachmentView{N: at.N, Type: at.MediaType, KiB: (at.Size + 1023) / 1024})
	}
	for _, m := range rep.Messages {
		page.Messages = append(page.Messages, messageView{Staff: m.Author == intake.AuthorStaff, At: m.At, Lines: lines(m.Body)})
	}
	if ho := tr.Handover; ho != nil {
		page.Handover = &handoverView{By: ho.By, At: ho.At, Lines: lines(ho.Note)}
	}
	if page.Open && page.CanTriage {
		if err := h.fillTriageForms(r.Context(), &page, svc, a, p); err != nil {
			h.fail(w, r, err)
			return
		}
		if v.Form["place_type"] == "" && v.FieldErrors == nil && !slices.ContainsFunc(intake.Exploitations, func(e string) bool {
			return v.Form["exploitation."+e] != ""
		}) {
			v.Form["place_type"] = tr.PlaceType
			for _, e := range tr.Exploitation {
				v.Form["exploitation."+e] = "1"
			}
			if tr.MissingSince != nil {
				v.Form["missing"] = "1"
			}
		}
		if v.Form["user"] == "" {
			v.Form["user"] = tr.AssignedUserID
		}
	}
	switch done := r.URL.Query().Get("done"); {
	case done == "case_opened" && tr.CaseCode != "":
		// Whoever cannot see the case is told which organisation holds it.
		v.Notice = p.T("report.done.case_opened", "code", tr.CaseCode, "org", tr.CaseOrg)
	case done != "" && done != "case_opened" && p.Has("report.done."+done):
		v.Notice = p.T("report.done." + done)
	}
	v.Data = page
	h.shell.Render(w, r, status, "report", v)
}

// fillTriageForms fills the choices of the triage forms.
func (h *Handler) fillTriageForms(ctx context.Context, page *reportPage, svc *intake.Service, a access.Actor, p *i18n.Printer) error {
	scope, err := access.Authorize(a, access.TriageReports)
	if err != nil {
		return err
	}
	people, err := svc.Assignees(ctx, a, scope)
	if err != nil {
		return err
	}
	page.Assignees = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, person := range people {
		page.Assignees = append(page.Assignees, web.Option{Value: person.ID, Label: person.Username})
	}
	orgs, err := h.accounts.ListOrganisations(ctx, a)
	if err != nil {
		return err
	}
	page.Orgs = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, o := range orgs {
		if o.DisabledAt != nil || o.ID == page.R.OrgID || o.Kind == accounts.Police || o.Kind == accounts.Prosecution {
			continue
		}
		page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
	}
	page.Exploitations = intake.Exploitations
	page.Places = h.placeOptions(p, svc, "report.not_classified")
	page.Reasons = codeOptions("form.choose", "report.reason.", intake.DismissReasons)
	page.ConsentMethods = codeOptions("form.choose", "consent.method.", cases.ConsentMethods())
	page.LegalBases = codeOptions("report.legal_basis_none", "report.legal_basis.", cases.LegalBases())
	if !access.Can(a, access.ViewCases) {
		holders, err := h.cases.Holders(ctx)
		if err != nil {
			return err
		}
		page.CaseOrgs = []web.Option{{Value: "", LabelKey: "report.case_org_protocol"}}
		for _, o := range orgs {
			if slices.Contains(holders, o.ID) {
				page.CaseOrgs = append(page.CaseOrgs, web.Option{Value: o.ID, Label: o.Name})
			}
		}
	}
	return nil
}

// showReport is a report's triage page.
func (h *Handler) showReport(w http.ResponseWriter, r *http.Request) {
	h.renderReport(w, r, http.StatusOK, h.view(r, "report.title"))
}

// triageAction runs one triage change (see intakeAction) on a report.
func (h *Handler) triageAction(w http.ResponseWriter, r *http.Request, fields []string, done string, do intakeChange) {
	h.intakeAction(w, r, intakePage{titleKey: "report.title", action: access.TriageReports, path: "/reports/", render: h.renderReport},
		fields, done, do)
}
