package dataprotection

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
)

// The HTCDS exchange. HTCDS 2.0 (IOM, CC BY 4.0; /work/shared/standards/htcds/)
// defines field names and picklists but no file format, so a case travels
// as one JSON object: an envelope naming the standard, version and variant,
// and a flat record whose keys are the HTCDS field names exactly as the
// standard spells them (prs_Gender, vic_TypeOfExploitation, cas_Status, …)
// with picklist values as the standard's value names.

// Standard, Version and the variants of an HTCDS document.
const (
	Standard     = "HTCDS"
	Version      = "2.0"
	Full         = "full"
	Pseudonymous = "pseudonymous"
)

// MaxDocument is the largest HTCDS document accepted: one case is a few
// kilobytes, so anything near this is not one case.
const MaxDocument = 256 << 10

// Document is one case in the HTCDS vocabulary.
type Document struct {
	Standard string `json:"standard"`
	Version  string `json:"version"`
	// Variant is Full (with names and birth date, for the person or a
	// consented share) or Pseudonymous (no names, birth date or contact).
	Variant string `json:"variant"`
	// Reference is the sender's case code, so both sides can talk about
	// the same case without naming the person.
	Reference string `json:"reference,omitempty"`
	// Age is Waymark's addition to the envelope: HTCDS 2.0 has a birth date
	// but no age band and no presumption of childhood, so without it a
	// pseudonymous document would turn a child into an adult and the child
	// rules (consent through the guardian, child protection) would no longer
	// apply. It is left out when the record has the birth date, which says more.
	Age    *Age   `json:"age,omitempty"`
	Record Record `json:"record"`
}

// Age is the person's age band and whether they are treated as a child:
// under 18, or of uncertain age with reasons to believe they are a child
// (CoE Convention art. 10(3)).
type Age struct {
	Band  string `json:"band"`
	Child bool   `json:"child"`
}

// Record is the HTCDS fields Waymark keeps. The JSON names are the HTCDS
// field names; the order is the standard's.
type Record struct {
	FirstName                     string   `json:"prs_FirstName,omitempty"`
	SecondName                    string   `json:"prs_SecondName,omitempty"`
	Birthdate                     string   `json:"prs_Birthdate,omitempty"`
	Gender                        string   `json:"prs_Gender,omitempty"`
	Deceased                      bool     `json:"prs_Deceased,omitempty"`
	PrimaryLanguage               string   `json:"prs_PrimaryLanguage,omitempty"`
	SecondaryLanguage             string   `json:"prs_SecondaryLanguage,omitempty"`
	Citizenship                   []string `json:"prs_Citizenship,omitempty"`
	AgreementToManagePersonalData *bool    `json:"vic_AgreementToManagePersonalData,omitempty"`
	TraffickingStatus             string   `json:"vic_TraffickingStatus,omitempty"`
	DecisionMakingOrg             string   `json:"vic_TraffickingStatusDecisionMakingOrg,omitempty"`
	AgeWhenTrafficked             *int     `json:"vic_AgeWhenTrafficked,omitempty"`
	MethodsOfControl              []string `json:"vic_MethodsOfControl,omitempty"`
	TypeOfExploitation            []string `json:"vic_TypeOfExploitation,omitempty"`
	Vulnerabilities               []string `json:"vic_Vulnerabilities,omitempty"`
	Status                        string   `json:"cas_Status"`
	ReasonForCaseClosure          string   `json:"cas_ReasonForCaseClosure,omitempty"`
	ReferringOrganisation         string   `json:"cas_ReferringOrganisation,omitempty"`
	IncomingReferralDate          string   `json:"cas_IncomingReferralDate,omitempty"`
	Consent                       *bool    `json:"con_Consent,omitempty"`
}

// genderValues maps our gender codes to prs_Gender values (the codes were
// taken from that picklist).
var genderValues = [][2]string{
	{"feminine", "Feminine"}, {"masculine", "Masculine"}, {"transgender_feminine", "TransgenderFeminine"},
	{"transgender_masculine", "TransgenderMasculine"}, {"non_conforming", "NonConforming"}, {"unknown", "NonSpecifiedUnknown"},
}

// exploitationValues maps our forms of exploitation to
// vic_TypeOfExploitation values. HTCDS 2.0 has no value for forced
// criminality or for slavery-like and other exploitation, so both go out
// as "Other"; an imported "Other" is our "other", the first pair with it.
var exploitationValues = [][2]string{
	{"labour", "ForcedLabour"}, {"sexual", "SexualExploitation"}, {"domestic_servitude", "Servitude"},
	{"begging", "ForcedBegging"}, {"forced_marriage", "ForcedMarriage"}, {"organ_removal", "OrganRemoval"},
	{"other", "Other"}, {"criminality", "Other"}, {"other_exploitation", "Other"},
}

// exploitationImported maps the HTCDS values we have no form of our own
// for: child labour is labour exploitation; forced military service, forced
// adoption and surrogacy are slavery-like and other exploitation.
var exploitationImported = map[string]string{
	"ChildLabour": "labour", "ForcedMilitaryByNonStateActors": "other_exploitation", "ForcedAdoption": "other_exploitation",
	"Surrogacy": "other_exploitation",
}

// methodsOfControl is the vic_MethodsOfControl picklist, in the standard's
// order, which is also the order of an export.
var methodsOfControl = []string{"PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage",
	"FalsePromises", "PhysicalAbuse", "SexualAbuse", "TakesEarnings", "RestrictsFinancialAccess", "RestrictsMedicalCare",
	"WithholdsNecessities", "PsychologicalAbuse", "PsychoactiveSubstance", "ExcessiveWorkingHours", "WithholdsDocuments", "Other"}

// vulnerabilities is the vic_Vulnerabilities picklist, in the standard's order.
var vulnerabilities = []string{"Addiction", "SocialGroup", "Discrimination", "Poverty", "DisabilityAndPhysicalHealth",
	"MentalHealth", "Migration", "Homelessness", "AbuseSocialMedia", "AbusePhysical", "Education", "WorkEnvironment"}

// protectionNeedValues maps the screening's protection needs to
// vic_Vulnerabilities where the picklist has the same thing. The others
// have no counterpart and stay out: no papers at all, public care,
// unawareness of rights and a separated child are not migration as such,
// and "disability or addiction" would have to claim one of the two.
var protectionNeedValues = map[string]string{
	"smuggled": "Migration", "irregular_status": "Migration", "no_work_permit": "Migration",
	"homeless": "Homelessness", "trauma_signs": "MentalHealth",
}

var (
	traffickingStatuses = []string{"PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"}
	decisionOrgs        = []string{"Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"}
	caseStatuses        = []string{"Active", "FollowUp", "Closed", "ClosedReferred"}
)

// htcdsFields are every field name of HTCDS 2.0 (htcds-fields-field-standards.csv),
// to tell a field Waymark does not keep from one that is not HTCDS at all.
var htcdsFields = []string{
	"org_Name", "org_ShippingCity", "org_ShippingCountry", "org_ShippingState", "org_ShippingStreet",
	"org_ShippingPostalCode", "org_ShippingLongitude", "org_ShippingLatitude", "org_Phone", "org_Type",
	"prs_Salutation", "prs_FirstName", "prs_MiddleName", "prs_SecondName", "prs_Birthdate", "prs_Gender",
	"prs_Deceased", "prs_MaritalStatus", "prs_NumberOfChildren", "prs_PrimaryLanguage", "prs_SecondaryLanguage",
	"prs_HighestLevelOfEducation", "prs_Citizenship", "prs_IdentityNumber", "prs_Title", "prs_Email",
	"prs_HomePhone", "prs_MobilePhone", "prs_MailingCity", "prs_MailingCountry", "prs_MailingState",
	"prs_MailingStreet", "prs_MailingPostalCode", "prs_MailingLongitude", "prs_MailingLatitude",
	"vic_AgreementToManagePersonalData", "vic_TraffickingStatus", "vic_TraffickingStatusDecisionMakingOrg",
	"vic_RelationshipToTrafficker", "vic_AgeWhenTrafficked", "vic_RecruitmentWebsitesAndApps",
	"vic_MethodOfRecruitment", "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation",
	"vic_ForcedLabourIndustry", "vic_TypeOfSexExploitation", "vic_LocationOfExploitation",
	"vic_ExploitationWebsitesAndApps", "vic_Vulnerabilities", "vic_DetailsOfVulnerabilities",
	"per_RoleInProcess", "per_RoleDetails", "cas_Status", "cas_ReasonForCaseClosure", "cas_CaseOwner",
	"cas_ReferringOrganisation", "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker",
	"cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails", "cas_ReferredOrganisation",
	"cas_ReferredPrimaryCaseWorker", "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate",
	"cas_OutgoingReferralDetails", "cco_CaseComment", "hte_Longitude", "hte_Latitude", "hte_City", "hte_Country",
	"hte_State", "hte_Street", "hte_PostalCode", "hte_Date", "hte_Type", "hte_Description", "spl_Objectives",
	"spl_ActionPlan", "spl_PlannedEndDate", "spl_ActualEndDate", "spl_Type", "con_Consent",
}

// HTCDSFields lists the HTCDS 2.0 field names.
func HTCDSFields() []string { return slices.Clone(htcdsFields) }

func toHTCDS(pairs [][2]string, code string) string {
	for _, p := range pairs {
		if p[0] == code {
			return p[1]
		}
	}
	return ""
}

func fromHTCDS(pairs [][2]string, value string) (string, bool) {
	for _, p := range pairs {
		if p[1] == value {
			return p[0], true
		}
	}
	return "", false
}

// Warning is a part of an imported document that was not kept: a field
// Waymark does not hold, or one that is not HTCDS 2.0 at all. Key is a
// message key taking {field}.
type Warning struct {
	Field string
	Key   string
}

// Parsed is a checked HTCDS document, ready to open a case.
type Parsed struct {
	Document Document
	Person   cases.PersonInput
	Warnings []Warning
}

var reference = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$`)

// Limits of the imported text fields.
const (
	maxName   = 200
	maxReason = 2000
	maxCodes  = 10
)

// ParseHTCDS reads an HTCDS document strictly. Malformed JSON, a wrong
// envelope, a value of the wrong type or outside its picklist are errors
// naming the field; fields Waymark does not keep come back as warnings.
// It does not touch the database.
func ParseHTCDS(data []byte, today time.Time) (Parsed, error) {
	if len(data) > MaxDocument {
		return Parsed{}, apperr.New(apperr.TooLarge, "error.data.htcds_too_large")
	}
	if !utf8.Valid(data) {
		return Parsed{}, apperr.New(apperr.Invalid, "error.data.htcds_encoding")
	}
	top, err := object(data)
	if err != nil {
		return Parsed{}, err
	}
	var p Parsed
	var fe []apperr.FieldError
	bad := func(field, key string) {
		fe = append(fe, apperr.FieldError{Field: field, Key: key, Args: map[string]any{"field": field}})
	}
	str := func(raw json.RawMessage, field string, dst *string) bool {
		if err := json.Unmarshal(raw, dst); err != nil {
			bad(field, "error.data.htcds_type_text")
			return false
		}
		return true
	}
	doc := &p.Document
	var rec map[string]json.RawMessage
	var recOrder []string
	for _, m := range top {
		switch m.key {
		case "standard":
			if str(m.raw, "standard", &doc.Standard) && doc.Standard != Standard {
				bad("standard", "error.data.htcds_standard")
			}
		case "version":
			if str(m.raw, "version", &doc.Version) && doc.Version != Version {
				bad("version", "error.data.htcds_version")
			}
		case "variant":
			if str(m.raw, "variant", &doc.Variant) && doc.Variant != Full && doc.Variant != Pseudonymous {
				bad("variant", "error.data.htcds_variant")
			}
		case "reference":
			if str(m.raw, "reference", &doc.Reference) && doc.Reference != "" && !reference.MatchString(doc.Reference) {
				bad("reference", "error.data.htcds_reference")
			}
		case "age":
			if string(m.raw) == "null" {
				continue
			}
			age, ok := ageOf(m.raw)
			switch {
			case !ok:
				bad("age", "error.data.htcds_age")
			case childBand(age.Band) && !age.Child:
				bad("age", "error.data.htcds_age_child")
			default:
				doc.Age = age
			}
		case "record":
			members, err := object(m.raw)
			if err != nil {
				return Parsed{}, err
			}
			rec = map[string]json.RawMessage{}
			for _, r := range members {
				rec[r.key] = r.raw
				recOrder = append(recOrder, r.key)
			}
		default:
			p.Warnings = append(p.Warnings, Warning{Field: m.key, Key: "data.htcds_warning_unknown"})
		}
	}
	for _, k := range []struct {
		field string
		set   bool
	}{{"standard", doc.Standard != ""}, {"version", doc.Version != ""}, {"variant", doc.Variant != ""}, {"record", rec != nil}} {
		if !k.set && !slices.ContainsFunc(fe, func(f apperr.FieldError) bool { return f.Field == k.field }) {
			bad(k.field, "error.data.htcds_required")
		}
	}
	r := &doc.Record
	for _, name := range recOrder {
		raw := rec[name]
		if string(raw) == "null" {
			continue
		}
		switch name {
		case "prs_FirstName", "prs_SecondName":
			var v string
			if !str(raw, name, &v) {
				continue
			}
			v = strings.TrimSpace(v)
			if utf8.RuneCountInString(v) > maxName {
				bad(name, "error.data.htcds_too_long")
			}
			if name == "prs_FirstName" {
				r.FirstName = v
			} else {
				r.SecondName = v
			}
		case "prs_Birthdate":
			if !str(raw, name, &r.Birthdate) {
				continue
			}
			if d, err := day(r.Birthdate); err != nil {
				bad(name, "error.data.htcds_date")
			} else if d.After(today) {
				bad(name, "error.data.htcds_birth_future")
			} else if today.Year()-d.Year() > maxAge {
				bad(name, "error.data.htcds_birth_past")
			}
		case "prs_Gender":
			if str(raw, name, &r.Gender) {
				if _, ok := fromHTCDS(genderValues, r.Gender); !ok {
					bad(name, "error.data.htcds_picklist")
				}
			}
		case "prs_Deceased":
			if err := json.Unmarshal(raw, &r.Deceased); err != nil {
				bad(name, "error.data.htcds_type_checkbox")
			}
		case "prs_PrimaryLanguage", "prs_SecondaryLanguage":
			var v string
			if !str(raw, name, &v) {
				continue
			}
			if !validLanguage(v) {
				bad(name, "error.data.htcds_language")
			}
			if name == "prs_PrimaryLanguage" {
				r.PrimaryLanguage = v
			} else {
				r.SecondaryLanguage = v
			}
		case "prs_Citizenship":
			if err := json.Unmarshal(raw, &r.Citizenship); err != nil {
				bad(name, "error.data.htcds_type_list")
				continue
			}
			if len(r.Citizenship) > maxCodes || !all(r.Citizenship, validCountry) {
				bad(name, "error.data.htcds_country")
			}
		case "vic_AgreementToManagePersonalData", "con_Consent":
			var v bool
			if err := json.Unmarshal(raw, &v); err != nil {
				bad(name, "error.data.htcds_type_checkbox")
				continue
			}
			if name == "con_Consent" {
				r.Consent = &v
			} else {
				r.AgreementToManagePersonalData = &v
			}
		case "vic_TraffickingStatus":
			if str(raw, name, &r.TraffickingStatus) && !slices.Contains(traffickingStatuses, r.TraffickingStatus) {
				bad(name, "error.data.htcds_picklist")
			}
		case "vic_TraffickingStatusDecisionMakingOrg":
			if str(raw, name, &r.DecisionMakingOrg) && !slices.Contains(decisionOrgs, r.DecisionMakingOrg) {
				bad(name, "error.data.htcds_picklist")
			}
		case "vic_AgeWhenTrafficked":
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				bad(name, "error.data.htcds_type_number")
				continue
			}
			r.AgeWhenTrafficked = &n
		case "vic_MethodsOfControl", "vic_Vulnerabilities":
			var vs []string
			if err := json.Unmarshal(raw, &vs); err != nil {
				bad(name, "error.data.htcds_type_list")
				continue
			}
			picklist := methodsOfControl
			if name == "vic_Vulnerabilities" {
				picklist = vulnerabilities
			}
			if !all(vs, func(v string) bool { return slices.Contains(picklist, v) }) {
				bad(name, "error.data.htcds_picklist")
				continue
			}
			if name == "vic_MethodsOfControl" {
				r.MethodsOfControl = inOrder(picklist, vs)
			} else {
				r.Vulnerabilities = inOrder(picklist, vs)
			}
		case "vic_TypeOfExploitation":
			if err := json.Unmarshal(raw, &r.TypeOfExploitation); err != nil {
				bad(name, "error.data.htcds_type_list")
				continue
			}
			for _, v := range r.TypeOfExploitation {
				_, ours := fromHTCDS(exploitationValues, v)
				if _, near := exploitationImported[v]; !ours && !near {
					bad(name, "error.data.htcds_picklist")
					break
				}
			}
		case "cas_Status":
			if !str(raw, name, &r.Status) {
				continue
			}
			switch {
			case !slices.Contains(caseStatuses, r.Status):
				bad(name, "error.data.htcds_picklist")
			case r.Status == "Closed" || r.Status == "ClosedReferred":
				bad(name, "error.data.htcds_closed")
			}
		case "cas_ReasonForCaseClosure":
			if str(raw, name, &r.ReasonForCaseClosure) {
				if utf8.RuneCountInString(r.ReasonForCaseClosure) > maxReason {
					bad(name, "error.data.htcds_too_long")
				}
				// An open case has no closure; the text is not kept.
				p.Warnings = append(p.Warnings, Warning{Field: name, Key: "data.htcds_warning_ignored"})
				r.ReasonForCaseClosure = ""
			}
		case "cas_ReferringOrganisation":
			if !str(raw, name, &r.ReferringOrganisation) {
				continue
			}
			r.ReferringOrganisation = strings.TrimSpace(r.ReferringOrganisation)
			if utf8.RuneCountInString(r.ReferringOrganisation) > maxName {
				bad(name, "error.data.htcds_too_long")
			}
		case "cas_IncomingReferralDate":
			if !str(raw, name, &r.IncomingReferralDate) {
				continue
			}
			if d, err := day(r.IncomingReferralDate); err != nil {
				bad(name, "error.data.htcds_date")
			} else if d.After(today) {
				bad(name, "error.data.htcds_date_future")
			}
		default:
			key := "data.htcds_warning_unknown"
			if slices.Contains(htcdsFields, name) {
				key = "data.htcds_warning_ignored"
			}
			p.Warnings = append(p.Warnings, Warning{Field: name, Key: key})
		}
	}
	if rec != nil && r.Status == "" && !slices.ContainsFunc(fe, func(f apperr.FieldError) bool { return f.Field == "cas_Status" }) {
		bad("cas_Status", "error.data.htcds_required")
	}
	if doc.Variant == Pseudonymous && (r.FirstName != "" || r.SecondName != "" || r.Birthdate != "") {
		bad("variant", "error.data.htcds_pseudonymous_identity")
	}
	if doc.Age != nil && r.Birthdate != "" {
		// Two ages could disagree, and with a birth date Waymark derives
		// the band itself.
		bad("age", "error.data.htcds_age_and_birthdate")
	}
	if n := r.AgeWhenTrafficked; n != nil && (*n < 0 || *n > oldestAge(*doc, today)) {
		bad("vic_AgeWhenTrafficked", "error.data.htcds_age_trafficked")
	}
	if len(fe) > 0 {
		return Parsed{}, apperr.Validation(fe...)
	}
	p.Person = personOf(*doc)
	return p, nil
}

// ageOf reads the envelope's age: an object with one of Waymark's age
// bands and the child flag, both required and nothing else.
func ageOf(raw json.RawMessage) (*Age, bool) {
	members, err := object(raw)
	if err != nil {
		return nil, false
	}
	var a Age
	var band, child bool
	for _, m := range members {
		switch {
		case string(m.raw) == "null":
			return nil, false
		case m.key == "band":
			band = json.Unmarshal(m.raw, &a.Band) == nil && slices.Contains(cases.AgeBands(), a.Band)
		case m.key == "child":
			child = json.Unmarshal(m.raw, &a.Child) == nil
		default:
			return nil, false
		}
	}
	return &a, band && child
}

// childBand reports whether an age band is under 18.
func childBand(band string) bool { return band == "0-11" || band == "12-17" }

// maxAge is the oldest age a person can have.
const maxAge = 120

// oldestAge is the oldest the person can be by the document: their age
// today by a birth date, the top of a closed age band, else maxAge. They
// cannot have been trafficked at an older age.
func oldestAge(doc Document, today time.Time) int {
	if d, err := day(doc.Record.Birthdate); err == nil {
		return cases.AgeOn(d, today)
	}
	if doc.Age != nil {
		if _, top, ok := strings.Cut(doc.Age.Band, "-"); ok {
			if n, err := strconv.Atoi(top); err == nil {
				return n
			}
		}
	}
	return maxAge
}

// inOrder is the values of a picklist that vs holds, each once, in the
// picklist's order.
func inOrder(picklist, vs []string) []string {
	var out []string
	for _, v := range picklist {
		if slices.Contains(vs, v) {
			out = append(out, v)
		}
	}
	return out
}

// personOf turns a checked document into the form that opens a case.
func personOf(doc Document) cases.PersonInput {
	r := doc.Record
	in := cases.PersonInput{
		Person: cases.Person{GivenNames: r.FirstName, FamilyName: r.SecondName, BirthDate: r.Birthdate},
		Gender: "unknown", Citizenships: slices.Clone(r.Citizenship),
		// The receiving organisation records its own safe way to reach
		// the person; until then contact goes through the case worker.
		ContactMethod: "through_worker",
	}
	if g, ok := fromHTCDS(genderValues, r.Gender); ok {
		in.Gender = g
	}
	if r.Birthdate == "" {
		in.AgeBand = "unknown"
		if doc.Age != nil {
			// The presumption of childhood travels with the case, so the
			// child rules keep applying while the age is uncertain.
			in.AgeBand, in.PresumedChild = doc.Age.Band, doc.Age.Child
		}
	}
	for _, l := range []string{r.PrimaryLanguage, r.SecondaryLanguage} {
		if l != "" {
			in.Languages = append(in.Languages, strings.ToLower(l))
		}
	}
	for _, v := range r.TypeOfExploitation {
		code, ok := fromHTCDS(exploitationValues, v)
		if !ok {
			code = exploitationImported[v]
		}
		if !slices.Contains(in.Exploitation, code) {
			in.Exploitation = append(in.Exploitation, code)
		}
	}
	return in
}

// validCountry accepts an ISO 3166-1 alpha-2 country code in capitals.
func validCountry(s string) bool {
	if len(s) != 2 || strings.ToUpper(s) != s {
		return false
	}
	r, err := language.ParseRegion(s)
	return err == nil && r.IsCountry() && r.String() == s
}

// validLanguage accepts an ISO 639 language code of two or three letters.
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 || strings.ToLower(s) != s {
		return false
	}
	_, err := language.ParseBase(s)
	return err == nil
}

func all(vs []string, ok func(string) bool) bool {
	for _, v := range vs {
		if !ok(v) {
			return false
		}
	}
	return true
}

// member is one key and raw value of a JSON object, in document order.
type member struct {
	key string
	raw json.RawMessage
}

// object reads one JSON object and nothing after it, refusing duplicate
// keys (encoding/json would silently keep the last one).
func object(data []byte) ([]member, error) {
	malformed := func(err error) error { return apperr.Wrap(apperr.Invalid, "error.data.htcds_json", err) }
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, malformed(errors.New("not an object"))
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, malformed(errors.New("object key is not a string"))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, malformed(err)
		}
		if seen[key] {
			return nil, apperr.Validation(apperr.FieldError{Field: key, Key: "error.data.htcds_duplicate", Args: map[string]any{"field": key}})
		}
		seen[key] = true
		out = append(out, member{key: key, raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed(fmt.Errorf("data after the object"))
	}
	return out, nil
}

// recordOf builds the HTCDS record of a case; identity is nil for the
// pseudonymous variant.
func recordOf(c cases.Case, identity *cases.Person, facts htcdsFacts) Record {
	r := Record{Gender: toHTCDS(genderValues, c.Gender), Citizenship: slices.Clone(c.Citizenships),
		TraffickingStatus: facts.status, DecisionMakingOrg: facts.org,
		AgreementToManagePersonalData: facts.agreement, Consent: facts.consent,
		AgeWhenTrafficked: facts.ageWhenTrafficked, MethodsOfControl: facts.methods, Vulnerabilities: facts.vulnerabilities,
		ReferringOrganisation: facts.referrer, IncomingReferralDate: facts.referralDate}
	if identity != nil {
		r.FirstName, r.SecondName, r.Birthdate = identity.GivenNames, identity.FamilyName, identity.BirthDate
	}
	if len(c.Languages) > 0 {
		r.PrimaryLanguage = c.Languages[0]
	}
	if len(c.Languages) > 1 {
		r.SecondaryLanguage = c.Languages[1]
	}
	for _, e := range c.Exploitation {
		// Several of our forms may share a value; a picklist names it once.
		if v := toHTCDS(exploitationValues, e); v != "" && !slices.Contains(r.TypeOfExploitation, v) {
			r.TypeOfExploitation = append(r.TypeOfExploitation, v)
		}
	}
	switch {
	case c.Stage.Open():
		r.Status = "Active"
	case c.CloseReason == "transferred_out":
		r.Status = "ClosedReferred"
	default:
		r.Status = "Closed"
	}
	if !c.Stage.Open() {
		// HTCDS keeps the reason as text; ours is a code, which keeps it
		// free of personal detail.
		r.ReasonForCaseClosure = c.CloseReason
		r.Deceased = c.CloseReason == "deceased"
	}
	return r
}

// htcdsFacts are the HTCDS fields that come from records other than the
// case row: the trafficking status, consent, the referral and its
// screening, or what an imported document declared of them.
type htcdsFacts struct {
	status, org              string
	agreement, consent       *bool
	ageWhenTrafficked        *int
	methods, vulnerabilities []string
	referrer, referralDate   string
}
