package assistance

import (
	"context"
	"slices"

	"waymark.city/waymark/internal/access"
)

// ServiceEntry is one provider as the mapping's outputs list it: what it
// offers and in which languages, for whom. No contact details: the
// report is read beyond those who refer people.
type ServiceEntry struct {
	Name      string
	Types     []string
	Languages []string
}

// ServicesFor is what the partnership offers one audience.
type ServicesFor struct {
	Audience  string
	Providers []ServiceEntry
	// Shelters are counted, never named or placed: a shelter's name can
	// lead to its address (issue 12: no shelter on any map or export).
	Shelters, ShelterPlaces int
}

// Services lists the active providers by audience (victims, people at
// risk) for the municipality's readers, as the local mapping's outputs ask
// (003 §3.3: the services available to victims and to people at risk).
func (s *Service) Services(ctx context.Context, actor access.Actor) ([]ServicesFor, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewMunicipal, "service_provider", ""); err != nil {
		return nil, err
	}
	all, err := s.listProviders(ctx, ProviderFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]ServicesFor, 0, len(providerAudiences))
	for _, a := range providerAudiences {
		sf := ServicesFor{Audience: a}
		for _, p := range all {
			switch {
			case !slices.Contains(p.Audiences, a):
			case p.Shelter():
				sf.Shelters++
				sf.ShelterPlaces += p.Places.Total
			default:
				sf.Providers = append(sf.Providers, ServiceEntry{Name: p.Name, Types: p.Types, Languages: p.Languages})
			}
		}
		out = append(out, sf)
	}
	return out, nil
}
