package geo

import (
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
	"github.com/paulmach/orb/simplify"

	"waymark.city/waymark/internal/i18n"
)

// Values are numbers per area code, shown as a choropleth: each area is
// shaded by the class its number falls in.
type Values struct {
	// Label says what the number is, already translated ("Answers naming
	// the area").
	Label  string
	ByArea map[string]float64
}

// Counts are how many things of one kind each area holds (locations of a
// type from the locations register, for example), drawn as a circle with
// the number inside the area. A count is all a map ever gets of a thing:
// where in the area it is stays off the map.
type Counts struct {
	// Label says what is counted, already translated ("Locations").
	Label  string
	ByArea map[string]int
}

// Spec is what a map shows.
type Spec struct {
	// ID is unique in the page; the SVG's title and description ids derive
	// from it.
	ID string
	// Title names the map for screen readers (the SVG's <title>).
	Title string
	// Areas are drawn in this order, from Service.Current.
	Areas []Area
	// Values, if set, shade the areas; otherwise they are drawn plain.
	Values *Values
	// Counts, if set, are drawn as circles in their areas.
	Counts *Counts
}

// Class is one class of the legend: values from Min to Max (inclusive)
// are shaded Fill.
type Class struct {
	Min, Max float64
	Fill     string
	// Label is the class's range as text ("5–9").
	Label string
	// Swatch is a small SVG square of the class's colour for the legend
	// (an SVG presentation attribute, which the style-src policy allows
	// where an inline style would be refused).
	Swatch template.HTML
}

// Row is one area in the table alternative of a map.
type Row struct {
	Code, Name string
	// HasValue is false when Values has no number for the area.
	HasValue bool
	Value    float64
	// ValueText is the value formatted for the page's language, or "no
	// data".
	ValueText string
	// Class is the index of the value's class in Map.Classes, -1 without.
	Class     int
	Count     int
	CountText string
}

// MapText are the translated words a page heads the legend and table with.
type MapText struct {
	Area, Legend, NoData string
	// Unplaced says how many counted things are in no current area; ""
	// when none are.
	Unplaced string
}

// Map is a rendered map and the same data as a table. The "geo_map"
// partial (ui/areas) shows all of it: the SVG, the legend and the table.
type Map struct {
	// ID and Title are the Spec's.
	ID, Title string
	SVG       template.HTML
	// Drawing is the geometry the SVG is written from; zero without areas.
	Drawing Drawing
	// HasValues and HasCounts say which columns the table has.
	HasValues, HasCounts bool
	// Classes is the legend of Values (empty without Values); NoData says
	// whether some area has no value, so the legend shows that swatch too.
	Classes      []Class
	NoData       bool
	NoDataSwatch template.HTML
	Rows         []Row
	ValueLabel   string
	CountLabel   string
	// Unplaced is the sum of counts whose code is no current area (an
	// area retired since the things were recorded); a page says so rather
	// than show a total that does not add up.
	Unplaced int
	Text     MapText
}

// The drawing's coordinate system: the SVG scales to its container, so only
// the proportions and the text size relative to the width matter. 400 units
// wide keeps 13-unit text readable when a phone shows the map 343 px wide.
const (
	mapWidth  = 400.0
	margin    = 4.0
	minHeight = mapWidth / 3
	maxHeight = mapWidth * 1.5
	// tolerance is the Douglas-Peucker tolerance in drawing units: detail
	// below a third of a unit is invisible at any size a page shows.
	tolerance = 0.3
)

// Colours. The classes are ColorBrewer's YlGnBu without its darkest step,
// sequential and safe for the common colour-vision deficiencies; without
// the darkest step every class keeps a contrast of at least 3:1 against
// the dark boundary line (WCAG 1.4.11, a test checks). Colour is never the
// only means: each area's title, the legend and the table give the value.
var palette = []string{"#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8"}

const (
	boundary   = "#222222"
	plainFill  = "#e3e8ee"
	noDataFill = "#bdbdbd"
	markerFill = "#222222"
	markerText = "#ffffff"
)

// Render draws a map. It is a pure function of its input and the
// language: the same data gives the same bytes (golden tests hold it).
func Render(p *i18n.Printer, s Spec) Map {
	if s.ID == "" {
		s.ID = "map"
	}
	m := Map{ID: s.ID, Title: s.Title, NoDataSwatch: swatch(noDataFill), HasValues: s.Values != nil, HasCounts: s.Counts != nil,
		Text: MapText{Area: p.T("geo.map.area"), Legend: p.T("geo.map.legend"), NoData: p.T("geo.map.no_data")}}
	if s.Values != nil {
		m.ValueLabel = s.Values.Label
	}
	if s.Counts != nil {
		m.CountLabel = s.Counts.Label
		known := map[string]bool{}
		for _, a := range s.Areas {
			known[a.Code] = true
		}
		for code, n := range s.Counts.ByArea {
			if !known[code] {
				m.Unplaced += n
			}
		}
		if m.Unplaced > 0 {
			m.Text.Unplaced = p.N("geo.map.unplaced", m.Unplaced, "label", s.Counts.Label)
		}
	}
	if s.Values != nil {
		m.Classes = classes(p, s.Values.ByArea, s.Areas)
	}
	for _, a := range s.Areas {
		row := Row{Code: a.Code, Name: a.Name, Class: -1, ValueText: p.T("geo.map.no_data")}
		if s.Values != nil {
			if v, ok := s.Values.ByArea[a.Code]; ok {
				row.HasValue, row.Value, row.ValueText = true, v, p.T("geo.map.number", "value", roundLabel(v))
				row.Class = classOf(m.Classes, v)
			} else {
				m.NoData = true
			}
		}
		if s.Counts != nil {
			row.Count = s.Counts.ByArea[a.Code]
			row.CountText = p.T("geo.map.number", "value", row.Count)
		}
		m.Rows = append(m.Rows, row)
	}
	if len(s.Areas) > 0 {
		m.Drawing = layout(p, s, m)
		m.SVG = template.HTML(draw(p, s, m))
	}
	return m
}

// classes divides the values of the drawn areas into at most five classes
// of equal width; whole numbers (counts) get whole-number bounds.
func classes(p *i18n.Printer, values map[string]float64, areas []Area) []Class {
	var vs []float64
	for _, a := range areas {
		if v, ok := values[a.Code]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	whole := !slices.ContainsFunc(vs, func(v float64) bool { return v != math.Trunc(v) })
	k := len(palette)
	var bounds [][2]float64
	switch {
	case lo == hi:
		bounds = [][2]float64{{lo, hi}}
	case whole:
		span := hi - lo + 1
		k = int(math.Min(float64(k), span))
		step := math.Ceil(span / float64(k))
		for from := lo; from <= hi; from += step {
			bounds = append(bounds, [2]float64{from, math.Min(from+step-1, hi)})
		}
	default:
		step := (hi - lo) / float64(k)
		for i := range k {
			bounds = append(bounds, [2]float64{lo + float64(i)*step, lo + float64(i+1)*step})
		}
		bounds[k-1][1] = hi
	}
	out := make([]Class, len(bounds))
	for i, b := range bounds {
		fill := palette[spread(i, len(bounds))]
		label := p.T("geo.map.range", "min", roundLabel(b[0]), "max", roundLabel(b[1]))
		if b[0] == b[1] {
			label = p.T("geo.map.number", "value", roundLabel(b[0]))
		}
		out[i] = Class{Min: b[0], Max: b[1], Fill: fill, Label: label, Swatch: swatch(fill)}
	}
	return out
}

// spread picks the palette colour of class i of n, using the whole range
// of the palette when there are fewer classes than colours.
func spread(i, n int) int {
	if n == 1 {
		return len(palette) / 2
	}
	return int(math.Round(float64(i) * float64(len(palette)-1) / float64(n-1)))
}

// classOf is the index of the class v falls in; the first whose upper
// bound is not below v, as bounds of fractional classes touch.
func classOf(cs []Class, v float64) int {
	for i, c := range cs {
		if v <= c.Max {
			return i
		}
	}
	return len(cs) - 1
}

// roundLabel keeps two decimals at most: a legend of rates needs no more.
func roundLabel(v float64) float64 { return math.Round(v*100) / 100 }

func swatch(fill string) template.HTML {
	return template.HTML(`<svg class="swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">` +
		`<rect x="0.5" y="0.5" width="15" height="15" fill="` + fill + `" stroke="` + boundary + `"/></svg>`)
}

// frame maps projected (Web Mercator) coordinates into the drawing.
type frame struct {
	minX, maxY, scale, offX, offY float64
	height                        float64
}

func newFrame(b orb.Bound) frame {
	dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	inner := mapWidth - 2*margin
	height := maxHeight
	if dx > 0 {
		height = math.Max(minHeight, math.Min(maxHeight, inner*dy/dx+2*margin))
	}
	scale := math.Inf(1)
	if dx > 0 {
		scale = inner / dx
	}
	if dy > 0 {
		scale = math.Min(scale, (height-2*margin)/dy)
	}
	if math.IsInf(scale, 1) {
		scale = 1
	}
	return frame{minX: b.Min[0], maxY: b.Max[1], scale: scale, height: math.Round(height),
		offX: margin + (inner-dx*scale)/2, offY: margin + (height-2*margin-dy*scale)/2}
}

func (f frame) point(p orb.Point) orb.Point {
	return orb.Point{f.offX + (p[0]-f.minX)*f.scale, f.offY + (f.maxY-p[1])*f.scale}
}

// Drawing is a map's geometry in drawing units (Width across, y down),
// projected and simplified once: the SVG is written from it, and a printout
// (internal/printout) draws the same shapes as PDF paths.
type Drawing struct {
	Width, Height float64
	// Areas are in the Spec's order.
	Areas []DrawnArea
	// Names says whether the areas' names are written on the map (few
	// areas and no counts); Counts whether circles with counts are drawn.
	Names, Counts bool
	// Stroke is the colour of boundaries, names and count circles;
	// MarkerText the colour of the number inside a circle; NoData the
	// fill of an area without a value (Map.NoData).
	Stroke, MarkerText, NoData string
}

// DrawnArea is one area of a Drawing.
type DrawnArea struct {
	Name string
	// Title is what the area's shape says to a screen reader.
	Title string
	// Fill is the area's colour, "#rrggbb".
	Fill  string
	Shape orb.MultiPolygon
	// Inside is where a name or count circle goes; set when the drawing
	// writes one for the area.
	Inside orb.Point
	// Radius is the count circle's radius, 0 without a circle; CountText
	// its number.
	Radius    float64
	CountText string
}

// layout projects and simplifies the areas and places names and counts.
func layout(p *i18n.Printer, s Spec, m Map) Drawing {
	shapes := make([]orb.MultiPolygon, len(s.Areas))
	var bound orb.Bound
	for i, a := range s.Areas {
		shapes[i] = project.MultiPolygon(a.shape.Clone(), project.WGS84.ToMercator)
		if i == 0 {
			bound = shapes[i].Bound()
		} else {
			bound = bound.Union(shapes[i].Bound())
		}
	}
	f := newFrame(bound)
	d := Drawing{Width: mapWidth, Height: f.height, Stroke: boundary, MarkerText: markerText, NoData: noDataFill,
		Counts: s.Counts != nil, Names: s.Counts == nil && len(s.Areas) <= maxLabels}
	for i, a := range s.Areas {
		row := m.Rows[i]
		fill, title := plainFill, a.Name
		if s.Values != nil {
			fill = noDataFill
			if row.Class >= 0 {
				fill = m.Classes[row.Class].Fill
			}
			title = p.T("geo.map.area_value", "area", a.Name, "label", s.Values.Label, "value", row.ValueText)
		}
		pixels := make(orb.MultiPolygon, len(shapes[i]))
		for j, poly := range shapes[i] {
			pixels[j] = make(orb.Polygon, len(poly))
			for k, ring := range poly {
				pixels[j][k] = make(orb.Ring, len(ring))
				for n, pt := range ring {
					pixels[j][k][n] = f.point(pt)
				}
			}
		}
		pixels = simplify.DouglasPeucker(tolerance).MultiPolygon(pixels)
		d.Areas = append(d.Areas, DrawnArea{Name: a.Name, Title: title, Fill: fill, Shape: pixels})
	}
	switch {
	case d.Counts:
		placeCounts(&d, p, s)
	case d.Names:
		for i := range d.Areas {
			if len(d.Areas[i].Shape) > 0 {
				d.Areas[i].Inside = inside(d.Areas[i].Shape)
			}
		}
	}
	return d
}

// placeCounts puts a circle with the count inside each area that has
// any, sized by the count's square root so the circle's area follows it.
func placeCounts(d *Drawing, p *i18n.Printer, s Spec) {
	most := 0
	for _, a := range s.Areas {
		most = max(most, s.Counts.ByArea[a.Code])
	}
	if most == 0 {
		return
	}
	for i, a := range s.Areas {
		n := s.Counts.ByArea[a.Code]
		if n <= 0 || len(d.Areas[i].Shape) == 0 {
			continue
		}
		d.Areas[i].Inside = inside(d.Areas[i].Shape)
		d.Areas[i].Radius = 10 + 8*math.Sqrt(float64(n)/float64(most))
		d.Areas[i].CountText = p.T("geo.map.number", "value", n)
	}
}

// draw writes the SVG.
func draw(p *i18n.Printer, s Spec, m Map) string {
	d := m.Drawing
	id := s.ID
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 ` + num(d.Width) + ` ` + num(d.Height) +
		`" role="img" aria-labelledby="` + attr(id) + `-title ` + attr(id) + `-desc" font-family="system-ui, sans-serif">`)
	b.WriteString(`<title id="` + attr(id) + `-title">` + html.EscapeString(s.Title) + `</title>`)
	b.WriteString(`<desc id="` + attr(id) + `-desc">` + html.EscapeString(description(p, s, m)) + `</desc>`)
	b.WriteString(`<g stroke="` + boundary + `" stroke-width="1" stroke-linejoin="round" fill-rule="evenodd">`)
	for _, a := range d.Areas {
		b.WriteString(`<path fill="` + a.Fill + `" d="` + pathData(a.Shape) + `"><title>` + html.EscapeString(a.Title) + `</title></path>`)
	}
	b.WriteString(`</g>`)
	switch {
	case d.Counts:
		drawCounts(&b, p, s, d)
	case d.Names:
		drawNames(&b, d)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// maxLabels is the most areas whose names are written on the map; more
// would cover each other, and the table names them all anyway.
const maxLabels = 30

// drawNames writes each area's name inside it, dark on a white halo so it
// reads on every class colour. A map with counts has its circles there
// instead. The names are hidden from screen readers, which have the
// titles, the description and the table.
func drawNames(b *strings.Builder, d Drawing) {
	b.WriteString(`<g font-size="11" text-anchor="middle" fill="` + boundary + `" stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round" aria-hidden="true">`)
	for _, a := range d.Areas {
		if len(a.Shape) == 0 {
			continue
		}
		b.WriteString(`<text x="` + num(a.Inside[0]) + `" y="` + num(a.Inside[1]) + `" dy="0.35em">` + html.EscapeString(a.Name) + `</text>`)
	}
	b.WriteString(`</g>`)
}

// drawCounts writes the count circles placeCounts laid out.
func drawCounts(b *strings.Builder, p *i18n.Printer, s Spec, d Drawing) {
	if !slices.ContainsFunc(d.Areas, func(a DrawnArea) bool { return a.Radius > 0 }) {
		return
	}
	b.WriteString(`<g font-size="13" font-weight="bold" text-anchor="middle">`)
	for i, a := range d.Areas {
		if a.Radius == 0 {
			continue
		}
		c := a.Inside
		title := p.T("geo.map.area_count", "area", a.Name, "label", s.Counts.Label, "n", s.Counts.ByArea[s.Areas[i].Code])
		b.WriteString(`<g><title>` + html.EscapeString(title) + `</title>`)
		b.WriteString(`<circle cx="` + num(c[0]) + `" cy="` + num(c[1]) + `" r="` + num(a.Radius) + `" fill="` + markerFill +
			`" stroke="` + markerText + `" stroke-width="1.5"/>`)
		b.WriteString(`<text x="` + num(c[0]) + `" y="` + num(c[1]) + `" dy="0.35em" fill="` + markerText + `">` +
			html.EscapeString(a.CountText) + `</text></g>`)
	}
	b.WriteString(`</g>`)
}

// description is the SVG's <desc>: what the map shows, in words, for
// screen readers; the table beside it has every value.
func description(p *i18n.Printer, s Spec, m Map) string {
	parts := []string{p.N("geo.map.desc_areas", len(s.Areas))}
	if s.Values != nil && len(m.Classes) > 0 {
		parts = append(parts, p.T("geo.map.desc_values", "label", s.Values.Label,
			"min", roundLabel(m.Classes[0].Min), "max", roundLabel(m.Classes[len(m.Classes)-1].Max)))
	}
	if m.NoData {
		parts = append(parts, p.T("geo.map.desc_no_data"))
	}
	if s.Counts != nil {
		parts = append(parts, p.T("geo.map.desc_counts", "label", s.Counts.Label))
	}
	if s.Values == nil && s.Counts == nil {
		parts = append(parts, p.T("geo.map.desc_list"))
	} else {
		parts = append(parts, p.T("geo.map.desc_table"))
	}
	return strings.Join(parts, " ")
}

// inside returns a point well inside the largest polygon of mp for a
// marker: a coarse pole of inaccessibility. Of the centroid and the points
// of a grid over the polygon, it takes the one inside farthest from the
// boundary, then searches a finer grid around it, twice; so a marker sits
// in the middle of an L-shaped district's wider arm, not on an edge. The
// polygon is in drawing units and simplified, so it has few vertices.
func inside(mp orb.MultiPolygon) orb.Point {
	var largest orb.Polygon
	most := -1.0
	for _, poly := range mp {
		if a := math.Abs(planar.Area(poly)); a > most {
			largest, most = poly, a
		}
	}
	c, _ := planar.CentroidArea(largest)
	best, farthest := c, -1.0
	try := func(p orb.Point) {
		if d := boundaryDistance(largest, p); d > farthest && evenOdd(largest, p) {
			best, farthest = p, d
		}
	}
	try(c)
	b := largest.Bound()
	center, w, h := b.Center(), b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	for _, cells := range []int{12, 8, 8} {
		for i := range cells {
			for j := range cells {
				try(orb.Point{center[0] - w/2 + w*(float64(i)+0.5)/float64(cells), center[1] - h/2 + h*(float64(j)+0.5)/float64(cells)})
			}
		}
		center, w, h = best, 2*w/float64(cells), 2*h/float64(cells)
	}
	return best
}

// evenOdd reports whether p is inside poly by the even-odd rule, the rule
// the map's paths are filled by (a hole is outside).
func evenOdd(poly orb.Polygon, p orb.Point) bool {
	in := false
	for _, ring := range poly {
		for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
			a, b := ring[i], ring[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
	}
	return in
}

// boundaryDistance is the squared distance from p to poly's nearest edge.
func boundaryDistance(poly orb.Polygon, p orb.Point) float64 {
	d := math.Inf(1)
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			d = math.Min(d, planar.DistanceFromSegmentSquared(ring[i-1], ring[i], p))
		}
	}
	return d
}

// pathData is the SVG path of a multipolygon in drawing units, rounded to
// a tenth: absolute moves, implicit line-tos, each ring closed.
func pathData(mp orb.MultiPolygon) string {
	var b strings.Builder
	for _, poly := range mp {
		for _, ring := range poly {
			var last string
			first := true
			for i, pt := range ring {
				if i == len(ring)-1 && len(ring) > 1 && ring.Closed() {
					break
				}
				xy := num(pt[0]) + " " + num(pt[1])
				if xy == last {
					continue
				}
				if first {
					b.WriteString("M" + xy)
					first = false
				} else {
					b.WriteString(" " + xy)
				}
				last = xy
			}
			if !first {
				b.WriteString("Z")
			}
		}
	}
	return b.String()
}

// num formats a drawing coordinate with one decimal at most.
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func attr(s string) string { return html.EscapeString(s) }
