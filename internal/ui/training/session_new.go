package trainingui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type sessionFormPage struct {
	Groups []web.Option
	// Chosen are the audience groups ticked.
	Chosen map[string]bool
}

func (h *Handler) renderSessionForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, chosen []string) {
	p := sessionFormPage{Groups: groupOptions("")[1:], Chosen: map[string]bool{}}
	for _, g := range chosen {
		p.Chosen[g] = true
	}
	v.Data = p
	h.kit.Render(w, r, status, "training_session_new", v)
}

// sessionForm records a session, held or coming.
func (h *Handler) sessionForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "training.session_new_title")
	h.renderSessionForm(w, r, http.StatusOK, v, nil)
}

// materials reads one material a line, "title | link" or a title alone.
func materials(text string) []training.Material {
	var out []training.Material
	for line := range strings.SplitSeq(text, "\n") {
		title, link := line, ""
		if i := strings.LastIndex(line, "|"); i >= 0 {
			title, link = line[:i], line[i+1:]
		}
		out = append(out, training.Material{Title: title, URL: link})
	}
	return out
}

// sessionCreate records the session and shows it.
func (h *Handler) sessionCreate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "training.session_new_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSessionForm(w, r, status, v, nil) })
		return
	}
	for _, k := range []string{"starts_at", "topic", "roles", "trainer", "languages", "materials"} {
		v.Form[k] = r.PostFormValue(k)
	}
	groups := r.PostForm["groups"]
	s, err := h.training.CreateSession(r.Context(), page.Actor(r), training.SessionInput{StartsAt: v.Form["starts_at"], Topic: v.Form["topic"],
		Groups: groups, Roles: v.Form["roles"], Trainer: v.Form["trainer"], Languages: []string{v.Form["languages"]}, Materials: materials(v.Form["materials"])})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderSessionForm(w, r, status, v, groups) })
		return
	}
	http.Redirect(w, r, "/training/sessions/"+s.ID+"?done=created", http.StatusSeeOther)
}
