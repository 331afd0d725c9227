// Package crisisunit is the Evaluation and Crisis Unit: case conferences, their decisions and tasks, the protocol of collaboration that pre-fills tasks, reminders and the iCalendar feed.
package crisisunit

import "waymark.city/waymark/internal/cases"

// Service is the crisisunit capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the crisisunit service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
