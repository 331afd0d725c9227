package mappingui

import (
	"net/http"
	"net/url"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// answering is the page of a questionnaire being answered, with an account
// or through a link.
type answering struct {
	mapping.Answering
	State *forms.State
	// Action is where the form posts; Link is true without an account.
	Action string
	Link   bool
}

// assigned lists the questionnaires the respondent's organisation or role
// is invited to answer.
func (h *Handler) assigned(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.respond_title")
	notice(v, r)
	list, err := h.mapping.Assigned(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Data = list
	h.kit.Render(w, r, http.StatusOK, "mapping_respond_list", v)
}

func (h *Handler) renderAnswering(w http.ResponseWriter, r *http.Request, status int, v *web.View, a answering, ans forms.Answers) {
	a.State = a.Form.Evaluate(ans, v.P.Lang()).Show(v.P, v.FieldErrors)
	v.Data = a
	name := "mapping_respond"
	if a.Link {
		name = "mapping_link"
	}
	h.kit.Render(w, r, status, name, v)
}

// answerForm shows a questionnaire to answer.
func (h *Handler) answerForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.respond_title")
	round, q := r.PathValue("round"), r.PathValue("questionnaire")
	a, err := h.mapping.Answering(r.Context(), page.Actor(r), round, q)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderAnswering(w, r, http.StatusOK, v, answering{Answering: a, Action: "/mapping/respond/" + round + "/" + q}, forms.Answers{})
}

// repeatAction applies an "add another" or "remove" button: the form is
// shown again with the answers so far, nothing is stored. ok is false for a
// plain submit.
func (h *Handler) repeatAction(w http.ResponseWriter, r *http.Request, v *web.View, a answering) bool {
	action, ok := forms.ReadAction(r.PostForm)
	if !ok {
		return false
	}
	ans, _ := a.Form.Decode(r.PostForm, v.P.Lang())
	changed, err := a.Form.Apply(ans, action)
	status := http.StatusOK
	if err != nil {
		v.FormError(err)
		status = page.StatusOf(err)
	}
	if v.Form["anonymous"] == "" && r.PostFormValue("anonymous") == "on" {
		v.Form["anonymous"] = "on"
	}
	h.renderAnswering(w, r, status, v, a, changed)
	return true
}

// answer stores the respondent's answers.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.respond_title")
	round, q := r.PathValue("round"), r.PathValue("questionnaire")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), page.Actor(r)
	a, err := h.mapping.Answering(ctx, actor, round, q)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	shown := answering{Answering: a, Action: "/mapping/respond/" + round + "/" + q}
	if h.repeatAction(w, r, v, shown) {
		return
	}
	anonymous := r.PostFormValue("anonymous") == "on"
	ans, err := h.mapping.Respond(ctx, actor, round, q, r.PostForm, v.P.Lang(), anonymous)
	if err != nil {
		if anonymous {
			v.Form["anonymous"] = "on"
		}
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderAnswering(w, r, status, v, shown, ans) })
		return
	}
	http.Redirect(w, r, "/mapping/respond?done=answered", http.StatusSeeOther)
}

// linkForm shows the questionnaire of an invitation link to someone
// without an account. Nothing about the visitor is read or kept: no
// cookie is set, the address is not stored.
func (h *Handler) linkForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.link_title")
	token := r.PathValue("token")
	a, err := h.mapping.LinkAnswering(r.Context(), token)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	h.renderAnswering(w, r, http.StatusOK, v, answering{Answering: a, Action: linkAction(token, v.P.Lang()), Link: true}, forms.Answers{})
}

// linkAction is where the questionnaire of a link is sent: the link with
// the language it is shown in, so that the answer's page stays in it.
func linkAction(token, lang string) string {
	return PathLink + url.PathEscape(token) + "?lang=" + url.QueryEscape(lang)
}

// linkAnswer stores answers given through a link.
func (h *Handler) linkAnswer(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.link_title")
	token := r.PathValue("token")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	a, err := h.mapping.LinkAnswering(r.Context(), token)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	shown := answering{Answering: a, Action: linkAction(token, v.P.Lang()), Link: true}
	if h.repeatAction(w, r, v, shown) {
		return
	}
	ans, err := h.mapping.RespondByLink(r.Context(), token, r.PostForm, v.P.Lang())
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.kit.Fail(w, r, err)
			return
		}
		v.FormError(err)
		h.renderAnswering(w, r, page.StatusOf(err), v, shown, ans)
		return
	}
	v.Data = a
	h.kit.Render(w, r, http.StatusOK, "mapping_link_done", v)
}
