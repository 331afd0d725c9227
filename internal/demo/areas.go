package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/geo"
)

// districts are Riverton's six districts, drawn by hand on a made-up
// layout: the river runs west to east between the northern and southern
// districts, the harbour wraps round the old town's south-east corner. The
// coordinates lie on the open sea near 0° 0°, so no real place is shown as
// Riverton. Codes are the district numbers other demo data refers to.
var districts = []struct {
	code, name string
	ring       [][2]float64
}{
	{"1", "Old Town", [][2]float64{{0.120, 0.220}, {0.140, 0.220}, {0.140, 0.235}, {0.120, 0.237}}},
	{"2", "Harbour", [][2]float64{{0.120, 0.205}, {0.160, 0.203}, {0.160, 0.235}, {0.140, 0.235}, {0.140, 0.220}, {0.120, 0.220}}},
	{"3", "Riverside", [][2]float64{{0.100, 0.207}, {0.120, 0.205}, {0.120, 0.237}, {0.100, 0.238}}},
	{"4", "North End", [][2]float64{{0.100, 0.238}, {0.120, 0.237}, {0.140, 0.235}, {0.140, 0.255}, {0.102, 0.256}}},
	{"5", "Station Quarter", [][2]float64{{0.140, 0.235}, {0.160, 0.235}, {0.163, 0.252}, {0.140, 0.255}}},
	{"6", "Hillcrest", [][2]float64{{0.100, 0.190}, {0.158, 0.188}, {0.160, 0.203}, {0.120, 0.205}, {0.100, 0.207}}},
}

// seedAreas uploads Riverton's districts as the coordinator would, as a
// GeoJSON file.
func seedAreas(ctx context.Context, d Deps, coordinator access.Actor) error {
	type feature struct {
		Type       string            `json:"type"`
		Properties map[string]string `json:"properties"`
		Geometry   map[string]any    `json:"geometry"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for _, di := range districts {
		ring := append(append([][2]float64{}, di.ring...), di.ring[0])
		fc.Features = append(fc.Features, feature{Type: "Feature", Properties: map[string]string{"name": di.name, "code": di.code},
			Geometry: map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}}})
	}
	file, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	if _, err := d.Geo.Upload(ctx, coordinator, bytes.NewReader(file), geo.Properties{Name: "name", Code: "code"}); err != nil {
		return fmt.Errorf("seed areas: %w", err)
	}
	return nil
}
