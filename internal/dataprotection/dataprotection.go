// Package dataprotection is the person's rights over case data: retention
// (anonymising closed cases), erasure requests, legal holds, the export of a
// person's data (GDPR art. 15 and 20), and case exchange in the vocabulary
// of the Human Trafficking Case Data Standard (HTCDS 2.0, IOM).
//
// Everything goes through the case gate of package cases; erasure and
// retention end in cases.Anonymise, which forgets the case's data key so
// that every field sealed under the case's record becomes unreadable at
// once while the codes stay for statistics.
package dataprotection

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Section is the part of a person's data export that another capability
// keeps (risk assessments, the assistance plan, legal status, …). Export
// runs inside the export's transaction, which went through the case gate,
// and returns a value that encodes to JSON.
type Section struct {
	Name   string
	Export func(ctx context.Context, tx *storage.Tx, a cases.Access) (any, error)
}

// Config is the data-protection settings of the installation.
type Config struct {
	// Retention is how long a closed case keeps identifying data; 0 means
	// DefaultRetention.
	Retention time.Duration
	// Referral, when set, tells the HTCDS export what the referral a case
	// came from says (the zero value when it came from none): dataprotection
	// cannot read referrals itself, which are built on cases.
	Referral func(ctx context.Context, tx *storage.Tx, c cases.Case) (CaseReferral, error)
}

// CaseReferral is what the referral a case came from tells its HTCDS
// record. The values are as the referral and its screening catalogue name
// them; the export keeps those the HTCDS picklists allow.
type CaseReferral struct {
	// TraffickingStatus and DecisionMakingOrg follow from the decisions on
	// the referral; "" while there are none.
	TraffickingStatus, DecisionMakingOrg string
	// Referrer is the referring organisation's name.
	Referrer string
	// Accepted is when the case's organisation accepted the referral.
	Accepted time.Time
	// MethodsOfControl and Vulnerabilities are the catalogue's HTCDS values
	// (vic_MethodsOfControl, vic_Vulnerabilities) of the indicators the
	// screening counted.
	MethodsOfControl, Vulnerabilities []string
	// ProtectionNeeds are the screening's protection needs (smuggled,
	// homeless…), which name vulnerabilities the catalogue maps to no
	// HTCDS value.
	ProtectionNeeds []string
}

// DefaultRetention is five years after closure, the default of config.
const DefaultRetention = 5 * 365 * 24 * time.Hour

// Service is the dataprotection capability, built on the case gate.
type Service struct {
	cases    *cases.Service
	cfg      Config
	sections []Section
}

// New returns the dataprotection service; sections are the other
// capabilities' parts of a person's data export.
func New(c *cases.Service, cfg Config, sections ...Section) *Service {
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	return &Service{cases: c, cfg: cfg, sections: sections}
}

// Retention is how long a closed case keeps identifying data.
func (s *Service) Retention() time.Duration { return s.cfg.Retention }

// day parses a YYYY-MM-DD date.
func day(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

// today is the service clock's date.
func (s *Service) today() string { return s.cases.Now().Format(time.DateOnly) }

// nextNumber numbers a record of table per case; the case row is locked
// by the gate, so two requests cannot take the same number.
func nextNumber(ctx context.Context, tx *storage.Tx, table, caseID string) (int, error) {
	var n int
	// table is one of this package's constants, never input.
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM `+table+` WHERE case_id = $1`, caseID).Scan(&n); err != nil {
		return 0, fmt.Errorf("number %s of case %s: %w", table, caseID, err)
	}
	return n + 1, nil
}
