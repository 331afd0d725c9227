package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// answersForm is the page that edits a recorded check's answers.
type answersForm struct {
	Check sitechecks.Check
	Form  sitechecks.CheckForm
	State *forms.State
}

func (h *Handler) renderAnswers(w http.ResponseWriter, r *http.Request, status int, v *web.View, c sitechecks.Check, form sitechecks.CheckForm,
	ans forms.Answers) {
	v.Data = answersForm{Check: c, Form: form, State: form.Form.Evaluate(ans, v.P.Lang()).Show(v.P, v.FieldErrors)}
	h.kit.Render(w, r, status, "sitecheck_answers", v)
}

// checkAndForm reads the check of the path and the questionnaire it was
// answered on.
func (h *Handler) checkAndForm(r *http.Request) (sitechecks.Check, sitechecks.CheckForm, error) {
	c, err := h.checks.Check(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		return sitechecks.Check{}, sitechecks.CheckForm{}, err
	}
	form, err := h.checks.FormOf(r.Context(), c)
	return c, form, err
}

// editAnswersForm shows a check's answers on its questionnaire, to be
// corrected.
func (h *Handler) editAnswersForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.answers_title")
	c, form, err := h.checkAndForm(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderAnswers(w, r, http.StatusOK, v, c, form, c.Answers)
}

// editAnswers saves the corrected answers, the findings following them,
// or shows the form again: with the questions that follow from the answers
// when asked to, with the errors when refused.
func (h *Handler) editAnswers(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.answers_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	c, form, err := h.checkAndForm(r)
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
		h.renderAnswers(w, r, status, v, c, form, changed)
		return
	}
	ed, ans, err := h.checks.EditAnswers(r.Context(), page.Actor(r), c.ID, r.PostForm, v.P.Lang())
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderAnswers(w, r, status, v, c, form, ans) })
		return
	}
	done := "answers_edited"
	if ed.Withdrawn > 0 {
		done = "answers_withdrawn"
	}
	http.Redirect(w, r, "/procurement/checks/"+c.ID+"?done="+done+"#check-findings", http.StatusSeeOther)
}
