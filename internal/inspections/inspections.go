// Package inspections plans and records joint inspections (issue 13 item
// 7): the labour, health, tax and fire inspectorates and the police going
// together to the kinds of place and sectors the local mapping found
// (Danube guidelines §3.4 and p. xii — /work/shared/seeds/). An
// inspection names its kind of place (the mapping's locations
// questionnaire), its area of the city and its sector (the labour
// questionnaire's list), the agencies taking part, the sites visited by
// address and kind, and afterwards what came of it as numbers: workers
// met and what follows up. "Screen a worker" opens a screening (the
// screening capability's record, setting workplace_inspection) linked to
// the inspection; its screenings started and referrals made are counted
// from those links, never typed (see screen.go).
//
// Nothing here is about a person: a screening is the screening
// capability's record, only linked and counted here. The coordinator and
// the police contact points plan inspections (access.ManageInspections)
// and read every one; the staff of an agency taking part read the
// inspections their organisation takes part in, record their outcome and
// screen the workers met (access.TakePartInInspections, scoped in SQL by
// inspection_agencies).
package inspections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Service is the joint inspections.
type Service struct {
	db         *storage.DB
	gate       audit.Gate
	screenings *screening.Store
	areas      func(context.Context) ([]geo.Area, error)
	now        func() time.Time
	zone       *time.Location
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Screenings stores the screenings an inspection starts.
	Screenings *screening.Store
	// Areas are the city's current areas (geo.Service.Current).
	Areas func(context.Context) ([]geo.Area, error)
	// Now defaults to storage.Now; Zone, where "today" is, to time.Local.
	Now  func() time.Time
	Zone *time.Location
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, gate: audit.NewGate(d.DB, d.Audit), screenings: d.Screenings, areas: d.Areas, now: d.Now, zone: d.Zone}
	if s.now == nil {
		s.now = storage.Now
	}
	if s.zone == nil {
		s.zone = time.Local
	}
	if s.areas == nil {
		s.areas = func(context.Context) ([]geo.Area, error) { return nil, nil }
	}
	return s
}

// AgencyKinds are the organisation kinds (accounts.OrgKind codes) that
// take part in a joint inspection.
var AgencyKinds = []string{"labour_inspectorate", "health_inspectorate", "tax_inspectorate", "fire_inspectorate", "police"}

// Statuses of an inspection.
const (
	Planned = "planned"
	Held    = "held"
)

// LocationTypeKnown reports whether code is a kind of place of the
// mapping's register (locations questionnaire).
func LocationTypeKnown(code string) bool {
	return mapping.HasChoice("locations", "location_type", code)
}

// SectorKnown reports whether code is a sector of the mapping's labour
// questionnaire.
func SectorKnown(code string) bool { return mapping.HasChoice("labour_exploitation", "sector", code) }

// Limits.
const (
	// MaxCount is the largest number an outcome takes.
	MaxCount = 100000
	maxSites = 30
	maxText  = 300
	maxNote  = 2000
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// Inspection is a joint inspection.
type Inspection struct {
	ID           string
	PlannedOn    string
	LocationType string
	AreaCode     string
	Sector       string
	Status       string
	HeldOn       string
	WorkersMet   int
	// Screenings are the screenings started from the inspection (linked
	// records), Referrals the referrals made from them.
	Screenings int
	Referrals  int
	// ReportedScreenings and ReportedReferrals are the numbers a team
	// typed before screenings were linked: what the team reported, kept
	// apart and never added to the linked counts.
	ReportedScreenings int
	ReportedReferrals  int
	FollowUp           string
	// Agencies, Sites and Linked are filled by Get; Agencies is a count in
	// lists.
	Agencies    []Agency
	Sites       []Site
	Linked      []Linked
	AgencyCount int
}

// Agency is an organisation taking part.
type Agency struct {
	OrgID, Name, Kind string
}

// Site is a place visited: an address and its kind of place.
type Site struct {
	Address, Type string
}

// Input plans an inspection.
type Input struct {
	PlannedOn    string
	LocationType string
	AreaCode     string
	Sector       string
	Agencies     []string
	Sites        []Site
}

// Outcome is what an inspection found, the number as typed; screenings
// and referrals are counted from the linked records.
type Outcome struct {
	HeldOn     string
	WorkersMet string
	FollowUp   string
}

// Plan records a planned inspection. Its agencies must be active
// inspectorates or police; its kind of place, area and sector those of the
// mapping and the city.
func (s *Service) Plan(ctx context.Context, actor access.Actor, in Input) (Inspection, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageInspections, "inspection", ""); err != nil {
		return Inspection{}, err
	}
	var fe apperr.Fields
	planned, err := time.Parse(time.DateOnly, strings.TrimSpace(in.PlannedOn))
	if err != nil || planned.Year() < 2000 || planned.Year() > 2100 {
		fe.Add("planned_on", "inspections.error.planned_on")
	}
	in.LocationType, in.AreaCode, in.Sector = strings.TrimSpace(in.LocationType), strings.TrimSpace(in.AreaCode), strings.TrimSpace(in.Sector)
	if !LocationTypeKnown(in.LocationType) {
		fe.Add("location_type", "inspections.error.location_type")
	}
	if !SectorKnown(in.Sector) {
		fe.Add("sector", "inspections.error.sector")
	}
	if in.AreaCode != "" {
		areas, err := s.areas(ctx)
		if err != nil {
			return Inspection{}, fmt.Errorf("load the city's areas: %w", err)
		}
		if !slices.ContainsFunc(areas, func(a geo.Area) bool { return a.Code == in.AreaCode }) {
			fe.Add("area", "inspections.error.area")
		}
	}
	var agencies []string
	for _, a := range in.Agencies {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(agencies, a) {
			agencies = append(agencies, a)
		}
	}
	if len(agencies) == 0 {
		fe.Add("agencies", "inspections.error.agencies")
	}
	var sites []Site
	for _, st := range in.Sites {
		st.Address, st.Type = strings.TrimSpace(st.Address), strings.TrimSpace(st.Type)
		if st.Address == "" && st.Type == "" {
			continue
		}
		if st.Address == "" || tooLong(st.Address, maxText) || !LocationTypeKnown(st.Type) {
			fe.Add("sites", "inspections.error.site")
			continue
		}
		sites = append(sites, st)
	}
	if len(sites) > maxSites {
		fe.Add("sites", "inspections.error.site")
	}
	if err := fe.Err(); err != nil {
		return Inspection{}, err
	}
	var out Inspection
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		kinds, args := storage.InList(2, AgencyKinds)
		for _, a := range agencies {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND disabled_at IS NULL AND kind IN (`+kinds+`)`,
				append([]any{a}, args...)...).Scan(&n); err != nil {
				return fmt.Errorf("check agency: %w", err)
			}
			if n == 0 {
				return apperr.Validation(apperr.FieldError{Field: "agencies", Key: "inspections.error.agency_kind"})
			}
		}
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspections (id, planned_on, location_type, area_code, sector, status,
				created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8)`,
			id, planned.Format(time.DateOnly), in.LocationType, in.AreaCode, in.Sector, Planned, actor.UserID, now); err != nil {
			return fmt.Errorf("insert inspection: %w", err)
		}
		for _, a := range agencies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_agencies (inspection_id, org_id) VALUES ($1, $2)`, id, a); err != nil {
				return fmt.Errorf("insert inspection agency: %w", err)
			}
		}
		for i, st := range sites {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_sites (id, inspection_id, position, address, site_type) VALUES ($1, $2, $3, $4, $5)`,
				newID(), id, i, st.Address, st.Type); err != nil {
				return fmt.Errorf("insert inspection site: %w", err)
			}
		}
		if err := s.gate.Record(ctx, tx, actor, "inspections.plan", "inspection", id, "", in.LocationType+","+in.Sector); err != nil {
			return err
		}
		var err error
		out, err = get(ctx, tx, id)
		return err
	})
	return out, err
}

// count reads a typed number: "" is 0.
func count(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= MaxCount
}

// takesPart is the SQL condition that inspection i is in the scope bound
// as $n: every inspection ("*"), or one the organisation takes part in.
func takesPart(n int) string {
	return fmt.Sprintf(`($%[1]d = '*' OR EXISTS (SELECT 1 FROM inspection_agencies p WHERE p.inspection_id = i.id AND p.org_id = $%[1]d))`, n)
}

// visible fails with NotFound unless inspection id is in scope.
func visible(ctx context.Context, tx *storage.Tx, scope access.Scope, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM inspections i WHERE i.id = $1 AND `+takesPart(2), id, scope.Org()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return fmt.Errorf("check inspection %s: %w", id, err)
	}
	return nil
}

// refuseMissing audits an inspection out of the actor's scope (it reads as
// missing) as a refusal, and passes any other error on.
func (s *Service) refuseMissing(ctx context.Context, actor access.Actor, id string, err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return s.gate.Refuse(ctx, actor, access.TakePartInInspections, "inspection", id, err)
	}
	return err
}

// Record records what an inspection found; it is then held. The workers
// met cannot be fewer than the screenings started from it.
func (s *Service) Record(ctx context.Context, actor access.Actor, id string, o Outcome) (Inspection, error) {
	scope, err := s.gate.Authorize(ctx, actor, access.TakePartInInspections, "inspection", id)
	if err != nil {
		return Inspection{}, err
	}
	var fe apperr.Fields
	held, err := time.Parse(time.DateOnly, strings.TrimSpace(o.HeldOn))
	if err != nil || held.Year() < 2000 || held.Format(time.DateOnly) > s.today() {
		fe.Add("held_on", "inspections.error.held_on")
	}
	met, ok := count(o.WorkersMet)
	if !ok {
		fe.Add("workers_met", "inspections.error.count")
	}
	o.FollowUp = strings.TrimSpace(o.FollowUp)
	if tooLong(o.FollowUp, maxNote) {
		fe.Add("follow_up", "inspections.error.follow_up")
	}
	if err := fe.Err(); err != nil {
		return Inspection{}, err
	}
	var out Inspection
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := visible(ctx, tx, scope, id); err != nil {
			return err
		}
		var screened int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspection_screenings WHERE inspection_id = $1`, id).Scan(&screened); err != nil {
			return fmt.Errorf("count inspection screenings: %w", err)
		}
		if met < screened {
			return apperr.Validation(apperr.FieldError{Field: "workers_met", Key: "inspections.error.fewer_than_screened"})
		}
		res, err := tx.ExecContext(ctx, `UPDATE inspections SET status = $1, held_on = $2, workers_met = $3,
			follow_up = $4, updated_by = $5, updated_at = $6 WHERE id = $7`,
			Held, held.Format(time.DateOnly), met, o.FollowUp, actor.UserID, s.now(), id)
		if err != nil {
			return fmt.Errorf("record inspection outcome: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err := s.gate.Record(ctx, tx, actor, "inspections.outcome", "inspection", id, "", ""); err != nil {
			return err
		}
		out, err = get(ctx, tx, id)
		return err
	})
	return out, s.refuseMissing(ctx, actor, id, err)
}

// columns count the linked screenings and their referrals from the
// records (inspection_screenings and identification's referrals).
const columns = `i.id, i.planned_on, i.location_type, i.area_code, i.sector, i.status, i.held_on, i.workers_met,
	(SELECT COUNT(*) FROM inspection_screenings x WHERE x.inspection_id = i.id),
	(SELECT COUNT(*) FROM referrals f JOIN inspection_screenings x ON x.screening_id = f.screening_id WHERE x.inspection_id = i.id),
	i.reported_screenings, i.reported_referrals, i.follow_up, (SELECT COUNT(*) FROM inspection_agencies a WHERE a.inspection_id = i.id)`

func scan(r interface{ Scan(...any) error }) (Inspection, error) {
	var out Inspection
	err := r.Scan(&out.ID, &out.PlannedOn, &out.LocationType, &out.AreaCode, &out.Sector, &out.Status, &out.HeldOn, &out.WorkersMet,
		&out.Screenings, &out.Referrals, &out.ReportedScreenings, &out.ReportedReferrals, &out.FollowUp, &out.AgencyCount)
	return out, err
}

func get(ctx context.Context, tx *storage.Tx, id string) (Inspection, error) {
	out, err := scan(tx.QueryRowContext(ctx, `SELECT `+columns+` FROM inspections i WHERE i.id = $1`, id))
	if err != nil {
		return Inspection{}, fmt.Errorf("load inspection %s: %w", id, storage.MapError(err))
	}
	rows, err := tx.QueryContext(ctx, `SELECT o.id, o.name, o.kind FROM inspection_agencies a JOIN organisations o ON o.id = a.org_id
		WHERE a.inspection_id = $1 ORDER BY o.name, o.id`, id)
	if err != nil {
		return Inspection{}, fmt.Errorf("list inspection agencies: %w", err)
	}
	for rows.Next() {
		var a Agency
		if err := rows.Scan(&a.OrgID, &a.Name, &a.Kind); err != nil {
			rows.Close()
			return Inspection{}, fmt.Errorf("scan inspection agency: %w", err)
		}
		out.Agencies = append(out.Agencies, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Inspection{}, fmt.Errorf("list inspection agencies: %w", err)
	}
	sites, err := tx.QueryContext(ctx, `SELECT address, site_type FROM inspection_sites WHERE inspection_id = $1 ORDER BY position`, id)
	if err != nil {
		return Inspection{}, fmt.Errorf("list inspection sites: %w", err)
	}
	defer sites.Close()
	for sites.Next() {
		var st Site
		if err := sites.Scan(&st.Address, &st.Type); err != nil {
			return Inspection{}, fmt.Errorf("scan inspection site: %w", err)
		}
		out.Sites = append(out.Sites, st)
	}
	return out, sites.Err()
}

// Get is an inspection with its agencies, sites and linked screenings
// (each marked whether the actor may open it).
func (s *Service) Get(ctx context.Context, actor access.Actor, id string) (Inspection, error) {
	scope, err := s.gate.Authorize(ctx, actor, access.TakePartInInspections, "inspection", id)
	if err != nil {
		return Inspection{}, err
	}
	var out Inspection
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		if err := visible(ctx, tx, scope, id); err != nil {
			return err
		}
		var err error
		if out, err = get(ctx, tx, id); err != nil {
			return err
		}
		out.Linked, err = linked(ctx, tx, actor, id)
		return err
	})
	return out, s.refuseMissing(ctx, actor, id, err)
}

// Totals add up the inspections: those held and the workers met there,
// the screenings linked to any inspection and their referrals, and apart
// from them the numbers teams reported before screenings were linked.
type Totals struct {
	Held, WorkersMet, Screenings, Referrals int
	ReportedScreenings, ReportedReferrals   int
}

// Overview is the inspections, latest planned first, and what the held
// ones found.
type Overview struct {
	Inspections []Inspection
	Totals      Totals
}

// List is the overview of the inspections in the actor's scope: every
// one for those who plan them, those their organisation takes part in for
// an agency's staff.
func (s *Service) List(ctx context.Context, actor access.Actor) (Overview, error) {
	scope, err := s.gate.Authorize(ctx, actor, access.TakePartInInspections, "inspection", "")
	if err != nil {
		return Overview{}, err
	}
	var out Overview
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(i.workers_met), 0), COALESCE(SUM(i.reported_screenings), 0),
			COALESCE(SUM(i.reported_referrals), 0) FROM inspections i WHERE i.status = $1 AND `+takesPart(2), Held, scope.Org()).Scan(
			&out.Totals.Held, &out.Totals.WorkersMet, &out.Totals.ReportedScreenings, &out.Totals.ReportedReferrals); err != nil {
			return fmt.Errorf("add up inspections: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT x.screening_id), COUNT(DISTINCT f.id) FROM inspection_screenings x
			JOIN inspections i ON i.id = x.inspection_id LEFT JOIN referrals f ON f.screening_id = x.screening_id
			WHERE `+takesPart(1), scope.Org()).Scan(&out.Totals.Screenings, &out.Totals.Referrals); err != nil {
			return fmt.Errorf("count inspection screenings: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+columns+` FROM inspections i WHERE `+takesPart(1)+`
			ORDER BY i.planned_on DESC, i.id DESC LIMIT 500`, scope.Org())
		if err != nil {
			return fmt.Errorf("list inspections: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			in, err := scan(rows)
			if err != nil {
				return fmt.Errorf("scan inspection: %w", err)
			}
			out.Inspections = append(out.Inspections, in)
		}
		return rows.Err()
	})
	return out, err
}
