package ui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/web"
)

// localItemPage is one local item: what it says now with its source, the
// form that saves a new version (or adds the item), the form that retires
// it, and its versions.
type localItemPage struct {
	Kind string // the {kind} path segment: places, signs, marks
	New  bool
	// Live is an item in the current set; a place or sign that is neither
	// new nor live was retired and shows its history only.
	Live       bool
	Title      guideText
	Action     string
	RetirePath string
	Questions  []web.Option
	Places     []web.Option
	Source     *guideSource
	History    []localRevision
}

// showNewLocalItem is the form that adds a place or sign, or marks a question.
func (h *Handler) showNewLocalItem(w http.ResponseWriter, r *http.Request) {
	k, ok := localKinds[r.PathValue("kind")]
	if !ok {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	h.renderLocalItem(w, r, http.StatusOK, h.view(r, ""), k, "")
}

// showLocalItem is the page of one local item. For a mark the item is the
// question, so a question never marked shows the form that marks it.
func (h *Handler) showLocalItem(w http.ResponseWriter, r *http.Request) {
	k, ok := localKinds[r.PathValue("kind")]
	if !ok {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	v := h.view(r, "")
	if done := r.URL.Query().Get("done"); done != "" && v.P.Has("guide.local.done."+done) {
		v.Notice = v.P.T("guide.local.done." + done)
	}
	h.renderLocalItem(w, r, http.StatusOK, v, k, r.PathValue("item"))
}

// renderLocalItem shows an item's page; item "" is the form that adds one.
// Form values already in v (a form shown again with its errors) are kept;
// the others start from what the item says now.
func (h *Handler) renderLocalItem(w http.ResponseWriter, r *http.Request, status int, v *web.View, k fieldguide.Kind, item string) {
	local, history, err := h.fieldguide.History(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, lang := h.fieldguide.Catalogue(), v.P.Lang()
	page := localItemPage{Kind: kindPath(k), New: item == "",
		Action: "/guide/local/" + kindPath(k), Questions: questionOptions(c, lang, "guide.local.question_none"),
		Places: placeOptions(c, local, lang)}
	v.TitleKey = "guide.local.new_" + string(k)
	if item != "" {
		page.Action, page.RetirePath = localItemPath(k, item), localItemPath(k, item)+"/retire"
		v.TitleKey = "guide.local.item_" + string(k)
	}
	for _, rev := range history {
		if rev.Kind == k && rev.ItemID == item {
			page.History = append(page.History, localRevisionView(c, local, rev, lang))
		}
	}
	form := map[string]string{}
	switch k {
	case fieldguide.KindPlace:
		if p, ok := local.Place(item); ok {
			page.Live, page.Title = true, localText(p.Name, lang)
			src := localSource(v, p.Added, p.Latest)
			page.Source = &src
			placeForm(form, p.PlaceText)
		}
	case fieldguide.KindSign:
		if s, ok := local.Sign(item); ok {
			page.Live, page.Title = true, localText(s.Label, lang)
			src := localSource(v, s.Added, s.Latest)
			page.Source = &src
			signForm(form, s.SignText)
		}
	case fieldguide.KindMark:
		page.Questions = questionOptions(c, lang, "")
		if item != "" {
			_, known := c.Indicator(item)
			if !known && len(page.History) == 0 {
				h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
				return
			}
			page.Title = guideText{Text: c.Label(item, lang), Lang: c.Lang(lang)}
		}
		if m, ok := local.Mark(item); ok {
			page.Live = true
			src := localSource(v, m.Added, m.Latest)
			page.Source = &src
		}
	}
	if item != "" && k != fieldguide.KindMark && !page.Live {
		if len(page.History) == 0 {
			h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
			return
		}
		page.Title = page.History[0].Title
	}
	for key, val := range form {
		if _, posted := v.Form[key]; !posted {
			v.Form[key] = val
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "guide_local_item", v)
}

// placeForm and signForm fill a form with what an item says.
func placeForm(form map[string]string, p fieldguide.PlaceText) {
	for _, lang := range fieldguide.Languages() {
		form["name_"+lang], form["where_"+lang] = p.Name[lang], p.Where[lang]
		form["look_for_"+lang] = strings.Join(p.LookFor[lang], "\n")
	}
	form["area"] = p.Area
}

func signForm(form map[string]string, s fieldguide.SignText) {
	for _, lang := range fieldguide.Languages() {
		form["label_"+lang], form["hint_"+lang] = s.Label[lang], s.Hint[lang]
	}
	form["question"], form["place"] = s.QuestionID, s.PlaceID
}
