package mapping

import (
	"embed"
	"slices"

	"waymark.city/waymark/internal/i18n"
)

// The shipped questionnaires, in the forms engine's text format.
//
//go:embed questionnaires/*.md
var questionnaireFiles embed.FS

// Shipped is one of Waymark's own questionnaires, written from a table of
// the Danube guidelines for municipalities (annex, "Mapping the local
// trafficking situation").
type Shipped struct {
	// Slug names the questionnaire (its file questionnaires/<slug>.md and
	// its message keys mapping.shipped.<slug>).
	Slug string
	// Page is the page of the annex table it follows.
	Page string
	// Restricted questionnaires' results are shown only to roles allowed
	// access.ViewMappingRestricted.
	Restricted bool
	// Actors are the key actors the table names as those who can identify
	// people at risk: whom to invite (message keys mapping.actor.<code>).
	Actors []string
}

// shipped are the six mapping questionnaires with the key actors of their
// tables. XLSForm has no column for them, so they live here.
var shipped = []Shipped{
	{Slug: "sexual_exploitation", Page: "vii", Actors: []string{"ngo", "social_services", "health_service", "victim_services", "police",
		"shelter", "migrant_support", "migrant_services", "neighbourhood", "sex_buyers", "private_citizens"}},
	{Slug: "labour_exploitation", Page: "viii", Actors: []string{"labour_inspectorate", "police", "inspectorates", "trade_union",
		"social_services", "medical_staff", "procurement", "ngo", "victim_services", "migrant_support", "migrant_community",
		"recruitment_agency", "private_citizens"}},
	{Slug: "begging_criminality", Page: "ix", Actors: []string{"police", "social_services", "medical_staff", "ngo", "victim_services",
		"migrant_support", "migrant_community", "faith_based", "private_citizens"}},
	{Slug: "origin", Page: "x", Actors: []string{"ngo", "social_services", "health_service", "care_institutions", "teachers",
		"medical_staff", "police", "libraries", "shelter", "employment_service", "faith_based", "property_services", "private_citizens"}},
	{Slug: "locations", Page: "xi", Actors: []string{"police", "social_services", "ngo", "migrant_support", "labour_inspectorate",
		"health_service", "employment_service", "teachers", "libraries", "neighbourhood", "private_citizens"}},
	{Slug: "perpetrators", Page: "xii", Restricted: true, Actors: []string{"police", "labour_inspectorate", "inspectorates",
		"trade_union", "social_services", "health_service", "procurement", "ngo", "victim_services", "migrant_support",
		"taxi_drivers", "hotel_staff", "neighbourhood", "private_citizens"}},
}

// ShippedQuestionnaires lists Waymark's own questionnaires in order.
func ShippedQuestionnaires() []Shipped { return slices.Clone(shipped) }

func shippedBySlug(slug string) (Shipped, bool) {
	i := slices.IndexFunc(shipped, func(q Shipped) bool { return q.Slug == slug })
	if i < 0 {
		return Shipped{}, false
	}
	return shipped[i], true
}

// ShippedSource is the text of a shipped questionnaire.
func ShippedSource(slug string) ([]byte, error) {
	return questionnaireFiles.ReadFile("questionnaires/" + slug + ".md")
}

// Actors lists every key actor a link invitation can be made for, in
// display order: the union of the shipped tables' key actors.
func Actors() []string {
	var out []string
	for _, q := range shipped {
		for _, a := range q.Actors {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// TitleIn is the questionnaire's title in p's language: a shipped
// questionnaire's from the catalogue, an imported one's as its form has it.
func (q Questionnaire) TitleIn(p *i18n.Printer) string {
	if slug := q.Slug(); slug != "" && p.Has("mapping.shipped."+slug) {
		return p.T("mapping.shipped." + slug)
	}
	return q.Title
}
