package ui

import (
	"net/http"

	"waymark.city/waymark/internal/cases"
)

// moveCase moves a case to another stage of the lifecycle; a move the
// lifecycle does not allow comes back as an error on the case page.
func (h *Handler) moveCase(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, []string{"stage", "reason"}, func(form map[string]string) error {
		_, err := h.cases.MoveStage(r.Context(), actor(r), r.PathValue("id"), cases.Stage(form["stage"]), form["reason"])
		return err
	})
}

// reopenCase re-opens a closed case at the stage it was closed from.
func (h *Handler) reopenCase(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, nil, func(map[string]string) error {
		_, err := h.cases.Reopen(r.Context(), actor(r), r.PathValue("id"))
		return err
	})
}

// setCaseWorker makes a case worker responsible for the case.
func (h *Handler) setCaseWorker(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, []string{"worker"}, func(form map[string]string) error {
		return h.cases.SetWorker(r.Context(), actor(r), r.PathValue("id"), form["worker"])
	})
}

// addCaseMember puts a user on the case's team.
func (h *Handler) addCaseMember(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, []string{"user"}, func(form map[string]string) error {
		return h.cases.AddMember(r.Context(), actor(r), r.PathValue("id"), form["user"])
	})
}

// removeCaseMember takes a user off the case's team.
func (h *Handler) removeCaseMember(w http.ResponseWriter, r *http.Request) {
	h.caseFormAction(w, r, []string{"user"}, func(form map[string]string) error {
		return h.cases.RemoveMember(r.Context(), actor(r), r.PathValue("id"), form["user"])
	})
}

// caseFormAction runs a change posted from the case overview: success
// returns to the case, an error re-renders the overview with the form
// filled in and the message at the top; a case out of reach is an error page.
func (h *Handler) caseFormAction(w http.ResponseWriter, r *http.Request, fields []string, do func(form map[string]string) error) {
	v := h.view(r, "case.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range fields {
			v.Form[k] = r.PostFormValue(k)
		}
		err = do(v.Form)
	}
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderCase(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id"), http.StatusSeeOther)
}
