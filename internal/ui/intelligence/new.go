package intelligenceui

import (
	"errors"
	"net/http"

	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/persondata"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type formPage struct {
	Abouts, Sectors, Areas []web.Option
	// Flags are what the review step shows: signs in the text that it is
	// about a victim or holds a person's data; Kinds each kind once.
	Flags []persondata.Flag
	Kinds []string
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, flags []persondata.Flag) {
	sectors, areas, _, err := h.options(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := formPage{Sectors: sectors, Areas: areas, Abouts: []web.Option{{Value: "", LabelKey: "intelligence.choose"}},
		Flags: flags, Kinds: persondata.Kinds(flags)}
	for _, a := range intelligence.Abouts() {
		p.Abouts = append(p.Abouts, web.Option{Value: a, LabelKey: "intelligence.about." + a})
	}
	v.Data = p
	h.kit.Render(w, r, status, "intelligence_new", v)
}

// form takes information for the police contact points.
func (h *Handler) form(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, h.kit.View(r, "intelligence.new_title"), nil)
}

// submit records it; the submitter goes back to their submissions. A text
// that looks like it is about a victim comes back as the review step: the
// form again, with what was found, to remove it or confirm the kinds shown
// (the "flagged" fields, sent only with the "confirm_flags" box ticked).
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "intelligence.new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, nil) })
		return
	}
	for _, k := range []string{"about", "sector", "area", "text", "not_about_victims"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in := intelligence.Input{About: v.Form["about"], Sector: v.Form["sector"], AreaCode: v.Form["area"], Text: v.Form["text"],
		NotAboutVictims: v.Form["not_about_victims"] == "yes"}
	if r.PostFormValue("confirm_flags") == "yes" {
		in.Confirmed = r.PostForm["flagged"]
	}
	_, err := h.intelligence.Submit(r.Context(), page.Actor(r), in)
	var review *intelligence.Review
	if errors.As(err, &review) {
		v.TitleKey = "intelligence.review_title"
		h.renderForm(w, r, http.StatusOK, v, review.Flags)
		return
	}
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderForm(w, r, status, v, nil) })
		return
	}
	http.Redirect(w, r, "/intelligence?done=submitted", http.StatusSeeOther)
}
