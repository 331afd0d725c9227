package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/intake"
)

// logCall records a call from the console's quick form and opens it.
func (h *Handler) logCall(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "call.console_title")
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.LogCalls)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderConsole(w, r, statusOf(err), v, nil)
		return
	}
	for _, k := range []string{"caller_type", "language", "topic", "referred_to", "child", "danger", "missing", "notes", "code_choice", "code"} {
		v.Form[k] = r.PostFormValue(k)
	}
	info := r.PostForm["info"]
	id, err := svc.LogCall(r.Context(), a, scope, intake.NewCall{CallerType: v.Form["caller_type"], Language: v.Form["language"],
		Topic: v.Form["topic"], InfoGiven: info, ReferredTo: v.Form["referred_to"], Child: v.Form["child"] != "",
		Danger: v.Form["danger"] != "", MissingChild: v.Form["missing"] != "", Notes: v.Form["notes"], Code: callCode(v.Form["code_choice"], v.Form["code"]),
		CodeOther: v.Form["code_choice"] == codeOther})
	if err != nil {
		v.FormError(err)
		h.renderConsole(w, r, statusOf(err), v, info)
		return
	}
	http.Redirect(w, r, "/calls/"+id+"?done=logged", http.StatusSeeOther)
}
