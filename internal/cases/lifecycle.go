package cases

import (
	"slices"

	"waymark.city/waymark/internal/apperr"
)

// Stage is a step of the chain of assistance.
type Stage string

// The lifecycle stages, in order (Danube Roundtable operational steps 1-4;
// Danube guidelines §3.2, "Scheme & Types of Assistance"; OSCE Alliance
// position paper on the reflection period).
const (
	FirstContact       Stage = "first_contact"
	Screening          Stage = "screening"
	ReasonableGrounds  Stage = "reasonable_grounds"
	CrisisIntervention Stage = "crisis_intervention"
	Reflection         Stage = "reflection_recovery"
	FormalDecision     Stage = "formal_identification"
	LongTerm           Stage = "long_term_assistance"
	Inclusion          Stage = "inclusion"
	Return             Stage = "voluntary_return"
	Resettlement       Stage = "resettlement"
	Closed             Stage = "closed"
)

// lifecycle is the lifecycle as data: each stage and the stages a case may
// move to from it. Crisis intervention can come at any point before the
// long-term stages, because danger does not wait for a decision; closing is
// possible from every stage (the person may leave assistance at any time).
var lifecycle = []struct {
	stage Stage
	next  []Stage
}{
	{FirstContact, []Stage{Screening, CrisisIntervention, Closed}},
	{Screening, []Stage{ReasonableGrounds, CrisisIntervention, Closed}},
	{ReasonableGrounds, []Stage{CrisisIntervention, Reflection, Closed}},
	{CrisisIntervention, []Stage{Reflection, Closed}},
	{Reflection, []Stage{FormalDecision, LongTerm, Closed}},
	{FormalDecision, []Stage{LongTerm, Closed}},
	{LongTerm, []Stage{Inclusion, Return, Resettlement, Closed}},
	{Inclusion, []Stage{Closed}},
	{Return, []Stage{Closed}},
	{Resettlement, []Stage{Closed}},
	// A closed case re-opens to the stage it was closed from (see Reopen).
	{Closed, nil},
}

// Stages lists every stage in lifecycle order.
func Stages() []Stage {
	out := make([]Stage, len(lifecycle))
	for i, l := range lifecycle {
		out[i] = l.stage
	}
	return out
}

// Valid reports whether st is a known stage.
func (st Stage) Valid() bool { return slices.Contains(Stages(), st) }

// Next lists the stages a case in st may move to.
func (st Stage) Next() []Stage {
	for _, l := range lifecycle {
		if l.stage == st {
			return slices.Clone(l.next)
		}
	}
	return nil
}

// Open stages are those of a case that is not closed.
func (st Stage) Open() bool { return st != Closed }

// closeReasons are why a case closes, as codes (HTCDS cas_ReasonForCaseClosure
// is free text; codes keep the reason free of personal detail).
var closeReasons = []string{
	"recovered_included", "returned", "resettled", "person_declined", "lost_contact",
	"transferred_out", "not_trafficking", "deceased", "duplicate", "other",
}

// CloseReasons lists the reasons a case may be closed with.
func CloseReasons() []string { return slices.Clone(closeReasons) }

// whileReflecting are the only reasons a case may close while the
// reflection and recovery period runs: the period protects the person from
// removal, so the case cannot be closed as returned or "not trafficking"
// before it ends; the person may still leave, and cases merge.
var whileReflecting = []string{"person_declined", "lost_contact", "deceased", "duplicate"}

// PersonAskedReturn is the reason that lets a case enter the return stage
// while the reflection period runs: the period protects the person from
// removal, so a return then starts only on the person's own explicit
// request, recorded as the move's reason.
const PersonAskedReturn = "person_asked_return"

// Move is a requested change of stage.
type Move struct {
	From, To Stage
	// Reason is a close reason code, required when To is Closed; or
	// PersonAskedReturn when To is Return.
	Reason string
	// ReflectionRunning is true when the reflection period has not ended.
	ReflectionRunning bool
}

// Check applies the lifecycle to a move. The errors are Conflict errors
// with message keys naming the problem, and change nothing.
func (m Move) Check() error {
	if !m.To.Valid() || !m.From.Valid() {
		return apperr.Validation(apperr.FieldError{Field: "stage", Key: "error.case_stage_unknown"})
	}
	if !slices.Contains(m.From.Next(), m.To) {
		return apperr.New(apperr.Conflict, "error.case_move_not_allowed")
	}
	if m.To == Closed {
		if !slices.Contains(closeReasons, m.Reason) {
			return apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.case_close_reason"})
		}
		if m.ReflectionRunning && !slices.Contains(whileReflecting, m.Reason) {
			return apperr.New(apperr.Conflict, "error.case_reflection_running")
		}
	}
	if m.To == Return && m.Reason != "" && m.Reason != PersonAskedReturn {
		return apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.case_return_reason"})
	}
	if m.To == Return && m.ReflectionRunning && m.Reason != PersonAskedReturn {
		return apperr.Validation(apperr.FieldError{Field: "reason", Key: "error.case_return_during_reflection"})
	}
	return nil
}
