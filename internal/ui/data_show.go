package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/web"
)

// dataPage is the data-protection tab of a case: erasure requests, legal
// holds, retention, and the exports.
type dataPage struct {
	Nav     caseNav
	O       dataprotection.Overview
	Pending *dataprotection.ErasureRequest
	// CanChange is false for an anonymised case, which takes no requests.
	CanChange bool
	Retention int // years
	Channels  []web.Option
	Refusals  []web.Option
	Holds     []web.Option
}

func dataOptions(prefix string, codes []string) []web.Option {
	out := []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, c := range codes {
		out = append(out, web.Option{Value: c, LabelKey: prefix + c})
	}
	return out
}

// renderData shows the data-protection tab; forms that failed come back
// here with their errors in v.
func (h *Handler) renderData(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	o, err := h.dataprotection.Overview(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := dataPage{Nav: caseNavFor(v, o.Access, "/data"), O: o, Pending: o.Pending(), CanChange: o.Access.Case.AnonymisedAt == nil,
		Retention: int(h.dataprotection.Retention().Hours() / 24 / 365),
		Channels:  dataOptions("data.channel.", dataprotection.Channels()),
		Refusals:  dataOptions("data.refusal.", dataprotection.RefusalReasons()),
		Holds:     dataOptions("data.hold_reason.", dataprotection.HoldReasons())}
	today := time.Now().UTC().Format(time.DateOnly)
	for _, k := range []string{"received_on", "decided_on"} {
		if v.Form[k] == "" {
			v.Form[k] = today
		}
	}
	switch r.URL.Query().Get("done") {
	case "requested", "refused", "erased", "held", "lifted":
		v.Notice = v.P.T("data.done." + r.URL.Query().Get("done"))
	}
	v.Data = page
	h.shell.Render(w, r, status, "data_show", v)
}

// showCaseData is the data-protection tab of a case.
func (h *Handler) showCaseData(w http.ResponseWriter, r *http.Request) {
	h.renderData(w, r, http.StatusOK, h.view(r, "data.title"))
}
