package outreach

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Row is what the sessions of one period at one place (an area, a kind of
// place, or an area and a kind of place) added up to.
type Row struct {
	Period       string
	AreaCode     string
	LocationType string
	Sessions     int
	Contacted    int
	Materials    int
	Referrals    int
	Contacts     map[string]int
}

// Aggregates are the sessions in a date range added up per period and
// place, with the total and the latest sessions.
type Aggregates struct {
	Per      string
	From, To string
	// Rows are sorted by period, then area, then kind of place.
	Rows   []Row
	Total  Row
	Recent []Session
}

// recentSessions is how many sessions the overview lists.
const recentSessions = 50

// maxAggregated bounds the sessions one aggregate reads.
const maxAggregated = 100000

// Aggregates adds up the sessions in the actor's scope held from from to
// to (YYYY-MM-DD; empty: the last twelve months) per month or quarter
// (per) and place.
func (s *Service) Aggregates(ctx context.Context, actor access.Actor, per, from, to string) (Aggregates, error) {
	sc, err := s.gate.Authorize(ctx, actor, access.RecordOutreach, "outreach_session", "")
	if err != nil {
		return Aggregates{}, err
	}
	out := Aggregates{Per: per, From: strings.TrimSpace(from), To: strings.TrimSpace(to)}
	if out.Per != Quarter {
		out.Per = Month
	}
	today, _ := time.Parse(time.DateOnly, s.today())
	if out.To == "" {
		out.To = today.Format(time.DateOnly)
	}
	if out.From == "" {
		out.From = today.AddDate(-1, 0, 1).Format(time.DateOnly)
	}
	var fe apperr.Fields
	f, errFrom := time.Parse(time.DateOnly, out.From)
	t, errTo := time.Parse(time.DateOnly, out.To)
	if errFrom != nil {
		fe.Add("from", "outreach.error.range")
	}
	if errTo != nil || (errFrom == nil && t.Before(f)) {
		fe.Add("to", "outreach.error.range")
	}
	if err := fe.Err(); err != nil {
		return Aggregates{}, err
	}
	var all []Session
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		all, err = sessions(ctx, tx, sc, out.From, out.To, maxAggregated)
		return err
	})
	if err != nil {
		return Aggregates{}, err
	}
	type key struct{ period, area, place string }
	rows := map[key]*Row{}
	out.Total.Contacts = map[string]int{}
	for _, ss := range all {
		k := key{PeriodOf(ss.HeldOn, out.Per), ss.AreaCode, ss.LocationType}
		r := rows[k]
		if r == nil {
			r = &Row{Period: k.period, AreaCode: k.area, LocationType: k.place, Contacts: map[string]int{}}
			rows[k] = r
		}
		for _, r := range []*Row{r, &out.Total} {
			r.Sessions++
			r.Contacted += ss.Contacted
			r.Materials += ss.Materials
			r.Referrals += ss.Referrals
			for g, n := range ss.Contacts {
				r.Contacts[g] += n
			}
		}
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b Row) int {
		return cmp.Or(strings.Compare(a.Period, b.Period), strings.Compare(a.AreaCode, b.AreaCode), strings.Compare(a.LocationType, b.LocationType))
	})
	out.Recent = all[:min(len(all), recentSessions)]
	return out, nil
}
