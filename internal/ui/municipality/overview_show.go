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

// prevention is the municipality's work where it has leverage (003 §3.4):
// its purchasing, campaigns, outreach, businesses, inspections, and what
// partners learn about places and recruiters.
var prevention = []part{
	{"/procurement", "municipality.procurement", access.ViewProcurement, "", ""},
	{"/campaigns", "municipality.campaigns", access.ViewCampaigns, "", ""},
	{"/outreach", "municipality.outreach", access.RecordOutreach, "", ""},
	{"/businesses", "municipality.businesses", access.ManageBusinesses, "", ""},
	{"/inspections", "municipality.inspections", access.TakePartInInspections, "", ""},
	{"/intelligence", "municipality.intelligence", access.SubmitIntelligence, "", ""},
}

// group is a heading of the overview with the parts the reader may open.
type group struct {
	// Key heads the group; the first group has none.
	Key   string
	Parts []part
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "municipality.title")
	actor := page.Actor(r)
	var groups []group
	for _, g := range []group{{"", parts}, {"municipality.prevention", prevention}} {
		var shown []part
		for _, p := range g.Parts {
			switch {
			case access.Can(actor, p.action):
				shown = append(shown, p)
			case p.readHref != "" && access.Can(actor, p.readAction):
				p.Href = p.readHref
				shown = append(shown, p)
			}
		}
		if len(shown) > 0 {
			groups = append(groups, group{g.Key, shown})
		}
	}
	v.Data = groups
	h.kit.Render(w, r, http.StatusOK, "municipality", v)
}
