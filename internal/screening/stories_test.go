package screening

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current results")

// story is one case narrative with the answers a frontline worker would give
// and the outcome a trafficking expert would expect.
type story struct {
	Title     string `json:"title"`
	Narrative string `json:"narrative"`
	Input     Input  `json:"input"`
	Expect    struct {
		Population           string            `json:"population"`
		AgePresumption       bool              `json:"age_presumption"`
		Urgent               []string          `json:"urgent"`
		Outcomes             map[string]string `json:"outcomes"`
		Reasons              map[string]string `json:"reasons"`
		LabourRightsReferral []string          `json:"labour_rights_referral"`
	} `json:"expect"`
}

func loadStories(t testing.TB) map[string]story {
	t.Helper()
	paths, err := filepath.Glob("testdata/stories/v1/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]story{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var s story
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = s
	}
	return out
}

// mustV1 is the version 1 catalogue, which saved screenings still use.
func mustV1(t testing.TB) *Catalogue {
	t.Helper()
	latest, err := LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	c, ok := latest.ForVersion("v1")
	if !ok {
		t.Fatal("version 1 is not loaded")
	}
	return c
}

func TestStories(t *testing.T) {
	c := mustV1(t)
	stories := loadStories(t)
	if len(stories) < 15 {
		t.Fatalf("want at least 15 stories, have %d", len(stories))
	}
	for name, s := range stories {
		t.Run(name, func(t *testing.T) {
			if strings.TrimSpace(s.Narrative) == "" {
				t.Fatal("story without narrative")
			}
			r, err := c.Evaluate(s.Input)
			if err != nil {
				t.Fatal(err)
			}
			if r.Population != s.Expect.Population || r.AgePresumption != s.Expect.AgePresumption {
				t.Errorf("population %s presumption %v, want %s %v", r.Population, r.AgePresumption, s.Expect.Population, s.Expect.AgePresumption)
			}
			var urgent []string
			for _, u := range r.UrgentReasons {
				urgent = append(urgent, u.Trigger)
			}
			if !slices.Equal(urgent, s.Expect.Urgent) {
				t.Errorf("urgent %v, want %v", urgent, s.Expect.Urgent)
			}
			if len(s.Expect.Outcomes) != len(r.Purposes) {
				t.Errorf("story sets %d outcomes, engine has %d purposes", len(s.Expect.Outcomes), len(r.Purposes))
			}
			for _, p := range r.Purposes {
				if want := s.Expect.Outcomes[p.Purpose]; p.Outcome != want {
					t.Errorf("%s: outcome %s (%s), want %s\n%s", p.Purpose, p.Outcome, p.Reason, want, c.Render(r, "en"))
				}
				if want := s.Expect.Reasons[p.Purpose]; want != "" && p.Reason != want {
					t.Errorf("%s: reason %q, want %q", p.Purpose, p.Reason, want)
				}
				if want := slices.Contains(s.Expect.LabourRightsReferral, p.Purpose); p.LabourRightsReferral != want {
					t.Errorf("%s: labour-rights referral %v, want %v", p.Purpose, p.LabourRightsReferral, want)
				}
				if p.Outcome == OutcomeFurtherAssessment && p.Reason == ReasonOpenQuestions && len(p.FurtherQuestions) == 0 {
					t.Errorf("%s: further assessment without questions", p.Purpose)
				}
			}
			for _, lang := range []string{"en", "de"} {
				if txt := c.Render(r, lang); !strings.Contains(txt, c.Text("disclaimer", lang, nil)) {
					t.Errorf("%s rendering lacks the disclaimer", lang)
				}
			}
			checkGoldenIn(t, "v1", name, r)
		})
	}
}

// checkGolden pins the full explained result, so any change in weights,
// rules or explanation shows up as a reviewable diff (go test -update).
func checkGoldenIn(t *testing.T, dir, name string, r Result) {
	t.Helper()
	got, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", dir, name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("result differs from %s (run go test -update and review the diff)\n%s", path, got)
	}
}

// TestStoriesV2 runs the story suite against the current rules: every story
// must reach the outcome its expert rationale gives, and its full result is
// pinned in a golden file (go test -update).
func TestStoriesV2(t *testing.T) {
	c, err := LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) < 40 {
		t.Fatalf("want at least 40 stories, have %d", len(stories))
	}
	negative := 0
	for _, s := range stories {
		if s.Expect.Overall == OutcomeNoIndicators || s.Expect.Overall == OutcomeProtectionNeed || s.Expect.Overall == OutcomeExploitedWorker {
			negative++
		}
		t.Run(s.Name, func(t *testing.T) {
			if strings.TrimSpace(s.Narrative) == "" || strings.TrimSpace(s.Source) == "" || strings.TrimSpace(s.Rationale) == "" {
				t.Fatal("a story needs a narrative, a source and a rationale")
			}
			ck := c.CheckStory(s)
			if s.KnownDifference != "" {
				// A known difference must still differ, so the note cannot
				// go stale.
				if len(ck.Problems) == 0 {
					t.Errorf("now reaches the expected outcome; remove its known_difference (%s)", s.KnownDifference)
				}
			} else {
				for _, p := range ck.Problems {
					t.Error(p)
				}
				if len(ck.Problems) > 0 {
					t.Log(c.Render(ck.Result, "en"))
				}
			}
			if n := len(ck.Result.DecidingQuestions); n > 5 {
				t.Errorf("%d deciding questions, want at most 5", n)
			}
			checkGoldenIn(t, "v2", s.Name, ck.Result)
		})
	}
	if negative < 12 {
		t.Errorf("%d negative controls, want at least 12", negative)
	}
}

// TestStoriesFitThreePages: a typical story reaches its outcome within the
// first three pages of the adaptive questionnaire (the core page and two of
// follow-ups) and needs at most 25 answers. "Typical" is four in five; the
// ones that take longer are named in the log.
func TestStoriesFitThreePages(t *testing.T) {
	c := mustV2(t)
	stories, err := Stories()
	if err != nil {
		t.Fatal(err)
	}
	fit := 0
	for _, s := range stories {
		plan, err := c.Plan(s.Input, "en")
		if err != nil {
			t.Fatal(err)
		}
		full, err := c.Evaluate(s.Input)
		if err != nil {
			t.Fatal(err)
		}
		asked := 0
		for id := range s.Input.Answers {
			if _, ok := plan.PageOf[id]; ok {
				asked++
			}
		}
		// The fewest pages whose answers alone give the final outcome.
		pages := 0
		for k := 1; k <= len(plan.Pages) && pages == 0; k++ {
			in := Input{Setting: s.Input.Setting, Age: s.Input.Age, Answers: map[string]Answer{}}
			for id, a := range s.Input.Answers {
				if p, ok := plan.PageOf[id]; ok && p <= k {
					in.Answers[id] = a
				}
			}
			if r, err := c.Evaluate(in); err == nil && r.Outcome == full.Outcome {
				pages = k
			}
		}
		if asked <= 25 && pages <= 3 {
			fit++
		} else {
			t.Logf("%s: %d answers, outcome reached on page %d", s.Name, asked, pages)
		}
	}
	if fit*5 < len(stories)*4 {
		t.Errorf("%d of %d stories reach their outcome within 25 answers and 3 pages, want four in five", fit, len(stories))
	}
}
