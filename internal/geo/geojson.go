package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
// multipolygon: a ring that is not closed or too short, or a position
// outside WGS84 longitude/latitude. Self-intersection is not checked (see
// docs/issue12-progress/geo.md): a bow-tie still draws, only wrongly.
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
		}
	}
	return ""
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
