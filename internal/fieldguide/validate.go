package fieldguide

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/screening"
)

// Limits of the texts, in characters. They keep a guide page readable on a
// phone, not the database small.
const (
	maxName     = 120
	maxArea     = 120
	maxWhere    = 1000
	maxLookFor  = 20 // entries per language
	maxEntry    = 200
	maxLabel    = 200
	maxHint     = 1000
	maxCitation = 500
	maxReason   = 1000
)

// Note is why a change is made and on what it rests; every version needs
// both.
type Note struct {
	// Citation names the source: "Working group meeting 2026-11-12,
	// minutes §4".
	Citation string
	// Reason is why the change is made; for a mark, why the question
	// matters locally.
	Reason string
}

// PlaceInput is a local place to add, or what a place is to say now.
type PlaceInput struct {
	PlaceText
	Note
}

// SignInput is a local sign to add, or what a sign is to say now.
type SignInput struct {
	SignText
	Note
}

// MarkInput marks a catalogue question as locally relevant, or gives a
// marked question a new reason.
type MarkInput struct {
	QuestionID string
	Note
}

// fields collects the field errors of an input. Field names are those of
// the forms: name_en, look_for_de, question, citation, …
// fields collects a form's field errors, with this package's checks.
type fields struct{ apperr.Fields }

func (f *fields) tooLong(field string, max int) {
	f.Fields = append(f.Fields, apperr.FieldError{Field: field, Key: "error.fieldguide.too_long", Args: map[string]any{"max": max}})
}

// text cleans one text field in place: trims it, turns Windows line ends
// into "\n", and checks its length and that it holds text only (line
// breaks only where multiline). It reports whether the field is fine.
func (f *fields) text(field string, s *string, max int, multiline bool) bool {
	*s = strings.TrimSpace(strings.ReplaceAll(*s, "\r\n", "\n"))
	bad := func(r rune) bool {
		if multiline && (r == '\n' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	}
	switch {
	case !utf8.ValidString(*s) || strings.ContainsFunc(*s, bad):
		f.Add(field, "error.fieldguide.bad_text")
	case utf8.RuneCountInString(*s) > max:
		f.tooLong(field, max)
	default:
		return true
	}
	return false
}

// localized cleans a text given per language; fields are named
// <prefix>_<lang>. It drops languages left empty and reports whether any
// language has the text.
func (f *fields) localized(prefix string, l *Localized, max int, multiline bool) bool {
	out := Localized{}
	for _, lang := range languages {
		t := (*l)[lang]
		if f.text(prefix+"_"+lang, &t, max, multiline) && t != "" {
			out[lang] = t
		}
	}
	*l = out
	return len(out) > 0
}

func (n *Note) check(f *fields) {
	if f.text("citation", &n.Citation, maxCitation, false) && n.Citation == "" {
		f.Add("citation", "error.fieldguide.citation_required")
	}
	if f.text("reason", &n.Reason, maxReason, true) && n.Reason == "" {
		f.Add("reason", "error.fieldguide.reason_required")
	}
}

func (in *PlaceInput) check() error {
	var f fields
	// A name too long or not text is reported as such, not also as missing.
	if !f.localized("name", &in.Name, maxName, false) && len(f.Fields) == 0 {
		f.Add("name_"+languages[0], "error.fieldguide.name_required")
	}
	f.localized("where", &in.Where, maxWhere, true)
	lookFor := map[string][]string{}
	for _, lang := range languages {
		field := "look_for_" + lang
		var entries []string
		for _, e := range in.LookFor[lang] {
			if f.text(field, &e, maxEntry, false) && e != "" {
				entries = append(entries, e)
			}
		}
		if len(entries) > maxLookFor {
			f.Fields = append(f.Fields, apperr.FieldError{Field: field, Key: "error.fieldguide.look_for_too_many", Args: map[string]any{"max": maxLookFor}})
		}
		if len(entries) > 0 {
			lookFor[lang] = entries
		}
	}
	in.LookFor = lookFor
	f.text("area", &in.Area, maxArea, false)
	in.Note.check(&f)
	return f.Err()
}

// check validates a sign against the catalogue; whether a local place it
// names exists is checked against the current set in the transaction.
func (in *SignInput) check(c *screening.Catalogue) error {
	var f fields
	if !f.localized("label", &in.Label, maxLabel, false) && len(f.Fields) == 0 {
		f.Add("label_"+languages[0], "error.fieldguide.label_required")
	}
	f.localized("hint", &in.Hint, maxHint, true)
	in.QuestionID, in.PlaceID = strings.TrimSpace(in.QuestionID), strings.TrimSpace(in.PlaceID)
	if _, ok := c.Indicator(in.QuestionID); in.QuestionID != "" && !ok {
		f.Add("question", "error.fieldguide.unknown_question")
	}
	in.Note.check(&f)
	return f.Err()
}

func (in *MarkInput) check(c *screening.Catalogue) error {
	var f fields
	in.QuestionID = strings.TrimSpace(in.QuestionID)
	if _, ok := c.Indicator(in.QuestionID); in.QuestionID == "" {
		f.Add("question", "error.fieldguide.question_required")
	} else if !ok {
		f.Add("question", "error.fieldguide.unknown_question")
	}
	in.Note.check(&f)
	return f.Err()
}

// cataloguePlace reports whether id is a place of the catalogue's field guide.
func cataloguePlace(c *screening.Catalogue, id string) bool {
	return slices.ContainsFunc(c.FieldGuide, func(l screening.Location) bool { return l.ID == id })
}
