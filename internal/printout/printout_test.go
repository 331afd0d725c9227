package printout_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/printout"
	"waymark.city/waymark/internal/printout/printouttest"
)

func printer(t testing.TB, lang string) *i18n.Printer {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(lang)
}

// testMap is a map of two square areas as geo.Render lays it out: the
// first shaded and counted, the second with a hole.
func testMap() *geo.Map {
	square := func(x, y, s float64) orb.Ring {
		return orb.Ring{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
	}
	return &geo.Map{ID: "m", Title: "Orte nach Gebiet", HasValues: true, HasCounts: true, ValueLabel: "Antworten", CountLabel: "Orte",
		Classes: []geo.Class{{Min: 1, Max: 3, Fill: "#7fcdbb", Label: "1–3"}},
		NoData:  true,
		Rows: []geo.Row{{Code: "1", Name: "Altstadt", HasValue: true, Value: 3, ValueText: "3", Class: 0, Count: 2, CountText: "2"},
			{Code: "2", Name: "Hafenviertel", ValueText: "keine Daten", Class: -1, CountText: "0"}},
		Text: geo.MapText{Area: "Gebiet", Legend: "Legende", NoData: "keine Daten", Unplaced: "1 Ort liegt in keinem aktuellen Gebiet."},
		Drawing: geo.Drawing{Width: 400, Height: 200, Counts: true, Stroke: "#222222", MarkerText: "#ffffff", NoData: "#bdbdbd",
			Areas: []geo.DrawnArea{
				{Name: "Altstadt", Fill: "#7fcdbb", Shape: orb.MultiPolygon{{square(4, 4, 190)}}, Inside: orb.Point{99, 99}, Radius: 18, CountText: "2"},
				{Name: "Hafenviertel", Fill: "#bdbdbd", Shape: orb.MultiPolygon{{square(200, 4, 190), square(250, 50, 40)}}},
			}},
	}
}

// A document prints its title, lines, headings, paragraphs in any script
// the font covers, tables whose header row repeats on the next page, and
// a map with its legend and table; the footer counts pages in the
// reader's language; the PDF says its title and language and names no
// author.
func TestWrite(t *testing.T) {
	p := printer(t, "de")
	d := printout.New(p, "Kartierung Frühjahr")
	d.Line("Zeitraum: 01.11.2026 – 31.12.2026")
	d.Heading(1, "Ergebnisse")
	d.Note("Antworten je Frage zusammengezählt.")
	d.Text("Straßenarbeit am Südbahnhof; Кирилица; Ελληνικά")
	table := printout.Table{Header: []string{"Antwort", "Alle", "NGO · Sozialarbeit (3)"}, Figures: true}
	for i := range 120 {
		table.Rows = append(table.Rows, []string{"Zeile " + strconv.Itoa(i), strconv.Itoa(i), "–"})
	}
	d.Table(table)
	long := strings.Repeat("Beobachtung am Bahnhof ", 600) + "Ende der Beobachtung"
	d.Table(printout.Table{Header: []string{"Gesehen"}, Rows: [][]string{{long}}})
	d.Map(testMap())
	var buf bytes.Buffer
	at := time.Date(2026, 12, 7, 15, 30, 0, 0, time.UTC)
	zone := time.FixedZone("CET", 3600)
	if err := d.Write(&buf, at, zone); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	text := printouttest.Text(t, pdf)
	for _, want := range []string{"Kartierung Frühjahr", "Zeitraum: 01.11.2026 – 31.12.2026", "Erstellt am 07.12.2026 16:30", "Ergebnisse",
		"Straßenarbeit am Südbahnhof; Кирилица; Ελληνικά", "Zeile 0\n", "Zeile 119\n", "Ende der\nBeobachtung\n", "Seite 1 von 6", "Seite 6 von 6",
		"Legende", "Gebiet\nAntworten\nOrte\n", "Hafenviertel\nkeine Daten\n0\n", "1 Ort liegt in keinem aktuellen Gebiet."} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "Antwort\nAlle\nNGO · Sozialarbeit (3)\n"); n < 3 {
		t.Errorf("the table's header row is set %d times over three pages", n)
	}
	for _, want := range []string{"/Lang (de)", "/Title (\xfe\xff"} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if bytes.Contains(pdf, []byte("/Author")) {
		t.Error("the PDF names an author")
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{"Mapping 2026: Frühjahr/Süd": "Mapping-2026-Frühjahr-Süd", `"; rm -rf /`: "rm-rf", "": "report"} {
		if got := printout.FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkReport writes a report of the size issue 12 names: 60 questions,
// each a table of five answers by the whole round and 12 respondent types.
func BenchmarkReport(b *testing.B) {
	p := printer(b, "en")
	header := []string{"Answer", "All"}
	for i := range 12 {
		header = append(header, "Organisation type "+strconv.Itoa(i)+" · role ("+strconv.Itoa(i+3)+")")
	}
	for b.Loop() {
		d := printout.New(p, "Spring round")
		d.Line("Period: 1 Nov 2026 – 31 Dec 2026")
		for q := range 60 {
			d.Heading(3, "Question "+strconv.Itoa(q)+": how often do you see people working on the street?")
			t := printout.Table{Header: header, Figures: true}
			for a := range 5 {
				row := []string{"Answer " + strconv.Itoa(a)}
				for c := range 13 {
					row = append(row, strconv.Itoa(c+a)+" ("+strconv.Itoa(c*7%100)+" %)")
				}
				t.Rows = append(t.Rows, row)
			}
			d.Table(t)
		}
		d.Map(testMap())
		if err := d.Write(&bytes.Buffer{}, time.Now(), time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
