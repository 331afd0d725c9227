package intelligenceui

import (
	"net/http"
	"strings"

	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type showPage struct {
	intelligence.Entry
	Marks []web.Option
	Names names
}

// Paragraphs are the text's lines, each shown as a paragraph so the
// submitter's line breaks survive without styling.
func (p showPage) Paragraphs() []string {
	var out []string
	for l := range strings.SplitSeq(p.Text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *Handler) renderShow(w http.ResponseWriter, r *http.Request, status int, v *web.View, e intelligence.Entry) {
	_, _, n, err := h.options(r)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := showPage{Entry: e, Names: n}
	for _, m := range intelligence.Marks() {
		p.Marks = append(p.Marks, web.Option{Value: m, LabelKey: "intelligence.status." + m})
	}
	if v.Form["status"] == "" && e.Status != intelligence.StatusNew {
		v.Form["status"] = e.Status
	}
	v.Data = p
	h.kit.Render(w, r, status, "intelligence_show", v)
}

// show opens an entry for a police contact point; the read is audited.
func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	e, err := h.intelligence.Read(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v := h.kit.View(r, "intelligence.show_title")
	if r.URL.Query().Get("done") == "marked" {
		v.Notice = v.P.T("intelligence.done_marked")
	}
	h.renderShow(w, r, http.StatusOK, v, e)
}

// mark sets the entry's status.
func (h *Handler) mark(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := h.kit.View(r, "intelligence.show_title")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	v.Form["status"] = r.PostFormValue("status")
	if _, err := h.intelligence.Mark(r.Context(), page.Actor(r), id, v.Form["status"]); err != nil {
		e, rerr := h.intelligence.Read(r.Context(), page.Actor(r), id)
		if rerr != nil {
			h.kit.Fail(w, r, rerr)
			return
		}
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderShow(w, r, status, v, e) })
		return
	}
	http.Redirect(w, r, "/intelligence/"+id+"?done=marked", http.StatusSeeOther)
}
