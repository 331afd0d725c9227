package sitechecks

import (
	_ "embed"
	"fmt"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/screening"
)

// The shipped site-check questionnaire, in the forms engine's text format.
//
//go:embed questionnaire/site_check.md
var questionnaireSource []byte

// questionnaire is the parsed site check; the file ships with Waymark, so
// a fault in it is a fault of the build (a test parses it).
var questionnaire = mustParse()

func mustParse() *forms.Form {
	f, err := forms.ParseText("site_check.md", questionnaireSource)
	if err != nil {
		panic(fmt.Sprintf("sitechecks: the shipped questionnaire does not parse: %v", err))
	}
	return f
}

// Questionnaire is the site-check questionnaire.
func Questionnaire() *forms.Form { return questionnaire }

// Signal is an answer that signals a problem at the site: a check with it
// gets a finding of that severity (its text is the message
// sitechecks.signal.<Question>).
type Signal struct {
	Question string
	Answer   string
	Severity Severity
}

// signals are the answers of the questionnaire that signal a problem. The
// severities follow the ILO indicators of forced labour: a sign that alone
// may mean forced labour (retained documents, debt bondage, restricted
// movement, threats) is critical; abusive conditions and withheld or low
// pay are high; missing records are medium. XLSForm has no column for
// them, so they live here; a test checks every question exists.
var signals = []Signal{
	{"documents_held", "yes", Critical},
	{"debt_owed", "yes", Critical},
	{"not_free", "yes", Critical},
	{"threats", "yes", Critical},
	{"pay_withheld", "yes", High},
	{"pay_below_minimum", "yes", High},
	{"no_day_off", "yes", High},
	{"hours_excessive", "yes", High},
	{"housing_poor", "yes", High},
	{"fees_paid", "yes", High},
	{"undeclared_subcontractor", "yes", High},
	{"speaks_for_them", "yes", High},
	{"contract_not_understood", "yes", Medium},
	{"contracts_shown", "no", Medium},
	{"payslips_shown", "no", Medium},
	{"hours_recorded", "no", Medium},
	{"rent_deducted", "yes", Medium},
	{"safety_missing", "yes", Medium},
	{"group_transport", "yes", Low},
	{"spoken_apart", "no", Low},
}

// Signals lists the answers that signal a problem, most serious first.
func Signals() []Signal { return append([]Signal(nil), signals...) }

// Derive lists the signals a check's answers give, in the order of
// Signals.
func Derive(ans forms.Answers) []Signal { return shippedForm.derive(ans) }

// Indicator maps an answer of the site check to an answer of the
// screening: what a worker at a site with this sign is likely to say yes
// to, which the officer confirms with the person.
type Indicator struct {
	Question  string
	Answer    string
	Screening string
	Value     screening.Answer
}

// indicators map the items about workers to the screening catalogue's
// questions (catalogue/v2). Only a yes is carried over: a "no" found at
// the site says nothing certain about one worker, and the screening treats
// unanswered as unknown, never as no.
var indicators = []Indicator{
	{"documents_held", "yes", "core.documents_held", screening.Yes},
	{"debt_owed", "yes", "core.debt", screening.Yes},
	{"not_free", "yes", "core.not_free", screening.Yes},
	{"threats", "yes", "core.threats_violence", screening.Yes},
	{"pay_withheld", "yes", "core.money_taken", screening.Yes},
	{"no_day_off", "yes", "work.excessive_hours", screening.Yes},
	{"hours_excessive", "yes", "work.excessive_hours", screening.Yes},
	{"housed_by_employer", "yes", "ctl.housed_by_controller", screening.Yes},
	{"housing_poor", "yes", "work.bad_housing", screening.Yes},
	{"contract_not_understood", "yes", "work.no_contract", screening.Yes},
	{"safety_missing", "yes", "work.dangerous", screening.Yes},
	{"speaks_for_them", "yes", "ctl.speaks_for_them", screening.Yes},
	{"group_transport", "yes", "ctl.group_transport", screening.Yes},
	{"public_premises", "yes", "work.public_subcontractor", screening.Yes},
}

// Indicators lists the mapping from site-check answers to screening
// answers.
func Indicators() []Indicator { return append([]Indicator(nil), indicators...) }

// aboutWorkers are the screening questions that are signs about workers;
// work.public_subcontractor describes the site and does not by itself
// call for a screening.
func aboutWorkers(id string) bool { return id != "work.public_subcontractor" }

// ScreeningAnswers are the screening answers a check's answers stand for,
// with core.does_work yes (the person works at the site). It is empty when
// the check found no sign about workers: then there is nobody to screen.
func ScreeningAnswers(ans forms.Answers) map[string]screening.Answer {
	return shippedForm.screeningAnswers(ans)
}
