package cases

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// Genders are the HTCDS prs_Gender values, as lower-case codes.
var genders = []string{"feminine", "masculine", "transgender_feminine", "transgender_masculine", "non_conforming", "unknown"}

// Genders lists the gender codes in display order.
func Genders() []string { return slices.Clone(genders) }

// Age bands, kept in the clear so lists and statistics need no identity.
var ageBands = []string{"0-11", "12-17", "18-24", "25-34", "35-49", "50+", "unknown"}

// AgeBands lists the age bands in order.
func AgeBands() []string { return slices.Clone(ageBands) }

// contactMethods are the ways to contact a person that a worker records as
// safe: the details themselves are part of the encrypted identity.
var contactMethods = []string{"through_worker", "in_person", "phone", "messenger", "email", "through_shelter", "none"}

// ContactMethods lists the safe-contact codes in display order.
func ContactMethods() []string { return slices.Clone(contactMethods) }

// Person is who the person is. It is sealed with the vault and shown only
// to the case team after a step-up.
type Person struct {
	GivenNames string   `json:"given_names"`
	FamilyName string   `json:"family_name"`
	Aliases    []string `json:"aliases,omitempty"`
	// BirthDate is YYYY-MM-DD; "" when unknown (then the age is estimated).
	BirthDate string `json:"birth_date,omitempty"`
	// Contact is how to reach the person safely (number, address, person to
	// go through): free text, encrypted.
	Contact string `json:"contact,omitempty"`
}

// Demographics is what the case keeps about the person as codes.
type Demographics struct {
	Gender string
	// AgeBand is derived from the date of birth when there is one; otherwise
	// it is the worker's estimate and AgeEstimated is true.
	AgeBand      string
	AgeEstimated bool
	// Child is true when the person is under 18 (or presumed to be: when the
	// age is uncertain and there are reasons to believe the person is a
	// child, they are treated as one; CoE Convention art. 10(3)).
	Child bool
	// MajorityMonth is, for a child with a known date of birth, the first
	// day of the month they turn 18; the day itself stays encrypted.
	MajorityMonth string
	Citizenships  []string
	Languages     []string
	Interpreter   bool
	ContactMethod string
	// Exploitation lists the forms of exploitation (identification purposes).
	Exploitation []string
}

// PersonInput is the form that opens a case or edits the person.
type PersonInput struct {
	Person
	Gender        string
	AgeBand       string // used when BirthDate is empty
	PresumedChild bool   // age uncertain, reasons to believe a child
	Citizenships  []string
	Languages     []string
	Interpreter   bool
	ContactMethod string
	Exploitation  []string
}

// Limits of the person form.
const (
	maxName    = 200
	maxContact = 2000
	maxAliases = 10
	maxCodes   = 10
)

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// exploitationForms are the forms of exploitation a case can name: the
// identification purposes, and "other" for what fits none of them.
var exploitationForms = []string{"labour", "sexual", "domestic_servitude", "begging", "criminality", "forced_marriage",
	"organ_removal", "other_exploitation", "other"}

// ExploitationForms lists them in display order.
func ExploitationForms() []string { return slices.Clone(exploitationForms) }

// Normalise trims the input and upper/lower-cases codes.
func (in *PersonInput) Normalise() {
	in.GivenNames, in.FamilyName = strings.TrimSpace(in.GivenNames), strings.TrimSpace(in.FamilyName)
	in.BirthDate, in.Contact = strings.TrimSpace(in.BirthDate), strings.TrimSpace(in.Contact)
	in.Aliases = cleanList(in.Aliases, strings.TrimSpace)
	in.Citizenships = cleanList(in.Citizenships, func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) })
	in.Languages = cleanList(in.Languages, func(s string) string { return strings.ToLower(strings.TrimSpace(s)) })
	in.Exploitation = cleanList(in.Exploitation, strings.TrimSpace)
}

func cleanList(in []string, f func(string) string) []string {
	out := []string{}
	for _, v := range in {
		// A comma-separated field arrives as one value.
		for p := range strings.SplitSeq(v, ",") {
			if p = f(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Demographics validates the input against today's date and returns the
// coded demographics, or a validation error listing every field at fault.
func (in PersonInput) Demographics(today time.Time) (Demographics, error) {
	var fe []apperr.FieldError
	bad := func(field, key string) { fe = append(fe, apperr.FieldError{Field: field, Key: key}) }
	if utf8.RuneCountInString(in.GivenNames) > maxName || utf8.RuneCountInString(in.FamilyName) > maxName {
		bad("given_names", "error.too_long")
	}
	if len(in.Aliases) > maxAliases {
		bad("aliases", "error.too_many_values")
	}
	for _, a := range in.Aliases {
		if utf8.RuneCountInString(a) > maxName {
			bad("aliases", "error.too_long")
			break
		}
	}
	if utf8.RuneCountInString(in.Contact) > maxContact {
		bad("contact", "error.too_long")
	}
	if !slices.Contains(genders, in.Gender) {
		bad("gender", "error.case_gender")
	}
	if !slices.Contains(contactMethods, in.ContactMethod) {
		bad("contact_method", "error.case_contact_method")
	}
	if len(in.Citizenships) > maxCodes || !all(in.Citizenships, countryCode.MatchString) {
		bad("citizenships", "error.case_country_codes")
	}
	if len(in.Languages) > maxCodes || !all(in.Languages, languageCode.MatchString) {
		bad("languages", "error.case_language_codes")
	}
	if !all(in.Exploitation, func(s string) bool { return slices.Contains(exploitationForms, s) }) {
		bad("exploitation", "error.case_exploitation")
	}
	p := Demographics{Gender: in.Gender, Citizenships: in.Citizenships, Languages: in.Languages, Interpreter: in.Interpreter,
		ContactMethod: in.ContactMethod, Exploitation: in.Exploitation}
	if p.Citizenships == nil {
		p.Citizenships = []string{}
	}
	if p.Languages == nil {
		p.Languages = []string{}
	}
	if p.Exploitation == nil {
		p.Exploitation = []string{}
	}
	if in.BirthDate != "" {
		dob, err := time.Parse(time.DateOnly, in.BirthDate)
		switch {
		case err != nil:
			bad("birth_date", "error.date")
		case dob.After(today):
			bad("birth_date", "error.case_birth_future")
		case today.Year()-dob.Year() > 120:
			bad("birth_date", "error.case_birth_past")
		default:
			age := AgeOn(dob, today)
			p.AgeBand, p.Child = bandOf(age), age < 18
			if age < 18 {
				eighteen := dob.AddDate(18, 0, 0)
				p.MajorityMonth = time.Date(eighteen.Year(), eighteen.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}
		}
	} else {
		if !slices.Contains(ageBands, in.AgeBand) {
			bad("age_band", "error.case_age_band")
		}
		p.AgeBand, p.AgeEstimated = in.AgeBand, true
		// The presumption of childhood: an uncertain age with reasons to
		// believe the person is a child means they are treated as one.
		p.Child = in.AgeBand == "0-11" || in.AgeBand == "12-17" || in.PresumedChild
	}
	if len(fe) > 0 {
		return Demographics{}, apperr.Validation(fe...)
	}
	return p, nil
}

// AgeOn is the age in whole years on a day.
func AgeOn(dob, day time.Time) int {
	age := day.Year() - dob.Year()
	if day.Month() < dob.Month() || day.Month() == dob.Month() && day.Day() < dob.Day() {
		age--
	}
	return age
}

func bandOf(age int) string {
	switch {
	case age < 12:
		return "0-11"
	case age < 18:
		return "12-17"
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 50:
		return "35-49"
	default:
		return "50+"
	}
}

func all(vs []string, ok func(string) bool) bool {
	for _, v := range vs {
		if !ok(v) {
			return false
		}
	}
	return true
}

// UnknownPerson is a person nobody has met yet, for a case opened from a
// referral or a report: no identity, age unknown (a child when there are
// reasons to believe so), contact through the worker.
func UnknownPerson(child bool, exploitation []string) PersonInput {
	return PersonInput{Gender: "unknown", AgeBand: "unknown", PresumedChild: child,
		ContactMethod: "through_worker", Exploitation: exploitation}
}
