package sitechecks_test

import (
	"maps"
	"slices"
	"testing"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/sitechecks"
)

// The tables in Go name questions of the shipped questionnaire and of the
// screening catalogue: a renamed question must fail here, not in the field.
func TestTablesNameRealQuestions(t *testing.T) {
	q := sitechecks.Questionnaire()
	if q.ID != "site_check" || q.Version == "" {
		t.Fatalf("questionnaire id %q version %q", q.ID, q.Version)
	}
	selects := map[string]bool{}
	for _, f := range q.Fields() {
		if f.Type == "select_one" {
			selects[f.Name] = true
		}
	}
	for _, sg := range sitechecks.Signals() {
		if !selects[sg.Question] || (sg.Answer != "yes" && sg.Answer != "no") {
			t.Errorf("signal %s=%s is no yes/no question of the questionnaire", sg.Question, sg.Answer)
		}
		if !slices.Contains(sitechecks.Severities(), sg.Severity) {
			t.Errorf("signal %s has severity %q", sg.Question, sg.Severity)
		}
	}
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range sitechecks.Indicators() {
		if !selects[in.Question] {
			t.Errorf("indicator row names %s, which the questionnaire lacks", in.Question)
		}
		if _, ok := cat.Indicator(in.Screening); !ok {
			t.Errorf("indicator row names screening question %s, which the catalogue lacks", in.Screening)
		}
	}
	if !slices.Contains(cat.SettingIDs(), sitechecks.Setting) {
		t.Errorf("setting %s is not in the catalogue", sitechecks.Setting)
	}
}

func TestScreeningAnswers(t *testing.T) {
	yes := screening.Yes
	for _, tc := range []struct {
		name    string
		answers map[string]string
		want    map[string]screening.Answer
	}{
		{"nothing found", map[string]string{"documents_held": "no", "no_day_off": "no", "workers_present": "4"}, map[string]screening.Answer{}},
		{"unknown is not carried", map[string]string{"documents_held": "unknown", "debt_owed": "unknown"}, map[string]screening.Answer{}},
		{"the site alone calls for no screening", map[string]string{"public_premises": "yes", "documents_held": "no"}, map[string]screening.Answer{}},
		{"papers kept and no day off", map[string]string{"documents_held": "yes", "no_day_off": "yes", "public_premises": "yes"},
			map[string]screening.Answer{"core.does_work": yes, "core.documents_held": yes, "work.excessive_hours": yes, "work.public_subcontractor": yes}},
		{"two items, one question", map[string]string{"no_day_off": "yes", "hours_excessive": "yes"},
			map[string]screening.Answer{"core.does_work": yes, "work.excessive_hours": yes}},
		{"debt, wages, housing, control", map[string]string{"debt_owed": "yes", "pay_withheld": "yes", "housed_by_employer": "yes", "housing_poor": "yes",
			"not_free": "yes", "threats": "yes", "speaks_for_them": "yes", "group_transport": "yes", "contract_not_understood": "yes", "safety_missing": "yes"},
			map[string]screening.Answer{"core.does_work": yes, "core.debt": yes, "core.money_taken": yes, "ctl.housed_by_controller": yes,
				"work.bad_housing": yes, "core.not_free": yes, "core.threats_violence": yes, "ctl.speaks_for_them": yes, "ctl.group_transport": yes,
				"work.no_contract": yes, "work.dangerous": yes}},
		{"a no is never carried", map[string]string{"documents_held": "yes", "not_free": "no", "threats": "no"},
			map[string]screening.Answer{"core.does_work": yes, "core.documents_held": yes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sitechecks.ScreeningAnswers(forms.Answers{Values: tc.answers})
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDerive(t *testing.T) {
	got := sitechecks.Derive(forms.Answers{Values: map[string]string{"contracts_shown": "no", "documents_held": "yes", "no_day_off": "yes",
		"payslips_shown": "yes", "threats": "unknown", "group_transport": "yes"}})
	var names []string
	for _, sg := range got {
		names = append(names, sg.Question+"="+string(sg.Severity))
	}
	want := []string{"documents_held=critical", "no_day_off=high", "contracts_shown=medium", "group_transport=low"}
	if !slices.Equal(names, want) {
		t.Errorf("derived %v, want %v (most serious first; unknown and a good answer derive nothing)", names, want)
	}
}
