package statisticsui

import (
	"net/http"

	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// decision is the confirmation page before a release is approved or
// rejected: what it is, to whom it goes, and the one button.
type decision struct {
	*statistics.Release
	Approve bool
	Action  string
}

func (h *Handler) renderDecision(w http.ResponseWriter, r *http.Request, status int, v *web.View, d decision) {
	v.Data = d
	h.kit.Render(w, r, status, "statistics_release_confirm", v)
}

func decisionTitle(approve bool) string {
	if approve {
		return "statistics.release.approve_title"
	}
	return "statistics.release.reject_title"
}

// askDecision shows the confirmation page of an approval (approve) or a
// rejection.
func (h *Handler) askDecision(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rel, err := h.statistics.ReleaseByID(r.Context(), page.Actor(r), r.PathValue("id"))
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		d := decision{Release: rel, Approve: approve, Action: r.URL.Path}
		h.renderDecision(w, r, http.StatusOK, h.kit.View(r, decisionTitle(approve)), d)
	}
}

// decide approves or rejects the release; a refusal (its preparer, a
// release that would reveal a cell) shows on the confirmation page.
func (h *Handler) decide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, actor, id := r.Context(), page.Actor(r), r.PathValue("id")
		rel, err := h.statistics.ReleaseByID(ctx, actor, id)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		v := h.kit.View(r, decisionTitle(approve))
		d := decision{Release: rel, Approve: approve, Action: r.URL.Path}
		failed := func(err error) {
			h.kit.FormFailed(w, r, v, err, func(status int) { h.renderDecision(w, r, status, v, d) })
		}
		if err := page.ParseForm(r); err != nil {
			failed(err)
			return
		}
		act := h.statistics.Reject
		if approve {
			act = h.statistics.Approve
		}
		if err := act(ctx, actor, id); err != nil {
			failed(statistics.Labelled(v.P, err))
			return
		}
		http.Redirect(w, r, "/statistics/releases/"+id, http.StatusSeeOther)
	}
}
