// Package dataprotection is the person's rights over case data: retention (anonymising closed cases), erasure requests, export of a person's data, and case exchange in the HTCDS vocabulary.
package dataprotection

import "waymark.city/waymark/internal/cases"

// Service is the dataprotection capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the dataprotection service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
