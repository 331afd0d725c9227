// Package demo seeds a new installation with the partners of a fictional
// small city and one account per role, so a newcomer can try Waymark at once.
// Passwords are random per installation and kept in a file in the data
// directory (mode 0600), never in the repository.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/workgroup"
)

// Login is one demo account.
type Login struct {
	Username string
	Password string
	Role     access.Role
	Org      string
}

// LoginsFile is where the demo logins are kept inside the data directory.
const LoginsFile = "demo-logins.txt"

// organisations are Riverton's partners. Phone numbers are in the +00
// range, which no country has, so a demo number never rings anyone.
var organisations = []accounts.NewOrganisation{
	{Name: "Riverton Human Rights Office", Kind: accounts.Municipality, Reach: accounts.Reach{Phone: "+00 555 0100", Hours: "Mon–Fri 8–16"}},
	{Name: "Riverton Social Services", Kind: accounts.SocialServices, Reach: accounts.Reach{Phone: "+00 555 0140", Hours: "Mon–Fri 8–18"}},
	{Name: "Safe Harbour NGO", Kind: accounts.NGO, Reach: accounts.Reach{Phone: "+00 555 0170", Hours: "Mon–Sat 9–19"}},
	{Name: "Riverton Police Contact Point", Kind: accounts.Police, Reach: accounts.Reach{Phone: "+00 555 0110", Hours: "24/7"}},
	{Name: "Regional Labour Inspectorate", Kind: accounts.LabourInspectorate, Reach: accounts.Reach{Phone: "+00 555 0160", Hours: "Mon–Fri 7–15"}},
	{Name: "Helpline 0800", Kind: accounts.Hotline, Reach: accounts.Reach{Phone: "+00 800 555 0800", Hours: "24/7"}},
	{Name: "Riverton Child Emergency Service", Kind: accounts.ChildProtection, Reach: accounts.Reach{Phone: "+00 555 0190", Hours: "24/7"}},
	// The health and tax inspectorates have no users; a joint inspection
	// can invite them beside the labour inspectorate and the police.
	{Name: "Riverton Public Health Inspectorate", Kind: accounts.HealthInspectorate, Reach: accounts.Reach{Phone: "+00 555 0150", Hours: "Mon–Fri 8–16"}},
	{Name: "Regional Tax Inspectorate", Kind: accounts.TaxInspectorate, Reach: accounts.Reach{Phone: "+00 555 0155", Hours: "Mon–Fri 8–15"}},
}

var people = []struct {
	username, name string
	role           access.Role
	org            int
}{
	{"admin", "Ada Admin", access.Administrator, 0},
	{"coordinator", "Cora Coordinator", access.Coordinator, 0},
	{"caseworker", "Kim Caseworker", access.CaseWorker, 2},
	{"socialworker", "Sam Socialworker", access.CaseWorker, 1},
	{"inspector", "Ines Inspector", access.Screener, 4},
	{"hotline", "Hana Hotline", access.HotlineOperator, 5},
	{"police", "Pat Police", access.PoliceContact, 3},
	{"analyst", "Ari Analyst", access.Analyst, 0},
	{"procurement", "Pia Procurement", access.ProcurementOfficer, 0},
}

// Deps are the services the demo data goes through, so that it is
// validated, encrypted and audited like anything a user enters.
type Deps struct {
	Accounts       *accounts.Service
	Identification *identification.Service
	Cases          *cases.Service
	Risk           *risk.Service
	// Legal seeds legal-status records; nil seeds none.
	Legal        LegalRecords
	Assistance   *assistance.Service
	Interpreters *interpreters.Service
	// Agreements keeps the memoranda of cooperation and contact persons.
	Agreements *agreements.Service
	// Geo keeps the city's areas.
	Geo *geo.Service
	// Plan is the action plan.
	Plan *plan.Service
	// Workgroup is the working group; Training the training records. nil
	// seeds none.
	Workgroup *workgroup.Service
	Training  *training.Service
	// Mapping is the local mapping; nil seeds no rounds.
	Mapping *mapping.Service
	// Campaigns keeps awareness campaigns; Intake takes the report that
	// names a campaign's code. nil seeds none.
	Campaigns *campaigns.Service
	Intake    *intake.Service
	// Prevention is outreach, businesses, joint inspections and the
	// intelligence channel.
	Prevention Prevention
	// Procurement keeps contracts, suppliers, sites and risk lists; nil
	// seeds none.
	Procurement *procurement.Service
	// SiteChecks keeps the checks of the contracts' sites; nil seeds none.
	SiteChecks *sitechecks.Service
	// CasesAsOf is the case service on another clock, to seed a year of
	// cases for the statistics; nil seeds none.
	CasesAsOf func(now func() time.Time) *cases.Service
	// Screenings keeps screenings; the statistics seed refers from them.
	// nil seeds no referrals.
	Screenings *screening.Store
	// Statistics keeps the population table of the rates; nil seeds none.
	Statistics *statistics.Service
}

// Seed creates the demo organisations and users, a local referral
// protocol and a few cases, if the database has no organisations yet, and returns the
// logins (read back from dataDir when the installation was seeded before).
func Seed(ctx context.Context, d Deps, dataDir string) ([]Login, error) {
	svc, ident := d.Accounts, d.Identification
	existing, err := svc.ListOrganisations(ctx, accounts.System)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return readLogins(filepath.Join(dataDir, LoginsFile))
	}
	orgIDs := make([]string, len(organisations))
	for i, in := range organisations {
		org, err := svc.CreateOrganisation(ctx, accounts.System, in)
		if err != nil {
			return nil, fmt.Errorf("seed organisation %d: %w", i, err)
		}
		orgIDs[i] = org.ID
	}
	var logins []Login
	var coordinator access.Actor
	actors := map[string]access.Actor{}
	for _, p := range people {
		pw := password()
		u, err := svc.CreateUserWithPassword(ctx, accounts.NewUser{
			OrgID: orgIDs[p.org], Username: p.username, Role: p.role, Password: pw, Language: "en",
			Profile: accounts.Profile{DisplayName: p.name, Email: p.username + "@riverton.example"},
		})
		if err != nil {
			return nil, fmt.Errorf("seed user %s: %w", p.username, err)
		}
		actors[p.username] = access.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
		if p.role == access.Coordinator {
			coordinator = actors[p.username]
		}
		logins = append(logins, Login{Username: p.username, Password: pw, Role: p.role, Org: organisations[p.org].Name})
	}
	if err := seedProtocol(ctx, ident, coordinator, orgIDs); err != nil {
		return nil, err
	}
	// The areas first: demo cases are placed in them.
	if err := seedAreas(ctx, d, coordinator); err != nil {
		return nil, err
	}
	if err := seedCases(ctx, d, actors, orgIDs); err != nil {
		return nil, err
	}
	if err := seedStatistics(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := seedServices(ctx, d, coordinator, orgIDs); err != nil {
		return nil, err
	}
	if err := seedReturns(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := seedPopulation(ctx, d, coordinator); err != nil {
		return nil, err
	}
	if err := seedMapping(ctx, d, actors, orgIDs); err != nil {
		return nil, err
	}
	if err := seedPlan(ctx, d, actors, orgIDs); err != nil {
		return nil, err
	}
	if err := seedAgreements(ctx, d, coordinator, orgIDs); err != nil {
		return nil, err
	}
	if err := seedWorkgroup(ctx, d, coordinator, orgIDs); err != nil {
		return nil, err
	}
	if err := seedTraining(ctx, d, coordinator, orgIDs); err != nil {
		return nil, err
	}
	if err := seedCampaigns(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := seedPrevention(ctx, d, actors, orgIDs); err != nil {
		return nil, err
	}
	if err := seedProcurement(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := seedSiteChecks(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := seedOperations(ctx, d, actors); err != nil {
		return nil, err
	}
	if err := writeLogins(filepath.Join(dataDir, LoginsFile), logins); err != nil {
		return nil, err
	}
	return logins, nil
}

// seedProtocol sets Riverton's local referral protocol: adults go to the
// NGO, children to social services (child protection), and the police
// contact point and social services are the competent authorities for the
// formal decision: the police for adults, whatever the form of
// exploitation (the NGO forwards the referral to them), social services
// for children.
func seedProtocol(ctx context.Context, ident *identification.Service, coordinator access.Actor, orgIDs []string) error {
	const socialServices, ngo, police = 1, 2, 3
	p := identification.Protocol{Routes: map[identification.RouteKey]string{}, Authorities: []string{orgIDs[police], orgIDs[socialServices]},
		Deciders: map[identification.RouteKey]string{
			{Purpose: identification.AnyForm, Population: screening.Adult}: orgIDs[police],
			{Purpose: identification.AnyForm, Population: screening.Child}: orgIDs[socialServices],
		}}
	for _, purpose := range identification.Purposes() {
		p.Routes[identification.RouteKey{Purpose: purpose, Population: screening.Adult}] = orgIDs[ngo]
		p.Routes[identification.RouteKey{Purpose: purpose, Population: screening.Child}] = orgIDs[socialServices]
	}
	if err := ident.SetProtocol(ctx, coordinator, p); err != nil {
		return fmt.Errorf("seed referral protocol: %w", err)
	}
	return nil
}

// password returns a random demo password of four groups, e.g. "vq7k-m2xd-9hpt-4wzc" (80 bits).
func password() string {
	t := strings.ToLower(rand.Text())
	return t[0:4] + "-" + t[4:8] + "-" + t[8:12] + "-" + t[12:16]
}

func writeLogins(path string, logins []Login) error {
	var sb strings.Builder
	for _, l := range logins {
		fmt.Fprintf(&sb, "%s\t%s\t%s\t%s\n", l.Username, l.Password, l.Role, l.Org)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		return fmt.Errorf("write demo logins: %w", err)
	}
	return nil
}

func readLogins(path string) ([]Login, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read demo logins: %w", err)
	}
	var logins []Login
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 4 {
			logins = append(logins, Login{Username: f[0], Password: f[1], Role: access.Role(f[2]), Org: f[3]})
		}
	}
	return logins, nil
}
