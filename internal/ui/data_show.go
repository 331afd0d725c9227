package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
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

// renderData shows the data-protection tab; forms that failed come back
// here with their errors in v.
func (h *Handler) renderData(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	o, err := h.dataprotection.Overview(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := dataPage{Nav: caseNavFor(v, o.Access, "/data"), O: o, Pending: o.Pending(), CanChange: o.Access.MayChange(actor(r), access.ExportCase, cases.Profile),
		Retention: int(h.dataprotection.Retention().Hours() / 24 / 365),
		Channels:  codeOptions("form.choose", "data.channel.", dataprotection.Channels()),
		Refusals:  codeOptions("form.choose", "data.refusal.", dataprotection.RefusalReasons()),
		Holds:     codeOptions("form.choose", "data.hold_reason.", dataprotection.HoldReasons())}
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
