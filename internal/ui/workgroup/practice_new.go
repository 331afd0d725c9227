package workgroupui

import (
	"net/http"

	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
	"waymark.city/waymark/internal/workgroup"
)

func transferOptions() []web.Option {
	out := []web.Option{{Value: "", LabelKey: "workgroup.choose"}}
	for _, t := range workgroup.Transfers() {
		out = append(out, web.Option{Value: t, LabelKey: "workgroup.transfer." + t})
	}
	return out
}

// practiceForm adds a good practice to the library.
func (h *Handler) practiceForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.practice_new_title")
	v.Data = transferOptions()
	h.kit.Render(w, r, http.StatusOK, "workgroup_practice_new", v)
}

// practiceCreate adds the practice and shows it.
func (h *Handler) practiceCreate(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "workgroup.practice_new_title")
	v.Data = transferOptions()
	render := func(status int) { h.kit.Render(w, r, status, "workgroup_practice_new", v) }
	if err := page.ParseForm(r); err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	for _, k := range []string{"title", "what", "city", "country", "result", "source", "transfer", "transfer_why", "tags"} {
		v.Form[k] = r.PostFormValue(k)
	}
	p, err := h.wg.CreatePractice(r.Context(), page.Actor(r), workgroup.PracticeInput{Title: v.Form["title"], What: v.Form["what"],
		City: v.Form["city"], Country: v.Form["country"], Result: v.Form["result"], Source: v.Form["source"], Transfer: v.Form["transfer"],
		TransferWhy: v.Form["transfer_why"], Tags: []string{v.Form["tags"]}})
	if err != nil {
		h.kit.FormFailed(w, r, v, err, render)
		return
	}
	http.Redirect(w, r, "/workgroup/practices/"+p.ID+"?done=created", http.StatusSeeOther)
}
