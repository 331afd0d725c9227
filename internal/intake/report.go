package intake

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// Status values of a report.
const (
	// StatusNew is a report sent with a valid proof of work.
	StatusNew = "new"
	// StatusHeld is a report sent without a valid proof of work (no
	// JavaScript, an expired or reused challenge): kept for review with
	// lower trust instead of being refused.
	StatusHeld = "held"
)

// Urgency values, most urgent first.
const (
	UrgencyDanger = "immediate_danger" // someone is in danger right now
	UrgencyChild  = "child"            // a child is involved
	UrgencySoon   = "soon"             // should be looked at soon
	UrgencyNoRush = "no_rush"          // no rush
)

// Urgencies lists the urgency values, most urgent first.
var Urgencies = []string{UrgencyDanger, UrgencyChild, UrgencySoon, UrgencyNoRush}

// Unknown is the answer "I don't know / I'd rather not say" of every
// optional choice.
const Unknown = "unknown"

// Choices of the optional questions; Unknown is always allowed too.
var (
	// TimesOfDay is the approximate time of day something was seen.
	TimesOfDay = []string{"morning", "afternoon", "evening", "night"}
	// PeopleCounts is how many people seem affected.
	PeopleCounts = []string{"one", "few", "many"}
	// AgeGroups is the apparent age of the people affected.
	AgeGroups = []string{"children", "adults", "both"}
	// Genders is the apparent gender of the people affected.
	Genders = []string{"female", "male", "mixed"}
	// ExtraPlaceTypes are places besides the field guide's locations.
	ExtraPlaceTypes = []string{"online", "other"}
	// settingPlaces are the field guide's settings (who screens) that are
	// also kinds of place a member of the public knows: a home employing
	// a domestic worker, a reception centre, a care home. The other
	// settings (a workplace inspection, a police stop, a hotline call…)
	// are staff work, no place anyone saw something at.
	settingPlaces = []string{"private_household", "asylum_reception", "care_institution"}
)

// Field length limits, in characters.
const (
	MaxDetails = 10000
	MaxArea    = 200
	MaxContact = 1000
	MaxMessage = 5000
	maxSigns   = 64
)

// Submission is what the public form sends. Free text is kept as typed;
// choices are codes (see the variables above and the field guide).
type Submission struct {
	Details   string // what was seen (required)
	PlaceType string // a field-guide location id, "online", "other" or Unknown
	Area      string // area or neighbourhood, never an exact position
	SeenOn    string // YYYY-MM-DD or ""
	TimeOfDay string
	People    string
	AgeGroup  string
	Gender    string
	Signs     []string // indicator ids from the field guide
	Urgency   string   // required, one of Urgencies
	Contact   string   // how to reach the reporter safely; optional
	Language  string   // the language the form was shown in
	// Code is the campaign attribution code the reporter named ("how did
	// you hear about us"), as typed; only a known code is kept.
	Code string
	// Attachments are the uploaded files as sent; Submit sniffs, cleans
	// and encrypts them.
	Attachments [][]byte
}

// Work is the proof of work sent with a submission: the challenge the form
// carried and the nonce the script found (empty without JavaScript).
type Work struct {
	Challenge string
	Nonce     string
}

// Receipt is what the reporter gets back, once.
type Receipt struct {
	ReportID string
	// Code is the 16-digit receipt code; it is stored nowhere.
	Code string
	// Held is true when the report went to the review queue (no valid
	// proof of work).
	Held bool
}

// FormatCode writes a 16-digit code as four groups of four digits.
func FormatCode(code string) string {
	if len(code) != codeDigits {
		return code
	}
	return code[0:4] + " " + code[4:8] + " " + code[8:12] + " " + code[12:16]
}

// normaliseText trims the text, turns Windows line ends into \n and drops
// control characters other than newline and tab.
func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// validate normalises in and checks it against the vocabulary; places and
// signs are the field guide's. now is used to refuse dates in the future.
func (s *Service) validate(in *Submission, now time.Time) error {
	var fields []apperr.FieldError
	bad := func(field, key string, args map[string]any) {
		fields = append(fields, apperr.FieldError{Field: field, Key: key, Args: args})
	}
	if len(in.Language) > 35 { // longer than any BCP 47 tag the pages use
		in.Language = ""
	}
	in.Details = normaliseText(in.Details)
	in.Area = normaliseText(in.Area)
	in.Contact = normaliseText(in.Contact)
	switch n := utf8.RuneCountInString(in.Details); {
	case n == 0:
		bad("details", "public.error.details_required", nil)
	case n > MaxDetails:
		bad("details", "public.error.too_long", map[string]any{"n": MaxDetails})
	}
	if utf8.RuneCountInString(in.Area) > MaxArea {
		bad("area", "public.error.too_long", map[string]any{"n": MaxArea})
	}
	if utf8.RuneCountInString(in.Contact) > MaxContact {
		bad("contact", "public.error.too_long", map[string]any{"n": MaxContact})
	}
	choice := func(field string, v *string, allowed []string) {
		if *v == "" {
			*v = Unknown
		}
		if *v != Unknown && !slices.Contains(allowed, *v) {
			bad(field, "public.error.choice", nil)
		}
	}
	choice("place_type", &in.PlaceType, s.publicPlaces)
	choice("time_of_day", &in.TimeOfDay, TimesOfDay)
	choice("people", &in.People, PeopleCounts)
	choice("age_group", &in.AgeGroup, AgeGroups)
	choice("gender", &in.Gender, Genders)
	if !slices.Contains(Urgencies, in.Urgency) {
		bad("urgency", "public.error.urgency_required", nil)
	}
	if in.SeenOn != "" {
		d, err := time.Parse(time.DateOnly, in.SeenOn)
		// A day ahead of the server is allowed for reporters east of it.
		if err != nil || d.After(now.Add(24*time.Hour)) || d.Year() < 1900 {
			bad("seen_on", "public.error.date", nil)
		}
	}
	if len(in.Signs) > maxSigns {
		bad("signs", "public.error.choice", nil)
	} else {
		var signs []string
		for _, id := range in.Signs {
			if !slices.Contains(s.signs, id) {
				bad("signs", "public.error.choice", nil)
				break
			}
			if !slices.Contains(signs, id) {
				signs = append(signs, id)
			}
		}
		in.Signs = signs
	}
	if len(in.Attachments) > s.cfg.MaxAttachments {
		bad("files", "public.error.too_many_files", map[string]any{"n": s.cfg.MaxAttachments})
	}
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// urgencyRank orders urgencies for the queue, most urgent first.
func urgencyRank(u string) int {
	if i := slices.Index(Urgencies, u); i >= 0 {
		return i
	}
	return len(Urgencies)
}
