package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// formsPage lists the site-check questionnaires, with the import form.
type formsPage struct {
	Forms     []sitechecks.CheckForm
	CanManage bool
}

func (h *Handler) renderForms(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := page.Actor(r)
	all, _, err := h.checks.Forms(r.Context(), a)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = formsPage{Forms: all, CanManage: access.Can(a, access.ManageProcurement)}
	h.kit.Render(w, r, status, "sitecheck_forms", v)
}

// listForms is the questionnaires a check can be answered on: the shipped
// one and those the operator imported, every version.
func (h *Handler) listForms(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.forms_title")
	notice(v, r)
	h.renderForms(w, r, http.StatusOK, v)
}
