package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type roundList struct {
	Rounds []mapping.Round
	// Manage shows the coordinator's links (questionnaires, new round, a
	// round's page); Restricted the link to the restricted results.
	Manage, Restricted bool
	Options            []web.Option
}

// rounds lists the mapping rounds with their reports and the comparison form.
func (h *Handler) rounds(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.title")
	notice(v, r)
	list, err := h.mapping.Rounds(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	actor := page.Actor(r)
	v.Data = roundList{Rounds: list, Manage: access.Can(actor, access.ManageMapping), Restricted: access.Can(actor, access.ViewMappingRestricted),
		Options: roundOptions(list)}
	if len(list) > 1 {
		v.Form["a"], v.Form["b"] = list[1].ID, list[0].ID
	}
	h.kit.Render(w, r, http.StatusOK, "mapping_rounds", v)
}

// restrictedRounds lists the rounds for those who see only the restricted
// questionnaire's results (police contact points).
func (h *Handler) restrictedRounds(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.restricted_title")
	list, err := h.mapping.Rounds(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	var shown []mapping.Round
	for _, rd := range list {
		for _, q := range rd.Questionnaires {
			if q.Restricted {
				shown = append(shown, rd)
				break
			}
		}
	}
	v.Data = shown
	h.kit.Render(w, r, http.StatusOK, "mapping_restricted", v)
}
