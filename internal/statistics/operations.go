package statistics

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/training"
)

// Operations serves the second statistics page: how the partnership's
// services worked in a year — shelter occupancy, the triage's first
// responses against their deadlines, return follow-ups, training,
// campaigns and the mapping. Counts only, read from the records at the
// level of the organisation; no person is named or described.
type Operations struct {
	s *Service
	// deadline is the triage's first-response deadline of an urgency, as
	// the intake package has it configured.
	deadline func(urgency string) time.Duration
}

// Operations returns the operations figures of s, measuring the triage
// against deadline (intake.Service.Deadline).
func (s *Service) Operations(deadline func(urgency string) time.Duration) *Operations {
	return &Operations{s: s, deadline: deadline}
}

// Triage outcomes of a report: its first response within the deadline of
// its urgency, after it, or none yet (overdue, or still within it).
const (
	WithinDeadline = "within"
	Late           = "late"
	Overdue        = "overdue"
	NotYetDue      = "not_yet_due"
)

// TriageOutcomes lists the outcomes in display order.
func TriageOutcomes() []string { return []string{WithinDeadline, Late, Overdue, NotYetDue} }

// Follow-ups of a return by what happened to them by the day of reading
// (and Overdue).
const (
	DoneOnTime = "on_time"
	DoneLate   = "late"
	Upcoming   = "upcoming"
)

// FollowUpStates lists the follow-up states in display order.
func FollowUpStates() []string { return []string{DoneOnTime, DoneLate, Overdue, Upcoming} }

// OperationsPage is the operations figures of one year.
type OperationsPage struct {
	Year      int
	Years     []int
	Protected bool
	Threshold int

	// Occupancy: persons placed in a shelter by month and the share of the
	// shelter places they took; capacity as the directory records it today.
	Placed    Chart
	Occupancy []MonthShare
	// YearOccupancy is the share of the places taken over the year so far,
	// shown when the year's count of persons placed is published.
	YearOccupancy Rate
	Shelters      int
	Capacity      int
	// Triage: reports received in the year by the outcome of their first
	// response, the share within the deadline by month of receipt, and the
	// hours to the first response.
	Triage      Chart
	TriageShare []MonthShare
	Response    Timing
	// Return follow-ups due in the year.
	FollowUps Chart
	// Training: sessions (not about persons), participants by month and by
	// actor group.
	Sessions       Chart
	Participants   Chart
	ParticipantsBy Chart
	// Campaigns running in the year, people reached as counted, and public
	// reports naming a campaign material's code.
	Campaigns       int
	Reach           Chart
	CampaignReports Chart
	// Mapping rounds whose period meets the year, by status, and the
	// responses submitted.
	Rounds    Chart
	Responses Chart
}

// MonthShare is a month's share in percent; Shown is false when a count
// behind it is withheld or, Empty, there is nothing to divide.
type MonthShare struct {
	Month    string
	LabelKey string
	Rate
	Empty bool
}

// Year returns the operations figures of year (the current year when
// 0) for actor; counts of persons (placements, reports, follow-ups,
// participants, people reached, responses) go through disclosure control
// for a reader who may not see personal data.
func (o *Operations) Year(ctx context.Context, actor access.Actor, year int) (OperationsPage, error) {
	scope, err := o.s.gate.Authorize(ctx, actor, access.ViewStatistics, "statistics", "operations")
	if err != nil {
		return OperationsPage{}, err
	}
	now := o.s.now().UTC()
	if year == 0 {
		year = now.Year()
	}
	if year < 2000 || year > now.Year() {
		return OperationsPage{}, apperr.New(apperr.Invalid, "statistics.error.year")
	}
	p := OperationsPage{Year: year, Protected: Protected(actor), Threshold: disclosure.DefaultThreshold}
	for y := now.Year(); y >= now.Year()-4; y-- {
		p.Years = append(p.Years, y)
	}
	r := opsReader{year: year, months: 12, now: now, org: scope.Org(), protect: p.Protected, deadline: o.deadline}
	if year == now.Year() {
		r.months = int(now.Month())
	}
	err = o.s.db.Read(ctx, func(tx *storage.Tx) error {
		for _, read := range []func(context.Context, *storage.Tx, *OperationsPage) error{
			r.occupancy, r.triage, r.followUps, r.training, r.campaigns, r.mapping,
		} {
			if err := read(ctx, tx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return OperationsPage{}, err
	}
	return p, nil
}

// opsReader reads the figures of one year, up to its last month or the
// current one.
type opsReader struct {
	year, months int
	now          time.Time
	org          string
	protect      bool
	deadline     func(string) time.Duration
}

func (r opsReader) start() time.Time { return time.Date(r.year, time.January, 1, 0, 0, 0, 0, time.UTC) }
func (r opsReader) end() time.Time   { return r.start().AddDate(1, 0, 0) }

func (r opsReader) monthCodes() []string {
	var out []string
	for m := 1; m <= r.months; m++ {
		out = append(out, fmt.Sprintf("%02d", m))
	}
	return out
}

// month is the index of the month of t (0 for January).
func month(t time.Time) int { return int(t.UTC().Month()) - 1 }

// dayMonth is the month index of a YYYY-MM-DD day in the year, or -1.
func (r opsReader) dayMonth(day string) int {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil || t.Year() != r.year {
		return -1
	}
	return month(t)
}

// counted makes a table of counts, protected when persons are counted and
// the reader may not see personal data.
func (r opsReader) counted(id string, dims []disclosure.Dimension, counts []int, persons bool) (*disclosure.Table, error) {
	t, err := disclosure.New(disclosure.Input{Dimensions: dims, Counts: counts})
	if err != nil {
		return nil, fmt.Errorf("statistics table %s: %w", id, err)
	}
	if !persons || !r.protect {
		return t, nil
	}
	p, err := disclosure.Protect(t, disclosure.Rules{})
	if err != nil {
		return nil, fmt.Errorf("protect statistics table %s: %w", id, err)
	}
	return p, nil
}

func dimension(code string, cats []string) disclosure.Dimension {
	d := disclosure.Dimension{Code: code}
	for _, c := range cats {
		d.Categories = append(d.Categories, disclosure.Category{Code: c})
	}
	return d
}

// chart is a one-dimensional chart of counts by category.
func (r opsReader) chart(id, title, prefix string, cats []string, counts []int, persons bool) (Chart, error) {
	t, err := r.counted(id, []disclosure.Dimension{dimension(id, cats)}, counts[:len(cats)], persons)
	if err != nil {
		return Chart{}, err
	}
	return chartOf(id, title, prefix, cats, func(i int) disclosure.Cell { c, _ := t.Cell(i); return c }), nil
}

// chartOf builds a chart from the cells of its categories (disclosure.Total
// for the total).
func chartOf(id, title, prefix string, cats []string, cell func(int) disclosure.Cell) Chart {
	c := Chart{ID: id, TitleKey: title}
	for i, code := range cats {
		c.Rows = append(c.Rows, Row{Code: code, LabelKey: prefix + code, Cell: Figure{cell(i)}})
	}
	c.Total = Figure{cell(disclosure.Total)}
	return c
}

// byMonth is a chart of counts by month of the year, up to the current
// month.
func (r opsReader) byMonth(id, title string, counts [12]int, persons bool) (Chart, error) {
	return r.chart(id, title, "statistics.month.", r.monthCodes(), counts[:], persons)
}

// share is part of a whole in percent, the whole being the sum of the
// counts of of less those of less; shown only when every count behind it
// is published and the whole is above zero (empty when it is zero).
func share(part disclosure.Cell, of []disclosure.Cell, less ...disclosure.Cell) (r Rate, empty bool) {
	whole := 0
	for _, c := range of {
		whole += c.Shown()
	}
	for _, c := range less {
		whole -= c.Shown()
	}
	withheld := func(c disclosure.Cell) bool { return c.Status == disclosure.Suppressed }
	if withheld(part) || slices.ContainsFunc(of, withheld) || slices.ContainsFunc(less, withheld) {
		return Rate{}, false
	}
	if whole <= 0 {
		return Rate{}, true
	}
	return Rate{Percent: (100*part.Shown() + whole/2) / whole, Shown: true}, false
}

// monthSpan is the part of month m (0-based) of the year up to now.
func (r opsReader) monthSpan(m int) (from, to time.Time) {
	from = time.Date(r.year, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
	return from, earlier(from.AddDate(0, 1, 0), r.now)
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// occupancy counts the persons in a shelter each month (a placement taken
// up before the month's end and not ended by its start) and the share of
// the shelter places they took, against the capacity the directory records
// today: it keeps no history of capacity.
func (r opsReader) occupancy(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(places_total), 0) FROM service_providers
		WHERE active = 1 AND types LIKE '%"shelter"%' AND places_total > 0`).Scan(&p.Shelters, &p.Capacity); err != nil {
		return fmt.Errorf("read shelter capacity: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT case_id, answered_at, ended_at FROM service_referrals
		WHERE placement = 1 AND status IN ('accepted', 'ended') AND answered_at IS NOT NULL
			AND answered_at < $1 AND (ended_at IS NULL OR ended_at > $2) AND ($3 = '*' OR org_id = $3)`, r.end(), r.start(), r.org)
	if err != nil {
		return fmt.Errorf("read placements: %w", err)
	}
	defer rows.Close()
	persons := make([]map[string]bool, 12)
	var placeDays [12]float64
	for rows.Next() {
		var caseID string
		var from time.Time
		var until *time.Time
		if err := rows.Scan(&caseID, &from, &until); err != nil {
			return fmt.Errorf("scan placement: %w", err)
		}
		to := r.now
		if until != nil {
			to = *until
		}
		for m := range r.months {
			ms, me := r.monthSpan(m)
			if !from.Before(me) || !to.After(ms) {
				continue
			}
			if persons[m] == nil {
				persons[m] = map[string]bool{}
			}
			persons[m][caseID] = true
			placeDays[m] += earlier(to, me).Sub(later(from, ms)).Hours() / 24
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read placements: %w", err)
	}
	var counts [12]int
	for m, set := range persons {
		counts[m] = len(set)
	}
	if p.Placed, err = r.byMonth("placed", "statistics.ops.placed", counts, true); err != nil {
		return err
	}
	percent := func(placeDays, days float64) Rate {
		return Rate{Percent: int(100*placeDays/(float64(p.Capacity)*days) + 0.5), Shown: true}
	}
	var allPlaceDays, allDays float64
	for m, code := range r.monthCodes() {
		ms, me := r.monthSpan(m)
		days := me.Sub(ms).Hours() / 24
		allPlaceDays, allDays = allPlaceDays+placeDays[m], allDays+days
		row := MonthShare{Month: code, LabelKey: "statistics.month." + code}
		if p.Capacity > 0 && days > 0 && !p.Placed.Rows[m].Cell.Withheld() {
			row.Rate = percent(placeDays[m], days)
		}
		p.Occupancy = append(p.Occupancy, row)
	}
	if p.Capacity > 0 && allDays > 0 && !p.Placed.Total.Withheld() {
		p.YearOccupancy = percent(allPlaceDays, allDays)
	}
	return nil
}

// triage sorts the reports received in the year by their first response
// against the deadline of their urgency, by month of receipt, in one table
// so that the margins by outcome and the monthly shares are protected
// together; and the hours to the first response.
func (r opsReader) triage(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	rows, err := tx.QueryContext(ctx, `SELECT urgency, created_at, first_response_at FROM reports
		WHERE created_at >= $1 AND created_at < $2 AND ($3 = '*' OR org_id = $3)`, r.start(), r.end(), r.org)
	if err != nil {
		return fmt.Errorf("read reports for statistics: %w", err)
	}
	defer rows.Close()
	outcomes := TriageOutcomes()
	counts := make([]int, r.months*len(outcomes))
	var hours []int
	for rows.Next() {
		var urgency string
		var received time.Time
		var answered *time.Time
		if err := rows.Scan(&urgency, &received, &answered); err != nil {
			return fmt.Errorf("scan report for statistics: %w", err)
		}
		due := received.Add(r.deadline(urgency))
		o := 3
		switch {
		case answered != nil && !answered.After(due):
			o = 0
		case answered != nil:
			o = 1
		case r.now.After(due):
			o = 2
		}
		if answered != nil {
			hours = append(hours, int(answered.Sub(received).Hours()))
		}
		if m := month(received); m < r.months {
			counts[m*len(outcomes)+o]++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read reports for statistics: %w", err)
	}
	months := r.monthCodes()
	t, err := r.counted("triage", []disclosure.Dimension{dimension("month", months), dimension("outcome", outcomes)}, counts, true)
	if err != nil {
		return err
	}
	p.Triage = chartOf("triage", "statistics.ops.triage", "statistics.ops.triage.", outcomes,
		func(i int) disclosure.Cell { c, _ := t.Cell(disclosure.Total, i); return c })
	for m, code := range months {
		// The share is of the reports whose deadline has passed: those
		// still within it are neither on time nor late yet.
		within, _ := t.Cell(m, 0)
		whole, _ := t.Cell(m, disclosure.Total)
		open, _ := t.Cell(m, 3)
		row := MonthShare{Month: code, LabelKey: "statistics.month." + code}
		row.Rate, row.Empty = share(within, []disclosure.Cell{whole}, open)
		p.TriageShare = append(p.TriageShare, row)
	}
	sort.Ints(hours)
	p.Response = Timing{ID: "first_response", TitleKey: "statistics.ops.first_response", N: len(hours)}
	switch {
	case r.protect && p.Response.N <= disclosure.DefaultThreshold:
		p.Response.Withheld = p.Response.N > 0
		p.Response.N = 0
	case p.Response.N > 0:
		p.Response.Median, p.Response.P90 = percentile(hours, 50), percentile(hours, 90)
	}
	return nil
}

// followUps counts the follow-ups of returns due in the year by what
// happened to them by today.
func (r opsReader) followUps(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	rows, err := tx.QueryContext(ctx, `SELECT due_on, done_on FROM case_return_followups
		WHERE due_on >= $1 AND due_on < $2 AND ($3 = '*' OR org_id = $3)`,
		r.start().Format(time.DateOnly), r.end().Format(time.DateOnly), r.org)
	if err != nil {
		return fmt.Errorf("read return follow-ups: %w", err)
	}
	defer rows.Close()
	states := FollowUpStates()
	counts := make([]int, len(states))
	today := r.now.Format(time.DateOnly)
	for rows.Next() {
		var due, done string
		if err := rows.Scan(&due, &done); err != nil {
			return fmt.Errorf("scan return follow-up: %w", err)
		}
		switch {
		case done != "" && done <= due:
			counts[0]++
		case done != "":
			counts[1]++
		case due < today:
			counts[2]++
		default:
			counts[3]++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read return follow-ups: %w", err)
	}
	p.FollowUps, err = r.chart("followups", "statistics.ops.followups", "statistics.ops.followup.", states, counts, true)
	return err
}

// training counts the sessions held in the year by month, and their
// participants by month and by actor group.
func (r opsReader) training(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	var sessions, participants [12]int
	rows, err := tx.QueryContext(ctx, `SELECT starts_at FROM training_sessions WHERE starts_at >= $1 AND starts_at < $2`, r.start(), r.end())
	if err != nil {
		return fmt.Errorf("read training sessions: %w", err)
	}
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return fmt.Errorf("scan training session: %w", err)
		}
		sessions[month(at)]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read training sessions: %w", err)
	}
	groups := training.Groups()
	byGroup := make([]int, len(groups))
	rows, err = tx.QueryContext(ctx, `SELECT s.starts_at, a.actor_group, a.attended FROM training_attendance a
		JOIN training_sessions s ON s.id = a.session_id WHERE s.starts_at >= $1 AND s.starts_at < $2`, r.start(), r.end())
	if err != nil {
		return fmt.Errorf("read training attendance: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		var group string
		var n int
		if err := rows.Scan(&at, &group, &n); err != nil {
			return fmt.Errorf("scan training attendance: %w", err)
		}
		participants[month(at)] += n
		if i := slices.Index(groups, group); i >= 0 {
			byGroup[i] += n
		} else {
			byGroup[len(groups)-1] += n
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read training attendance: %w", err)
	}
	if p.Sessions, err = r.byMonth("sessions", "statistics.ops.sessions", sessions, false); err != nil {
		return err
	}
	if p.Participants, err = r.byMonth("participants", "statistics.ops.participants", participants, true); err != nil {
		return err
	}
	p.ParticipantsBy, err = r.chart("participants_group", "statistics.ops.participants_group", "training.group.", groups, byGroup, true)
	return err
}

// campaigns counts the campaigns running in the year, the people their
// reach records counted by month, and the public reports naming one of
// their materials' codes by month of receipt.
func (r opsReader) campaigns(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	first, last := r.start().Format(time.DateOnly), r.end().AddDate(0, 0, -1).Format(time.DateOnly)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaigns
		WHERE status IN ('running', 'ended') AND starts_on <= $1 AND ends_on >= $2`, last, first).Scan(&p.Campaigns); err != nil {
		return fmt.Errorf("read campaigns for statistics: %w", err)
	}
	var reach, reports [12]int
	rows, err := tx.QueryContext(ctx, `SELECT counted_on, people FROM campaign_reach WHERE counted_on >= $1 AND counted_on <= $2`, first, last)
	if err != nil {
		return fmt.Errorf("read campaign reach: %w", err)
	}
	for rows.Next() {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			rows.Close()
			return fmt.Errorf("scan campaign reach: %w", err)
		}
		if m := r.dayMonth(day); m >= 0 {
			reach[m] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read campaign reach: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT p.created_at FROM reports p JOIN campaign_materials m ON m.code = p.attribution_code
		WHERE p.created_at >= $1 AND p.created_at < $2 AND ($3 = '*' OR p.org_id = $3)`, r.start(), r.end(), r.org)
	if err != nil {
		return fmt.Errorf("read campaign reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return fmt.Errorf("scan campaign report: %w", err)
		}
		reports[month(at)]++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read campaign reports: %w", err)
	}
	if p.Reach, err = r.byMonth("reach", "statistics.ops.reach", reach, true); err != nil {
		return err
	}
	p.CampaignReports, err = r.byMonth("campaign_reports", "statistics.ops.campaign_reports", reports, true)
	return err
}

// mapping counts the mapping rounds whose period meets the year by status,
// and the responses submitted in the year by month.
func (r opsReader) mapping(ctx context.Context, tx *storage.Tx, p *OperationsPage) error {
	first, last := r.start().Format(time.DateOnly), r.end().AddDate(0, 0, -1).Format(time.DateOnly)
	statuses := []string{"draft", "open", "closed"}
	rounds := make([]int, len(statuses))
	rows, err := tx.QueryContext(ctx, `SELECT status FROM mapping_rounds WHERE period_start <= $1 AND period_end >= $2`, last, first)
	if err != nil {
		return fmt.Errorf("read mapping rounds: %w", err)
	}
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			rows.Close()
			return fmt.Errorf("scan mapping round: %w", err)
		}
		if i := slices.Index(statuses, st); i >= 0 {
			rounds[i]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read mapping rounds: %w", err)
	}
	var responses [12]int
	rows, err = tx.QueryContext(ctx, `SELECT submitted_at FROM mapping_responses WHERE submitted_at >= $1 AND submitted_at < $2`, r.start(), r.end())
	if err != nil {
		return fmt.Errorf("read mapping responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			return fmt.Errorf("scan mapping response: %w", err)
		}
		responses[month(at)]++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read mapping responses: %w", err)
	}
	if p.Rounds, err = r.chart("rounds", "statistics.ops.rounds", "mapping.status.", statuses, rounds, false); err != nil {
		return err
	}
	p.Responses, err = r.byMonth("responses", "statistics.ops.responses", responses, true)
	return err
}
