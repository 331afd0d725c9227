package campaigns

import (
	"fmt"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/mapping"
)

// Choice is one choice of a mapping questionnaire's list: its name, which
// a campaign stores, and its labels by language, which pages show.
type Choice struct {
	Name  string
	Label map[string]string
}

// LabelIn is the choice's label in lang, else English.
func (c Choice) LabelIn(lang string) string { return mapping.In(c.Label, lang) }

// Audience is what a campaign can be aimed at: the populations at risk of
// the origin questionnaire, the sectors of the labour exploitation
// questionnaire and the fifteen location types of the locations
// questionnaire, so a campaign names the groups and places in the words
// the mapping found them in.
type Audience struct {
	Populations   []Choice
	Sectors       []Choice
	LocationTypes []Choice
}

// audienceLists are the questionnaire, question and target list of each
// part of the audience.
var audienceLists = []struct{ slug, field string }{
	{"origin", "risk_groups"},
	{"labour_exploitation", "sectors"},
	{"locations", "location_type"},
}

// loadAudience reads the choice lists from the shipped questionnaires.
// They are Waymark's own files, checked by mapping's tests: a failure is a
// broken build.
func loadAudience() Audience {
	var lists [3][]Choice
	for i, l := range audienceLists {
		src, err := mapping.ShippedSource(l.slug)
		if err != nil {
			panic(fmt.Sprintf("campaigns: questionnaire %s: %v", l.slug, err))
		}
		f, err := forms.ParseText(l.slug, src)
		if err != nil {
			panic(fmt.Sprintf("campaigns: questionnaire %s: %v", l.slug, err))
		}
		for _, fi := range f.Fields() {
			if fi.Name == l.field {
				for _, c := range fi.Choices {
					lists[i] = append(lists[i], Choice{Name: c.Name, Label: c.Label})
				}
			}
		}
		if len(lists[i]) == 0 {
			panic(fmt.Sprintf("campaigns: questionnaire %s has no question %s", l.slug, l.field))
		}
	}
	return Audience{Populations: lists[0], Sectors: lists[1], LocationTypes: lists[2]}
}

func (Audience) names(list []Choice) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Name
	}
	return out
}
