package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/web"
)

type providerListPage struct {
	Providers []assistance.Provider
	Types     []web.Option
	Audiences []web.Option
	All       bool
	CanManage bool
	// Interpreters links the register of interpreters, which is kept
	// beside the directory rather than in the short navigation.
	Interpreters bool
}

// listProviders is the directory of service providers, filtered by type
// of service and language.
func (h *Handler) listProviders(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "provider.list_title")
	a := actor(r)
	q := r.URL.Query()
	f := assistance.ProviderFilter{Type: q.Get("type"), Language: q.Get("language"), Audience: q.Get("audience"), All: q.Get("all") == "1"}
	v.Form["type"], v.Form["language"], v.Form["audience"] = f.Type, f.Language, f.Audience
	page := providerListPage{All: f.All, CanManage: access.Can(a, access.ManageProviders), Interpreters: access.Can(a, access.ViewInterpreters)}
	page.Types = []web.Option{{Value: "", LabelKey: "provider.any_type"}}
	for _, t := range assistance.ProviderTypes() {
		page.Types = append(page.Types, web.Option{Value: t, LabelKey: "provider.type." + t})
	}
	page.Audiences = []web.Option{{Value: "", LabelKey: "provider.any_audience"}}
	for _, au := range assistance.ProviderAudiences() {
		page.Audiences = append(page.Audiences, web.Option{Value: au, LabelKey: "provider.audience." + au})
	}
	list, err := h.assistance.Providers(r.Context(), a, f)
	status := http.StatusOK
	if err != nil {
		status = statusOf(err)
		if status != http.StatusUnprocessableEntity {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
	}
	page.Providers = list
	v.Data = page
	h.shell.Render(w, r, status, "provider_list", v)
}
