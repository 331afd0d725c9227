// Package access is Waymark's one authorisation policy. Every handler names
// the Action it performs and asks Authorize; every query that reads or
// changes organisation data takes the Scope that Authorize returns and puts
// it into its WHERE clause. There is no other place where roles are checked.
package access

import (
	"slices"

	"waymark.city/waymark/internal/apperr"
)

// Role is what a user does in the local partnership.
type Role string

const (
	Administrator   Role = "administrator"    // runs the installation: organisations, accounts, audit; never case data
	Coordinator     Role = "coordinator"      // municipal coordinator: partners, accounts, audit, statistics
	CaseWorker      Role = "case_worker"      // NGO or social-service case worker
	Screener        Role = "screener"         // frontline worker who screens for indicators
	HotlineOperator Role = "hotline_operator" // takes calls and reports
	PoliceContact   Role = "police_contact"   // named police or prosecution contact point
	Analyst         Role = "analyst"          // sees anonymised statistics only
	// ProcurementOfficer buys for the municipality: contracts, suppliers,
	// sites and their checks; never case data.
	ProcurementOfficer Role = "procurement_officer"
)

// Roles lists every role in display order.
var Roles = []Role{Administrator, Coordinator, CaseWorker, Screener, HotlineOperator, PoliceContact, Analyst, ProcurementOfficer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// SeesPersonalData reports whether the role can ever see identifying data
// of anyone; such roles must use a second factor and get short sessions.
func (r Role) SeesPersonalData() bool { return r.Valid() && r != Analyst }

// Action is something a user asks to do.
type Action string

const (
	ViewDashboard      Action = "dashboard.view"
	ViewOrganisations  Action = "organisations.view"
	ManageOrganisation Action = "organisations.manage"
	ViewUsers          Action = "users.view"
	CreateUsers        Action = "users.create" // create an account, which its owner activates, or send it a new activation link
	ManageUsers        Action = "users.manage"
	ManageAdmins       Action = "users.manage_administrators" // change an administrator's role or state, make someone an administrator
	RevealContact      Action = "users.reveal_contact"        // a user's name and contact details
	ViewAudit          Action = "audit.view"
	ManageOwnAccount   Action = "account.manage"
	EvaluateScreening  Action = "screening.evaluate"            // run the indicator screening (no personal data is stored)
	ManageProtocol     Action = "protocol.manage"               // the local referral protocol: receiving organisations, competent authorities
	CreateReferral     Action = "referral.create"               // refer a screened person into the local referral mechanism
	ViewReferrals      Action = "referral.view"                 // referrals the organisation sent or received, with their notes
	RespondReferral    Action = "referral.respond"              // accept or decline a referral the organisation received
	DecideGrounds      Action = "identification.decide_grounds" // record the reasonable-grounds decision on a referral
	DecideStatus       Action = "identification.decide_status"  // record the formal decision on victim status (competent authorities only)
	ViewReports        Action = "reports.view"                  // the triage queue of reports from the public and each report, decrypted
	TriageReports      Action = "reports.triage"                // assign, classify, link, ask the reporter, dismiss, turn into a screening
	LogCalls           Action = "calls.log"                     // the hotline operator console: log calls, hand over between shifts
	ViewCases          Action = "cases.view"                    // case list and case pages (pseudonymous), the deadlines dashboard, the service directory
	OpenCase           Action = "cases.open"                    // open a case (from a referral, a report or directly)
	ManageCases        Action = "cases.manage"                  // work on a case the organisation owns: stage, consent, risk, plan, legal status, notes
	RevealIdentity     Action = "cases.reveal_identity"         // see the person's name, date of birth and contact (case team, after step-up)
	ShareCases         Action = "cases.share"                   // share or transfer a case to another organisation, answer shares received
	ExportCase         Action = "cases.export"                  // a person's data: export, erasure requests
	ManageCrisisUnit   Action = "crisis_unit.manage"            // case conferences, decisions and tasks of the Evaluation and Crisis Unit
	ManageProviders    Action = "providers.manage"              // the directory of service providers and shelter places
	ManageLocalGuide   Action = "guide.local.manage"            // local places, signs and relevance marks added to the field guide, with their history
	ViewInterpreters   Action = "interpreters.view"             // the register of interpreters and cultural mediators; names and contacts only for organisations that hold cases
	ManageInterpreters Action = "interpreters.manage"           // add and change entries of the interpreter register
	ManageCountryNotes Action = "countries.manage"              // the partnership's notes on countries of origin (risks on return, services); read with cases.view
	ManageAreas        Action = "areas.manage"                  // upload and replace the city's areas (GeoJSON polygons) that maps are drawn on

	// The municipality's own work (issue 12): mapping, plan, working group,
	// training, partners and agreements.
	ViewMunicipal         Action = "municipal.view"          // the municipality's overview and what it publishes to the partnership: the plan's report, training coverage, the city's areas (no personal data)
	ManageMapping         Action = "mapping.manage"          // import questionnaires, open and close mapping rounds, invite respondents, review free text, record findings
	RespondMapping        Action = "mapping.respond"         // answer a mapping questionnaire one's organisation or role was invited to
	ViewMappingReport     Action = "mapping.view"            // aggregated mapping results, the locations register, comparison of rounds (no personal data)
	ViewMappingRestricted Action = "mapping.view_restricted" // results of restricted questionnaires (perpetrators, enablers and users)
	ManagePlan            Action = "plan.manage"             // findings, measures of the action plan, their owners, indicators and reviews
	ReportPlanProgress    Action = "plan.report_progress"    // record progress on a measure the organisation owns or is a partner in
	ManageWorkingGroup    Action = "workgroup.manage"        // members, meetings, minutes, decisions and action items of the working group, the good-practice library
	ViewWorkingGroup      Action = "workgroup.view"          // meetings and minutes of the working group one's organisation is a member of
	ManageTraining        Action = "training.manage"         // training needs, sessions, attendance and trained contact points
	ManageAgreements      Action = "agreements.manage"       // memoranda of cooperation and partners' named contact persons
	ViewAgreements        Action = "agreements.view"         // agreements and contact persons (phone, hours) of the partnership

	// Prevention (issue 13): procurement due diligence, site checks,
	// campaigns, outreach, businesses, joint inspections and intelligence.
	ViewProcurement    Action = "procurement.view"    // the municipality's contracts, suppliers, subcontractors, sites, risk lists and site checks (no case data)
	ManageProcurement  Action = "procurement.manage"  // rate contracts, record suppliers, chains and sites, import risk lists, run site checks and corrective action plans
	ManageCampaigns    Action = "campaigns.manage"    // awareness campaigns: audience, materials, attribution codes, funnel, harm log
	ViewCampaigns      Action = "campaigns.view"      // campaigns and their funnels (counts only)
	RecordOutreach     Action = "outreach.record"     // outreach sessions: where, team, contacts by group, materials, referrals (counts only)
	ManageBusinesses   Action = "businesses.manage"   // businesses and sector associations engaged, their commitments and follow-ups
	ManageInspections  Action = "inspections.manage"  // joint inspections: agencies, sites, outcomes
	SubmitIntelligence Action = "intelligence.submit" // information about businesses, places and recruiters (never about victims) for the police contact points
	ReadIntelligence   Action = "intelligence.read"   // the intelligence channel's entries, kept apart from case data

	// TakePartInInspections reads the joint inspections the organisation
	// takes part in, records their outcome and screens the workers met;
	// planning stays with ManageInspections.
	TakePartInInspections Action = "inspections.take_part"

	// Monitoring and statistics (issue 14).
	ViewStatistics   Action = "statistics.view"       // dashboards of persons counted once, derived from the records; the analyst's after disclosure control
	ManagePopulation Action = "statistics.population" // enter the population per area and year that SDG 16.2.2's rates divide by
	// PrepareRelease prepares a release of a preset's protected tables to a
	// named recipient; ApproveRelease approves or rejects one prepared by
	// someone else. Only an approved release downloads.
	PrepareRelease Action = "statistics.release.prepare"
	ApproveRelease Action = "statistics.release.approve"
)

// Actions lists every action in display order (the permission matrix rows).
var Actions = []Action{ViewDashboard, ViewOrganisations, ManageOrganisation, ViewUsers, CreateUsers, ManageUsers, ManageAdmins, RevealContact, ViewAudit, ManageOwnAccount, EvaluateScreening,
	ManageProtocol, CreateReferral, ViewReferrals, RespondReferral, DecideGrounds, DecideStatus, ViewReports, TriageReports, LogCalls,
	ViewCases, OpenCase, ManageCases, RevealIdentity, ShareCases, ExportCase, ManageCrisisUnit, ManageProviders, ManageLocalGuide,
	ViewInterpreters, ManageInterpreters, ManageCountryNotes, ManageAreas,
	ViewMunicipal, ManageMapping, RespondMapping, ViewMappingReport, ViewMappingRestricted, ManagePlan, ReportPlanProgress,
	ManageWorkingGroup, ViewWorkingGroup, ManageTraining, ManageAgreements, ViewAgreements,
	ViewProcurement, ManageProcurement, ManageCampaigns, ViewCampaigns, RecordOutreach, ManageBusinesses, ManageInspections,
	TakePartInInspections, SubmitIntelligence, ReadIntelligence, ViewStatistics, ManagePopulation, PrepareRelease, ApproveRelease}

// Reach says how far a granted action reaches.
type Reach int

const (
	None    Reach = iota // not allowed
	OwnOrg               // records of the actor's own organisation (and those shared with it)
	AllOrgs              // records of every organisation in the partnership
	// OwnRecords reaches the records the actor made themselves, in their
	// own organisation: for a role that does one kind of work beside others
	// of its office (the procurement officer screens the workers its site
	// checks found, but not the screenings of the office's other staff).
	OwnRecords
)

// matrix is the permission matrix: role × action → reach. It is documented in
// docs/permissions.md, which a test regenerates and compares.
var matrix = map[Role]map[Action]Reach{
	Administrator: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOrganisation: AllOrgs,
		ViewUsers: AllOrgs, CreateUsers: AllOrgs, ManageUsers: AllOrgs, ManageAdmins: AllOrgs, RevealContact: AllOrgs, ViewAudit: AllOrgs,
		ManageOwnAccount: OwnOrg, ManageLocalGuide: AllOrgs,
	},
	// A coordinator creates accounts in their own organisation only: an
	// account elsewhere would open that organisation's cases to them.
	Coordinator: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOrganisation: AllOrgs,
		ViewUsers: AllOrgs, CreateUsers: OwnOrg, ManageUsers: AllOrgs, RevealContact: AllOrgs, ViewAudit: AllOrgs, ManageOwnAccount: OwnOrg,
		EvaluateScreening: OwnOrg, ManageProtocol: AllOrgs, CreateReferral: OwnOrg, ViewReferrals: OwnOrg,
		RespondReferral: OwnOrg, DecideGrounds: OwnOrg, DecideStatus: OwnOrg,
		ViewReports: OwnOrg, TriageReports: OwnOrg, LogCalls: OwnOrg,
		ViewCases: OwnOrg, OpenCase: OwnOrg, ManageCases: OwnOrg, ShareCases: OwnOrg, ExportCase: OwnOrg,
		ManageCrisisUnit: OwnOrg, ManageProviders: AllOrgs, ManageLocalGuide: AllOrgs,
		ViewInterpreters: AllOrgs, ManageInterpreters: AllOrgs, ManageCountryNotes: AllOrgs,
		ManageAreas: AllOrgs, ViewMunicipal: AllOrgs, ManageMapping: AllOrgs, RespondMapping: OwnOrg, ViewMappingReport: AllOrgs,
		ViewMappingRestricted: AllOrgs, ManagePlan: AllOrgs, ReportPlanProgress: AllOrgs, ManageWorkingGroup: AllOrgs,
		ViewWorkingGroup: AllOrgs, ManageTraining: AllOrgs, ManageAgreements: AllOrgs, ViewAgreements: AllOrgs,
		ViewProcurement: AllOrgs, ManageCampaigns: AllOrgs, ViewCampaigns: AllOrgs, RecordOutreach: AllOrgs, ManageBusinesses: AllOrgs,
		ManageInspections: AllOrgs, TakePartInInspections: AllOrgs, SubmitIntelligence: OwnOrg, ViewStatistics: AllOrgs,
		ManagePopulation: AllOrgs, PrepareRelease: AllOrgs, ApproveRelease: AllOrgs,
	},
	CaseWorker: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ViewUsers: OwnOrg, RevealContact: OwnOrg, ManageOwnAccount: OwnOrg,
		EvaluateScreening: OwnOrg, CreateReferral: OwnOrg, ViewReferrals: OwnOrg, RespondReferral: OwnOrg,
		DecideGrounds: OwnOrg, DecideStatus: OwnOrg, ViewReports: OwnOrg, TriageReports: OwnOrg, LogCalls: OwnOrg,
		ViewCases: OwnOrg, OpenCase: OwnOrg, ManageCases: OwnOrg, RevealIdentity: OwnOrg, ShareCases: OwnOrg, ExportCase: OwnOrg,
		ManageCrisisUnit: OwnOrg, ViewInterpreters: AllOrgs, ManageCountryNotes: AllOrgs,
		RespondMapping: OwnOrg, ReportPlanProgress: OwnOrg, ViewWorkingGroup: OwnOrg, ViewAgreements: AllOrgs, ViewMunicipal: AllOrgs,
		RecordOutreach: OwnOrg, SubmitIntelligence: OwnOrg,
	},
	Screener: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOwnAccount: OwnOrg, EvaluateScreening: OwnOrg,
		CreateReferral: OwnOrg, ViewReferrals: OwnOrg, RespondMapping: OwnOrg, ViewAgreements: AllOrgs,
		TakePartInInspections: OwnOrg, SubmitIntelligence: OwnOrg,
	},
	HotlineOperator: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOwnAccount: OwnOrg, EvaluateScreening: OwnOrg,
		CreateReferral: OwnOrg, ViewReferrals: OwnOrg, ViewReports: OwnOrg, TriageReports: OwnOrg, LogCalls: OwnOrg,
		OpenCase: OwnOrg, ViewInterpreters: AllOrgs, RespondMapping: OwnOrg, ViewAgreements: AllOrgs,
		SubmitIntelligence: OwnOrg,
	},
	PoliceContact: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOwnAccount: OwnOrg, EvaluateScreening: OwnOrg,
		CreateReferral: OwnOrg, ViewReferrals: OwnOrg, RespondReferral: OwnOrg, DecideStatus: OwnOrg,
		ViewCases: OwnOrg, RevealIdentity: OwnOrg, ShareCases: OwnOrg, ManageCrisisUnit: OwnOrg, ViewInterpreters: AllOrgs,
		RespondMapping: OwnOrg, ViewMappingRestricted: AllOrgs, ReportPlanProgress: OwnOrg, ViewWorkingGroup: OwnOrg, ViewAgreements: AllOrgs,
		ViewMunicipal: AllOrgs, ManageInspections: AllOrgs, TakePartInInspections: AllOrgs, SubmitIntelligence: OwnOrg, ReadIntelligence: AllOrgs,
	},
	Analyst: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOwnAccount: OwnOrg, ViewMunicipal: AllOrgs, ViewMappingReport: AllOrgs,
		ViewCampaigns: AllOrgs, ViewStatistics: AllOrgs, PrepareRelease: AllOrgs,
	},
	// A procurement officer screens the workers a site check found signs
	// about and refers them with their consent, like a screener; the cases
	// that follow are not theirs to see, nor the screenings and referrals
	// of the office's other staff.
	ProcurementOfficer: {
		ViewDashboard: OwnOrg, ViewOrganisations: AllOrgs, ManageOwnAccount: OwnOrg, ViewMunicipal: AllOrgs,
		EvaluateScreening: OwnRecords, CreateReferral: OwnOrg, ViewReferrals: OwnRecords, RespondMapping: OwnOrg, ViewAgreements: AllOrgs,
		ViewProcurement: AllOrgs, ManageProcurement: AllOrgs, ManageBusinesses: AllOrgs, SubmitIntelligence: OwnOrg,
	},
}

// ReachOf returns how far role may perform action.
func ReachOf(role Role, action Action) Reach { return matrix[role][action] }

// Actor is the signed-in user a request acts for.
type Actor struct {
	UserID string
	OrgID  string
	Role   Role
	// SteppedUp is true when the user re-entered password and code recently.
	SteppedUp bool
}

// Scope is the organisation filter a query must apply. Queries write it as
//
//	WHERE ($1 = '*' OR t.org_id = $1)
//
// with Scope.Org() as the argument, so the scope is part of the SQL itself.
type Scope struct {
	org string
	// author is the user whose records alone are in scope, "" for every
	// user's (see OwnRecords).
	author string
}

// allOrgs is the filter value of an all-organisations grant.
const allOrgs = "*"

// Org returns the value to bind for the organisation filter: an organisation
// id, or "*" for every organisation.
func (s Scope) Org() string { return s.org }

// Author returns the value to bind for the author filter of queries over
// records with an author, written as ($n = '*' OR t.created_by = $n): a
// user id under an OwnRecords grant, "*" otherwise.
func (s Scope) Author() string {
	if s.author == "" {
		return allOrgs
	}
	return s.author
}

// Includes reports whether a record of organisation orgID is in scope.
func (s Scope) Includes(orgID string) bool { return s.org == allOrgs || s.org == orgID }

// SystemScope is for the command line and background jobs, which act for the
// operator of the installation rather than a user.
func SystemScope() Scope { return Scope{org: allOrgs} }

// Authorize decides whether actor may perform action and returns the scope
// the query must apply. A refusal is a Forbidden error.
func Authorize(actor Actor, action Action) (Scope, error) {
	switch ReachOf(actor.Role, action) {
	case OwnOrg:
		return Scope{org: actor.OrgID}, nil
	case AllOrgs:
		return Scope{org: allOrgs}, nil
	case OwnRecords:
		return Scope{org: actor.OrgID, author: actor.UserID}, nil
	}
	return Scope{}, apperr.New(apperr.Forbidden, "error.forbidden")
}

// Can reports whether actor may perform action at all (for showing links).
func Can(actor Actor, action Action) bool { return ReachOf(actor.Role, action) != None }
