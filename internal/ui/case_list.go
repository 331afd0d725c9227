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
	for _, k := range []string{"stage", "risk", "exploitation", "deadline", "q", "mine"} {
		v.Form[k] = q.Get(k)
	}
	f := cases.Filter{Stage: v.Form["stage"], Risk: v.Form["risk"], Exploitation: v.Form["exploitation"],
		Deadline: v.Form["deadline"], Query: v.Form["q"], Mine: v.Form["mine"] != "", Cursor: q.Get("after")}
	page := caseListPage{Filtered: f.Risk != "" || f.Exploitation != "" || f.Deadline != "" || f.Query != "" || f.Mine ||
		(f.Stage != "" && f.Stage != "open"), CanOpen: canOpenCase(r),
		CanShare: access.Can(actor(r), access.ShareCases), CanManage: access.Can(actor(r), access.ManageCases)}
	page.Stages = []web.Option{{Value: "open", LabelKey: "cases.stage_open"}, {Value: "all", LabelKey: "cases.stage_all"}}
	for _, st := range cases.Stages() {
		page.Stages = append(page.Stages, web.Option{Value: string(st), LabelKey: "case.stage." + string(st)})
	}
	page.Risks = codeOptions("cases.any", "risk.level.", cases.RiskLevels())
	page.Exploit = codeOptions("cases.any", "case.exploitation.", cases.ExploitationForms())
	page.Deadline = codeOptions("cases.any", "cases.deadline.", []string{"overdue", "week"})
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

// canOpenCase reports whether the signed-in user may open cases.
func canOpenCase(r *http.Request) bool { return access.Can(actor(r), access.OpenCase) }

// canViewCases reports whether the signed-in user may see case pages.
func canViewCases(r *http.Request) bool { return access.Can(actor(r), access.ViewCases) }
