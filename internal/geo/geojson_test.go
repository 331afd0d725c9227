package geo

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
)

// square is a closed ring around (lon, lat), size degrees wide.
func square(lon, lat, size float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]",
		lon, lat, lon+size, lat, lon+size, lat+size, lon, lat+size, lon, lat)
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func polygonFeature(props, ring string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`
}

func TestParseAreasAcceptsPolygonsAndMultiPolygons(t *testing.T) {
	file := collection(
		polygonFeature(`{"name":"  Old   Town ","code":1}`, square(10, 50, 0.01)),
		`{"type":"Feature","properties":{"name":"Islands","code":"2"},"geometry":{"type":"MultiPolygon","coordinates":[[`+
			square(10.02, 50, 0.005)+`],[`+square(10.03, 50, 0.005)+`]]}}`,
	)
	got, err := parseAreas(strings.NewReader(file), Properties{Code: "code"})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(got) != 2 || got[0].name != "Old Town" || got[0].code != "1" || got[1].code != "2" || len(got[1].shape) != 2 {
		t.Errorf("parsed %+v; want Old Town (white space made one space, number code 1) and a two-part Islands", got)
	}
	// Without a code property the name is the code.
	got, err = parseAreas(strings.NewReader(file), Properties{})
	if err != nil || got[0].code != "Old Town" {
		t.Errorf("without a code property: %+v, %v; want the name as code", got, err)
	}
}

func TestParseAreasRefusals(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ok := polygonFeature(`{"name":"Harbour"}`, square(10, 50, 0.01))
	point := `{"type":"Feature","properties":{"name":"Station"},"geometry":{"type":"Point","coordinates":[10,50]}}`
	line := `{"type":"Feature","properties":{"name":"Ring road"},"geometry":{"type":"LineString","coordinates":[[10,50],[10.1,50.1]]}}`
	many := make([]string, MaxAreas+1)
	for i := range many {
		many[i] = polygonFeature(fmt.Sprintf(`{"name":"A%d"}`, i), square(10, 50, 0.01))
	}
	for _, tc := range []struct {
		name, file, key string
		// mention is what the English message must contain: the feature
		// it is about, named.
		mention string
	}{
		{"point", collection(ok, point), "error.geo.not_polygon", "Feature 2 (Station) is a Point"},
		{"line", collection(line), "error.geo.not_polygon", "Feature 1 (Ring road) is a LineString"},
		{"null geometry", collection(`{"type":"Feature","properties":{"name":"X"},"geometry":null}`), "error.geo.empty_geometry", "Feature 1 (X)"},
		{"open ring", collection(polygonFeature(`{"name":"Open"}`, "[[10,50],[10.1,50],[10.1,50.1],[10,50.1]]")), "error.geo.ring_open", "Feature 1 (Open)"},
		{"short ring", collection(polygonFeature(`{"name":"Short"}`, "[[10,50],[10.1,50],[10,50]]")), "error.geo.ring_too_short", "Feature 1 (Short)"},
		{"bow-tie", collection(polygonFeature(`{"name":"Bow"}`, "[[10,50],[10.1,50.1],[10.1,50],[10,50.1],[10,50]]")), "error.geo.self_intersection", "Feature 1 (Bow)"},
		{"ring touching itself", collection(polygonFeature(`{"name":"Touch"}`, "[[10,50],[10.2,50],[10.2,50.2],[10.1,50],[10,50.2],[10,50]]")), "error.geo.self_intersection", "Feature 1 (Touch)"},
		{"hole crossing itself", collection(polygonFeature(`{"name":"Hole"}`, "[[10,50],[11,50],[11,51],[10,51],[10,50]],[[10.2,50.2],[10.4,50.4],[10.4,50.2],[10.2,50.4],[10.2,50.2]]")), "error.geo.self_intersection", "Feature 1 (Hole)"},
		{"out of range", collection(ok, polygonFeature(`{"name":"Mars"}`, square(190, 50, 1))), "error.geo.out_of_range", "Feature 2 (Mars)"},
		{"latitude", collection(polygonFeature(`{"name":"Pole"}`, square(10, 89.5, 1))), "error.geo.out_of_range", "Feature 1 (Pole)"},
		{"no name", collection(ok, polygonFeature(`{"title":"Harbour"}`, square(10, 50, 0.01))), "error.geo.name_required", "Feature 2 has no property name"},
		{"control", collection(polygonFeature(`{"name":"Bad\u0007name"}`, square(10, 50, 0.01))), "error.geo.name_control", "Feature 1: the property name contains control"},
		{"duplicate", collection(ok, ok), "error.geo.duplicate_code", "Feature 2 (Harbour) has the code Harbour, which feature 1"},
		{"long", collection(polygonFeature(`{"name":"`+strings.Repeat("x", maxName+1)+`"}`, square(10, 50, 0.01))), "error.geo.name_too_long", "longer than 200"},
		{"not json", "districts.shp", "error.geo.not_json", ""},
		{"empty", "  ", "error.geo.empty", ""},
		{"no features", collection(), "error.geo.empty", ""},
		{"a feature", ok, "error.geo.not_collection", ""},
		{"unknown type", collection(`{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"Circle","coordinates":[10,50]}}`), "error.geo.bad_geometry", ""},
		{"too many", collection(many...), "error.geo.too_many", "1,000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseAreas(strings.NewReader(tc.file), Properties{})
			fe := fieldError(t, err, tc.key)
			for _, lang := range []string{"en", "de"} {
				if msg := cat.For(lang).Field(fe); strings.Contains(msg, "⟦") || strings.Contains(msg, "{") {
					t.Errorf("%s message %q is not fully translated", lang, msg)
				}
			}
			if msg := cat.For("en").Field(fe); !strings.Contains(msg, tc.mention) {
				t.Errorf("message %q does not say %q", msg, tc.mention)
			}
		})
	}
}

// endless is a body of n bytes that counts how much of it was read.
type endless struct{ left, read int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	e.left -= n
	e.read += n
	return int(n), nil
}

func TestParseAreasRefusesA50MBFileWithoutReadingItWhole(t *testing.T) {
	body := &endless{left: 50 << 20}
	_, err := parseAreas(body, Properties{})
	fieldError(t, err, "error.geo.too_large")
	if body.read > MaxUpload+1<<16 {
		t.Errorf("read %d bytes of a 50 MB file; want at most about %d", body.read, MaxUpload)
	}
	if !TooLarge(50<<20) || TooLarge(MaxUpload) || TooLarge(-1) {
		t.Error("TooLarge does not refuse a declared 50 MB body, or refuses one within the limit or of unknown length")
	}
}

func fieldError(t *testing.T, err error, key string) apperr.FieldError {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v; want a validation error %s", err, key)
	}
	e := apperr.As(err)
	if len(e.Fields) != 1 || e.Fields[0].Key != key || e.Fields[0].Field != "file" {
		t.Fatalf("fields %+v; want one error %s on the file field", e.Fields, key)
	}
	return e.Fields[0]
}
