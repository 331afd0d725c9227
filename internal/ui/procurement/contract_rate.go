package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// ratingPage is the form that rates a contract on the six characteristics.
type ratingPage struct {
	Contract        procurement.Contract
	Characteristics []string
	Levels          []web.Option
}

// renderRating renders the rating form at status; the form shows what v
// holds, else the contract's current rating.
func (h *Handler) renderRating(w http.ResponseWriter, r *http.Request, status int, v *web.View, id string) {
	c, err := h.svc.Contract(r.Context(), page.Actor(r), id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, rt := range c.Ratings {
		if _, set := v.Form["level_"+rt.Characteristic]; !set {
			v.Form["level_"+rt.Characteristic], v.Form["reason_"+rt.Characteristic] = rt.Level, rt.Reason
		}
	}
	v.Data = ratingPage{Contract: c, Characteristics: procurement.Characteristics(), Levels: keyOptions("procurement.level.", procurement.Levels())}
	h.kit.Render(w, r, status, "procurement_contract_rating", v)
}

// rating is the rating form, on a page of its own: the contract page
// shows the rating as recorded.
func (h *Handler) rating(w http.ResponseWriter, r *http.Request) {
	h.renderRating(w, r, http.StatusOK, h.kit.View(r, "procurement.rating.title"), r.PathValue("id"))
}

// rate records the six characteristics' levels with their reasons.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.rating.title")
	id := r.PathValue("id")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRating(w, r, status, v, id) })
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	var ratings []procurement.Rating
	for _, c := range procurement.Characteristics() {
		v.Form["level_"+c], v.Form["reason_"+c] = r.PostFormValue("level_"+c), r.PostFormValue("reason_"+c)
		ratings = append(ratings, procurement.Rating{Characteristic: c, Level: v.Form["level_"+c], Reason: v.Form["reason_"+c]})
	}
	if _, err := h.svc.Rate(r.Context(), page.Actor(r), id, ratings); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/contracts/"+id+"?done=rated#rating", http.StatusSeeOther)
}
