package outreach

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// Export is the aggregates of a date range for the CSV and XLSX exports:
// counts per period and place, never a session or a person.
type Export struct {
	Aggregates
	// areaNames names the city's current areas by code.
	areaNames map[string]string
}

// ExportAggregates adds up the sessions in the actor's scope like
// Aggregates, for a download; the export is audited with its period and
// range.
func (s *Service) ExportAggregates(ctx context.Context, actor access.Actor, per, from, to string) (Export, error) {
	agg, err := s.Aggregates(ctx, actor, per, from, to)
	if err != nil {
		return Export{}, err
	}
	areas, err := s.areas(ctx)
	if err != nil {
		return Export{}, fmt.Errorf("load the city's areas: %w", err)
	}
	e := Export{Aggregates: agg, areaNames: map[string]string{}}
	for _, a := range areas {
		e.areaNames[a.Code] = a.Name
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		return s.gate.Record(ctx, tx, actor, "outreach.export", "outreach_session", "", actor.OrgID,
			fmt.Sprintf("per=%s from=%s to=%s rows=%d", agg.Per, agg.From, agg.To, len(agg.Rows)))
	})
	if err != nil {
		return Export{}, err
	}
	return e, nil
}

// rows lays the export out in p's language: a row per period and place,
// the contacts per group in columns, and the total last.
func (e Export) rows(p *i18n.Printer) [][]string {
	head := []string{p.T("outreach.period"), p.T("outreach.area"), p.T("outreach.location_type"), p.T("outreach.sessions"), p.T("outreach.contacted")}
	for _, g := range groups {
		head = append(head, p.T("outreach.group."+g))
	}
	head = append(head, p.T("outreach.materials"), p.T("outreach.referrals"))
	types := map[string]string{}
	for _, c := range mapping.ShippedChoices(locationsSlug, locationList) {
		types[c.Name] = mapping.In(c.Label, p.Lang())
	}
	name := func(names map[string]string, code string) string {
		if n, ok := names[code]; ok {
			return n
		}
		return code
	}
	line := func(period, area, place string, r Row) []string {
		out := []string{period, area, place, strconv.Itoa(r.Sessions), strconv.Itoa(r.Contacted)}
		for _, g := range groups {
			out = append(out, strconv.Itoa(r.Contacts[g]))
		}
		return append(out, strconv.Itoa(r.Materials), strconv.Itoa(r.Referrals))
	}
	out := [][]string{head}
	for _, r := range e.Rows {
		out = append(out, line(r.Period, name(e.areaNames, r.AreaCode), name(types, r.LocationType), r))
	}
	return append(out, line(p.T("outreach.total"), "", "", e.Total))
}

// WriteCSV writes the export as CSV in p's language.
func (e Export) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e Export) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("outreach.export.sheet"), e.rows(p))
}
