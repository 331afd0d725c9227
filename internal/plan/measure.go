package plan

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// inScope limits measures (alias m) to those the scope's organisation ($1)
// owns or is a partner in; "*" is every measure.
const inScope = `($1 = '*' OR m.owner_org = $1 OR EXISTS (SELECT 1 FROM plan_measure_partners p WHERE p.measure_id = m.id AND p.org_id = $1))`

// Measure is a measure of the plan.
type Measure struct {
	ID            string
	Objective     string
	OwnerOrg      string
	OwnerName     string
	Partners      []Org
	StartOn       string
	DueOn         string
	NextReviewOn  string
	Resources     string
	Amount        string // decimal with two places, "" when none is given
	Currency      string
	Programme     string
	Status        Status
	DroppedReason string
	Findings      []FindingRef
	Indicators    []Indicator
	// Progress is filled by Measure only, newest first.
	Progress  []Progress
	UpdatedAt time.Time
	// Overdue: still open after its due date. ReviewDue: still open and its
	// next review is within ReviewWindow or past.
	Overdue   bool
	ReviewDue bool
}

// FindingRef names a finding a measure is taken on.
type FindingRef struct {
	ID    string
	Title string
}

// PartnerIDs lists the ids of the partner organisations.
func (m Measure) PartnerIDs() []string {
	out := make([]string, len(m.Partners))
	for i, p := range m.Partners {
		out[i] = p.ID
	}
	return out
}

// ReportableBy says whether actor may record progress on m: the coordinator
// on every measure, the users of its owner and partners on theirs. It is
// the rule RecordProgress applies in its SQL, for pages to offer the form.
func (m Measure) ReportableBy(actor access.Actor) bool {
	switch access.ReachOf(actor.Role, access.ReportPlanProgress) {
	case access.AllOrgs:
		return true
	case access.OwnOrg:
		return m.OwnerOrg == actor.OrgID || slices.Contains(m.PartnerIDs(), actor.OrgID)
	}
	return false
}

// Indicator is how a measure's effect is measured.
type Indicator struct {
	ID       string
	Name     string
	Unit     string
	Baseline float64
	Target   float64
	// Values are the measured values, oldest first.
	Values []Value
}

// Value is one measured value of an indicator.
type Value struct {
	On    string
	Value float64
}

// Latest is the newest measured value, if any.
func (i Indicator) Latest() (Value, bool) {
	if len(i.Values) == 0 {
		return Value{}, false
	}
	return i.Values[len(i.Values)-1], true
}

// Percent is how far the newest value has come from the baseline towards
// the target, 0–100 (a target below the baseline counts downwards).
func (i Indicator) Percent() int {
	v, ok := i.Latest()
	if !ok || i.Target == i.Baseline {
		return 0
	}
	p := (v.Value - i.Baseline) / (i.Target - i.Baseline) * 100
	return int(math.Round(math.Max(0, math.Min(100, p))))
}

// Progress is one progress report on a measure.
type Progress struct {
	ID       string
	OrgName  string
	Username string
	Status   Status
	Note     string
	At       time.Time
}

// MeasureInput is the measure form.
type MeasureInput struct {
	Objective    string
	OwnerOrg     string
	Partners     []string
	StartOn      string
	DueOn        string
	NextReviewOn string
	Resources    string
	// Amount is a decimal ("12000" or "12000.50"); Currency its ISO 4217
	// code. Both empty when there is no figure.
	Amount        string
	Currency      string
	Programme     string
	Status        Status
	DroppedReason string
	Findings      []string
	Indicators    []IndicatorInput
}

// IndicatorInput is one indicator row of the form. ID is that of an
// existing indicator when editing; a row whose texts are all empty is
// ignored, so forms can offer blank rows.
type IndicatorInput struct {
	ID       string
	Name     string
	Unit     string
	Baseline string
	Target   string
}

// indicator is a checked indicator row.
type indicator struct {
	id, name, unit   string
	baseline, target float64
}

var (
	amountPattern   = regexp.MustCompile(`^[0-9]{1,12}([.,][0-9]{1,2})?$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// cents parses an amount into minor units.
func cents(s string) (int64, bool) {
	if !amountPattern.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// number parses an indicator value; a decimal comma is accepted.
func number(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	return v, err == nil && !math.IsInf(v, 0) && !math.IsNaN(v)
}

// formatNumber writes a value without trailing zeros.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// FormatNumber writes an indicator value for a page.
func FormatNumber(v float64) string { return formatNumber(v) }

func (in *MeasureInput) check() (amount sql.NullInt64, rows []indicator, err error) {
	var f fields
	f.text(&in.Objective, "objective", maxText, true)
	in.OwnerOrg = strings.TrimSpace(in.OwnerOrg)
	if in.OwnerOrg == "" {
		f.Add("owner_org", "actionplan.error.owner")
	}
	in.Partners = clean(in.Partners)
	in.Partners = slices.DeleteFunc(in.Partners, func(p string) bool { return p == in.OwnerOrg })
	if len(in.Partners) > maxPartners {
		f.Add("partners", "actionplan.error.partner")
	}
	in.Findings = clean(in.Findings)
	if len(in.Findings) > maxFindings {
		f.Add("findings", "actionplan.error.finding")
	}
	f.date(&in.StartOn, "start_on", true)
	f.date(&in.DueOn, "due_on", true)
	f.date(&in.NextReviewOn, "next_review_on", false)
	if in.StartOn != "" && in.DueOn != "" && in.DueOn < in.StartOn {
		f.Add("due_on", "actionplan.error.due_before_start")
	}
	f.text(&in.Resources, "resources", maxText, false)
	in.Amount, in.Currency = strings.TrimSpace(in.Amount), strings.ToUpper(strings.TrimSpace(in.Currency))
	if in.Amount != "" {
		n, ok := cents(in.Amount)
		if !ok {
			f.Add("amount", "actionplan.error.amount")
		}
		amount = sql.NullInt64{Int64: n, Valid: ok}
		if !currencyPattern.MatchString(in.Currency) {
			f.Add("currency", "actionplan.error.currency")
		}
	} else if in.Currency != "" {
		f.Add("amount", "actionplan.error.amount")
	}
	f.text(&in.Programme, "programme", maxShort, false)
	in.Status = Status(strings.TrimSpace(string(in.Status)))
	if in.Status == "" {
		in.Status = Planned
	}
	if !oneOf(in.Status, Statuses()) {
		f.Add("status", "actionplan.error.status")
	}
	f.text(&in.DroppedReason, "dropped_reason", maxText, in.Status == Dropped)
	if in.Status != Dropped {
		in.DroppedReason = ""
	}
	for i, r := range in.Indicators {
		r.ID, r.Name, r.Unit = strings.TrimSpace(r.ID), strings.TrimSpace(r.Name), strings.TrimSpace(r.Unit)
		r.Baseline, r.Target = strings.TrimSpace(r.Baseline), strings.TrimSpace(r.Target)
		if r.ID == "" && r.Name == "" && r.Unit == "" && r.Baseline == "" && r.Target == "" {
			continue
		}
		field := fmt.Sprintf("indicator_%d", i)
		if r.Name == "" {
			f.Add(field, "actionplan.error.indicator_name")
		}
		f.text(&r.Name, field, maxShort, false)
		f.text(&r.Unit, field, 50, false)
		base, ok1 := number(r.Baseline)
		target, ok2 := number(r.Target)
		if !ok1 || !ok2 {
			f.Add(field, "actionplan.error.indicator_number")
		}
		rows = append(rows, indicator{id: r.ID, name: r.Name, unit: r.Unit, baseline: base, target: target})
	}
	if len(rows) > MaxIndicators {
		f.Add("indicators", "actionplan.error.indicators")
	}
	return amount, rows, f.Err()
}

// clean trims, drops empty and duplicate ids.
func clean(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkRefs refuses organisations and findings that do not exist.
func checkRefs(ctx context.Context, tx *storage.Tx, in MeasureInput) error {
	var f fields
	for _, q := range []struct {
		table, field, key string
		ids               []string
	}{
		{"organisations", "owner_org", "actionplan.error.owner", []string{in.OwnerOrg}},
		{"organisations", "partners", "actionplan.error.partner", in.Partners},
		{"plan_findings", "findings", "actionplan.error.finding", in.Findings},
	} {
		if len(q.ids) == 0 {
			continue
		}
		list, args := storage.InList(1, q.ids)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+q.table+` WHERE id IN (`+list+`)`, args...).Scan(&n); err != nil {
			return err
		}
		if n != len(q.ids) {
			f.Add(q.field, q.key)
		}
	}
	return f.Err()
}

// CreateMeasure adds a measure to the plan.
func (s *Service) CreateMeasure(ctx context.Context, actor access.Actor, in MeasureInput) (Measure, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePlan, "plan_measure", ""); err != nil {
		return Measure{}, err
	}
	amount, rows, err := in.check()
	if err != nil {
		return Measure{}, err
	}
	id := newID()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkRefs(ctx, tx, in); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_measures
			(id, objective, owner_org, start_on, due_on, next_review_on, resources, amount_cents, currency, programme,
			 status, dropped_reason, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
			id, in.Objective, in.OwnerOrg, in.StartOn, in.DueOn, in.NextReviewOn, in.Resources, amount, in.Currency, in.Programme,
			in.Status, in.DroppedReason, actor.UserID, now); err != nil {
			return err
		}
		if err := s.saveLinks(ctx, tx, id, in, rows); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "plan.measure.create", "plan_measure", id, in.OwnerOrg, "status="+string(in.Status))
	})
	if err != nil {
		return Measure{}, err
	}
	return s.Measure(ctx, actor, id)
}

// UpdateMeasure changes a measure. Indicators are matched by id: a row
// without one is added, an indicator left out is removed unless it has
// measured values (then the change is refused).
func (s *Service) UpdateMeasure(ctx context.Context, actor access.Actor, id string, in MeasureInput) (Measure, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManagePlan, "plan_measure", id); err != nil {
		return Measure{}, err
	}
	amount, rows, err := in.check()
	if err != nil {
		return Measure{}, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := checkRefs(ctx, tx, in); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE plan_measures SET objective = $2, owner_org = $3, start_on = $4, due_on = $5,
			next_review_on = $6, resources = $7, amount_cents = $8, currency = $9, programme = $10, status = $11,
			dropped_reason = $12, updated_at = $13 WHERE id = $1`,
			id, in.Objective, in.OwnerOrg, in.StartOn, in.DueOn, in.NextReviewOn, in.Resources, amount, in.Currency, in.Programme,
			in.Status, in.DroppedReason, s.now())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return errNotFound()
		}
		for _, q := range []string{`DELETE FROM plan_measure_partners WHERE measure_id = $1`, `DELETE FROM plan_measure_findings WHERE measure_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		if err := s.removeIndicators(ctx, tx, id, rows); err != nil {
			return err
		}
		if err := s.saveLinks(ctx, tx, id, in, rows); err != nil {
			return err
		}
		return s.gate.Record(ctx, tx, actor, "plan.measure.update", "plan_measure", id, in.OwnerOrg, "status="+string(in.Status))
	})
	if err != nil {
		return Measure{}, err
	}
	return s.Measure(ctx, actor, id)
}

// removeIndicators deletes the measure's indicators the form left out,
// refusing one that has measured values, and refuses ids of indicators
// of another measure.
func (s *Service) removeIndicators(ctx context.Context, tx *storage.Tx, measureID string, rows []indicator) error {
	current, err := queryIDs(ctx, tx, `SELECT id FROM plan_indicators WHERE measure_id = $1`, measureID)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, r := range rows {
		if r.id != "" {
			if !slices.Contains(current, r.id) {
				return apperr.Validation(apperr.FieldError{Field: "indicators", Key: "actionplan.error.indicator_unknown"})
			}
			keep[r.id] = true
		}
	}
	for _, id := range current {
		if keep[id] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plan_indicator_values WHERE indicator_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Validation(apperr.FieldError{Field: "indicators", Key: "actionplan.error.indicator_in_use"})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_indicators WHERE id = $1`, id); err != nil {
			return err
		}
	}
	return nil
}

// saveLinks writes partners, findings and indicators of a measure.
func (s *Service) saveLinks(ctx context.Context, tx *storage.Tx, id string, in MeasureInput, rows []indicator) error {
	for _, p := range in.Partners {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_measure_partners (measure_id, org_id) VALUES ($1, $2)`, id, p); err != nil {
			return err
		}
	}
	for _, f := range in.Findings {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_measure_findings (measure_id, finding_id) VALUES ($1, $2)`, id, f); err != nil {
			return err
		}
	}
	for i, r := range rows {
		if r.id == "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_indicators (id, measure_id, position, name, unit, baseline, target)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), id, i, r.name, r.unit, r.baseline, r.target); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_indicators SET position = $3, name = $4, unit = $5, baseline = $6, target = $7
			WHERE id = $1 AND measure_id = $2`, r.id, id, i, r.name, r.unit, r.baseline, r.target); err != nil {
			return err
		}
	}
	return nil
}

func queryIDs(ctx context.Context, tx *storage.Tx, q string, args ...any) ([]string, error) {
	var out []string
	err := eachRow(ctx, tx, q, args, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

// Measure returns a measure in the actor's view with its progress reports.
func (s *Service) Measure(ctx context.Context, actor access.Actor, id string) (Measure, error) {
	sc, err := readScope(actor)
	if err != nil {
		return Measure{}, s.gate.Refuse(ctx, actor, access.ViewMunicipal, "plan_measure", id, err)
	}
	var out Measure
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		list, err := s.load(ctx, tx, sc, `m.id = $2`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errNotFound()
		}
		out = list[0]
		out.Progress, err = progressOf(ctx, tx, id)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Measure{}, s.gate.Refuse(ctx, actor, access.ReportPlanProgress, "plan_measure", id, err)
	}
	return out, err
}

// MeasureFilter narrows the list of measures.
type MeasureFilter struct {
	Owner  string
	Status Status
}

// Measures lists the measures in the actor's view: overdue first, then by
// due date.
func (s *Service) Measures(ctx context.Context, actor access.Actor, f MeasureFilter) ([]Measure, error) {
	sc, err := readScope(actor)
	if err != nil {
		return nil, s.gate.Refuse(ctx, actor, access.ViewMunicipal, "plan_measure", "", err)
	}
	var out []Measure
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		out, err = s.load(ctx, tx, sc, `($2 = '' OR m.owner_org = $2) AND ($3 = '' OR m.status = $3)`, f.Owner, string(f.Status))
		return err
	})
	slices.SortStableFunc(out, func(a, b Measure) int {
		switch {
		case a.Overdue && !b.Overdue:
			return -1
		case b.Overdue && !a.Overdue:
			return 1
		}
		return strings.Compare(a.DueOn, b.DueOn)
	})
	return out, err
}

// Overdue lists the measures in the actor's reach that are overdue or due
// for review, overdue first: what the dashboard shows.
func (s *Service) Overdue(ctx context.Context, actor access.Actor) ([]Measure, error) {
	sc, err := access.Authorize(actor, access.ReportPlanProgress)
	if err != nil {
		return nil, err
	}
	today := s.today()
	soon := s.now().In(s.zone).Add(ReviewWindow).Format(time.DateOnly)
	var out []Measure
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		out, err = s.load(ctx, tx, sc, `m.status IN ('planned', 'in_progress') AND (m.due_on < $2 OR (m.next_review_on <> '' AND m.next_review_on <= $3))`, today, soon)
		return err
	})
	slices.SortStableFunc(out, func(a, b Measure) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return strings.Compare(a.DueOn, b.DueOn)
	})
	return out, err
}

// load reads the measures in scope matching where (whose arguments start
// at $2), with partners, findings and indicators.
func (s *Service) load(ctx context.Context, tx *storage.Tx, sc access.Scope, where string, args ...any) ([]Measure, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.objective, m.owner_org, o.name, m.start_on, m.due_on, m.next_review_on,
		m.resources, m.amount_cents, m.currency, m.programme, m.status, m.dropped_reason, m.updated_at
		FROM plan_measures m JOIN organisations o ON o.id = m.owner_org
		WHERE `+inScope+` AND `+where+` ORDER BY m.due_on, m.id`, append([]any{sc.Org()}, args...)...)
	if err != nil {
		return nil, err
	}
	today := s.today()
	soon := s.now().In(s.zone).Add(ReviewWindow).Format(time.DateOnly)
	var out []Measure
	index := map[string]int{}
	for rows.Next() {
		var m Measure
		var amount sql.NullInt64
		if err := rows.Scan(&m.ID, &m.Objective, &m.OwnerOrg, &m.OwnerName, &m.StartOn, &m.DueOn, &m.NextReviewOn,
			&m.Resources, &amount, &m.Currency, &m.Programme, &m.Status, &m.DroppedReason, &m.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		if amount.Valid {
			m.Amount = fmt.Sprintf("%d.%02d", amount.Int64/100, amount.Int64%100)
		}
		m.Overdue = m.Status.Open() && m.DueOn < today
		m.ReviewDue = m.Status.Open() && m.NextReviewOn != "" && m.NextReviewOn <= soon
		index[m.ID] = len(out)
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, len(out))
	for i, m := range out {
		ids[i] = m.ID
	}
	list, inArgs := storage.InList(1, ids)
	if err := eachRow(ctx, tx, `SELECT p.measure_id, o.id, o.name FROM plan_measure_partners p JOIN organisations o ON o.id = p.org_id
		WHERE p.measure_id IN (`+list+`) ORDER BY o.name`, inArgs, func(r *sql.Rows) error {
		var mid string
		var o Org
		if err := r.Scan(&mid, &o.ID, &o.Name); err != nil {
			return err
		}
		m := &out[index[mid]]
		m.Partners = append(m.Partners, o)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, tx, `SELECT mf.measure_id, f.id, f.title FROM plan_measure_findings mf JOIN plan_findings f ON f.id = mf.finding_id
		WHERE mf.measure_id IN (`+list+`) ORDER BY f.created_at, f.id`, inArgs, func(r *sql.Rows) error {
		var mid string
		var f FindingRef
		if err := r.Scan(&mid, &f.ID, &f.Title); err != nil {
			return err
		}
		m := &out[index[mid]]
		m.Findings = append(m.Findings, f)
		return nil
	}); err != nil {
		return nil, err
	}
	type at struct{ measure, indicator int }
	slot := map[string]at{}
	if err := eachRow(ctx, tx, `SELECT measure_id, id, name, unit, baseline, target FROM plan_indicators
		WHERE measure_id IN (`+list+`) ORDER BY position, id`, inArgs, func(r *sql.Rows) error {
		var mid string
		var ind Indicator
		if err := r.Scan(&mid, &ind.ID, &ind.Name, &ind.Unit, &ind.Baseline, &ind.Target); err != nil {
			return err
		}
		m := &out[index[mid]]
		slot[ind.ID] = at{index[mid], len(m.Indicators)}
		m.Indicators = append(m.Indicators, ind)
		return nil
	}); err != nil {
		return nil, err
	}
	err = eachRow(ctx, tx, `SELECT v.indicator_id, v.measured_on, v.value FROM plan_indicator_values v
		JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.measure_id IN (`+list+`) ORDER BY v.measured_on, v.id`, inArgs, func(r *sql.Rows) error {
		var iid string
		var v Value
		if err := r.Scan(&iid, &v.On, &v.Value); err != nil {
			return err
		}
		w := slot[iid]
		ind := &out[w.measure].Indicators[w.indicator]
		ind.Values = append(ind.Values, v)
		return nil
	})
	return out, err
}

// eachRow runs q and hands every row to fn.
func eachRow(ctx context.Context, tx *storage.Tx, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
