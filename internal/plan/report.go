package plan

import (
	"context"
	"slices"

	"waymark.city/waymark/internal/access"
)

// Report is the printable plan: each finding with the measures taken on
// it, then the measures taken on no finding.
type Report struct {
	Findings []ReportFinding
	// Unlinked are measures taken on no finding in the reader's view.
	Unlinked []Measure
	// Counts of measures by status, and how many are overdue.
	ByStatus map[Status]int
	Overdue  int
}

// ReportFinding is a finding with its measures.
type ReportFinding struct {
	Finding
	Measures []Measure
}

// Report assembles the plan report in the actor's view.
func (s *Service) Report(ctx context.Context, actor access.Actor) (Report, error) {
	findings, err := s.Findings(ctx, actor, FindingFilter{})
	if err != nil {
		return Report{}, err
	}
	measures, err := s.Measures(ctx, actor, MeasureFilter{})
	if err != nil {
		return Report{}, err
	}
	r := Report{ByStatus: map[Status]int{}}
	linked := map[string]bool{}
	for _, f := range findings {
		rf := ReportFinding{Finding: f}
		for _, m := range measures {
			if slices.ContainsFunc(m.Findings, func(ref FindingRef) bool { return ref.ID == f.ID }) {
				rf.Measures = append(rf.Measures, m)
				linked[m.ID] = true
			}
		}
		r.Findings = append(r.Findings, rf)
	}
	for _, m := range measures {
		r.ByStatus[m.Status]++
		if m.Overdue {
			r.Overdue++
		}
		if !linked[m.ID] {
			r.Unlinked = append(r.Unlinked, m)
		}
	}
	return r, nil
}
