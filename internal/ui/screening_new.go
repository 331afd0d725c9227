package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// newScreeningPage offers the settings (who screens: a police stop, a
// health service…) apart from the places (where: a farm, a car wash…), one
// list in the catalogue.
type newScreeningPage struct {
	Settings []web.Option
	Places   []web.Option
}

func (h *Handler) renderNewScreening(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	c := h.screenings.Catalogue()
	var page newScreeningPage
	for _, l := range c.FieldGuide {
		o := web.Option{Value: l.ID, Label: c.SettingName(l.ID, v.P.Lang())}
		if l.Kind == "place" {
			page.Places = append(page.Places, o)
		} else {
			page.Settings = append(page.Settings, o)
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "screening_new", v)
}

func (h *Handler) showNewScreening(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.new_title")
	if s := r.URL.Query().Get("setting"); slices.Contains(h.screenings.Catalogue().SettingIDs(), s) {
		v.Form["setting"] = s
	}
	h.renderNewScreening(w, r, http.StatusOK, v)
}

// createScreening starts a draft and goes to its first page of questions.
// The form asks for no name: a screening never needs one.
func (h *Handler) createScreening(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.new_title")
	store := h.screenings
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderNewScreening(w, r, statusOf(err), v)
		return
	}
	for _, k := range []string{"setting", "age.years", "age.estimated", "age.child_reasons", "age.adult"} {
		v.Form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := screening.Start{Setting: v.Form["setting"]}
	in.Age.Estimated = v.Form["age.estimated"] != ""
	in.Age.ReasonsToBelieveChild = v.Form["age.child_reasons"] != ""
	in.Age.Adult = v.Form["age.adult"] != ""
	if y := v.Form["age.years"]; y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			err := apperr.Validation(apperr.FieldError{Field: "age.years", Key: "error.screening.invalid_age"})
			v.FormError(err)
			h.renderNewScreening(w, r, statusOf(err), v)
			return
		}
		in.Age.Years = &n
	}
	// The screening records which version of the city's local field guide
	// it is shown with.
	local, err := h.fieldguide.Current(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in.LocalVersion = local.Version
	sc, err := store.Create(r.Context(), actor(r), in)
	if err != nil {
		v.FormError(err)
		h.renderNewScreening(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, questionsPath(sc.ID, 1), http.StatusSeeOther)
}

func questionsPath(id string, page int) string {
	return "/screenings/" + id + "/questions?page=" + strconv.Itoa(page)
}
