package screening

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"waymark.city/waymark/internal/apperr"
)

func mustV2(t testing.TB) *Catalogue {
	t.Helper()
	c, err := LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "v2" {
		t.Fatalf("newest catalogue is %s, want v2", c.Version)
	}
	return c
}

func age(years int) Age { return Age{Years: &years} }

// question returns a question of a v2 group file, by id.
func questionIn(doc map[string]any, id string) map[string]any {
	for _, q := range doc["indicators"].([]any) {
		if q.(map[string]any)["id"] == id {
			return q.(map[string]any)
		}
	}
	panic("no question " + id)
}

func TestLoadCatalogueV2Refuses(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, m fstest.MapFS)
		want   []string
	}{
		{"rule names a missing question", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["exploited_worker"].(map[string]any)["answered_no"] = []any{"core.gone"}
			})
		}, []string{"rules.json", `exploited_worker: unknown question "core.gone"`}},
		{"follow-up opened by a missing question", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "work.json", func(d map[string]any) {
				questionIn(d, "work.dangerous")["ask_if"] = []any{map[string]any{"yes": []any{"core.gone"}}}
			})
		}, []string{"work.json", `"work.dangerous"`, `"core.gone" is not a core question`}},
		{"follow-up opened by a follow-up", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "work.json", func(d map[string]any) {
				questionIn(d, "work.dangerous")["ask_if"] = []any{map[string]any{"yes": []any{"work.bad_housing"}}}
			})
		}, []string{`"work.bad_housing" is not a core question`}},
		{"question never asked", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "work.json", func(d map[string]any) { delete(questionIn(d, "work.dangerous"), "ask_if") })
		}, []string{`"work.dangerous": neither a core question nor opened`}},
		{"unknown means kind", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "core.json", func(d map[string]any) {
				questionIn(d, "core.debt")["counts"] = []any{map[string]any{"element": "means", "kind": "bribery", "strength": "strong"}}
			})
		}, []string{`"core.debt": means: unknown kind "bribery"`}},
		{"purpose of an unknown form", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "forms.json", func(d map[string]any) {
				questionIn(d, "sex.forced")["counts"] = []any{map[string]any{"element": "purpose", "forms": []any{"piracy"}, "strength": "strong"}}
			})
		}, []string{`"sex.forced": purpose: unknown form "piracy"`}},
		{"override that suppresses referral", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["overrides"].([]any)[0].(map[string]any)["outcome"] = "no_indicators"
			})
		}, []string{"rules.json", "outcome must be"}},
		{"adult rule without the act", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["required"].(map[string]any)["adult"] = []any{"means", "purpose"}
			})
		}, []string{"required: adult: act and purpose are always required"}},
		{"threshold clause without minimum", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["thresholds"].(map[string]any)["purpose"].(map[string]any)["child"] = []any{map[string]any{"id": "any", "text_key": "clause.one_medium"}}
			})
		}, []string{`thresholds.purpose.child: clause "any": needs positive minimum counts`}},
		{"place names a missing question", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "places.json", func(d map[string]any) {
				d["places"].([]any)[0].(map[string]any)["indicators"] = []any{"lab.gone"}
			})
		}, []string{"places.json", `unknown question "lab.gone"`}},
		{"missing German question", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "child.json", func(d map[string]any) { delete(questionIn(d, "chi.separated")["question"].(map[string]any), "de") })
		}, []string{`"chi.separated": missing "de" question`}},
		{"activity on a follow-up", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "work.json", func(d map[string]any) { questionIn(d, "work.dangerous")["activity"] = "labour" })
		}, []string{`"work.dangerous": an activity question must be a core question`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := realFSOf(t, "v2")
			tc.damage(t, m)
			_, err := LoadCatalogueFS(m)
			if err == nil {
				t.Fatal("broken catalogue loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestEvaluateV2RefusesBadInput(t *testing.T) {
	c := mustV2(t)
	sixteen := 16
	tests := map[string]struct {
		in    Input
		field string
		key   string
	}{
		"unknown question":   {Input{Answers: map[string]Answer{"gen.violence": Yes}}, "answers.gen.violence", "error.screening.unknown_indicator"},
		"invalid answer":     {Input{Answers: map[string]Answer{"core.debt": "maybe"}}, "answers.core.debt", "error.screening.invalid_answer"},
		"child marked adult": {Input{Age: Age{Years: &sixteen, Adult: true}}, "age.adult", "error.screening.child_marked_adult"},
		"unknown setting":    {Input{Setting: "moon"}, "setting", "error.screening.unknown_setting"},
		"version 1 setting":  {Input{Setting: "health_visit"}, "setting", "error.screening.unknown_setting"},
		"unknown version":    {Input{CatalogueVersion: "v9"}, "catalogue_version", "error.screening.catalogue_version"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := c.EvaluateExplained(tc.in, "de")
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("err = %v, want an invalid error", err)
			}
			if !slices.ContainsFunc(ae.Fields, func(f apperr.FieldError) bool { return f.Field == tc.field && f.Key == tc.key }) {
				t.Errorf("fields = %+v, want %s %s", ae.Fields, tc.field, tc.key)
			}
		})
	}
}

func outcomes(r Result) map[string]string {
	out := map[string]string{}
	for _, p := range r.Purposes {
		if p.Outcome != OutcomeNoIndicators {
			out[p.Purpose] = p.Outcome
		}
	}
	return out
}

// TestRulesV2 pins the causes the screening issue named, one answer set
// each, on the rules alone.
func TestRulesV2(t *testing.T) {
	c := mustV2(t)
	nineteen := 19
	tests := []struct {
		name  string
		in    Input
		want  map[string]string
		check func(t *testing.T, r Result)
	}{
		{"held at the destination, recruitment unknown: reasonable grounds",
			Input{Setting: "farm", Age: age(40), Answers: map[string]Answer{"core.does_work": Yes, "core.documents_held": Yes,
				"core.money_taken": Yes, "core.threats_violence": Yes, "core.arranged_by_others": Unknown}},
			map[string]string{"labour": OutcomeReasonableGrounds}, nil},
		{"means pool across deception, coercion and abuse of vulnerability",
			Input{Setting: "construction_site", Age: age(30), Answers: map[string]Answer{"core.does_work": Yes, "core.arranged_by_others": Yes,
				"rec.terms_worse": Yes, "ctl.isolated": Yes, "work.excessive_hours": Yes}},
			map[string]string{"labour": OutcomeReasonableGrounds}, func(t *testing.T, r Result) {
				p, _ := r.Purpose("labour")
				kinds := map[string]bool{}
				for _, e := range p.Elements[1].Yes {
					kinds[e.Kind] = true
				}
				if !kinds["deception"] || !kinds["coercion"] {
					t.Errorf("means evidence %+v, want deception and coercion together", p.Elements[1].Yes)
				}
			}},
		{"forced into prostitution is itself the purpose",
			Input{Setting: "police_stop", Age: age(25), Answers: map[string]Answer{"core.does_sex": Yes, "sex.forced": Yes}},
			map[string]string{"sexual": OutcomeReasonableGrounds}, nil},
		{"a journey arranged by others alone points to no form",
			Input{Setting: "hotline_call", Age: age(30), Answers: map[string]Answer{"core.arranged_by_others": Yes}},
			map[string]string{}, func(t *testing.T, r Result) {
				if r.Outcome != OutcomeNoIndicators || len(r.DecidingQuestions) > 0 {
					t.Errorf("outcome %s with deciding questions %v, want no indication and none", r.Outcome, r.DecidingQuestions)
				}
			}},
		{"a child forced to steal: grounds, urgent, child protection",
			Input{Setting: "street", Age: age(15), Answers: map[string]Answer{"core.does_crime": Yes, "core.money_taken": Yes, "crim.directed": Yes}},
			map[string]string{"criminality": OutcomeReasonableGrounds}, func(t *testing.T, r Result) {
				if !r.Urgent || !r.ChildProtection {
					t.Errorf("urgent %v child protection %v, want both", r.Urgent, r.ChildProtection)
				}
			}},
		{"reasons to believe a child outweigh a stated 19",
			Input{Setting: "nail_salon", Age: Age{Years: &nineteen, ReasonsToBelieveChild: true}, Answers: map[string]Answer{}},
			map[string]string{}, func(t *testing.T, r Result) {
				if r.Population != Child || !r.AgePresumption || r.StatedAge == nil || *r.StatedAge != 19 {
					t.Errorf("population %s presumed %v stated %v, want a presumed child of stated age 19", r.Population, r.AgePresumption, r.StatedAge)
				}
			}},
		{"forced marriage is its own form",
			Input{Setting: "private_household", Age: age(22), Answers: map[string]Answer{"core.does_housework": Yes, "core.not_free": Yes,
				"mar.without_consent": Yes, "mar.held_by_in_laws": Yes}},
			map[string]string{"forced_marriage": OutcomeReasonableGrounds, "domestic_servitude": OutcomeReasonableGrounds}, nil},
		{"threats at home do not make a free job forced",
			Input{Setting: "health_service", Age: age(35), Answers: map[string]Answer{"core.does_work": Yes, "core.threats_violence": Yes}},
			map[string]string{}, nil},
		{"long hours, free to leave, not threatened: exploited worker",
			Input{Setting: "restaurant_kitchen", Age: age(44), Answers: map[string]Answer{"core.does_work": Yes, "core.not_free": No,
				"core.threats_violence": No, "work.excessive_hours": Yes}},
			map[string]string{"labour": OutcomeExploitedWorker}, func(t *testing.T, r Result) {
				p, _ := r.Purpose("labour")
				if !p.LabourRightsReferral {
					t.Error("no labour-rights referral")
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Evaluate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomes(r); !mapsEqual(got, tc.want) {
				t.Errorf("outcomes %v, want %v\n%s", got, tc.want, c.Render(r, "en"))
			}
			// A result never says an element is missing under a
			// reasonable-grounds headline: each required element is
			// present and lists the answers behind it.
			for _, p := range r.Purposes {
				if p.Outcome != OutcomeReasonableGrounds || p.Override != nil {
					continue
				}
				for _, e := range p.Elements {
					if e.Required && (e.State != StatePositive || len(e.Yes) == 0) {
						t.Errorf("%s: %s is %s with %d answers under reasonable grounds", p.Purpose, e.Element, e.State, len(e.Yes))
					}
				}
			}
			if len(r.DecidingQuestions) > 5 {
				t.Errorf("%d deciding questions, want at most 5", len(r.DecidingQuestions))
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPlanV2 checks the adaptive questionnaire: the core questions first,
// danger first of all; only follow-ups the answers open; the unanswered
// count of a result is the plan's; answers the plan never asks are named.
func TestPlanV2(t *testing.T) {
	c := mustV2(t)
	in := Input{Setting: "private_household", Age: age(30), Answers: map[string]Answer{
		"core.does_housework": Yes, "core.not_free": Yes, "core.does_sex": No, "sex.forced": Yes,
	}}
	plan, err := c.Plan(in, "de")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Pages) < 2 || plan.Pages[0][0].ID != "core.danger" {
		t.Fatalf("plan %v, want the core page first, danger first", plan.Pages)
	}
	for _, q := range plan.Pages[0] {
		if ind, _ := c.Indicator(q.ID); !ind.Core {
			t.Errorf("first page asks follow-up %s", q.ID)
		}
	}
	for _, page := range plan.Pages[1:] {
		if len(page) > c.v2.rules.PageSize {
			t.Errorf("a follow-up page has %d questions, want at most %d", len(page), c.v2.rules.PageSize)
		}
		for _, q := range page {
			if strings.HasPrefix(q.ID, "sex.") || strings.HasPrefix(q.ID, "chi.") {
				t.Errorf("asks %s of an adult who sells no sex", q.ID)
			}
		}
	}
	if _, ok := plan.PageOf["mar.without_consent"]; !ok {
		t.Error("a person kept in a household is not asked about forced marriage")
	}
	r, err := c.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Unanswered != plan.Unanswered(in.Answers) {
		t.Errorf("result counts %d unanswered, the pages %d", r.Unanswered, plan.Unanswered(in.Answers))
	}
	if !slices.Equal(r.Unused, []string{"sex.forced"}) {
		t.Errorf("unused %v, want the answer to a question never opened", r.Unused)
	}
	if _, ok := outcomes(r)["sexual"]; ok {
		t.Error("an unopened answer counted")
	}
}

// TestVersion1StaysLoadable evaluates a version 1 answer set by its own
// rules through the newest catalogue.
func TestVersion1StaysLoadable(t *testing.T) {
	c := mustV2(t)
	ev, err := c.EvaluateExplained(Input{CatalogueVersion: "v1", Setting: "workplace_inspection",
		Answers: map[string]Answer{"gen.violence": Yes, "lab.excessive_hours": Yes}}, "en")
	if err != nil {
		t.Fatal(err)
	}
	if ev.CatalogueVersion != "v1" || len(ev.Purposes) != 4 || ev.Outcome != "" {
		t.Errorf("version %s with %d purposes, outcome %q: want the version 1 result", ev.CatalogueVersion, len(ev.Purposes), ev.Outcome)
	}
}
