package persondata_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"waymark.city/waymark/internal/persondata"
)

// TestCheck: the signs of a victim or a person's data are found in English
// and German; what the channel is for — recruiters' phone numbers,
// businesses' addresses, registry numbers, the dates things were seen — is
// not flagged.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		// Dates of birth.
		{"The girl at the counter was born on 12.03.2008 in Lagos.", []string{persondata.FlagBirthDate}},
		{"Date of birth: 2006-04-01, works nights.", []string{persondata.FlagBirthDate}},
		{"DOB 3 March 2005", []string{persondata.FlagBirthDate}},
		{"Eine Arbeiterin, geboren am 4. Mai 2007, schläft im Lager.", []string{persondata.FlagBirthDate}},
		{"Geburtsdatum: 01.02.1999", []string{persondata.FlagBirthDate}},
		{"geb. 1998, wohnt im Betrieb", []string{persondata.FlagBirthDate}},
		// Ages.
		{"A 16-year-old works the night shift.", []string{persondata.FlagAge}},
		{"She is 15 years old.", []string{persondata.FlagAge}},
		{"Maria (17) cleans the rooms.", []string{persondata.FlagAge}},
		{"Ana, 16, was seen at the car wash.", []string{persondata.FlagAge}},
		{"Ein 14-jähriger Junge verkauft dort Blumen.", []string{persondata.FlagAge}},
		{"Sie ist 17 Jahre alt.", []string{persondata.FlagAge}},
		{"Ein Mädchen im Alter von 15 bedient.", []string{persondata.FlagAge}},
		// Identity documents.
		{"Her passport number is X1234567 and the boss keeps it.", []string{persondata.FlagDocument}},
		{"passport no. 12345678", []string{persondata.FlagDocument}},
		{"ID card: T22000129", []string{persondata.FlagDocument}},
		{"Reisepass C01X00T47 liegt beim Chef.", []string{persondata.FlagDocument}},
		{"Personalausweis-Nr. L01X00T47", []string{persondata.FlagDocument}},
		{"Aufenthaltstitel Y1234567 abgelaufen", []string{persondata.FlagDocument}},
		// Victims named.
		{"The victim Maria Popescu sleeps in the back room.", []string{persondata.FlagVictim}},
		{"a victim named Joy", []string{persondata.FlagVictim}},
		{"Joy, a victim of the agency, told us.", []string{persondata.FlagVictim}},
		{"Das Opfer namens Anna arbeitet dort.", []string{persondata.FlagVictim}},
		{"Opfer: Ivana K.", []string{persondata.FlagVictim}},
		{"Anna, eine Betroffene, hat berichtet.", []string{persondata.FlagVictim}},
		// Several at once, each kind once.
		{"Victim Lena, 16, born 2009, passport AB123456.",
			[]string{persondata.FlagBirthDate, persondata.FlagAge, persondata.FlagDocument, persondata.FlagVictim}},

		// Not flagged: what the channel is for.
		{"Recruiter calls himself Tomasz, phone +48 601 234 567, offers farm jobs in Germany for a fee of 300 EUR.", nil},
		{"Anwerber unter 0171 2345678 und 0171/2345678, Treffpunkt Hafenstraße 12, 20457 Hamburg.", nil},
		{"FlexStaff Agency, Pier Road 12, Harbour Quay; registry HRB 12345; VAT DE123456789.", nil},
		{"On 12.03.2026 at 5 am a white van collected about 20 workers at the station.", nil},
		{"The car wash on Ring Road, 14, opens at 6; about 8 men work there.", nil},
		{"Treffpunkt Hafenstraße, 3, hinten; Kontakt über Bahnhofsplatz, 2, Kiosk.", nil},
		{"Massage parlour Lotus, 2nd floor, Bahnhofstraße 3; ads on escort sites since 2024.", nil},
		{"The victims' rooms were not visited; this is about the agency only.", nil},
		{"Many victims. The agency recruits in Romania.", nil},
		{"Das Lokal ist seit 2019 geöffnet, die Betreiber wechseln oft.", nil},
		{"Workers pass 3 checkpoints; passengers are driven in two vans.", nil},
	} {
		got := persondata.Kinds(persondata.Check(tc.text))
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Check(%q) = %v, want %v (%+v)", tc.text, got, want, persondata.Check(tc.text))
		}
	}
}

// FuzzCheck: any text is checked without panic, the same way twice; each
// flag has a known kind and an excerpt of the text's own words, short and
// valid UTF-8; a recruiter's phone number added to a text adds no flag.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "Victim Lena, 16, born 2009, passport AB123456.", "Opfer namens Anna, geb. 04.05.2007",
		"Recruiter +48 601 234 567", "Maria (17)", "passport no. 12345678", "\xff\xfe", "Ä, 1,"} {
		f.Add(s)
	}
	kinds := []string{persondata.FlagBirthDate, persondata.FlagAge, persondata.FlagDocument, persondata.FlagVictim}
	f.Fuzz(func(t *testing.T, text string) {
		flags := persondata.Check(text)
		if !slices.Equal(flags, persondata.Check(text)) {
			t.Fatalf("Check(%q) differs between calls", text)
		}
		words := strings.Join(strings.Fields(text), " ")
		for _, fl := range flags {
			if !slices.Contains(kinds, fl.Kind) {
				t.Fatalf("Check(%q): unknown kind %q", text, fl.Kind)
			}
			excerpt := strings.TrimSuffix(fl.Excerpt, "…")
			if fl.Excerpt == "" || utf8.RuneCountInString(excerpt) > 80 || !strings.Contains(words, excerpt) {
				t.Fatalf("Check(%q): excerpt %q", text, fl.Excerpt)
			}
		}
		before := persondata.Kinds(flags)
		for _, k := range persondata.Kinds(persondata.Check(text + "\nRecruiter's phone: +49 171 2345678.")) {
			if !slices.Contains(before, k) {
				t.Fatalf("Check(%q): a phone number added the flag %s", text, k)
			}
		}
	})
}

// TestCheckWorkers: a worker named in a site's text is found, in English
// and German, besides what Check finds; a text about the site, its work and
// the people in their roles is not flagged.
func TestCheckWorkers(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Ana Popescu told us the agency keeps the passports.", []string{persondata.FlagWorker}},
		{"Jan sagte, dass er keinen freien Tag hat.", []string{persondata.FlagWorker}},
		{"The cleaner Maria works seven days a week.", []string{persondata.FlagWorker}},
		{"Die Arbeiterin Ivana schläft im Lager.", []string{persondata.FlagWorker}},

		{"The workers told us they get no day off.", nil},
		{"We told the manager to show the contracts.", nil},
		{"Der Vorarbeiter sagte, es gebe Verträge. Die Arbeiter sagten nichts.", nil},
		{"City Hall, Market Square 1: eight cleaners, rota on the wall, no lockers.", nil},
		{"Workers said the agency FlexStaff charges a fee.", nil},
	} {
		got := persondata.Kinds(persondata.CheckWorkers(tc.text))
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("CheckWorkers(%q) = %v, want %v (%+v)", tc.text, got, want, persondata.CheckWorkers(tc.text))
		}
	}
	if got := persondata.Check("Ana Popescu told us."); got != nil {
		t.Errorf("Check flags a name alone: %+v", got)
	}
}
