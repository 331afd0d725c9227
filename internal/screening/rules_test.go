package screening

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/apperr"
)

func intp(v int) *int { return &v }

// allNo answers every indicator "no" and then applies yes; a definite
// baseline, so each case isolates one clause of the rules.
func allNo(c *Catalogue, set map[string]Answer) map[string]Answer {
	m := make(map[string]Answer, len(c.Indicators))
	for _, ind := range c.Indicators {
		m[ind.ID] = No
	}
	for id, a := range set {
		m[id] = a
	}
	return m
}

func dim(t *testing.T, r Result, purpose, dimension string) DimensionResult {
	t.Helper()
	p, ok := r.Purpose(purpose)
	if !ok {
		t.Fatalf("no purpose %s", purpose)
	}
	for _, d := range p.Dimensions {
		if d.Dimension == dimension {
			return d
		}
	}
	t.Fatalf("no dimension %s", dimension)
	return DimensionResult{}
}

// TestDimensionClauses pins every clause of the ILO/EC dimension rule on the
// real catalogue (adult labour ratings).
func TestDimensionClauses(t *testing.T) {
	c := mustV1(t)
	const cd, aov = "coercion_at_destination", "abuse_of_vulnerability_at_destination"
	tests := []struct {
		name      string
		dimension string
		yes       []string
		open      []string
		state     string
		clause    string
	}{
		{"one weak alone is never enough", cd, []string{"gen.immediate_danger"}, nil, StateNegative, ""},
		{"two weak alone are never enough", aov, []string{"gen.personal_situation", "gen.housed_by_controller"}, nil, StateNegative, ""},
		{"one strong alone is not enough", cd, []string{"gen.documents_held"}, nil, StateNegative, ""},
		{"one strong plus one weak is", cd, []string{"gen.documents_held", "gen.immediate_danger"}, nil, StatePositive, "strong_plus_one"},
		{"one strong plus one medium is", cd, []string{"gen.violence", "gen.threat_authorities"}, nil, StatePositive, "strong_plus_one"},
		{"two strong", cd, []string{"gen.documents_held", "gen.debt_bondage"}, nil, StatePositive, "two_strong"},
		{"three medium", cd, []string{"gen.threats", "gen.threat_authorities", "gen.threat_family"}, nil, StatePositive, "three_medium"},
		{"two medium plus one weak", cd, []string{"gen.threats", "gen.threat_authorities", "gen.immediate_danger"}, nil, StatePositive, "two_medium_one_weak"},
		{"two medium alone are not enough", cd, []string{"gen.threats", "gen.threat_authorities"}, nil, StateNegative, ""},
		{"one medium plus weaks is not enough", aov, []string{"gen.dependent_on_controller", "gen.personal_situation", "gen.housed_by_controller"}, nil, StateNegative, ""},
		{"unknown is never no", cd, []string{"gen.documents_held"}, []string{"gen.debt_bondage"}, StateIndeterminate, ""},
		{"declined stays open", cd, []string{"gen.threats", "gen.threat_authorities"}, []string{"gen.forced_to_lie"}, StateIndeterminate, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set := map[string]Answer{}
			for _, id := range tc.yes {
				set[id] = Yes
			}
			for i, id := range tc.open {
				set[id] = []Answer{Unknown, Declined}[i%2]
			}
			r, err := c.Evaluate(Input{Age: Age{Years: intp(30)}, Answers: allNo(c, set)})
			if err != nil {
				t.Fatal(err)
			}
			d := dim(t, r, "labour", tc.dimension)
			if d.State != tc.state || d.Clause != tc.clause {
				t.Errorf("state %s clause %q, want %s %q (counts %+v)", d.State, d.Clause, tc.state, tc.clause, d.Counts)
			}
		})
	}
}

// Full adult labour case used as the base for the combination tests.
var adultLabour = map[string]Answer{
	"gen.deceived_job_nature": Yes, "gen.deceived_pay": Yes, // deceptive recruitment
	"lab.excessive_hours": Yes, "lab.low_or_no_pay": Yes, // exploitation
	"gen.documents_held": Yes, "gen.debt_bondage": Yes, // coercion at destination
}

func with(base map[string]Answer, kv ...any) map[string]Answer {
	m := map[string]Answer{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(Answer)
	}
	return m
}

func TestCombination(t *testing.T) {
	c := mustV1(t)
	exploitOnly := map[string]Answer{"lab.excessive_hours": Yes, "lab.low_or_no_pay": Yes, "chi.with_unrelated_adult": Yes}
	tests := []struct {
		name     string
		age      Age
		answers  map[string]Answer
		definite bool // answer every other indicator "no"
		outcome  string
		reason   string
		lrr      bool
	}{
		{"adult: recruitment + exploitation + coercion", Age{Years: intp(30)}, adultLabour, false, OutcomeReasonableGrounds, "", false},
		{"adult: recruitment unknown leads to further assessment", Age{Years: intp(30)},
			with(adultLabour, "gen.deceived_job_nature", Unknown, "gen.deceived_pay", Unknown), false, OutcomeFurtherAssessment, ReasonOpenQuestions, false},
		{"adult: exploitation without means is an exploited worker", Age{Years: intp(30)}, exploitOnly, true, OutcomeExploitedWorker, "", true},
		{"child: act + exploitation, means not required", Age{Years: intp(15)}, exploitOnly, true, OutcomeReasonableGrounds, "", false},
		{"child: exploitation without act is not trafficking", Age{Years: intp(15)},
			with(exploitOnly, "chi.with_unrelated_adult", No), true, OutcomeExploitedWorker, "", true},
		{"child: act unknown leads to further assessment", Age{Years: intp(15)},
			with(exploitOnly, "chi.with_unrelated_adult", Unknown), true, OutcomeFurtherAssessment, ReasonOpenQuestions, true},
		{"adult: weak-only answers give no indicators", Age{Years: intp(30)},
			map[string]Answer{"gen.immediate_danger": Yes, "gen.housed_by_controller": Yes, "gen.job_arranged_by_intermediary": Yes}, true, OutcomeNoIndicators, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := tc.answers
			if tc.definite {
				ans = allNo(c, ans)
			}
			r, err := c.Evaluate(Input{Age: tc.age, Answers: ans})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := r.Purpose("labour")
			if p.Outcome != tc.outcome || p.Reason != tc.reason || p.LabourRightsReferral != tc.lrr {
				t.Errorf("got %s/%s lrr=%v, want %s/%s lrr=%v\n%s", p.Outcome, p.Reason, p.LabourRightsReferral, tc.outcome, tc.reason, tc.lrr, c.Render(r, "en"))
			}
			if p.Outcome == OutcomeFurtherAssessment && len(p.FurtherQuestions) == 0 {
				t.Error("further assessment must list questions")
			}
		})
	}
}

func TestNearThreshold(t *testing.T) {
	c := mustV1(t)
	ans := allNo(c, with(adultLabour, "gen.documents_held", No, "gen.debt_bondage", No))
	r, err := c.Evaluate(Input{Answers: ans})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Purpose("labour")
	if p.Outcome != OutcomeFurtherAssessment || p.Reason != ReasonNearThreshold || p.LabourRightsReferral {
		t.Fatalf("got %s/%s lrr=%v", p.Outcome, p.Reason, p.LabourRightsReferral)
	}
	if len(p.Missing) != 2 || p.Missing[0].Dimension != "coercion_at_destination" || len(p.Missing[0].Candidates) != 0 {
		t.Errorf("missing = %+v", p.Missing)
	}
}

func TestFurtherQuestionsAndDeclined(t *testing.T) {
	c := mustV1(t)
	ans := with(adultLabour, "gen.documents_held", Declined, "gen.debt_bondage", Unknown)
	r, err := c.Evaluate(Input{Answers: ans})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Declined, []string{"gen.documents_held"}) {
		t.Errorf("declined = %v", r.Declined)
	}
	p, _ := r.Purpose("labour")
	if p.Outcome != OutcomeFurtherAssessment {
		t.Fatalf("outcome %s", p.Outcome)
	}
	// Two strong open questions settle coercion at destination; the minimal
	// list must hold exactly those for that part, strongest first.
	if !slices.Contains(p.FurtherQuestions, "gen.documents_held") || !slices.Contains(p.FurtherQuestions, "gen.debt_bondage") {
		t.Errorf("further questions %v lack the open strong indicators", p.FurtherQuestions)
	}
	if r.Unanswered != len(c.Indicators)-len(ans) {
		t.Errorf("unanswered %d", r.Unanswered)
	}
}

func TestTriggers(t *testing.T) {
	c := mustV1(t)
	tests := []struct {
		name    string
		age     Age
		answers map[string]Answer
		urgent  []string
		sexual  string
	}{
		{"child in commercial sex: urgent and referral", Age{Years: intp(16)}, map[string]Answer{"sex.commercial_sex_act": Yes}, []string{"child_commercial_sex"}, OutcomeReasonableGrounds},
		{"child in sexual images", Age{Years: intp(12)}, map[string]Answer{"sex.online_sexual_content": Yes}, []string{"child_commercial_sex"}, OutcomeReasonableGrounds},
		{"adult selling sex alone is not an indicator", Age{Years: intp(30)}, allNo(c, map[string]Answer{"sex.commercial_sex_act": Yes}), nil, OutcomeNoIndicators},
		{"age presumed child in commercial sex", Age{ReasonsToBelieveChild: true}, map[string]Answer{"sex.commercial_sex_act": Yes}, []string{"child_commercial_sex"}, OutcomeReasonableGrounds},
		{"immediate danger for an adult", Age{}, map[string]Answer{"gen.immediate_danger": Yes}, []string{"immediate_danger"}, OutcomeNoIndicators},
		{"declined danger is not a trigger", Age{}, map[string]Answer{"gen.immediate_danger": Declined}, nil, OutcomeNoIndicators},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Evaluate(Input{Age: tc.age, Answers: tc.answers})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range r.UrgentReasons {
				got = append(got, u.Trigger)
			}
			if !slices.Equal(got, tc.urgent) || r.Urgent != (len(tc.urgent) > 0) {
				t.Errorf("urgent %v (%v), want %v", got, r.Urgent, tc.urgent)
			}
			if p, _ := r.Purpose("sexual"); p.Outcome != tc.sexual {
				t.Errorf("sexual outcome %s, want %s", p.Outcome, tc.sexual)
			}
		})
	}
}

func TestAgePresumption(t *testing.T) {
	tests := []struct {
		age      Age
		pop      string
		presumed bool
	}{
		{Age{}, Adult, false},
		{Age{Years: intp(17)}, Child, false},
		{Age{Years: intp(17), Estimated: true}, Child, false},
		{Age{Years: intp(18)}, Adult, false},
		{Age{ReasonsToBelieveChild: true}, Child, true},
		{Age{Years: intp(19), Estimated: true, ReasonsToBelieveChild: true}, Child, true},
		{Age{Years: intp(19), ReasonsToBelieveChild: true}, Adult, false}, // age established, e.g. verified documents
		{Age{Years: intp(19), Estimated: true}, Adult, false},
	}
	for _, tc := range tests {
		pop, presumed := population(tc.age)
		if pop != tc.pop || presumed != tc.presumed {
			t.Errorf("%+v: got %s %v, want %s %v", tc.age, pop, presumed, tc.pop, tc.presumed)
		}
	}
}

func TestEvaluateRejectsBadInput(t *testing.T) {
	c := mustV1(t)
	tests := []struct {
		name  string
		in    Input
		field string
		key   string
	}{
		{"unknown indicator", Input{Answers: map[string]Answer{"lab.nope": Yes}}, "answers.lab.nope", "error.screening.unknown_indicator"},
		{"free text as id is not echoed", Input{Answers: map[string]Answer{"Maria Muster": Yes}}, "answers", "error.screening.unknown_indicator"},
		{"invalid answer", Input{Answers: map[string]Answer{"gen.violence": "maybe"}}, "answers.gen.violence", "error.screening.invalid_answer"},
		{"empty answer", Input{Answers: map[string]Answer{"gen.violence": ""}}, "answers.gen.violence", "error.screening.invalid_answer"},
		{"unknown setting", Input{Setting: "pub"}, "setting", "error.screening.unknown_setting"},
		{"negative age", Input{Age: Age{Years: intp(-1)}}, "age.years", "error.screening.invalid_age"},
		{"other catalogue version", Input{CatalogueVersion: "v0"}, "catalogue_version", "error.screening.catalogue_version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Evaluate(tc.in)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) || len(ae.Fields) != 1 || ae.Fields[0].Field != tc.field || ae.Fields[0].Key != tc.key {
				t.Errorf("fields = %+v", ae.Fields)
			}
		})
	}
}

func TestQuestionsOrder(t *testing.T) {
	c := mustV1(t)
	for _, setting := range append(Settings(), "") {
		for _, lang := range []string{"en", "de", "fr"} {
			qs, err := c.Questions(setting, lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(qs) != len(c.Indicators) {
				t.Fatalf("%d questions, want %d", len(qs), len(c.Indicators))
			}
			if qs[0].ID != "gen.immediate_danger" {
				t.Errorf("%s: first question %s, want the danger question", setting, qs[0].ID)
			}
			for i := 2; i < len(qs); i++ {
				a, b := qs[i-1], qs[i]
				if a.SettingRelevant == b.SettingRelevant && a.Strength.rank() < b.Strength.rank() {
					t.Errorf("%s: %s (%s) before %s (%s)", setting, a.ID, a.Strength, b.ID, b.Strength)
				}
				if !a.SettingRelevant && b.SettingRelevant {
					t.Errorf("%s: irrelevant %s before relevant %s", setting, a.ID, b.ID)
				}
				if b.Text == "" || b.Label == "" {
					t.Errorf("%s: empty text for %s in %s", setting, b.ID, lang)
				}
			}
		}
	}
	if _, err := c.Questions("pub", "en"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown setting: err = %v", err)
	}
}

func TestRenderGerman(t *testing.T) {
	c := mustV1(t)
	r, err := c.Evaluate(Input{Answers: adultLabour})
	if err != nil {
		t.Fatal(err)
	}
	de := c.Render(r, "de")
	for _, want := range []string{"Berechtigte Gründe", "Zwang am Zielort", "zwei starke Indikatoren", "keine Identifizierung"} {
		if !strings.Contains(de, want) {
			t.Errorf("German rendering lacks %q:\n%s", want, de)
		}
	}
}
