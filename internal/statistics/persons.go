package statistics

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Person is one person as the records know them, with the dimensions the
// model counts by. Key is the person key: cases and referrals that the
// records link to one screening are one person (see personKey).
type Person struct {
	Key          string
	FirstContact time.Time
	// Assisted is when the person's first case opened; zero without one.
	Assisted time.Time
	// FirstGrounds is the day of the earliest reasonable-grounds decision;
	// zero without one.
	FirstGrounds time.Time
	Form         string
	Gender       string
	AgeBand      string
	Population   string
	Citizenship  string
	// Citizenships are the ISO codes the citizenship group was taken from
	// (none when unknown); Eurostat's 2011 indicators count by nationality.
	Citizenships []string
	Stage        string
	// OrgID and OrgKind are the organisation of the person's first case,
	// else the receiving organisation of their referral.
	OrgID   string
	OrgKind string
	// RegisteringOrg and RegisteringKind are the organisation that first
	// recorded the person: the one that screened them, else the one that
	// opened their first case.
	RegisteringOrg  string
	RegisteringKind string
	// Area is the city area (areas code) of the latest case that records
	// one; Unknown when none does.
	Area string
	// Reflection is the earliest start of a reflection and recovery period
	// on the person's cases; Permit the earliest day a residence permit was
	// granted (its start, else when it was recorded). Zero when none. The
	// records hold no country of recruitment or exploitation.
	Reflection time.Time
	Permit     time.Time
	// latest is when the case the dimensions were last taken from opened.
	latest time.Time
	stage  int
}

// Event is an indicator reached by a person on a day.
type Event struct {
	Indicator Indicator
	Day       time.Time
	Person    *Person
	// Detail is a referral's status (accepted, declined, pending) or a
	// return's confirmation (received, awaiting).
	Detail string
}

// Model is the persons and their events, read in one transaction.
type Model struct {
	Persons []*Person
	Events  []Event
}

// Forms of exploitation as the model counts them: a person's one form, or
// "multiple" for several, or "unknown".
const Multiple = "multiple"

// personKey links what the records say is one person: a case opened from a
// referral and a case opened from a report turned into a screening belong
// to that screening's person, as do all its referrals (after a declined
// referral the same screening is referred again); a case imported twice
// under the same reference is one person; any other case is its own
// person. The key is an internal join value and is never shown.
const personKey = `CASE WHEN r.screening_id IS NOT NULL THEN 'S:' || r.screening_id
	WHEN p.screening_id IS NOT NULL THEN 'S:' || p.screening_id
	WHEN c.origin = 'import' AND c.origin_id <> '' THEN 'I:' || c.origin_id
	ELSE 'C:' || c.id END`

// stageRank orders the stages for "the furthest stage a person's cases
// reached": a closed case ranks below every open one.
func stageRank(st string) int {
	if st == string(cases.Closed) {
		return 0
	}
	return slices.Index(cases.Stages(), cases.Stage(st)) + 1
}

// load reads the model from the records: codes and dates only. The
// dashboards read the stored facts instead (model), which are derived by
// the same code.
func (s *Service) load(ctx context.Context, tx *storage.Tx) (*Model, error) {
	d, err := s.derive(ctx, tx, false)
	return d.model, err
}

// derived is the model as derived from the records, with the records each
// person was derived from.
type derived struct {
	model *Model
	// cases and referrals map a record's id to its person.
	cases, referrals map[string]*Person
}

// Filters of derive's queries when scoped: only the records a refresh
// put in stat_scope.
const (
	scopedCases     = ` IN (SELECT id FROM stat_scope WHERE kind = 'case')`
	scopedReferrals = ` IN (SELECT id FROM stat_scope WHERE kind = 'referral')`
)

// derive reads the model from the records: all of them, or when scoped
// only the cases and referrals in stat_scope (a refresh puts every record
// of the persons it recomputes there).
func (s *Service) derive(ctx context.Context, tx *storage.Tx, scoped bool) (derived, error) {
	where := func(column, filter string) string {
		if !scoped {
			return ""
		}
		return " AND " + column + filter
	}
	m := &Model{}
	d := derived{model: m, cases: map[string]*Person{}, referrals: map[string]*Person{}}
	byKey := map[string]*Person{}
	person := func(key string, first time.Time, regOrg, regKind string) *Person {
		p := byKey[key]
		if p == nil {
			p = &Person{Key: key, FirstContact: first, Form: Unknown, Gender: Unknown, AgeBand: Unknown, Population: Unknown,
				Citizenship: Unknown, Stage: Unknown, Area: Unknown, RegisteringOrg: regOrg, RegisteringKind: regKind, stage: -1}
			byKey[key] = p
			m.Persons = append(m.Persons, p)
		}
		if first.Before(p.FirstContact) {
			p.FirstContact, p.RegisteringOrg, p.RegisteringKind = first, regOrg, regKind
		}
		return p
	}

	rows, err := tx.QueryContext(ctx, `SELECT c.id, `+personKey+`, c.org_id, o.kind, COALESCE(sr.org_id, sp.org_id, c.org_id),
			COALESCE(osr.kind, osp.kind, o.kind), c.created_at, sr.created_at, sp.created_at, p.created_at,
			c.stage, c.gender, c.age_band, c.child, c.citizenships, c.exploitation, c.reflection_start, c.area_code
		FROM cases c JOIN organisations o ON o.id = c.org_id
			LEFT JOIN referrals r ON c.origin = 'referral' AND r.id = c.origin_id
			LEFT JOIN screenings sr ON sr.id = r.screening_id
			LEFT JOIN organisations osr ON osr.id = sr.org_id
			LEFT JOIN reports p ON c.origin = 'report' AND p.id = c.origin_id
			LEFT JOIN screenings sp ON sp.id = p.screening_id
			LEFT JOIN organisations osp ON osp.id = sp.org_id
		WHERE 1 = 1`+where("c.id", scopedCases)+`
		ORDER BY c.created_at, c.id`)
	if err != nil {
		return d, fmt.Errorf("read cases for statistics: %w", err)
	}
	for rows.Next() {
		var id, key, org, kind, regOrg, regKind, stage, gender, band, citizenships, forms, reflection, area string
		var opened time.Time
		var screened, reportScreened, reported *time.Time
		var child int
		if err := rows.Scan(&id, &key, &org, &kind, &regOrg, &regKind, &opened, &screened, &reportScreened, &reported, &stage, &gender,
			&band, &child, &citizenships, &forms, &reflection, &area); err != nil {
			rows.Close()
			return d, fmt.Errorf("scan case for statistics: %w", err)
		}
		first := earliest(opened, screened, reportScreened, reported)
		p := person(key, first, regOrg, regKind)
		d.cases[id] = p
		if day, err := time.Parse(time.DateOnly, reflection); err == nil && (p.Reflection.IsZero() || day.Before(p.Reflection)) {
			p.Reflection = day
		}
		if p.Assisted.IsZero() {
			p.Assisted, p.OrgID, p.OrgKind = opened, org, kind
			m.Events = append(m.Events, Event{Indicator: Assisted, Day: opened, Person: p})
		}
		if r := stageRank(stage); r > p.stage {
			p.stage, p.Stage = r, stage
		}
		s.describe(p, opened, gender, band, child == 1, citizenships, forms, area)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read cases for statistics: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT r.id, 'S:' || r.screening_id, sc.created_at, r.created_at, r.status, r.responded_at,
			r.population, r.purposes, r.to_org, o.kind, r.from_org, ofrom.kind
		FROM referrals r JOIN organisations o ON o.id = r.to_org JOIN organisations ofrom ON ofrom.id = r.from_org
			LEFT JOIN screenings sc ON sc.id = r.screening_id
		WHERE 1 = 1`+where("r.id", scopedReferrals)+`
		ORDER BY r.created_at, r.id`)
	if err != nil {
		return d, fmt.Errorf("read referrals for statistics: %w", err)
	}
	for rows.Next() {
		var id, key, status, population, purposes, to, kind, from, fromKind string
		var created time.Time
		var screened, responded *time.Time
		if err := rows.Scan(&id, &key, &screened, &created, &status, &responded, &population, &purposes, &to, &kind, &from, &fromKind); err != nil {
			rows.Close()
			return d, fmt.Errorf("scan referral for statistics: %w", err)
		}
		p := person(key, earliest(created, screened), from, fromKind)
		d.referrals[id] = p
		if p.Assisted.IsZero() {
			// Without a case the referral is all the records say about the person.
			p.Population = population
			p.Form = formOf(purposes)
			p.OrgID, p.OrgKind = to, kind
		}
		m.Events = append(m.Events, Event{Indicator: Referred, Day: created, Person: p, Detail: status})
		if responded != nil && status == "accepted" {
			m.Events = append(m.Events, Event{Indicator: Accepted, Day: *responded, Person: p})
		}
		if responded != nil && status == "declined" {
			m.Events = append(m.Events, Event{Indicator: Declined, Day: *responded, Person: p})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read referrals for statistics: %w", err)
	}

	// A review or appeal is a later decision of the same stage: the latest
	// one with an outcome stands, dated by its day.
	rows, err = tx.QueryContext(ctx, `SELECT referral_id, stage, outcome, decided_on FROM referral_decisions WHERE outcome <> ''`+
		where("referral_id", scopedReferrals)+` ORDER BY created_at, id`)
	if err != nil {
		return d, fmt.Errorf("read decisions for statistics: %w", err)
	}
	type standing struct {
		outcome string
		day     time.Time
		p       *Person
	}
	latest := map[[2]string]standing{}
	var order [][2]string
	for rows.Next() {
		var referral, stage, outcome, decided string
		if err := rows.Scan(&referral, &stage, &outcome, &decided); err != nil {
			rows.Close()
			return d, fmt.Errorf("scan decision for statistics: %w", err)
		}
		p := d.referrals[referral]
		day, err := time.Parse(time.DateOnly, decided)
		if p == nil || err != nil {
			continue
		}
		if stage == "reasonable_grounds" && (p.FirstGrounds.IsZero() || day.Before(p.FirstGrounds)) {
			p.FirstGrounds = day
		}
		k := [2]string{referral, stage}
		if _, seen := latest[k]; !seen {
			order = append(order, k)
		}
		latest[k] = standing{outcome: outcome, day: day, p: p}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read decisions for statistics: %w", err)
	}
	for _, k := range order {
		d := latest[k]
		switch {
		case k[1] == "reasonable_grounds":
			m.Events = append(m.Events, Event{Indicator: Grounds, Day: d.day, Person: d.p})
			if d.outcome == "positive" {
				m.Events = append(m.Events, Event{Indicator: GroundsPositive, Day: d.day, Person: d.p})
			}
		case k[1] == "victim_status" && d.outcome == "confirmed":
			m.Events = append(m.Events, Event{Indicator: Identified, Day: d.day, Person: d.p})
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT case_id, travel_on, received_at IS NOT NULL FROM case_returns WHERE travel_on <> ''`+
		where("case_id", scopedCases)+` ORDER BY case_id`)
	if err != nil {
		return d, fmt.Errorf("read returns for statistics: %w", err)
	}
	for rows.Next() {
		var caseID, travel string
		var received bool
		if err := rows.Scan(&caseID, &travel, &received); err != nil {
			rows.Close()
			return d, fmt.Errorf("scan return for statistics: %w", err)
		}
		day, err := time.Parse(time.DateOnly, travel)
		if p := d.cases[caseID]; p != nil && err == nil {
			detail := "awaiting"
			if received {
				detail = "received"
			}
			m.Events = append(m.Events, Event{Indicator: Returned, Day: day, Person: p, Detail: detail})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read returns for statistics: %w", err)
	}
	// A granted permit counts from its start, else from when it was
	// recorded as granted.
	rows, err = tx.QueryContext(ctx, `SELECT case_id, start_on, created_at FROM legal_permits WHERE status = 'granted'`+where("case_id", scopedCases))
	if err != nil {
		return d, fmt.Errorf("read permits for statistics: %w", err)
	}
	for rows.Next() {
		var caseID, start string
		var recorded time.Time
		if err := rows.Scan(&caseID, &start, &recorded); err != nil {
			rows.Close()
			return d, fmt.Errorf("scan permit for statistics: %w", err)
		}
		day, err := time.Parse(time.DateOnly, start)
		if err != nil {
			day = recorded.UTC().Truncate(24 * time.Hour)
		}
		if p := d.cases[caseID]; p != nil && (p.Permit.IsZero() || day.Before(p.Permit)) {
			p.Permit = day
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("read permits for statistics: %w", err)
	}
	sort.SliceStable(m.Events, func(i, j int) bool { return m.Events[i].Day.Before(m.Events[j].Day) })
	return d, nil
}

// earliest is the earliest of t and the times known among more: the first
// contact of a case is its screening's or report's when it has one.
func earliest(t time.Time, more ...*time.Time) time.Time {
	for _, m := range more {
		if m != nil && m.Before(t) {
			t = *m
		}
	}
	return t
}

// describe takes a case's codes into the person: each dimension from the
// latest case that knows it (a case opened from a referral starts with
// gender and citizenship unknown until the worker meets the person).
func (s *Service) describe(p *Person, opened time.Time, gender, band string, child bool, citizenships, forms, area string) {
	newer := !opened.Before(p.latest)
	if newer {
		p.latest = opened
	}
	set := func(field *string, v string) {
		if v != "" && v != Unknown && (newer || *field == Unknown) {
			*field = v
		}
	}
	set(&p.Gender, gender)
	set(&p.AgeBand, band)
	switch {
	case child:
		set(&p.Population, "child")
	case band != Unknown && band != "":
		set(&p.Population, "adult")
	}
	var codes []string
	if json.Unmarshal([]byte(citizenships), &codes) == nil && len(codes) > 0 && (newer || p.Citizenship == Unknown) {
		p.Citizenship, p.Citizenships = CitizenshipGroup(s.country, codes), codes
	}
	set(&p.Form, formOf(forms))
	set(&p.Area, area)
}

// formOf reads a JSON array of forms of exploitation as the model's one
// form: the form, Multiple, or Unknown.
func formOf(forms string) string {
	var list []string
	if json.Unmarshal([]byte(forms), &list) != nil || len(list) == 0 {
		return Unknown
	}
	if len(list) > 1 {
		return Multiple
	}
	return list[0]
}
