// Package statistics is the dimensional model of issue 14, derived from the
// records and never typed in twice: indicators (persons assisted, referred,
// accepted, reasonable-grounds decisions, formal identifications, returns)
// by dimensions (form of exploitation, gender, age band, child or adult,
// citizenship group, stage, organisation and its kind, month, quarter,
// year), each person counted once per cell, and the dashboards of the
// analyst and the coordinator built on it. The model reads codes and dates
// only, never a case's encrypted identity. What the analyst sees passes
// through internal/disclosure. The model, the person key and the figures
// measured are described in docs/issue14-progress/statistics.md.
package statistics

import (
	"context"
	"slices"
	"sync"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/storage"
)

// Indicator is what a cell counts: persons with an event of this kind in
// the period.
type Indicator string

const (
	Assisted        Indicator = "assisted"         // a first case opened for the person (case management is assistance)
	Referred        Indicator = "referred"         // a referral made into the referral mechanism
	Accepted        Indicator = "accepted"         // a referral accepted by the receiving organisation
	Declined        Indicator = "declined"         // a referral declined
	Grounds         Indicator = "grounds"          // a reasonable-grounds decision taken (either outcome)
	GroundsPositive Indicator = "grounds_positive" // reasonable grounds found
	Identified      Indicator = "identified"       // victim status confirmed by a competent authority
	Returned        Indicator = "returned"         // a voluntary return travelled
)

// Indicators lists the indicators in display order.
func Indicators() []Indicator {
	return []Indicator{Assisted, Referred, Accepted, Declined, Grounds, GroundsPositive, Identified, Returned}
}

// Dimension codes of the model.
const (
	ByForm        = "form"
	ByGender      = "gender"
	ByAgeBand     = "age_band"
	ByPopulation  = "population"
	ByCitizenship = "citizenship"
	ByStage       = "stage"
	ByOrg         = "org"
	ByOrgKind     = "org_kind"
)

// Citizenship groups, Eurostat's three (crim_thb: the reporting country,
// another EU country, a country outside the EU) and unknown. A person with
// several citizenships is national if one is the reporting country's, else
// EU if one is an EU member's; a stateless person is non-EU.
const (
	National = "national"
	EU       = "eu"
	NonEU    = "non_eu"
	Unknown  = "unknown"
)

// CitizenshipGroups lists the groups in display order.
func CitizenshipGroups() []string { return []string{National, EU, NonEU, Unknown} }

// euMembers are the 27 member states of the European Union (ISO 3166-1
// alpha-2; Greece is GR here, EL at Eurostat).
var euMembers = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// DefaultCountry is the reporting country until a deployment setting names
// its own.
const DefaultCountry = "DE"

// CitizenshipGroup places citizenships (ISO codes) in a group, national
// being country's.
func CitizenshipGroup(country string, citizenships []string) string {
	switch {
	case len(citizenships) == 0:
		return Unknown
	case slices.Contains(citizenships, country):
		return National
	case slices.ContainsFunc(citizenships, func(c string) bool { return slices.Contains(euMembers, c) }):
		return EU
	}
	return NonEU
}

// Service reads the model and serves the dashboards.
type Service struct {
	db      *storage.DB
	gate    audit.Gate
	now     func() time.Time
	country string
	// smallCounts is the lowest threshold a release may use (SmallCounts).
	smallCounts int
	// refreshMu lets one refresh of this process run at a time.
	refreshMu sync.Mutex
	// dashboards are the figures computed from one version of the facts,
	// by year, reader and month (see dashboardKey).
	dashboardMu sync.Mutex
	dashboards  map[dashboardKey]Dashboard
	// computeMu lets one dashboard be computed at a time.
	computeMu sync.Mutex
	// dashboardsVersion is the version of the facts the dashboards were
	// computed from; a newer one empties them.
	dashboardsVersion int64
}

// Deps are what the service needs. Country is the reporting country
// (DefaultCountry when empty); SmallCounts the installation's threshold of
// small counts, which a release may raise but not lower
// (disclosure.DefaultThreshold when 0); Now defaults to time.Now.
type Deps struct {
	DB          *storage.DB
	Audit       *audit.Log
	Now         func() time.Time
	Country     string
	SmallCounts int
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, gate: audit.NewGate(d.DB, d.Audit), now: d.Now, country: d.Country, smallCounts: d.SmallCounts}
	if s.smallCounts == 0 {
		s.smallCounts = disclosure.DefaultThreshold
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.country == "" {
		s.country = DefaultCountry
	}
	return s
}

// Protected reports whether actor sees figures only after disclosure
// control: whoever may not see personal data (the analyst).
func Protected(actor access.Actor) bool { return !actor.Role.SeesPersonalData() }

// authorize asks the policy for the statistics and audits a refusal.
func (s *Service) authorize(ctx context.Context, actor access.Actor, subject string) error {
	_, err := s.gate.Authorize(ctx, actor, access.ViewStatistics, "statistics", subject)
	return err
}
