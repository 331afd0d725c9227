package printout

import (
	"strconv"

	"waymark.city/waymark/internal/geo"
)

// The drawing's largest size on the page, in millimetres; the legend goes
// to its right.
const (
	mapWidth     = 110.0
	mapMaxHeight = 120.0
)

type mapBlock struct{ m *geo.Map }

func (b mapBlock) put(w *writer) {
	m := b.m
	pdf := w.pdf
	d := m.Drawing
	if m.Title != "" {
		w.room(30)
		w.font(true, 9)
		pdf.MultiCell(0, 4.5, clean(m.Title), "", "L", false)
		pdf.Ln(1)
	}
	if len(d.Areas) > 0 && d.Width > 0 {
		scale := mapWidth / d.Width
		if d.Height*scale > mapMaxHeight {
			scale = mapMaxHeight / d.Height
		}
		w.room(d.Height*scale + 4)
		x0, y0 := pageMargin, pdf.GetY()
		at := func(x, y float64) (float64, float64) { return x0 + x*scale, y0 + y*scale }
		w.draw(d, at, scale)
		w.legend(m, x0+d.Width*scale+6, y0)
		pdf.SetXY(pageMargin, y0+d.Height*scale+3)
	}
	header := []string{m.Text.Area}
	if m.HasValues {
		header = append(header, m.ValueLabel)
	}
	if m.HasCounts {
		header = append(header, m.CountLabel)
	}
	t := Table{Header: header, Figures: true}
	for _, r := range m.Rows {
		row := []string{r.Name}
		if m.HasValues {
			row = append(row, r.ValueText)
		}
		if m.HasCounts {
			row = append(row, r.CountText)
		}
		t.Rows = append(t.Rows, row)
	}
	t.put(w)
	if m.Text.Unplaced != "" {
		paragraph{text: m.Text.Unplaced, note: true}.put(w)
	}
}

// draw fills each area's polygons by the even-odd rule (a hole is
// outside, as on the SVG) and outlines them, then writes the names or the
// count circles.
func (w *writer) draw(d geo.Drawing, at func(x, y float64) (float64, float64), scale float64) {
	pdf := w.pdf
	stroke := rgb(d.Stroke)
	pdf.SetDrawColor(stroke[0], stroke[1], stroke[2])
	pdf.SetLineWidth(0.25)
	pdf.SetLineJoinStyle("round")
	for _, a := range d.Areas {
		fill := rgb(a.Fill)
		pdf.SetFillColor(fill[0], fill[1], fill[2])
		drawn := false
		for _, poly := range a.Shape {
			for _, ring := range poly {
				if len(ring) < 3 {
					continue
				}
				pdf.MoveTo(at(ring[0][0], ring[0][1]))
				for _, pt := range ring[1:] {
					pdf.LineTo(at(pt[0], pt[1]))
				}
				pdf.ClosePath()
				drawn = true
			}
		}
		if drawn {
			pdf.DrawPath("B*")
		}
	}
	switch {
	case d.Counts:
		marker := rgb(d.MarkerText)
		for _, a := range d.Areas {
			if a.Radius == 0 {
				continue
			}
			x, y := at(a.Inside[0], a.Inside[1])
			pdf.SetFillColor(stroke[0], stroke[1], stroke[2])
			pdf.SetDrawColor(marker[0], marker[1], marker[2])
			pdf.Circle(x, y, a.Radius*scale, "FD")
			w.font(true, 7)
			pdf.SetTextColor(marker[0], marker[1], marker[2])
			pdf.SetXY(x-a.Radius*scale, y-2)
			pdf.CellFormat(2*a.Radius*scale, 4, a.CountText, "", 0, "CM", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
		pdf.SetDrawColor(stroke[0], stroke[1], stroke[2])
	case d.Names:
		w.font(false, 6)
		for _, a := range d.Areas {
			if len(a.Shape) == 0 {
				continue
			}
			x, y := at(a.Inside[0], a.Inside[1])
			name := clean(a.Name)
			width := w.pdf.GetStringWidth(name) + 2
			pdf.SetXY(x-width/2, y-2)
			pdf.CellFormat(width, 4, name, "", 0, "CM", false, 0, "")
		}
	}
}

// legend writes the classes of a choropleth beside the map, each with its
// colour, and what the circles count.
func (w *writer) legend(m *geo.Map, x, y float64) {
	pdf := w.pdf
	if len(m.Classes) == 0 && !m.HasCounts {
		return
	}
	right := pageMargin + w.width - x
	stroke := rgb(m.Drawing.Stroke)
	pdf.SetXY(x, y)
	w.font(true, 8)
	pdf.CellFormat(right, 4.5, m.Text.Legend, "", 2, "L", false, 0, "")
	w.font(false, 8)
	swatch := func(hex, label string) {
		c := rgb(hex)
		pdf.SetFillColor(c[0], c[1], c[2])
		pdf.SetDrawColor(stroke[0], stroke[1], stroke[2])
		pdf.Rect(x, pdf.GetY()+0.5, 3.5, 3.5, "FD")
		pdf.SetX(x + 5)
		pdf.MultiCell(right-5, 4.5, clean(label), "", "L", false)
		pdf.SetX(x)
	}
	if m.HasValues {
		pdf.SetX(x)
		pdf.MultiCell(right, 4.5, clean(m.ValueLabel), "", "L", false)
		pdf.SetX(x)
		for _, c := range m.Classes {
			swatch(c.Fill, c.Label)
		}
		if m.NoData {
			swatch(m.Drawing.NoData, m.Text.NoData)
		}
	}
	if m.HasCounts {
		pdf.SetX(x)
		pdf.SetFillColor(stroke[0], stroke[1], stroke[2])
		pdf.Circle(x+1.75, pdf.GetY()+2.25, 1.75, "F")
		pdf.SetX(x + 5)
		pdf.MultiCell(right-5, 4.5, clean(m.CountLabel), "", "L", false)
	}
}

// rgb reads a "#rrggbb" colour; anything else is black.
func rgb(hex string) [3]int {
	var c [3]int
	if len(hex) != 7 || hex[0] != '#' {
		return c
	}
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return [3]int{}
		}
		c[i] = int(v)
	}
	return c
}
