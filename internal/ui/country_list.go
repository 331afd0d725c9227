package ui

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/web"
)

// countryRow is one country note in the list.
type countryRow struct {
	returns.CountryNote
	Name string
}

type countryListPage struct {
	Notes     []countryRow
	CanManage bool
}

// countryName is a country's name in the reader's language (CLDR), or the
// code itself when it names no country.
func countryName(v *web.View, code string) string {
	if !returns.ValidCountry(code) {
		return code
	}
	region := language.MustParseRegion(code)
	if name := display.Regions(language.Make(v.P.Lang())).Name(region); name != "" {
		return name
	}
	return code
}

// listCountryNotes lists the partnership's notes on countries of origin,
// with a way to open any country's note by its code.
func (h *Handler) listCountryNotes(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "country.title")
	if code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("country"))); code != "" {
		if returns.ValidCountry(code) {
			http.Redirect(w, r, "/countries/"+code, http.StatusSeeOther)
			return
		}
		v.Form["country"] = code
		v.FormError(apperr.Validation(apperr.FieldError{Field: "country", Key: "error.return.country"}))
	}
	notes, err := h.returns.CountryNotes(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := countryListPage{CanManage: access.Can(actor(r), access.ManageCountryNotes)}
	for _, n := range notes {
		page.Notes = append(page.Notes, countryRow{CountryNote: n, Name: countryName(v, n.Country)})
	}
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "countries", v)
}
