package app

import (
	"time"

	"waymark.city/waymark/internal/cases"
)

// CasesAsOf is the case service on another clock: the demo seeds a year of
// cases for the statistics with it, each opened on its own day.
func (a *App) CasesAsOf(now func() time.Time) *cases.Service {
	return cases.New(cases.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, ReflectionDays: a.Config.ReflectionDays, Now: now,
		Areas: a.Geo.Current})
}
