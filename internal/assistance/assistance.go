// Package assistance is the person's needs and the assistance plan built from the scheme of assistance, the directory of service providers, referrals to them, and shelter places.
package assistance

import "waymark.city/waymark/internal/cases"

// Service is the assistance capability, built on the case gate.
type Service struct {
	cases *cases.Service
}

// New returns the assistance service.
func New(c *cases.Service) *Service { return &Service{cases: c} }
