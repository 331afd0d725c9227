// Package children is the child protection part of a case: the guardian, best-interest assessments and the transition at 18.
package children

import "waymark.city/waymark/internal/cases"

// Service is the children capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the children service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
