// Package risk keeps the risk assessment of a case as a living record: assessments with level, factors and next review, and incidents that call for a new one.
package risk

import "waymark.city/waymark/internal/cases"

// Service is the risk capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the risk service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
