package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/web"
)

type countryPage struct {
	Code string
	Name string
	// Note is nil while the partnership keeps none on the country.
	Note      *returns.CountryNote
	CanManage bool
	// Fields are the parts of the note, one text area each.
	Fields []string
}

var countryNoteFields = []string{"risks", "discrimination", "services", "sources"}

// renderCountryNote shows the note on one country and, for those who keep
// the notes, the form to change it.
func (h *Handler) renderCountryNote(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	code := strings.ToUpper(r.PathValue("code"))
	if !returns.ValidCountry(code) {
		if r.Method == http.MethodGet {
			h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		// A note posted for no country: the error above, no form.
		v.Data = countryPage{Code: code, Name: code}
		h.shell.Render(w, r, status, "country", v)
		return
	}
	note, found, err := h.returns.CountryNote(r.Context(), actor(r), code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := countryPage{Code: code, Name: countryName(v, code), CanManage: access.Can(actor(r), access.ManageCountryNotes),
		Fields: countryNoteFields}
	if found {
		page.Note = &note
		if r.Method == http.MethodGet {
			v.Form["risks"], v.Form["discrimination"], v.Form["services"], v.Form["sources"] = note.Risks, note.Discrimination, note.Services, note.Sources
		}
	}
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = v.P.T("country.saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "country", v)
}

// showCountryNote is the note on one country.
func (h *Handler) showCountryNote(w http.ResponseWriter, r *http.Request) {
	h.renderCountryNote(w, r, http.StatusOK, h.view(r, "country.title"))
}

// saveCountryNote records the current note on a country.
func (h *Handler) saveCountryNote(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "country.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range countryNoteFields {
			v.Form[k] = r.PostFormValue(k)
		}
		_, err = h.returns.SaveCountryNote(r.Context(), actor(r), r.PathValue("code"), returns.CountryNoteInput{Risks: v.Form["risks"],
			Discrimination: v.Form["discrimination"], Services: v.Form["services"], Sources: v.Form["sources"]})
	}
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderCountryNote(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/countries/"+strings.ToUpper(r.PathValue("code"))+"?done=saved", http.StatusSeeOther)
}
