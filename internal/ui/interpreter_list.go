package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/interpreters"
)

type interpreterListPage struct {
	Interpreters []interpreters.Interpreter
	Language     string
	CanManage    bool
}

// listInterpreters is the register of interpreters and cultural mediators,
// filtered by a language.
func (h *Handler) listInterpreters(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.title")
	lang := r.URL.Query().Get("language")
	list, err := h.interpreters.List(r.Context(), actor(r), interpreters.Filter{Language: lang})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Form["language"] = lang
	v.Data = interpreterListPage{Interpreters: list, Language: lang, CanManage: access.Can(actor(r), access.ManageInterpreters)}
	h.shell.Render(w, r, http.StatusOK, "interpreter_list", v)
}
