package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// checkForm is the form that records a check of a site on a chosen
// questionnaire.
type checkForm struct {
	Site procurement.Site
	// Form is the questionnaire answered; Forms those a check can choose
	// (the shipped one and the newest version of each imported one).
	Form  sitechecks.CheckForm
	Forms []web.Option
	State *forms.State
}

func (h *Handler) renderCheckForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, site procurement.Site, form sitechecks.CheckForm,
	ans forms.Answers) {
	_, current, err := h.checks.Forms(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	d := checkForm{Site: site, Form: form, State: form.Form.Evaluate(ans, v.P.Lang()).Show(v.P, v.FieldErrors)}
	for _, f := range current {
		o := web.Option{Value: f.ID, Label: f.Title + " (" + f.Version + ")"}
		if f.Shipped() {
			o.Label, o.LabelKey = "", "sitechecks.form_shipped"
		}
		d.Forms = append(d.Forms, o)
	}
	v.Form["form"] = form.ID
	v.Data = d
	h.kit.Render(w, r, status, "sitecheck_new", v)
}

// newCheck is the check form: which questionnaire, who checked and when,
// then the questionnaire. ?form= chooses an imported questionnaire.
func (h *Handler) newCheck(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.new_title")
	ctx, actor := r.Context(), page.Actor(r)
	site, err := h.checks.SiteToCheck(ctx, actor, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	form, err := h.checks.Form(ctx, actor, r.URL.Query().Get("form"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["contract_id"], v.Form["checked_on"] = site.ContractID, h.checks.Today()
	if v.Signed != nil {
		v.Form["organisation"] = v.Signed.OrgName
	}
	h.renderCheckForm(w, r, http.StatusOK, v, site, form, forms.Answers{})
}

// createCheck records the check, or shows the form again: with the
// questions that follow from the answers so far when asked to, with the
// errors when refused.
func (h *Handler) createCheck(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.new_title")
	ctx, actor := r.Context(), page.Actor(r)
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	site, err := h.checks.SiteToCheck(ctx, actor, r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, k := range []string{"contract_id", "checked_on", "inspectors", "organisation"} {
		v.Form[k] = r.PostFormValue(k)
	}
	form, err := h.checks.Form(ctx, actor, r.PostFormValue("form"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	if action, ok := forms.ReadAction(r.PostForm); ok {
		ans, _ := form.Form.Decode(r.PostForm, v.P.Lang())
		changed, err := form.Form.Apply(ans, action)
		status := http.StatusOK
		if err != nil {
			v.FormError(err)
			status = page.StatusOf(err)
		}
		h.renderCheckForm(w, r, status, v, site, form, changed)
		return
	}
	c, ans, err := h.checks.Record(ctx, actor, sitechecks.CheckInput{ContractID: v.Form["contract_id"], SiteID: site.ID,
		CheckedOn: v.Form["checked_on"], Inspectors: v.Form["inspectors"], Organisation: v.Form["organisation"], Form: form.ID}, r.PostForm, v.P.Lang())
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderCheckForm(w, r, status, v, site, form, ans) })
		return
	}
	http.Redirect(w, r, "/procurement/checks/"+c.ID+"?done=recorded", http.StatusSeeOther)
}
