package ui

import (
	"net/http"
	"net/url"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type caseListPage struct {
	Cases    []cases.Case
	Next     string
	Filtered bool
	Stages   []web.Option
	Risks    []web.Option
	Exploit  []web.Option
	Deadline []web.Option
	Areas    []web.Option
	Exports  listExports
	CanOpen  bool
	// CanShare and CanManage show the links to offered cases and service referrals.
	CanShare  bool
	CanManage bool
}

// listCases is the case list of the worker's organisation with filters and
// search by case code or name.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "cases.title")
	q := r.URL.Query()
	for _, k := range caseFilterFields {
		v.Form[k] = q.Get(k)
	}
	f := cases.FilterOf(q.Get)
	f.Cursor = q.Get("after")
	page := caseListPage{Filtered: f.Risk != "" || f.Exploitation != "" || f.Deadline != "" || f.Area != "" || f.Query != "" || f.Mine ||
		(f.Stage != "" && f.Stage != "open"), CanOpen: canOpenCase(r),
		CanShare: access.Can(actor(r), access.ShareCases), CanManage: access.Can(actor(r), access.ManageCases)}
	page.Stages = []web.Option{{Value: "open", LabelKey: "cases.stage_open"}, {Value: "all", LabelKey: "cases.stage_all"}}
	for _, st := range cases.Stages() {
		page.Stages = append(page.Stages, web.Option{Value: string(st), LabelKey: "case.stage." + string(st)})
	}
	page.Risks = codeOptions("cases.any", "risk.level.", cases.RiskLevels())
	page.Exploit = codeOptions("cases.any", "case.exploitation.", cases.ExploitationForms())
	page.Deadline = codeOptions("cases.any", "cases.deadline.", []string{"overdue", "week"})
	areas, err := h.cases.Areas(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Areas = []web.Option{{Value: "", LabelKey: "cases.any"}, {Value: cases.AreaNone, LabelKey: "case.area_none"}}
	for _, a := range areas {
		page.Areas = append(page.Areas, web.Option{Value: a.Code, Label: a.Name})
	}
	personal := ""
	if access.Can(actor(r), access.RevealIdentity) {
		personal = "lists.export_personal"
	}
	page.Exports = exportsOf(v.P, "case-export", "/cases", q, cases.MaxExportRows, personal)
	status := http.StatusOK
	res, err := h.cases.List(r.Context(), actor(r), f)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		status = statusOf(err)
	}
	page.Cases = res.Cases
	if res.Next != "" {
		next := url.Values{}
		for k, val := range v.Form {
			if val != "" {
				next.Set(k, val)
			}
		}
		next.Set("after", res.Next)
		page.Next = "/cases?" + next.Encode()
	}
	v.Data = page
	h.shell.Render(w, r, status, "cases", v)
}

// caseFilterFields are the case list's filters, as the list's form and
// its exports' links carry them.
var caseFilterFields = []string{"stage", "risk", "exploitation", "deadline", "area", "q", "mine"}

// canOpenCase reports whether the signed-in user may open cases.
func canOpenCase(r *http.Request) bool { return access.Can(actor(r), access.OpenCase) }

// canViewCases reports whether the signed-in user may see case pages.
func canViewCases(r *http.Request) bool { return access.Can(actor(r), access.ViewCases) }
