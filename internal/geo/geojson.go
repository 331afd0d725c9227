package geo

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"waymark.city/waymark/internal/apperr"
)

// MaxUpload is the largest GeoJSON file accepted, in bytes. A city's
// districts drawn at street precision are well under a megabyte; ten leave
// room for detailed coastlines without letting one upload fill the memory.
const MaxUpload = 10 << 20

// MaxAreas is the most features one file may hold: more areas than any
// city has districts, quarters or wards.
const MaxAreas = 1000

// maxName bounds an area's name and code in characters.
const maxName = 200

// uploadField is the form field every upload error is reported on.
const uploadField = "file"

// Properties names the feature properties an upload takes the area's name
// and code from. The coordinator's file comes from whatever GIS the city
// uses, so the property names are theirs to give.
type Properties struct {
	// Name is the property holding the area's name; "name" when empty.
	Name string
	// Code is the property holding the area's stable code (a district
	// number); when empty or absent in a feature, the name is the code.
	Code string
}

// feature is one validated area of an upload.
type feature struct {
	name  string
	code  string
	shape orb.MultiPolygon
}

// TooLarge reports whether a body of the given declared length (an HTTP
// Content-Length; -1 when unknown) is over the limit, so a handler can
// refuse a 50 MB file before reading any of it.
func TooLarge(declared int64) bool { return declared > MaxUpload }

// ErrTooLarge is the translated refusal of a file over MaxUpload.
func ErrTooLarge() error {
	return apperr.Validation(apperr.FieldError{Field: uploadField, Key: "error.geo.too_large", Args: map[string]any{"max": MaxUpload >> 20}})
}

// parseAreas reads a GeoJSON FeatureCollection of Polygon and MultiPolygon
// features and returns them as areas. It reads at most MaxUpload+1 bytes,
// so an oversized file is refused without being read whole. Every error is
// a translated validation error on the "file" field; errors about one
// feature name its position (1-based, as a person counts).
func parseAreas(r io.Reader, props Properties) ([]feature, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxUpload+1))
	if _, over := errors.AsType[*http.MaxBytesError](err); over {
		return nil, ErrTooLarge()
	}
	if err != nil {
		return nil, fmt.Errorf("read geojson: %w", err)
	}
	if len(data) > MaxUpload {
		return nil, ErrTooLarge()
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, invalid("error.geo.empty", nil)
	}
	if !json.Valid(data) {
		return nil, invalid("error.geo.not_json", nil)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.Type != "FeatureCollection" {
		return nil, invalid("error.geo.not_collection", nil)
	}
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, invalid("error.geo.bad_geometry", nil)
	}
	if len(fc.Features) == 0 {
		return nil, invalid("error.geo.empty", nil)
	}
	if len(fc.Features) > MaxAreas {
		return nil, invalid("error.geo.too_many", map[string]any{"max": MaxAreas})
	}
	nameProp := props.Name
	if nameProp == "" {
		nameProp = "name"
	}
	out := make([]feature, 0, len(fc.Features))
	codes := map[string]int{}
	for i, f := range fc.Features {
		name, nameKey := textProperty(f.Properties, nameProp)
		// which names the feature in errors as a person finds it in the
		// file: its position, and its name when it has a usable one.
		which := strconv.Itoa(i + 1)
		if nameKey == "" {
			which += " (" + name + ")"
		}
		mp, key := polygons(f.Geometry)
		if key != "" {
			return nil, invalid(key, map[string]any{"feature": which, "type": geometryType(f.Geometry)})
		}
		if key := checkCoordinates(mp); key != "" {
			return nil, invalid(key, map[string]any{"feature": which})
		}
		if nameKey != "" {
			return nil, invalid(nameKey, map[string]any{"feature": which, "property": nameProp})
		}
		code := name
		if props.Code != "" {
			c, key := textProperty(f.Properties, props.Code)
			if key != "" {
				return nil, invalid(key, map[string]any{"feature": which, "property": props.Code})
			}
			code = c
		}
		if utf8.RuneCountInString(name) > maxName || utf8.RuneCountInString(code) > maxName {
			return nil, invalid("error.geo.name_too_long", map[string]any{"feature": which, "max": maxName})
		}
		if first, dup := codes[code]; dup {
			return nil, invalid("error.geo.duplicate_code", map[string]any{"feature": which, "first": first, "code": code})
		}
		codes[code] = i + 1
		out = append(out, feature{name: name, code: code, shape: mp})
	}
	return out, nil
}

// polygons turns a feature's geometry into a MultiPolygon, or says with a
// message key why it is not an area.
func polygons(g orb.Geometry) (orb.MultiPolygon, string) {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}, ""
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, "error.geo.empty_geometry"
		}
		return g, ""
	case nil:
		return nil, "error.geo.empty_geometry"
	}
	return nil, "error.geo.not_polygon"
}

// checkCoordinates returns the message key of the first fault of a
// multipolygon: a ring that is not closed or too short, a position outside
// WGS84 longitude/latitude, or a ring that crosses itself (a bow-tie would
// draw, but wrongly, and a count could land in the wrong half).
func checkCoordinates(mp orb.MultiPolygon) string {
	for _, poly := range mp {
		if len(poly) == 0 {
			return "error.geo.empty_geometry"
		}
		for _, ring := range poly {
			if len(ring) < 4 {
				return "error.geo.ring_too_short"
			}
			if !ring.Closed() {
				return "error.geo.ring_open"
			}
			for _, p := range ring {
				if p.Lon() < -180 || p.Lon() > 180 || p.Lat() < -90 || p.Lat() > 90 {
					return "error.geo.out_of_range"
				}
			}
			if crossesItself(ring) {
				return "error.geo.self_intersection"
			}
		}
	}
	return ""
}

// crossesItself reports whether two edges of a closed ring that are not
// neighbours touch or cross. The edges are swept from west to east, so
// each is compared only with those whose longitudes overlap its own: a
// district's boundary of thousands of positions takes milliseconds.
func crossesItself(ring orb.Ring) bool {
	n := len(ring) - 1 // edges; the last position repeats the first
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	west := func(i int) float64 { return min(ring[i][0], ring[i+1][0]) }
	east := func(i int) float64 { return max(ring[i][0], ring[i+1][0]) }
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(west(a), west(b)) })
	for k, i := range order {
		for _, j := range order[k+1:] {
			if west(j) > east(i) {
				break
			}
			if d := (i - j + n) % n; d == 1 || d == n-1 || d == 0 {
				continue // neighbours share a position
			}
			if segmentsMeet(ring[i], ring[i+1], ring[j], ring[j+1]) {
				return true
			}
		}
	}
	return false
}

// segmentsMeet reports whether segments ab and cd have a point in common.
func segmentsMeet(a, b, c, d orb.Point) bool {
	d1, d2 := turn(c, d, a), turn(c, d, b)
	d3, d4 := turn(a, b, c), turn(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}

// turn is the cross product of (b-a) and (p-a): its sign says on which
// side of the line ab the point p lies, 0 on it.
func turn(a, b, p orb.Point) float64 {
	return (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
}

// onSegment reports whether p, on the line ab, lies between a and b.
func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// geometryType is the GeoJSON type of a feature's geometry, for an error
// saying what the feature is instead of an area.
func geometryType(g orb.Geometry) string {
	if g == nil {
		return "null"
	}
	return g.GeoJSONType()
}

// textProperty returns a property as text with its runs of white space
// made one space: strings as they are, numbers (district numbers) in their
// shortest form. The empty key means it is usable; otherwise the key says
// why not. A name is shown in pages, titles and the audit of maps, so a
// control character is refused rather than stored.
func textProperty(p geojson.Properties, key string) (string, string) {
	var s string
	switch v := p[key].(type) {
	case string:
		s = strings.Join(strings.Fields(v), " ")
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return "", "error.geo.name_required"
	}
	switch {
	case s == "":
		return "", "error.geo.name_required"
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return "", "error.geo.name_control"
	}
	return s, ""
}

func invalid(key string, args map[string]any) error {
	return apperr.Validation(apperr.FieldError{Field: uploadField, Key: key, Args: args})
}
