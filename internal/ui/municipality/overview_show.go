package municipality

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/ui/page"
)

// part is one area of the municipality's work, linked for those whose role
// allows its action; a role allowed only to read what the area publishes
// (readAction) is linked to readHref instead.
type part struct {
	Href, Key  string
	action     access.Action
	readHref   string
	readAction access.Action
}

// parts follow the seeds' order of work: map the situation, plan, act
// together, train, formalise the partnership (003 §3; 001).
var parts = []part{
	// Police contact points read the restricted questionnaires' results only.
	{"/mapping", "municipality.mapping", access.ViewMappingReport, "/mapping/restricted", access.ViewMappingRestricted},
	{"/mapping/respond", "municipality.respond", access.RespondMapping, "", ""},
	{"/plan", "municipality.plan", access.ViewMunicipal, "", ""},
	{"/workgroup", "municipality.workgroup", access.ViewWorkingGroup, "", ""},
	{"/training", "municipality.training", access.ViewMunicipal, "", ""},
	{"/agreements", "municipality.agreements", access.ViewAgreements, "", ""},
	{"/areas", "municipality.areas", access.ViewMunicipal, "", ""},
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "municipality.title")
	actor := page.Actor(r)
	var shown []part
	for _, p := range parts {
		switch {
		case access.Can(actor, p.action):
			shown = append(shown, p)
		case p.readHref != "" && access.Can(actor, p.readAction):
			p.Href = p.readHref
			shown = append(shown, p)
		}
	}
	v.Data = shown
	h.kit.Render(w, r, http.StatusOK, "municipality", v)
}
