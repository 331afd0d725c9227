package statistics

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/storage"
)

// The stored facts (migration 0052) are the model as derive computes it,
// one row per person and per event: a full rebuild derives every person,
// a refresh only the persons whose records changed. Both use derive, so
// the stored facts are what the per-request model was.

// refreshMargin is how far before the watermark a refresh looks again: a
// PostgreSQL transaction that stamped a record before the last refresh
// but committed after it is still taken in.
const refreshMargin = 10 * time.Second

// RefreshResult says what a refresh did.
type RefreshResult struct {
	// Rebuilt is set when the refresh found the facts never built and
	// built them in full.
	Rebuilt bool
	// Persons were recomputed (0 when nothing changed).
	Persons int
	Version int64
}

// state is the row of stat_state.
type state struct {
	version   int64
	built     bool
	watermark time.Time
	seen      signature
}

// signature is the newest change of each source the facts follow: equal
// signatures mean nothing changed in between.
type signature struct{ cases, referrals, decisions string }

const signatureQuery = `SELECT (SELECT MAX(updated_at) FROM cases), (SELECT MAX(updated_at) FROM referrals),
	(SELECT MAX(created_at) FROM referral_decisions)`

func readSignature(ctx context.Context, tx *storage.Tx) (signature, error) {
	var c, r, d sql.NullString
	if err := tx.QueryRowContext(ctx, signatureQuery).Scan(&c, &r, &d); err != nil {
		return signature{}, fmt.Errorf("read the records' newest changes: %w", err)
	}
	return signature{c.String, r.String, d.String}, nil
}

func readState(ctx context.Context, tx *storage.Tx) (state, error) {
	var st state
	var built, mark *time.Time
	err := tx.QueryRowContext(ctx, `SELECT version, built_at, watermark, cases_seen, referrals_seen, decisions_seen
		FROM stat_state WHERE id = 1`).Scan(&st.version, &built, &mark, &st.seen.cases, &st.seen.referrals, &st.seen.decisions)
	if err != nil {
		return st, fmt.Errorf("read the statistics' state: %w", err)
	}
	st.built = built != nil
	if mark != nil {
		st.watermark = *mark
	}
	return st, nil
}

// Rebuild derives every person from the records and replaces the stored
// facts, in one transaction.
func (s *Service) Rebuild(ctx context.Context) (RefreshResult, error) {
	var res RefreshResult
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		res, err = s.rebuild(ctx, tx)
		return err
	})
	return res, err
}

func (s *Service) rebuild(ctx context.Context, tx *storage.Tx) (RefreshResult, error) {
	now := storage.Now()
	st, err := lockState(ctx, tx)
	if err != nil {
		return RefreshResult{}, err
	}
	sig, err := readSignature(ctx, tx)
	if err != nil {
		return RefreshResult{}, err
	}
	for _, table := range []string{"stat_persons", "stat_events", "stat_sources", "stat_scope"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return RefreshResult{}, fmt.Errorf("empty %s: %w", table, err)
		}
	}
	d, err := s.derive(ctx, tx, false)
	if err != nil {
		return RefreshResult{}, err
	}
	if err := store(ctx, tx, d); err != nil {
		return RefreshResult{}, err
	}
	if err := storeSources(ctx, tx, false); err != nil {
		return RefreshResult{}, err
	}
	res := RefreshResult{Rebuilt: true, Persons: len(d.model.Persons), Version: st.version + 1}
	_, err = tx.ExecContext(ctx, `UPDATE stat_state SET version = $1, built_at = $2, watermark = $2, cases_seen = $3,
		referrals_seen = $4, decisions_seen = $5 WHERE id = 1`, res.Version, now, sig.cases, sig.referrals, sig.decisions)
	if err != nil {
		return res, fmt.Errorf("record the rebuild: %w", err)
	}
	return res, nil
}

// lockState reads the state, holding its row so that refreshes and
// rebuilds of several processes take turns (SQLite has one writer).
func lockState(ctx context.Context, tx *storage.Tx) (state, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE stat_state SET version = version WHERE id = 1`); err != nil {
		return state{}, fmt.Errorf("lock the statistics' state: %w", err)
	}
	return readState(ctx, tx)
}

// Refresh recomputes the persons whose records changed since the last
// refresh (cases, referrals and their decisions; everything recorded on a
// case moves its updated_at through the case gate), and removes the facts
// of cases that are gone when sweep is set (counting the cases is the one
// step that reads every case). Never built facts are rebuilt.
func (s *Service) Refresh(ctx context.Context, sweep bool) (RefreshResult, error) {
	var res RefreshResult
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		res, err = s.refresh(ctx, tx, sweep)
		return err
	})
	return res, err
}

func (s *Service) refresh(ctx context.Context, tx *storage.Tx, sweep bool) (RefreshResult, error) {
	now := storage.Now()
	st, err := lockState(ctx, tx)
	if err != nil {
		return RefreshResult{}, err
	}
	if !st.built {
		return s.rebuild(ctx, tx)
	}
	res := RefreshResult{Version: st.version}
	sig, err := readSignature(ctx, tx)
	if err != nil {
		return res, err
	}
	since := st.watermark.Add(-refreshMargin)
	steps := []struct{ what, q string }{
		{"changed cases", `INSERT INTO stat_scope (kind, id) SELECT 'case', id FROM cases WHERE updated_at > $1 ON CONFLICT DO NOTHING`},
		{"changed referrals", `INSERT INTO stat_scope (kind, id) SELECT 'referral', id FROM referrals WHERE updated_at > $1
			UNION SELECT 'referral', referral_id FROM referral_decisions WHERE created_at > $1 ON CONFLICT DO NOTHING`},
	}
	for _, step := range steps {
		if _, err := tx.ExecContext(ctx, step.q, since); err != nil {
			return res, fmt.Errorf("statistics refresh, %s: %w", step.what, err)
		}
	}
	if sweep {
		var live, stored int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM stat_sources WHERE kind = 'case')`).
			Scan(&live, &stored); err != nil {
			return res, fmt.Errorf("statistics refresh, count cases: %w", err)
		}
		if live != stored {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stat_scope (kind, id) SELECT 'key', person_key FROM stat_sources s
				WHERE kind = 'case' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = s.source_id) ON CONFLICT DO NOTHING`); err != nil {
				return res, fmt.Errorf("statistics refresh, cases gone: %w", err)
			}
		}
	}
	// The persons of the changed records, as the records say now and as
	// the facts said before; then every record of those persons.
	steps = []struct{ what, q string }{
		{"persons of changed cases", `INSERT INTO stat_scope (kind, id) SELECT 'key', ` + personKey + ` FROM cases c
			LEFT JOIN referrals r ON c.origin = 'referral' AND r.id = c.origin_id
			LEFT JOIN reports p ON c.origin = 'report' AND p.id = c.origin_id
			WHERE c.id` + scopedCases + ` ON CONFLICT DO NOTHING`},
		{"persons of changed referrals", `INSERT INTO stat_scope (kind, id) SELECT 'key', 'S:' || screening_id FROM referrals
			WHERE id` + scopedReferrals + ` ON CONFLICT DO NOTHING`},
		{"persons the facts knew", `INSERT INTO stat_scope (kind, id) SELECT 'key', s.person_key FROM stat_sources s
			JOIN stat_scope x ON x.kind = s.kind AND x.id = s.source_id WHERE 1 = 1 ON CONFLICT DO NOTHING`},
		{"cases of their own", `INSERT INTO stat_scope (kind, id) SELECT 'case', substr(id, 3) FROM stat_scope
			WHERE kind = 'key' AND id LIKE 'C:%' ON CONFLICT DO NOTHING`},
		{"imported cases", `INSERT INTO stat_scope (kind, id) SELECT 'case', id FROM cases WHERE origin = 'import'
			AND origin_id IN (SELECT substr(id, 3) FROM stat_scope WHERE kind = 'key' AND id LIKE 'I:%') ON CONFLICT DO NOTHING`},
		{"referrals of screenings", `INSERT INTO stat_scope (kind, id) SELECT 'referral', id FROM referrals
			WHERE screening_id IN (SELECT substr(id, 3) FROM stat_scope WHERE kind = 'key' AND id LIKE 'S:%') ON CONFLICT DO NOTHING`},
		{"cases of referrals", `INSERT INTO stat_scope (kind, id) SELECT 'case', id FROM cases WHERE origin = 'referral'
			AND origin_id` + scopedReferrals + ` ON CONFLICT DO NOTHING`},
		{"cases of screened reports", `INSERT INTO stat_scope (kind, id) SELECT 'case', id FROM cases WHERE origin = 'report'
			AND origin_id IN (SELECT id FROM reports WHERE screening_id IN
				(SELECT substr(id, 3) FROM stat_scope WHERE kind = 'key' AND id LIKE 'S:%')) ON CONFLICT DO NOTHING`},
		{"records the facts knew", `INSERT INTO stat_scope (kind, id) SELECT kind, source_id FROM stat_sources
			WHERE person_key IN (SELECT id FROM stat_scope WHERE kind = 'key') ON CONFLICT DO NOTHING`},
	}
	for _, step := range steps {
		if _, err := tx.ExecContext(ctx, step.q); err != nil {
			return res, fmt.Errorf("statistics refresh, %s: %w", step.what, err)
		}
	}
	var keys int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM stat_scope WHERE kind = 'key'`).Scan(&keys); err != nil {
		return res, fmt.Errorf("statistics refresh: %w", err)
	}
	if keys > 0 {
		d, err := s.derive(ctx, tx, true)
		if err != nil {
			return res, err
		}
		// A record may have moved to a person not yet in scope (a report
		// screened after its case opened): that person is replaced too.
		for _, p := range d.model.Persons {
			if _, err := tx.ExecContext(ctx, `INSERT INTO stat_scope (kind, id) VALUES ('key', $1) ON CONFLICT DO NOTHING`, p.Key); err != nil {
				return res, fmt.Errorf("statistics refresh: %w", err)
			}
		}
		for _, table := range []string{"stat_persons", "stat_events", "stat_sources"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE person_key IN (SELECT id FROM stat_scope WHERE kind = 'key')`); err != nil {
				return res, fmt.Errorf("statistics refresh, replace %s: %w", table, err)
			}
		}
		if err := store(ctx, tx, d); err != nil {
			return res, err
		}
		if err := storeSources(ctx, tx, true); err != nil {
			return res, err
		}
		res.Persons, res.Version = max(keys, len(d.model.Persons)), st.version+1
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM stat_scope`); err != nil {
		return res, fmt.Errorf("statistics refresh: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE stat_state SET version = $1, watermark = $2, cases_seen = $3, referrals_seen = $4,
		decisions_seen = $5 WHERE id = 1`, res.Version, now, sig.cases, sig.referrals, sig.decisions)
	if err != nil {
		return res, fmt.Errorf("statistics refresh, record it: %w", err)
	}
	return res, nil
}

// Keep brings the facts up to date every interval until ctx ends,
// building them first if they never were: when the records' newest change
// moved (a few index lookups; nothing is written otherwise), and once a
// minute in any case, then also sweeping out the facts of cases that are
// gone and taking in a PostgreSQL transaction that committed late with an
// earlier time. Several processes may each keep them: a refresh waits for
// another's.
func (s *Service) Keep(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	var lastSweep time.Time
	for {
		var err error
		if time.Since(lastSweep) >= time.Minute {
			s.refreshMu.Lock()
			_, err = s.Refresh(ctx, true)
			s.refreshMu.Unlock()
			if err == nil {
				lastSweep = time.Now()
			}
		} else {
			_, err = s.fresh(ctx)
		}
		if err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Columns of the stored facts.
var (
	personCols = []string{"person_key", "first_contact", "first_year", "assisted", "first_grounds", "reflection", "permit", "form",
		"gender", "age_band", "population", "citizenship", "citizenships", "stage", "org_id", "org_kind", "registering_org",
		"registering_kind", "area"}
	eventCols = []string{"person_key", "seq", "indicator", "day", "year", "detail"}
)

// store writes the derived persons and their events.
func store(ctx context.Context, tx *storage.Tx, d derived) error {
	persons := newInserter(tx, "stat_persons", personCols)
	for _, p := range d.model.Persons {
		codes, err := json.Marshal(p.Citizenships)
		if err != nil {
			return err
		}
		if p.Citizenships == nil {
			codes = []byte("[]")
		}
		if err := persons.add(ctx, p.Key, p.FirstContact, p.FirstContact.UTC().Year(), nullTime(p.Assisted), nullTime(p.FirstGrounds),
			nullTime(p.Reflection), nullTime(p.Permit), p.Form, p.Gender, p.AgeBand, p.Population, p.Citizenship, string(codes), p.Stage,
			p.OrgID, p.OrgKind, p.RegisteringOrg, p.RegisteringKind, p.Area); err != nil {
			return err
		}
	}
	if err := persons.flush(ctx); err != nil {
		return err
	}
	events := newInserter(tx, "stat_events", eventCols)
	seq := map[*Person]int{}
	for _, e := range d.model.Events {
		n := seq[e.Person]
		seq[e.Person] = n + 1
		if err := events.add(ctx, e.Person.Key, n, string(e.Indicator), e.Day, e.Day.UTC().Year(), e.Detail); err != nil {
			return err
		}
	}
	return events.flush(ctx)
}

// storeSources records which person each case and referral belongs to,
// by the same person key derive uses: all records, or when scoped those
// in stat_scope.
func storeSources(ctx context.Context, tx *storage.Tx, scoped bool) error {
	cases, referrals := "", ""
	if scoped {
		cases, referrals = " AND c.id"+scopedCases, " AND id"+scopedReferrals
	}
	for _, q := range []string{
		`INSERT INTO stat_sources (kind, source_id, person_key) SELECT 'case', c.id, ` + personKey + ` FROM cases c
			LEFT JOIN referrals r ON c.origin = 'referral' AND r.id = c.origin_id
			LEFT JOIN reports p ON c.origin = 'report' AND p.id = c.origin_id
			WHERE 1 = 1` + cases + ` ON CONFLICT (kind, source_id) DO UPDATE SET person_key = excluded.person_key`,
		`INSERT INTO stat_sources (kind, source_id, person_key) SELECT 'referral', id, 'S:' || screening_id FROM referrals
			WHERE 1 = 1` + referrals + ` ON CONFLICT (kind, source_id) DO UPDATE SET person_key = excluded.person_key`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("record the statistics' sources: %w", err)
		}
	}
	return nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// inserter writes rows in multi-row INSERTs through one prepared
// statement per size. SQLite looks parameters up by a linear scan, so its
// statements are shorter.
type inserter struct {
	tx    *storage.Tx
	table string
	cols  []string
	per   int
	vals  []any
	stmt  *sql.Stmt
}

func newInserter(tx *storage.Tx, table string, cols []string) *inserter {
	per := 500
	if tx.Engine == storage.SQLite {
		per = 8
	}
	return &inserter{tx: tx, table: table, cols: cols, per: per}
}

func (in *inserter) add(ctx context.Context, row ...any) error {
	in.vals = append(in.vals, row...)
	if len(in.vals) < in.per*len(in.cols) {
		return nil
	}
	if in.stmt == nil {
		var err error
		if in.stmt, err = in.tx.PrepareContext(ctx, in.query(in.per)); err != nil {
			return fmt.Errorf("prepare %s: %w", in.table, err)
		}
	}
	if _, err := in.stmt.ExecContext(ctx, in.vals...); err != nil {
		return fmt.Errorf("write %s: %w", in.table, err)
	}
	in.vals = in.vals[:0]
	return nil
}

func (in *inserter) flush(ctx context.Context) error {
	if in.stmt != nil {
		defer in.stmt.Close()
	}
	if len(in.vals) == 0 {
		return nil
	}
	if _, err := in.tx.ExecContext(ctx, in.query(len(in.vals)/len(in.cols)), in.vals...); err != nil {
		return fmt.Errorf("write %s: %w", in.table, err)
	}
	return nil
}

func (in *inserter) query(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + in.table + " (" + strings.Join(in.cols, ", ") + ") VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range in.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(r*len(in.cols)+c+1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// fresh brings the facts up to date when the records changed since the
// last refresh (comparing the newest change of each source, a few index
// lookups) and returns their version.
func (s *Service) fresh(ctx context.Context) (int64, error) {
	current := func() (state, bool, error) {
		var st state
		var same bool
		err := s.db.Read(ctx, func(tx *storage.Tx) error {
			var err error
			if st, err = readState(ctx, tx); err != nil {
				return err
			}
			sig, err := readSignature(ctx, tx)
			same = sig == st.seen
			return err
		})
		return st, st.built && same, err
	}
	st, ok, err := current()
	if err != nil || ok {
		return st.version, err
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	// Another request may have refreshed while this one waited.
	if st, ok, err = current(); err != nil || ok {
		return st.version, err
	}
	res, err := s.Refresh(ctx, false)
	return res.Version, err
}

// model reads the stored facts a year's tables need, after bringing them
// up to date: the persons with an event in the year or first met in it,
// and the year's events.
func (s *Service) model(ctx context.Context, year int) (*Model, error) {
	if _, err := s.fresh(ctx); err != nil {
		return nil, err
	}
	m := &Model{}
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		m, err = readFacts(ctx, tx, year)
		return err
	})
	return m, err
}

func readFacts(ctx context.Context, tx *storage.Tx, year int) (*Model, error) {
	m := &Model{}
	byKey := map[string]*Person{}
	const cols = `person_key, first_contact, assisted, first_grounds, reflection, permit, form, gender, age_band, population,
		citizenship, citizenships, stage, org_id, org_kind, registering_org, registering_kind, area`
	// Two indexed reads, not a UNION: deduplicating whole rows would sort
	// them all.
	for _, q := range []string{
		`SELECT ` + cols + ` FROM stat_persons WHERE first_year = $1`,
		`SELECT ` + cols + ` FROM stat_persons WHERE first_year <> $1
			AND person_key IN (SELECT person_key FROM stat_events WHERE year = $1)`,
	} {
		if err := readPersons(ctx, tx, q, year, m, byKey); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT person_key, indicator, day, detail FROM stat_events WHERE year = $1
		ORDER BY day, person_key, seq`, year)
	if err != nil {
		return nil, fmt.Errorf("read the statistics' events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, indicator string
		var e Event
		if err := rows.Scan(&key, &indicator, &e.Day, &e.Detail); err != nil {
			return nil, fmt.Errorf("scan a statistics event: %w", err)
		}
		e.Indicator, e.Day, e.Person = Indicator(indicator), e.Day.UTC(), byKey[key]
		if e.Person != nil {
			m.Events = append(m.Events, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the statistics' events: %w", err)
	}
	return m, nil
}

// readPersons adds the persons q reads to the model.
func readPersons(ctx context.Context, tx *storage.Tx, q string, year int, m *Model, byKey map[string]*Person) error {
	rows, err := tx.QueryContext(ctx, q, year)
	if err != nil {
		return fmt.Errorf("read the statistics' persons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &Person{}
		var assisted, grounds, reflection, permit *time.Time
		var codes string
		if err := rows.Scan(&p.Key, &p.FirstContact, &assisted, &grounds, &reflection, &permit, &p.Form, &p.Gender, &p.AgeBand,
			&p.Population, &p.Citizenship, &codes, &p.Stage, &p.OrgID, &p.OrgKind, &p.RegisteringOrg, &p.RegisteringKind, &p.Area); err != nil {
			return fmt.Errorf("scan a statistics person: %w", err)
		}
		p.FirstContact = p.FirstContact.UTC()
		p.Assisted, p.FirstGrounds, p.Reflection, p.Permit = timeOf(assisted), timeOf(grounds), timeOf(reflection), timeOf(permit)
		if err := json.Unmarshal([]byte(codes), &p.Citizenships); err != nil {
			return fmt.Errorf("statistics person's citizenships: %w", err)
		}
		if len(p.Citizenships) == 0 {
			p.Citizenships = nil
		}
		byKey[p.Key] = p
		m.Persons = append(m.Persons, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the statistics' persons: %w", err)
	}
	return nil
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
