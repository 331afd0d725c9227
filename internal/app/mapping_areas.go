package app

import (
	"context"

	"waymark.city/waymark/internal/mapping"
)

// mappingAreas gives the mapping the city's current areas, which rounds
// cover and answers name by code.
func (a *App) mappingAreas(ctx context.Context) ([]mapping.Area, error) {
	areas, err := a.Geo.Current(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]mapping.Area, 0, len(areas))
	for _, ar := range areas {
		out = append(out, mapping.Area{Code: ar.Code, Name: ar.Name})
	}
	return out, nil
}
