// Package persondata looks in a free text for signs that it is about a
// person — a victim, a worker — or holds their data, for the texts that
// must hold none (police intelligence about businesses and recruiters, a
// site check's notes). It asks, it never refuses: the caller shows what was
// found and lets the writer remove it or confirm the text is not about a
// person, and audits that confirmation.
package persondata

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The heuristic is modest on purpose: it must not stand in the way of what
// the texts are for — a recruiter's phone number, a business's address, a
// registry number or the date something was seen are not flagged. Check
// looks, in English and German, for
//
//   - a date of birth: "born", "date of birth", "DOB", "geboren",
//     "geb.", "Geburtsdatum" followed by a date or a year;
//   - an age: "17 years old", "a 17-year-old", "aged 17", "17 Jahre alt",
//     "17-jährige", "im Alter von 17", or a name followed by an age in
//     brackets or between commas ("Maria (17)", "Maria, 17,") — not a
//     street and its house number ("Ring Road, 14," "Hafenstraße, 3,");
//   - an identity document's number: "passport", "ID card", "residence
//     permit", "Reisepass", "Pass", "Personalausweis", "Ausweis",
//     "Aufenthaltstitel" followed by a number with digits, or a bare
//     passport-like number (one or two capital letters and six to eight
//     digits, "X1234567");
//   - a victim named: "victim", "survivor", "trafficked person", "Opfer",
//     "Betroffene", "Geschädigte" next to a capitalised name ("the victim
//     Maria", "Opfer namens Anna", "Anna, ein Opfer").
//
// CheckWorkers looks for all of that and for a worker named, for texts
// where no person's name belongs at all (a recruiter's may in intelligence,
// so Check leaves names alone):
//
//   - a name as the one who told or showed something ("Ana Popescu told
//     us", "Jan sagte");
//   - a worker word before a name ("the cleaner Ana", "Arbeiterin Maria").

// Kinds of flag.
const (
	FlagBirthDate = "birth_date"
	FlagAge       = "age"
	FlagDocument  = "document_number"
	FlagVictim    = "victim_named"
	FlagWorker    = "worker_named"
)

// Flag is one sign found in a text: its kind and the words it was found
// in, for the submitter to see.
type Flag struct {
	Kind    string
	Excerpt string
}

// maxExcerpt bounds the words shown for a flag.
const maxExcerpt = 80

const (
	victimWord = `(?i:victims?|survivors?|trafficked\s+(?:person|people|woman|women|man|men|girl|boy|child|worker)|opfer|betroffene[rn]?|geschädigte[rn]?)`
	name       = `\p{Lu}[\p{Ll}'’-]+`
	date       = `(?:\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.?\s+\p{L}+\.?\s+\d{4}|\p{L}+\s+\d{1,2},?\s+\d{4}|(?i:in\s+|im\s+(?:jahr\s+)?)?\d{4})`
)

var (
	birthDate      = regexp.MustCompile(`(?i:\b(?:born(?:\s+on|\s+in)?|date\s+of\s+birth|d\.?o\.?b\.?|birthday|geboren(?:\s+am|\s+im)?|geb\.|geburtsdatum|geburtstag))\s*:?\s*` + date)
	ageWords       = regexp.MustCompile(`(?i)\b\d{1,2}\s*-?\s*(?:years?[\s-]+old|year-old|yrs?\.?\s+old|y/o|jahre\s+alt|-?jährige[rnms]?)\b|\b(?:aged|im\s+alter\s+von)\s+\d{1,2}\b`)
	ageOfName      = regexp.MustCompile(`(` + name + `)[ \t]*(?:\([ \t]*\d{1,2}[ \t]*\)|,[ \t]*\d{1,2}[ \t]*(?:,|[ \t]+(?i:years|jahre)\b))`)
	document       = regexp.MustCompile(`(?i:\b(?:passports?|id[\s-]+cards?|identity\s+cards?|national\s+id|residence\s+permits?|reisepass|pass|personalausweis|ausweis|aufenthaltstitel|aufenthaltserlaubnis)(?:\s*-?\s*(?:no|nr|number|nummer)\.?)?)\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9-]{4,14})\b`)
	passport       = regexp.MustCompile(`\b[A-Z]{1,2}\d{6,8}\b`)
	victimThenName = regexp.MustCompile(`\b` + victimWord + `(?:[ \t]*[,:–-][ \t]*|[ \t]+(?i:named|called|namens|genannt|is|ist|was|war)[ \t]+|[ \t]+)(` + name + `)`)
	nameThenVictim = regexp.MustCompile(`(` + name + `)[ \t]*,[ \t]*(?:(?i:the|a|an|our|another|ein|eine|einer|das|die|der|unser|unsere)[ \t]+)?` + victimWord + `\b`)
	nameThenTold   = regexp.MustCompile(`(` + name + `)(?:[ \t]+` + name + `)?[ \t]+(?:told|said|says|showed|explained|complained|mentioned|erzählte|erzählt|sagte|sagt|berichtete|berichtet|zeigte|meinte|erklärte)\b`)
	workerThenName = regexp.MustCompile(`\b(?i:workers?|employees?|cleaners?|labourers?|arbeiter(?:in)?|mitarbeiter(?:in)?|beschäftigte[rn]?|reinigungskraft)[ \t]+(` + name + `)`)
)

// notNames are capitalised words that begin a sentence or clause rather
// than name a person.
var notNames = []string{"The", "A", "An", "He", "She", "They", "It", "His", "Her", "Their", "This", "That", "Who", "Was", "Is", "In", "At", "On",
	"Of", "From", "And", "But", "Der", "Die", "Das", "Ein", "Eine", "Er", "Sie", "Es", "Sein", "Seine", "Ihr", "Ihre", "Im", "Am", "Von", "Und",
	"Aber", "Wer", "Mr", "Mrs", "Ms", "Herr", "Frau"}

// notWorkers are capitalised words before "told" or after a worker word
// that are not a person's name: pronouns, and German nouns for people's
// roles ("Der Vorarbeiter sagte").
var notWorkers = []string{"We", "You", "Someone", "Nobody", "Everyone", "Wir", "Man", "Jemand", "Niemand", "Alle", "Workers", "Worker", "Staff",
	"Manager", "Supervisor", "Foreman", "Arbeiter", "Arbeiterin", "Mitarbeiter", "Mitarbeiterin", "Vorarbeiter", "Vorarbeiterin", "Chef", "Chefin",
	"Leiter", "Leiterin", "Betreiber", "Inhaber", "Inhaberin", "Managerin", "Schichtleiter", "Schichtleiterin", "Reinigungskraft"}

// streets are the words that end a street's name, in English and as the
// end of a German one, so that a house number after a comma is not read
// as an age.
var (
	streets       = []string{"Road", "Street", "Avenue", "Lane", "Way", "Square", "Place", "Quay", "Drive", "Close", "Court", "Row", "Hill", "Parade", "Terrace"}
	streetEndings = []string{"straße", "strasse", "str.", "weg", "platz", "gasse", "allee", "damm", "ufer", "ring", "markt", "kai", "chaussee"}
)

func isStreet(word string) bool {
	if slices.Contains(streets, word) {
		return true
	}
	lower := strings.ToLower(word)
	return slices.ContainsFunc(streetEndings, func(e string) bool { return strings.HasSuffix(lower, e) })
}

// Names and the words next to them are looked for on one line: a victim
// word ending a line says nothing about the name that begins the next.

// CheckWorkers returns what Check does and the workers named in text.
func CheckWorkers(text string) []Flag {
	out := Check(text)
	for _, re := range []*regexp.Regexp{nameThenTold, workerThenName} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			f := Flag{Kind: FlagWorker, Excerpt: excerpt(m[0])}
			if !slices.Contains(notNames, m[1]) && !slices.Contains(notWorkers, m[1]) && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// excerpt is s on one line, cut to maxExcerpt runes.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxExcerpt {
		s = string([]rune(s)[:maxExcerpt]) + "…"
	}
	return s
}

// Check returns the signs in text that it is about a victim or holds a
// person's data, in the order found; none for most texts.
func Check(text string) []Flag {
	var out []Flag
	add := func(kind string, s string) {
		s = excerpt(s)
		if !slices.Contains(out, Flag{Kind: kind, Excerpt: s}) {
			out = append(out, Flag{Kind: kind, Excerpt: s})
		}
	}
	for _, m := range birthDate.FindAllString(text, -1) {
		add(FlagBirthDate, m)
	}
	for _, m := range ageWords.FindAllString(text, -1) {
		add(FlagAge, m)
	}
	for _, m := range ageOfName.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(notNames, m[1]) && !isStreet(m[1]) {
			add(FlagAge, m[0])
		}
	}
	for _, m := range document.FindAllStringSubmatch(text, -1) {
		if strings.ContainsAny(m[1], "0123456789") {
			add(FlagDocument, m[0])
		}
	}
	for _, m := range passport.FindAllString(text, -1) {
		add(FlagDocument, m)
	}
	for _, re := range []*regexp.Regexp{victimThenName, nameThenVictim} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(notNames, m[1]) {
				add(FlagVictim, m[0])
			}
		}
	}
	return out
}

// Kinds are the kinds of flags, each once, in the order of flags.
func Kinds(flags []Flag) []string {
	var out []string
	for _, f := range flags {
		if !slices.Contains(out, f.Kind) {
			out = append(out, f.Kind)
		}
	}
	return out
}
