package screening

import (
	"slices"
	"sort"

	"waymark.city/waymark/internal/apperr"
)

// Question is one indicator question prepared for a screening form.
type Question struct {
	ID              string   `json:"id"`
	Group           string   `json:"group"`
	Dimension       string   `json:"dimension"`
	Element         string   `json:"element"`
	Strength        Strength `json:"strength"` // highest rating for any purpose and population
	SettingRelevant bool     `json:"setting_relevant"`
	Label           string   `json:"label"`
	Text            string   `json:"text"`
	Help            string   `json:"help"`
	Triggers        []string `json:"triggers,omitempty"`
}

// Questions returns every indicator question in lang, ordered for setting:
// the immediate-danger question, then questions relevant to the setting, then strong before medium before
// weak, then catalogue order. An empty setting orders by strength only.
func (c *Catalogue) Questions(setting, lang string) ([]Question, error) {
	if setting != "" && !slices.Contains(knownSettings, setting) {
		return nil, apperr.Validation(apperr.FieldError{Field: "setting", Key: "error.screening.unknown_setting"})
	}
	lang = c.Lang(lang)
	qs := make([]Question, 0, len(c.Indicators))
	for _, ind := range c.Indicators {
		var best Strength
		for _, ps := range ind.Strength {
			for _, s := range []Strength{ps.Adult, ps.Child} {
				if s.rank() > best.rank() {
					best = s
				}
			}
		}
		qs = append(qs, Question{
			ID: ind.ID, Group: ind.Group, Dimension: ind.Dimension, Element: ind.Element, Strength: best,
			SettingRelevant: slices.Contains(ind.Settings, setting),
			Label:           ind.Label[lang], Text: ind.Question[lang], Help: ind.Help[lang],
			Triggers: ind.Triggers,
		})
	}
	// The immediate-danger question comes first in every setting: safety
	// cannot wait for the end of a screening.
	danger := func(q Question) bool { return slices.Contains(q.Triggers, "immediate_danger") }
	sort.SliceStable(qs, func(a, b int) bool {
		if danger(qs[a]) != danger(qs[b]) {
			return danger(qs[a])
		}
		if qs[a].SettingRelevant != qs[b].SettingRelevant {
			return qs[a].SettingRelevant
		}
		return qs[a].Strength.rank() > qs[b].Strength.rank()
	})
	return qs, nil
}
