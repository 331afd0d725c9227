package mapping

import (
	"fmt"
	"sync"

	"waymark.city/waymark/internal/forms"
)

// vocabulary caches the choice lists of the shipped questionnaires by
// "slug/list"; they are embedded and never change while running.
var vocabulary sync.Map

// ShippedChoices is a choice list of a shipped questionnaire in its order:
// the words other capabilities plan and count with, so that outreach,
// inspections and businesses speak of the same kinds of place (locations,
// list location_type) and sectors (labour_exploitation, list sector) as
// the mapping's register. It panics on a list that is not shipped: the
// callers name lists that are part of Waymark.
func ShippedChoices(slug, list string) []forms.ChoiceInfo {
	key := slug + "/" + list
	if v, ok := vocabulary.Load(key); ok {
		return v.([]forms.ChoiceInfo)
	}
	src, err := ShippedSource(slug)
	if err != nil {
		panic(fmt.Sprintf("shipped questionnaire %s: %v", slug, err))
	}
	form, err := forms.ParseText(slug, src)
	if err != nil {
		panic(fmt.Sprintf("parse shipped questionnaire %s: %v", slug, err))
	}
	for _, f := range form.Fields() {
		if f.List == list && len(f.Choices) > 0 {
			vocabulary.Store(key, f.Choices)
			return f.Choices
		}
	}
	panic(fmt.Sprintf("shipped questionnaire %s has no list %s", slug, list))
}

// HasChoice reports whether name is a choice of a shipped list.
func HasChoice(slug, list, name string) bool {
	for _, c := range ShippedChoices(slug, list) {
		if c.Name == name {
			return true
		}
	}
	return false
}
