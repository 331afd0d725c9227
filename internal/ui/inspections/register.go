package inspectionsui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// registerRounds is how many of the latest mapping rounds the planning
// form reads the locations register of.
const registerRounds = 3

// mappedPlace is a kind of place in an area that the mapping's register
// holds, and how many of its entries name it.
type mappedPlace struct {
	Type, TypeLabel string
	Area, AreaLabel string
	Round           string
	Entries         int
}

// register is the places of the latest mapping rounds' locations
// registers, each kind of place and area once, for a reader of mapping
// rounds (the coordinator, police contact points); nil for others or
// without a mapping.
func (h *Handler) register(r *http.Request) ([]mappedPlace, error) {
	actor := page.Actor(r)
	if h.mapping == nil || !(access.Can(actor, access.ManageMapping) || access.Can(actor, access.ViewMappingReport) ||
		access.Can(actor, access.ViewMappingRestricted)) {
		return nil, nil
	}
	rounds, err := h.mapping.Rounds(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	var out []mappedPlace
	seen := map[[2]string]int{}
	for i, round := range rounds {
		if i == registerRounds {
			break
		}
		rep, err := h.mapping.Report(r.Context(), actor, round.ID, web.Printer(r).Lang())
		if err != nil {
			return nil, err
		}
		for _, l := range rep.Locations {
			k := [2]string{l.Type, l.Area}
			if j, ok := seen[k]; ok {
				out[j].Entries++
				continue
			}
			seen[k] = len(out)
			out = append(out, mappedPlace{Type: l.Type, TypeLabel: l.TypeLabel, Area: l.Area, AreaLabel: l.AreaLabel, Round: round.Title, Entries: 1})
		}
	}
	return out, nil
}
