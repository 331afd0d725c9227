package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/web"
)

// addLocalItem adds a local place or sign, or marks a question.
func (h *Handler) addLocalItem(w http.ResponseWriter, r *http.Request) { h.saveLocalItem(w, r, "") }

// changeLocalItem saves a new version of a local item.
func (h *Handler) changeLocalItem(w http.ResponseWriter, r *http.Request) {
	h.saveLocalItem(w, r, r.PathValue("item"))
}

// saveLocalItem adds an item (item "") or saves its new version, then shows
// the item's page; errors are shown at their fields.
func (h *Handler) saveLocalItem(w http.ResponseWriter, r *http.Request, item string) {
	k, ok := localKinds[r.PathValue("kind")]
	if !ok {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	v := h.view(r, "")
	render := func(status int) { h.renderLocalItem(w, r, status, v, k, item) }
	if err := parseForm(r); err != nil {
		v.FormError(err)
		render(statusOf(err))
		return
	}
	ctx, svc, who := r.Context(), h.fieldguide, actor(r)
	note := localNote(r, v, "")
	var id string
	var err error
	switch k {
	case fieldguide.KindPlace:
		in := fieldguide.PlaceInput{PlaceText: placeInput(r, v), Note: note}
		var p fieldguide.Place
		if item == "" {
			p, err = svc.AddPlace(ctx, who, in)
		} else {
			p, err = svc.ChangePlace(ctx, who, item, in)
		}
		id = p.ID
	case fieldguide.KindSign:
		in := fieldguide.SignInput{SignText: signInput(r, v), Note: note}
		var s fieldguide.Sign
		if item == "" {
			s, err = svc.AddSign(ctx, who, in)
		} else {
			s, err = svc.ChangeSign(ctx, who, item, in)
		}
		id = s.ID
	case fieldguide.KindMark:
		question := item
		if question == "" {
			question = r.PostFormValue("question")
			v.Form["question"] = question
		}
		var m fieldguide.Mark
		m, err = svc.MarkQuestion(ctx, who, fieldguide.MarkInput{QuestionID: question, Note: note})
		id = m.QuestionID
	}
	if err != nil {
		h.formFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, localItemPath(k, id)+"?done=saved", http.StatusSeeOther)
}

// retireLocalItem takes an item out of the local set, as a version with its
// own citation and reason.
func (h *Handler) retireLocalItem(w http.ResponseWriter, r *http.Request) {
	k, ok := localKinds[r.PathValue("kind")]
	if !ok {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	item := r.PathValue("item")
	v := h.view(r, "")
	render := func(status int) { h.renderLocalItem(w, r, status, v, k, item) }
	if err := parseForm(r); err != nil {
		v.FormError(err)
		render(statusOf(err))
		return
	}
	if err := h.fieldguide.Retire(r.Context(), actor(r), k, item, localNote(r, v, "retire_")); err != nil {
		// The page's other form has a citation and a reason too: the
		// errors belong to the retire form's own fields.
		e := *apperr.As(err)
		e.Fields = nil
		for _, f := range apperr.As(err).Fields {
			f.Field = "retire_" + f.Field
			e.Fields = append(e.Fields, f)
		}
		h.formFailed(w, r, v, &e, render)
		return
	}
	http.Redirect(w, r, "/guide/local?done=retired", http.StatusSeeOther)
}

// localNote reads a form's citation and reason; prefix tells the retire
// form's fields from the save form's on the same page.
func localNote(r *http.Request, v *web.View, prefix string) fieldguide.Note {
	n := fieldguide.Note{Citation: r.PostFormValue(prefix + "citation"), Reason: r.PostFormValue(prefix + "reason")}
	v.Form[prefix+"citation"], v.Form[prefix+"reason"] = n.Citation, n.Reason
	return n
}

// placeInput reads a place's texts; look-for signs are one a line.
func placeInput(r *http.Request, v *web.View) fieldguide.PlaceText {
	p := fieldguide.PlaceText{Name: fieldguide.Localized{}, Where: fieldguide.Localized{}, LookFor: map[string][]string{},
		Area: r.PostFormValue("area")}
	v.Form["area"] = p.Area
	for _, lang := range fieldguide.Languages() {
		p.Name[lang], p.Where[lang] = r.PostFormValue("name_"+lang), r.PostFormValue("where_"+lang)
		look := r.PostFormValue("look_for_" + lang)
		p.LookFor[lang] = strings.Split(look, "\n")
		v.Form["name_"+lang], v.Form["where_"+lang], v.Form["look_for_"+lang] = p.Name[lang], p.Where[lang], look
	}
	return p
}

// signInput reads a sign's texts, its question and its place.
func signInput(r *http.Request, v *web.View) fieldguide.SignText {
	s := fieldguide.SignText{Label: fieldguide.Localized{}, Hint: fieldguide.Localized{},
		QuestionID: r.PostFormValue("question"), PlaceID: r.PostFormValue("place")}
	v.Form["question"], v.Form["place"] = s.QuestionID, s.PlaceID
	for _, lang := range fieldguide.Languages() {
		s.Label[lang], s.Hint[lang] = r.PostFormValue("label_"+lang), r.PostFormValue("hint_"+lang)
		v.Form["label_"+lang], v.Form["hint_"+lang] = s.Label[lang], s.Hint[lang]
	}
	return s
}
