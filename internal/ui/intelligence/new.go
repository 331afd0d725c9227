package intelligenceui

import (
	"net/http"

	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type formPage struct {
	Abouts, Sectors, Areas []web.Option
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	sectors, areas, _, err := h.options(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := formPage{Sectors: sectors, Areas: areas, Abouts: []web.Option{{Value: "", LabelKey: "intelligence.choose"}}}
	for _, a := range intelligence.Abouts() {
		p.Abouts = append(p.Abouts, web.Option{Value: a, LabelKey: "intelligence.about." + a})
	}
	v.Data = p
	h.kit.Render(w, r, status, "intelligence_new", v)
}

// form takes information for the police contact points.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, h.kit.View(r, "intelligence.new_title"))
}

// submit records it; the submitter goes back to their submissions.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "intelligence.new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	for _, k := range []string{"about", "sector", "area", "text", "not_about_victims"} {
		v.Form[k] = r.PostFormValue(k)
	}
	if _, err := h.intelligence.Submit(r.Context(), page.Actor(r), intelligence.Input{About: v.Form["about"], Sector: v.Form["sector"],
		AreaCode: v.Form["area"], Text: v.Form["text"], NotAboutVictims: v.Form["not_about_victims"] == "yes"}); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/intelligence?done=submitted", http.StatusSeeOther)
}
