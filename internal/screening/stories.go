package screening

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The story suite: screening stories written from public case summaries,
// each with the outcome an expert would expect and why. They are the
// engine's acceptance test (go test) and print as a table with
// `waymark screen --stories`.
//
//go:embed stories/*.json
var storyFiles embed.FS

// Story is one case narrative with the answers a frontline worker would
// give from it and the expected outcome.
type Story struct {
	Name      string      `json:"-"`
	Title     string      `json:"title"`
	Source    string      `json:"source"`
	Narrative string      `json:"narrative"`
	Rationale string      `json:"rationale"`
	Input     Input       `json:"input"`
	Expect    StoryExpect `json:"expect"`
	// KnownDifference says why the rules do not reach the expected outcome
	// and why both are kept; such a story is reported, not failed.
	KnownDifference string `json:"known_difference,omitempty"`
}

// StoryExpect is what an expert expects. Outcomes lists only the forms
// expected to be something other than no_indicators.
type StoryExpect struct {
	Population      string            `json:"population"`
	AgePresumption  bool              `json:"age_presumption"`
	Urgent          []string          `json:"urgent"`
	Overall         string            `json:"overall"`
	Outcomes        map[string]string `json:"outcomes"`
	ChildProtection bool              `json:"child_protection"`
	ProtectionNeeds []string          `json:"protection_needs"`
}

// Stories reads the embedded story suite, in file order.
func Stories() ([]Story, error) {
	names, err := fs.Glob(storyFiles, "stories/*.json")
	if err != nil {
		return nil, err
	}
	var out []Story
	for _, n := range names {
		b, err := storyFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var s Story
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("story %s: %w", n, err)
		}
		s.Name = strings.TrimSuffix(path.Base(n), ".json")
		out = append(out, s)
	}
	return out, nil
}

// StoryCheck is a story evaluated: its result and every way it differs
// from what was expected (none when it passes).
type StoryCheck struct {
	Story    Story
	Result   Result
	Problems []string
}

// CheckStory evaluates a story by the catalogue version it names.
func (c *Catalogue) CheckStory(s Story) StoryCheck {
	ck := StoryCheck{Story: s}
	cat, ok := c.ForVersion(s.Input.CatalogueVersion)
	if !ok {
		ck.Problems = append(ck.Problems, "unknown catalogue version "+s.Input.CatalogueVersion)
		return ck
	}
	res, err := cat.Evaluate(s.Input)
	if err != nil {
		ck.Problems = append(ck.Problems, err.Error())
		return ck
	}
	ck.Result = res
	bad := func(format string, args ...any) { ck.Problems = append(ck.Problems, fmt.Sprintf(format, args...)) }
	e := s.Expect
	if res.Population != e.Population || res.AgePresumption != e.AgePresumption {
		bad("population %s (presumed %v), want %s (presumed %v)", res.Population, res.AgePresumption, e.Population, e.AgePresumption)
	}
	if res.Outcome != e.Overall {
		bad("overall %s, want %s", res.Outcome, e.Overall)
	}
	for _, p := range res.Purposes {
		want := e.Outcomes[p.Purpose]
		if want == "" {
			want = OutcomeNoIndicators
		}
		if p.Outcome != want {
			bad("%s: %s, want %s", p.Purpose, p.Outcome, want)
		}
	}
	var urgent []string
	for _, u := range res.UrgentReasons {
		urgent = append(urgent, u.Trigger)
	}
	if !sameSet(urgent, e.Urgent) {
		bad("urgent %v, want %v", urgent, e.Urgent)
	}
	if res.ChildProtection != e.ChildProtection {
		bad("child protection %v, want %v", res.ChildProtection, e.ChildProtection)
	}
	if res.Outcome == OutcomeProtectionNeed && !sameSet(res.ProtectionNeeds, e.ProtectionNeeds) {
		bad("protection needs %v, want %v", res.ProtectionNeeds, e.ProtectionNeeds)
	}
	return ck
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}
