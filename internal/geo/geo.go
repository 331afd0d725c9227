// Package geo is the city's areas and the maps drawn on them, without any
// third party: the coordinator uploads the districts as GeoJSON, and the
// server renders maps as SVG with a table of the same data beside them, so
// a map page works with JavaScript off and sends nothing to another origin.
//
// # Areas
//
// An area is a polygon or multipolygon known by a code (a district number)
// and a name. An upload is the whole set of areas: an area whose name or
// shape changed gets a new version, one missing from the file is retired,
// one unchanged keeps its version. Old versions stay in the table, marked
// replaced, so a map drawn earlier can still be explained. An upload that
// fails validation changes nothing. Uploads are audited.
//
// # Maps show counts per area, never a place
//
// Render takes areas (whose shapes only this package can make: they come
// from uploads) and numbers keyed by area code. There is no way to put a
// coordinate on a map, so no address of a shelter, safe house or person
// can reach one: a locations register gives each location an area and a
// type, and the map shows how many there are per area.
//
// # Basemap
//
// An operator may point Waymark to a PMTiles file (config Basemap); it is
// served to signed-in users from Waymark's own origin with range requests
// (ServeBasemap). Nothing renders it yet: the SVG map is the product, a
// client-side renderer of the basemap is future work.
package geo

import (
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Area is one current (or, in history, former) version of an area.
type Area struct {
	ID      string
	Code    string
	Name    string
	Version int
	// CreatedAt is when this version was uploaded.
	CreatedAt time.Time
	// ReplacedAt is when a later upload replaced or retired this version;
	// zero for a current area.
	ReplacedAt time.Time
	// shape is unexported so that only this package makes areas with a
	// shape, from an upload: a map can draw nothing but uploaded areas.
	shape orb.MultiPolygon
}

// Bound is the area's bounding box (longitude, latitude).
func (a Area) Bound() orb.Bound { return a.shape.Bound() }

// Service keeps the city's areas.
type Service struct {
	db    *storage.DB
	audit *audit.Log
	gate  audit.Gate
	now   func() time.Time
	// current keeps the current areas decoded (see Current).
	current atomic.Pointer[currentAreas]
}

// currentAreas are the current areas as decoded, known by the ids of
// their versions: a new version is a new row, so the same ids are the same
// shapes.
type currentAreas struct {
	ids  string
	list []Area
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, audit: d.Audit, gate: audit.NewGate(d.DB, d.Audit), now: d.Now}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
