// Package crisisunit is the Evaluation and Crisis Unit of the local referral
// mechanism (Danube Roundtable, operational steps 2-3,
// /work/shared/seeds/danube-roundtable-coordination-structures.txt): case
// conferences where social services, NGOs, police, prosecutors and
// interpreters evaluate a case together, their decisions and tasks; the
// protocol of collaboration saying which type of organisation does what at
// which stage, which pre-fills tasks when a case moves; and reminders of
// due tasks and deadlines in the app, by e-mail and as a calendar feed.
//
// Everything about one case goes through the case gate (cases.View and
// cases.Change with category cases.CrisisUnit): an organisation the case
// was shared with, crisis-unit category included, takes part — a police
// contact point marks its own task done. Minutes, decision texts and task
// titles may name the person and are sealed under the case's record.
// Reminders, the task list and the feed carry case codes, kinds and dates
// only, never a name.
package crisisunit

import (
	"context"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Service is the crisis-unit capability, built on the case gate.
type Service struct {
	cases *cases.Service
	// zone is where a conference's day is counted (its deadline's date).
	zone *time.Location
}

// New returns the crisis-unit service and registers the hook that pre-fills
// the protocol's tasks whenever a case moves stage.
func New(c *cases.Service) *Service {
	s := &Service{cases: c, zone: time.Local}
	c.OnMove(func(ctx context.Context, tx *storage.Tx, actor access.Actor, cs cases.Case, from cases.Stage) error {
		return s.onMove(ctx, tx, actor, cs, from)
	})
	c.OnTransfer(s.onTransfer)
	return s
}

// Task statuses.
const (
	TaskOpen      = "open"
	TaskDone      = "done"
	TaskCancelled = "cancelled"
)

// agendaCodes are what a case conference can be about (Danube guidelines,
// "Scheme & Types of Assistance"; Roundtable step 3: a thorough evaluation
// of each case, protection of the victim and prosecution kept apart).
var agendaCodes = []string{
	"evaluation", "safety_risk", "accommodation", "health", "assistance_plan", "legal_status",
	"residence", "child_protection", "proceedings", "inclusion_return", "task_review", "other",
}

// AgendaCodes lists the agenda items a conference can name.
func AgendaCodes() []string { return slices.Clone(agendaCodes) }

// decisionCodes classify a decision; its wording is sealed.
var decisionCodes = []string{
	"assist", "safe_accommodation", "risk_measures", "refer_services", "reflection_period",
	"residence_permit", "guardian", "information_authorities", "voluntary_return", "inclusion",
	"review", "other",
}

// DecisionCodes lists the codes a decision can carry.
func DecisionCodes() []string { return slices.Clone(decisionCodes) }

// taskTemplates are the tasks the protocol of collaboration can assign,
// after the Roundtable's protection programme (step 4) and the Danube
// guidelines' scheme of assistance, in our own words.
var taskTemplates = []string{
	"convene_unit", "inform_rights", "needs_assessment", "safe_accommodation", "interpretation",
	"risk_assessment", "medical_check", "legal_counselling", "psychological_support", "documents",
	"residence_permit", "guardian", "long_term_plan", "compensation_claim", "vocational_training",
	"return_risk_assessment", "travel_documents", "resettlement_application",
}

// TaskTemplates lists the task templates of the protocol of collaboration.
func TaskTemplates() []string { return slices.Clone(taskTemplates) }

// templateNeeds are the categories of case data a partner needs to do a
// protocol task: the case's owner is offered the share when the partner
// lacks it. Tasks done with the person present (informing them of their
// rights, interpreting) need nothing from the file.
var templateNeeds = map[string][]cases.Category{
	"needs_assessment": {cases.Assistance}, "safe_accommodation": {cases.Assistance, cases.Risk},
	"risk_assessment": {cases.Risk}, "medical_check": {cases.Assistance}, "legal_counselling": {cases.Legal},
	"psychological_support": {cases.Assistance}, "documents": {cases.Identity, cases.Legal},
	"residence_permit": {cases.Identity, cases.Legal}, "guardian": {cases.Identity, cases.Children},
	"long_term_plan": {cases.Assistance}, "compensation_claim": {cases.Legal}, "vocational_training": {cases.Assistance},
	"return_risk_assessment": {cases.Risk}, "travel_documents": {cases.Identity},
	"resettlement_application": {cases.Identity, cases.Legal},
}

// TemplateNeeds lists the categories of case data a protocol task needs.
func TemplateNeeds(template string) []cases.Category { return slices.Clone(templateNeeds[template]) }

// Limits of the free text, in characters.
const (
	MaxMinutes  = 20000
	MaxDecision = 1000
	MaxTitle    = 300
	// MaxDueDays is the longest default due time a protocol step can have.
	MaxDueDays = 365
)

// today is the service's current day, UTC midnight, as deadlines count days.
func (s *Service) today() time.Time {
	n := s.cases.Now().UTC()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// day truncates t to its calendar day, as a UTC midnight.
func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
