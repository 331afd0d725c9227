// Package procurement is the municipality's due diligence on what it buys:
// contracts with a risk rating on the six characteristics of the UK's
// Procurement Policy Note 02/23 (industry, nature of the workforce,
// supplier location, operating context, commodity, business and supply-
// chain model), each level with the reason the officer recorded; the
// suppliers with their modern-slavery statements, the subcontractor chain
// by tier and the sites where the work is done with their workforce
// figures; and risk lists with their provenance (the US TVPRA list of goods
// produced by child or forced labour, and a commodity/country list the
// operator keeps), whose hits show on the contract and the site.
//
// The Danube guidelines ask municipalities to prevent exploitation through
// monitoring their own procurement (/work/shared/seeds/, 003 §3.4), and name
// cleaning and building workers on municipal premises (003 p. iii) and
// subcontracting (001) as where it hides. A high-risk contract cannot be
// awarded before its supply chain is known: Missing says what is lacking
// and Award refuses with it.
//
// Everything here is about organisations and places, never a person, so
// nothing is sealed; every change is audited. The procurement officer
// keeps it (access.ManageProcurement); the coordinator reads it
// (access.ViewProcurement). Site checks (another package) read contracts
// and sites through Contract and Site.
package procurement

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Service keeps contracts, suppliers, chains, sites and risk lists.
type Service struct {
	db   *storage.DB
	gate audit.Gate
	now  func() time.Time
}

// Deps are what the procurement service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the procurement service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, gate: audit.NewGate(d.DB, d.Audit), now: d.Now}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Risk levels, highest first.
const (
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

var levels = []string{High, Medium, Low}

// Levels lists the risk levels, highest first.
func Levels() []string { return slices.Clone(levels) }

// Contract statuses.
const (
	Draft   = "draft"
	Awarded = "awarded"
	Ended   = "ended"
)

var statuses = []string{Draft, Awarded, Ended}

// Statuses lists a contract's statuses in their order.
func Statuses() []string { return slices.Clone(statuses) }

// The six characteristics of PPN 02/23, in the note's order.
const (
	Industry   = "industry"
	Workforce  = "workforce"
	Location   = "location"
	Context    = "context"
	Commodity  = "commodity"
	SupplyBiz  = "business_model"
	chainNone  = "none"
	chainGiven = "declared"
)

var characteristics = []string{Industry, Workforce, Location, Context, Commodity, SupplyBiz}

// Characteristics lists the six PPN 02/23 characteristics in order.
func Characteristics() []string { return slices.Clone(characteristics) }

// Site kinds.
var siteKinds = []string{"premises", "office", "factory", "warehouse", "farm", "construction", "accommodation", "other"}

// SiteKinds lists the kinds of site.
func SiteKinds() []string { return slices.Clone(siteKinds) }

// Limits.
const (
	maxText   = 300
	maxReason = 2000
	maxGoods  = 50
	// MaxRemindDays is the earliest a review reminder can come.
	MaxRemindDays = 365
	// DefaultRemindDays is the reminder the form proposes.
	DefaultRemindDays = 30
	// MaxSites bounds the sites a contract page lists.
	MaxSites = 1000
	maxList  = 1000
	// maxValue keeps a value in minor units well inside int64.
	maxValue = 1_000_000_000_000_00
)

// Contract is a contract the municipality let, with its rating.
type Contract struct {
	ID, Authority, Subject, CPV string
	// Value is in minor units (cents) of Currency, an ISO 4217 code.
	Value    int64
	Currency string
	// StartsOn, EndsOn and ReviewOn are YYYY-MM-DD; ReviewOn "" for none.
	StartsOn, EndsOn string
	SupplierID       string
	SupplierName     string
	// SupplierCountry is the supplier's ISO country code; supplierStatement
	// its answer to the modern-slavery statement question ("" unanswered).
	SupplierCountry   string
	supplierStatement string
	Goods             []string
	// Risk is the overall rating, "" until all six are rated.
	Risk          string
	Ratings       []Rating
	SocialClause  bool
	SlaveryClause bool
	// Chain is "" until the subcontractor chain is declared, then "none"
	// or "declared".
	Chain      string
	Status     string
	ReviewOn   string
	RemindDays int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ValueText is the value in major units with two decimals.
func (c Contract) ValueText() string { return formatMinor(c.Value) }

// ChainDeclared reports whether the subcontractor chain was declared.
func (c Contract) ChainDeclared() bool { return c.Chain != "" }

// NoSubcontractors reports whether the chain was declared empty.
func (c Contract) NoSubcontractors() bool { return c.Chain == chainNone }

// RemindFrom is the day the review reminder is due, "" without one; an
// ended contract is not reviewed.
func (c Contract) RemindFrom() string {
	if c.Status == Ended || c.ReviewOn == "" {
		return ""
	}
	d, err := time.Parse(time.DateOnly, c.ReviewOn)
	if err != nil {
		return ""
	}
	return d.AddDate(0, 0, -c.RemindDays).Format(time.DateOnly)
}

// ReviewDue reports whether the review reminder day has come on today.
func (c Contract) ReviewDue(today string) bool {
	from := c.RemindFrom()
	return from != "" && from <= today
}

// Rating is the level of one characteristic and why.
type Rating struct {
	Characteristic, Level, Reason string
}

// Supplier is a supplier or subcontractor.
type Supplier struct {
	ID, LegalName, RegistryNumber, Country, ParentID, ParentName, Sector string
	// Statement is "" until the modern-slavery statement question is
	// answered, then "yes" or "no".
	Statement       string
	StatementYear   int
	StatementBoard  bool
	StatementSigned bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// StatementAnswered reports whether the statement question is answered.
func (s Supplier) StatementAnswered() bool { return s.Statement != "" }

// Site is a place where a contract's work is done.
type Site struct {
	ID, ContractID, SupplierID, Name, Address, Type string
	// Country is the site's ISO 3166-1 alpha-2 code.
	Country string
	// Workers and the shares (percent of the workers) are the workforce
	// figures; HasWorkforce is false until they are recorded.
	Workers                                  int
	MigrantShare, AgencyShare, SeasonalShare int
	HasWorkforce                             bool
	LabourProvider                           string
	Accommodation                            bool
	SupplierName                             string
	CreatedAt                                time.Time
	UpdatedAt                                time.Time
}

// Subcontract is a link of a contract's chain.
type Subcontract struct {
	ID, ContractID, ParentID, ParentName, SupplierID, SupplierName, Country string
	Tier                                                                    int
	// statement is the subcontractor's answer to the modern-slavery
	// statement question, "" while unanswered (what the award check needs).
	statement string
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// validCountry accepts an upper-case ISO 3166-1 alpha-2 code of a country.
func validCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize().String() == code
}

// validCurrency accepts an ISO 4217 code the CLDR knows.
func validCurrency(code string) bool {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return false
	}
	_, err := currencyUnit(code)
	return err == nil
}

func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (s *Service) today() string { return s.now().UTC().Format(time.DateOnly) }

// Today is the service's current day, YYYY-MM-DD, for pages that mark due
// reviews.
func (s *Service) Today() string { return s.today() }

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func parseList(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	return out
}

// goodsOf splits the goods field (one per line or comma) into trimmed,
// distinct entries.
func goodsOf(s string) []string {
	var out []string
	for l := range strings.Lines(strings.ReplaceAll(s, ",", "\n")) {
		if l = clean(l); l != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, l) }) {
			out = append(out, l)
		}
	}
	return out
}

func (s *Service) view(ctx context.Context, actor access.Actor, subject, id string) error {
	_, err := s.gate.Authorize(ctx, actor, access.ViewProcurement, subject, id)
	return err
}

func (s *Service) manage(ctx context.Context, actor access.Actor, subject, id string) error {
	_, err := s.gate.Authorize(ctx, actor, access.ManageProcurement, subject, id)
	return err
}

func fieldErr(field, key string) error {
	return apperr.Validation(apperr.FieldError{Field: field, Key: key})
}

func wrapLoad(what, id string, err error) error {
	return fmt.Errorf("load %s %s: %w", what, id, storage.MapError(err))
}
