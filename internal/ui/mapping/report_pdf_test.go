package mappingui

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
)

// BenchmarkReportPDF lays out and writes the PDF of a report the size
// issue 12 names: 60 questions of five answers each, counted for the whole
// round and 12 respondent types, from the report's own data.
func BenchmarkReportPDF(b *testing.B) {
	cat, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	p := cat.For("de")
	table := tableData{Answer: p.T("mapping.answer"), All: p.T("mapping.all")}
	for i := range 12 {
		table.Types = append(table.Types, p.T("orgkind.ngo")+" · "+p.T("role.case_worker")+" ("+strconv.Itoa(10+i)+")")
	}
	for a := range 6 {
		r := resultRow{Label: "Antwort " + strconv.Itoa(a)}
		for c := range 13 {
			r.Cells = append(r.Cells, cell{Text: share(c+a, 40)})
		}
		table.Rows = append(table.Rows, r)
	}
	s := sectionView{Questionnaire: mapping.Questionnaire{Title: "Gefährdete Gruppen"}, Responses: 160}
	for q := range 60 {
		s.Questions = append(s.Questions, questionView{Label: "Frage " + strconv.Itoa(q) + ": Wie oft sehen Sie Menschen, die auf der Straße arbeiten?", Results: table})
	}
	d := reportPage{Round: mapping.Round{Title: "Frühjahr", Status: "closed", PeriodStart: "2026-03-01", PeriodEnd: "2026-05-31"}, Sections: []sectionView{s}}
	for b.Loop() {
		if err := reportDocument(p, d, time.UTC).Write(&bytes.Buffer{}, time.Now(), time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
