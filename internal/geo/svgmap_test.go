package geo

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"waymark.city/waymark/internal/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata")

// testAreas are four districts of a made-up layout on the open sea near
// 0°, 0° (no real place): a plain square, an L-shaped one whose centroid
// lies outside it, one with a hole (a park that is another district) and
// one of two islands. One name needs escaping.
func testAreas() []Area {
	ring := func(pts ...float64) orb.Ring {
		var r orb.Ring
		for i := 0; i+1 < len(pts); i += 2 {
			r = append(r, orb.Point{pts[i], pts[i+1]})
		}
		return append(r, r[0])
	}
	return []Area{
		{Code: "1", Name: "Old Town", Version: 1, shape: orb.MultiPolygon{{ring(0.10, 0.20, 0.13, 0.20, 0.13, 0.23, 0.10, 0.23)}}},
		{Code: "2", Name: "Harbour & <Docks>", Version: 1, shape: orb.MultiPolygon{{
			ring(0.13, 0.20, 0.17, 0.20, 0.17, 0.215, 0.145, 0.215, 0.145, 0.25, 0.13, 0.25)}}},
		{Code: "3", Name: "Ringside", Version: 2, shape: orb.MultiPolygon{{
			ring(0.10, 0.23, 0.13, 0.23, 0.13, 0.26, 0.10, 0.26), ring(0.11, 0.24, 0.12, 0.24, 0.12, 0.25, 0.11, 0.25)}}},
		{Code: "4", Name: "Islands", Version: 1, shape: orb.MultiPolygon{
			{ring(0.15, 0.23, 0.16, 0.23, 0.16, 0.24, 0.15, 0.24)},
			{ring(0.155, 0.245, 0.165, 0.245, 0.165, 0.255, 0.155, 0.255)}}},
	}
}

func printer(t *testing.T, lang string) *i18n.Printer {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cat.For(lang)
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name, lang string
		spec       Spec
	}{
		{"outline", "en", Spec{ID: "areas", Title: "Areas of Riverton", Areas: testAreas()}},
		{"counts", "de", Spec{ID: "report", Title: "Orte nach Gebiet", Areas: testAreas(),
			Values: &Values{Label: "Antworten", ByArea: map[string]float64{"1": 0, "2": 12, "3": 5}},
			Counts: &Counts{Label: "Orte", ByArea: map[string]int{"1": 1, "2": 7, "4": 3, "retired": 2}}}},
		{"rates", "en", Spec{ID: "rates", Title: "Rate per 1,000 residents", Areas: testAreas(),
			Values: &Values{Label: "Rate", ByArea: map[string]float64{"1": 0.25, "2": 1.5, "3": 2.125, "4": 1}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := Render(printer(t, tc.lang), tc.spec)
			got := []byte(string(m.SVG) + "\n")
			checkWellFormed(t, got)
			path := filepath.Join("testdata", tc.name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; if the change is intended, run go test ./internal/geo -run TestRenderGolden -update and review the diff\ngot:\n%s", path, got)
			}
			if again := Render(printer(t, tc.lang), tc.spec); again.SVG != m.SVG {
				t.Error("rendering the same map twice gave different bytes")
			}
		})
	}
}

func TestRenderTableAndLegend(t *testing.T) {
	m := Render(printer(t, "de"), Spec{Title: "x", Areas: testAreas(),
		Values: &Values{Label: "Antworten", ByArea: map[string]float64{"1": 0, "2": 12, "3": 5}},
		Counts: &Counts{Label: "Orte", ByArea: map[string]int{"1": 1, "2": 7, "4": 3, "retired": 2}}})
	var labels []string
	for _, c := range m.Classes {
		labels = append(labels, c.Label)
	}
	if got := strings.Join(labels, " "); got != "0–2 3–5 6–8 9–11 12" {
		t.Errorf("legend %q; want five whole-number classes from 0 to 12", got)
	}
	var rows []string
	for _, r := range m.Rows {
		rows = append(rows, r.Name+"="+r.ValueText+"/"+strconv.Itoa(r.Count)+"/"+strconv.Itoa(r.Class))
	}
	want := "Old Town=0/1/0 Harbour & <Docks>=12/7/4 Ringside=5/0/1 Islands=keine Daten/3/-1"
	if got := strings.Join(rows, " "); got != want {
		t.Errorf("rows %s; want %s", got, want)
	}
	if !m.NoData || m.Unplaced != 2 || m.ValueLabel != "Antworten" || m.CountLabel != "Orte" {
		t.Errorf("no data %v, unplaced %d, labels %q %q; want true, 2 (the retired area's count), Antworten, Orte",
			m.NoData, m.Unplaced, m.ValueLabel, m.CountLabel)
	}

	fractions := Render(printer(t, "de"), Spec{Areas: testAreas(), Values: &Values{ByArea: map[string]float64{"1": 0.5, "2": 1.25}}})
	if got := fractions.Classes[0].Label + " " + fractions.Rows[1].ValueText; got != "0,5–0,65 1,25" {
		t.Errorf("fractional legend and value %q; want German decimals", got)
	}
	if m := Render(printer(t, "en"), Spec{Title: "none"}); m.SVG != "" || len(m.Rows) != 0 {
		t.Errorf("a map without areas drew %q", m.SVG)
	}
}

// TestColoursHaveContrast checks the promise of the palette: every class
// and the no-data fill stand out from the boundary line by 3:1 (WCAG 1.4.11,
// non-text contrast), and the count in a marker is readable (4.5:1).
func TestColoursHaveContrast(t *testing.T) {
	for _, fill := range append(append([]string{}, palette...), noDataFill, plainFill) {
		if c := contrast(fill, boundary); c < 3 {
			t.Errorf("fill %s against the boundary %s: contrast %.2f, want at least 3", fill, boundary, c)
		}
	}
	if c := contrast(markerFill, markerText); c < 4.5 {
		t.Errorf("marker text contrast %.2f, want at least 4.5", c)
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// checkWellFormed parses the SVG as XML and checks what assistive
// technology relies on: role img, a title and description it is labelled
// by, and a title on every area.
func checkWellFormed(t *testing.T, svg []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var paths, pathTitles int
	var inPath bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "path":
				paths++
				inPath = true
			case "title":
				if inPath {
					pathTitles++
				}
			}
		case xml.EndElement:
			if el.Name.Local == "path" {
				inPath = false
			}
		}
	}
	s := string(svg)
	if !strings.Contains(s, `role="img"`) || !strings.Contains(s, `aria-labelledby="`) || !strings.Contains(s, "<desc id=") || paths == 0 || paths != pathTitles {
		t.Errorf("the SVG lacks role, labelled title and description, or a title per area (%d paths, %d titles)", paths, pathTitles)
	}
}

// TestMapsTakeNoCoordinates holds the design that keeps addresses off
// maps: nothing a caller can fill in for Render carries a position. Shapes
// come only from Areas, whose shape is unexported and set from uploads.
func TestMapsTakeNoCoordinates(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		if strings.HasPrefix(typ.PkgPath(), "github.com/paulmach/orb") {
			t.Errorf("%s is a %s: a caller could place a position on a map", path, typ)
			return
		}
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				if f := typ.Field(i); f.IsExported() {
					walk(path+"."+f.Name, f.Type)
				}
			}
		case reflect.Pointer, reflect.Slice:
			walk(path, typ.Elem())
		case reflect.Array:
			t.Errorf("%s is an array (%s), the shape of a coordinate pair", path, typ)
		case reflect.Map:
			walk(path+"[key]", typ.Key())
			walk(path+"[value]", typ.Elem())
		}
	}
	walk("Spec", reflect.TypeFor[Spec]())
}

// BenchmarkRender draws 100 districts of 400 vertices each with values and
// counts: a large city's map on the mapping report, which has a latency
// budget (issue 12: p99 under 300 ms).
func BenchmarkRender(b *testing.B) {
	var areas []Area
	for i := range 100 {
		lon, lat := 0.1+0.01*float64(i%10), 0.2+0.01*float64(i/10)
		var ring orb.Ring
		for k := range 400 {
			a := 2 * math.Pi * float64(k) / 400
			r := 0.004 + 0.0005*math.Sin(7*a)
			ring = append(ring, orb.Point{lon + r*math.Cos(a), lat + r*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		areas = append(areas, Area{Code: strconv.Itoa(i), Name: "District " + strconv.Itoa(i), shape: orb.MultiPolygon{{ring}}})
	}
	values, counts := map[string]float64{}, map[string]int{}
	for i := range 100 {
		values[strconv.Itoa(i)], counts[strconv.Itoa(i)] = float64(i%17), i%5
	}
	cat, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	p := cat.For("en")
	spec := Spec{Title: "bench", Areas: areas, Values: &Values{Label: "v", ByArea: values}, Counts: &Counts{Label: "c", ByArea: counts}}
	b.ReportAllocs()
	for b.Loop() {
		Render(p, spec)
	}
}
