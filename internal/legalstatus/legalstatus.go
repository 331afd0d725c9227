// Package legalstatus keeps the person's legal status apart from assistance: the reflection period, residence permits, asylum, criminal proceedings and compensation claims.
package legalstatus

import "waymark.city/waymark/internal/cases"

// Service is the legalstatus capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the legalstatus service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
