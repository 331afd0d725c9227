package ui

import (
	"net/http"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

// setCaseArea records the area of the city the case is worked in, or
// that it is not recorded.
func (h *Handler) setCaseArea(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, []string{"area"}, func(form map[string]string) error {
		return h.cases.SetArea(r.Context(), actor(r), r.PathValue("id"), form["area"])
	})
}

// caseAreas names the case's area and lists the current areas for the
// form that sets it, the form showing the case's area until one is posted.
// A code no longer current stays a choice, named by its code.
func (h *Handler) caseAreas(r *http.Request, v *web.View, c cases.Case, page *casePage) error {
	areas, err := h.cases.Areas(r.Context())
	if err != nil {
		return err
	}
	page.Areas = []web.Option{{Value: "", LabelKey: "case.area_none"}}
	page.Area = c.AreaCode
	for _, a := range areas {
		page.Areas = append(page.Areas, web.Option{Value: a.Code, Label: a.Name})
		if a.Code == c.AreaCode {
			page.Area = a.Name
		}
	}
	if page.Area == c.AreaCode && c.AreaCode != "" {
		page.Areas = append(page.Areas, web.Option{Value: c.AreaCode, Label: c.AreaCode})
	}
	if _, posted := v.Form["area"]; !posted {
		v.Form["area"] = c.AreaCode
	}
	return nil
}
