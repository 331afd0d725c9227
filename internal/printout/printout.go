// Package printout writes the reports areas offer as PDF files: a title
// with lines about what the report covers, headings, paragraphs, tables
// whose header row repeats after a page break, and maps drawn as vector
// paths from the same geometry as the SVG maps (geo.Drawing) with their
// legend and table. An area builds a Document from the data its HTML page
// shows and writes it; the layout is this package's.
//
// The PDF is written in Go (codeberg.org/go-pdf/fpdf) with DejaVu Sans
// embedded, so any text the font covers (German umlauts, Cyrillic, Greek,
// …) prints, and the server needs no external program. fpdf embeds only
// the glyphs a document uses.
package printout

import (
	_ "embed"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"

	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE), the regular and bold
// faces.
var (
	//go:embed fonts/DejaVuSans.ttf
	regularFont []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	boldFont []byte
)

// Document is a report to print. Add its parts in order, then Write it.
type Document struct {
	p      *i18n.Printer
	title  string
	lines  []string
	blocks []block
}

// block is one part of a document, laid out on the page by a writer.
type block interface{ put(w *writer) }

// New starts a document titled title, labelled in p's language.
func New(p *i18n.Printer, title string) *Document {
	return &Document{p: p, title: title}
}

// Line adds a line under the title: the round, the period, the scope.
func (d *Document) Line(s string) { d.lines = append(d.lines, s) }

// Heading adds a heading of level 1 (a section), 2 or 3.
func (d *Document) Heading(level int, s string) {
	d.blocks = append(d.blocks, heading{level: min(max(level, 1), 3), text: s})
}

// Text adds a paragraph.
func (d *Document) Text(s string) { d.blocks = append(d.blocks, paragraph{text: s}) }

// Note adds a paragraph in small grey type: a hint about what a section
// shows.
func (d *Document) Note(s string) { d.blocks = append(d.blocks, paragraph{text: s, note: true}) }

// Table is a table with a header row.
type Table struct {
	Header []string
	Rows   [][]string
	// Figures right-aligns every column after the first.
	Figures bool
}

// Table adds a table; a row too long for what is left of a page starts the
// next page, which repeats the header row.
func (d *Document) Table(t Table) {
	if len(t.Header) > 0 {
		d.blocks = append(d.blocks, t)
	}
}

// Map adds a map with its legend and its table (area, value, count): the
// table carries everything the drawing shows, as on the page.
func (d *Document) Map(m *geo.Map) {
	if m != nil {
		d.blocks = append(d.blocks, mapBlock{m: m})
	}
}

// Page geometry in millimetres: A4 portrait.
const (
	pageMargin   = 15.0
	bottomMargin = 18.0
	lineHeight   = 5.0
	family       = "DejaVu"
)

// writer holds the PDF being written and the document's words.
type writer struct {
	pdf *fpdf.Fpdf
	p   *i18n.Printer
	// width is the width between the margins.
	width float64
}

// Write writes the document as PDF to out, stating that it was generated
// at (shown in zone, the installation's time zone).
func (d *Document) Write(out io.Writer, at time.Time, zone *time.Location) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.AliasNbPages("{nb}")
	pdf.AddUTF8FontFromBytes(family, "", regularFont)
	pdf.AddUTF8FontFromBytes(family, "B", boldFont)
	pdf.SetTitle(d.title, true)
	pdf.SetLang(d.p.Lang())
	pdf.SetCreator("Waymark", true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	w := &writer{pdf: pdf, p: d.p}
	pageWidth, _ := pdf.GetPageSize()
	w.width = pageWidth - 2*pageMargin
	// The footer names the document on every page, in a line that a long
	// title would overrun.
	short := clean(d.title)
	if r := []rune(short); len(r) > 70 {
		short = string(r[:69]) + "…"
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		w.font(false, 8)
		pdf.SetTextColor(80, 80, 80)
		pdf.CellFormat(0, 4, short+" · "+d.p.T("printout.page", "page", pdf.PageNo(), "pages", "{nb}"), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	w.font(true, 16)
	pdf.MultiCell(0, 7, clean(d.title), "", "L", false)
	pdf.Ln(1)
	w.font(false, 9)
	pdf.SetTextColor(60, 60, 60)
	for _, l := range append(d.lines, d.p.T("printout.generated", "at", d.p.DateTime(at, zone))) {
		pdf.MultiCell(0, 4.5, clean(l), "", "L", false)
	}
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(3)
	for _, b := range d.blocks {
		b.put(w)
	}
	if err := pdf.Output(out); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

func (w *writer) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	w.pdf.SetFont(family, style, size)
}

// room starts a new page unless h millimetres are left on this one.
func (w *writer) room(h float64) {
	_, pageHeight := w.pdf.GetPageSize()
	if w.pdf.GetY()+h > pageHeight-bottomMargin {
		w.pdf.AddPage()
	}
}

type heading struct {
	level int
	text  string
}

func (h heading) put(w *writer) {
	size := map[int]float64{1: 13, 2: 11, 3: 10}[h.level]
	// A heading keeps some of what follows it on its page.
	w.room(lineHeight*2 + 20)
	w.pdf.Ln(map[int]float64{1: 4, 2: 3, 3: 2}[h.level])
	w.font(true, size)
	w.pdf.MultiCell(0, size*0.5, clean(h.text), "", "L", false)
	w.pdf.Ln(1)
}

type paragraph struct {
	text string
	note bool
}

func (p paragraph) put(w *writer) {
	if p.note {
		w.font(false, 8.5)
		w.pdf.SetTextColor(70, 70, 70)
	} else {
		w.font(false, 10)
	}
	w.pdf.MultiCell(0, lineHeight*0.9, clean(p.text), "", "L", false)
	w.pdf.SetTextColor(0, 0, 0)
	w.pdf.Ln(1)
}

// Table layout.
const (
	cellPad    = 1.2
	cellLine   = 3.6
	headerGrey = 230
)

func (t Table) put(w *writer) {
	size := 8.5
	if len(t.Header) > 8 {
		size = 7
	}
	// fpdf pads text inside a cell by its cell margin, on both sides.
	margin := w.pdf.GetCellMargin()
	w.pdf.SetCellMargin(cellPad)
	defer w.pdf.SetCellMargin(margin)
	widths := w.columns(t, size)
	header := func() {
		w.font(true, size)
		w.row(w.split(t.Header, widths), widths, true, false)
		w.font(false, size)
	}
	w.room(2 * (cellLine + 2*cellPad))
	header()
	_, pageHeight := w.pdf.GetPageSize()
	bottom := pageHeight - bottomMargin
	// fresh is the room for rows on a new page, under the header.
	fresh := bottom - pageMargin - rowHeight(w.split(t.Header, widths))
	next := func() {
		w.pdf.AddPage()
		header()
	}
	for _, r := range t.Rows {
		lines := w.split(r, widths)
		// A row that does not fit goes to the next page, under the header
		// again; a row taller than a page is cut where the page ends and
		// goes on on the next.
		for {
			room := bottom - w.pdf.GetY()
			if rowHeight(lines) <= room {
				w.row(lines, widths, false, t.Figures)
				break
			}
			n := int((room - 2*cellPad) / cellLine)
			if rowHeight(lines) <= fresh || n < 1 {
				next()
				continue
			}
			head, rest := cut(lines, n)
			w.row(head, widths, false, t.Figures)
			lines = rest
			next()
		}
	}
	w.pdf.Ln(3)
}

// cut splits a row's wrapped cells after n lines.
func cut(lines [][]string, n int) (head, rest [][]string) {
	for _, l := range lines {
		k := min(n, len(l))
		head, rest = append(head, l[:k]), append(rest, l[k:])
	}
	return head, rest
}

// columns divides the width among t's columns. Each column needs what its
// longest cell needs (at most half the width) and its header on one line;
// if all fit, the rest of the width is shared in proportion. Otherwise a
// header may wrap between words, and what that leaves goes to the headers
// that would wrap, in proportion; if even that does not fit, each column
// gets at least an equal share and the rest goes to the columns that need
// more, in proportion.
func (w *writer) columns(t Table, size float64) []float64 {
	n := len(t.Header)
	full, tight := make([]float64, n), make([]float64, n)
	w.font(true, size)
	for i, h := range t.Header {
		longest := 0.0
		for _, word := range strings.Fields(clean(h)) {
			longest = max(longest, w.pdf.GetStringWidth(word))
		}
		full[i] = min(w.pdf.GetStringWidth(clean(h)), w.width/2) + 2*cellPad + 0.5
		tight[i] = min(longest, w.width/2) + 2*cellPad + 0.5
	}
	w.font(false, size)
	for _, r := range t.Rows {
		for i := 0; i < n && i < len(r); i++ {
			cell := min(w.pdf.GetStringWidth(clean(r[i])), w.width/2) + 2*cellPad + 0.5
			full[i], tight[i] = max(full[i], cell), max(tight[i], cell)
		}
	}
	widths := make([]float64, n)
	switch sumFull, sumTight := sum(full), sum(tight); {
	case sumFull <= w.width:
		for i, v := range full {
			widths[i] = v * w.width / sumFull
		}
	case sumTight <= w.width:
		for i := range full {
			widths[i] = tight[i] + (w.width-sumTight)*(full[i]-tight[i])/(sumFull-sumTight)
		}
	default:
		share := w.width / float64(n)
		left, wanting := w.width, 0.0
		for i, v := range tight {
			widths[i] = min(v, share)
			left -= widths[i]
			wanting += v - widths[i]
		}
		for i, v := range tight {
			if wanting > 0 {
				widths[i] += left * (v - widths[i]) / wanting
			}
		}
	}
	return widths
}

func sum(vs []float64) float64 {
	total := 0.0
	for _, v := range vs {
		total += v
	}
	return total
}

// split wraps each cell's text to its column's width.
func (w *writer) split(cells []string, widths []float64) [][]string {
	lines := make([][]string, len(widths))
	for i, width := range widths {
		text := ""
		if i < len(cells) {
			text = clean(cells[i])
		}
		lines[i] = w.pdf.SplitText(text, width)
	}
	return lines
}

func rowHeight(lines [][]string) float64 {
	most := 1
	for _, l := range lines {
		most = max(most, len(l))
	}
	return float64(most)*cellLine + 2*cellPad
}

// row writes one table row of wrapped cells, a header row shaded.
func (w *writer) row(lines [][]string, widths []float64, header, figures bool) {
	h := rowHeight(lines)
	x, y := w.pdf.GetX(), w.pdf.GetY()
	w.pdf.SetDrawColor(150, 150, 150)
	w.pdf.SetLineWidth(0.2)
	if header {
		w.pdf.SetFillColor(headerGrey, headerGrey, headerGrey)
	}
	for i, width := range widths {
		style := "D"
		if header {
			style = "FD"
		}
		w.pdf.Rect(x, y, width, h, style)
		align := "L"
		if figures && i > 0 && !header {
			align = "R"
		}
		for j, l := range lines[i] {
			w.pdf.SetXY(x, y+cellPad+float64(j)*cellLine)
			w.pdf.CellFormat(width, cellLine, l, "", 0, align, false, 0, "")
		}
		x += width
	}
	w.pdf.SetXY(pageMargin, y+h)
}

// clean makes text safe to set: line breaks as "\n", other control
// characters (a tab in pasted text) as spaces.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// Day writes a calendar day kept as YYYY-MM-DD in the reader's date
// format, as the pages do; a day has no time zone. Anything else is
// written as it is.
func Day(p *i18n.Printer, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return p.Date(t, time.UTC)
}

// Serve sends a written PDF as a download named name (".pdf" added): an
// attachment, never shown inline on Waymark's origin, and kept by no cache
// on the way.
func Serve(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": FileName(name) + ".pdf"}))
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}

// FileName makes a title a file name: letters and digits kept, runs of
// anything else one hyphen, at most 80 characters; "report" if nothing is
// left.
func FileName(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range title {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimSuffix(b.String(), "-")
	if r := []rune(name); len(r) > 80 {
		name = strings.TrimSuffix(string(r[:80]), "-")
	}
	if name == "" {
		return "report"
	}
	return name
}
