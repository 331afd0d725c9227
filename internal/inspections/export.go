package inspections

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// Export is every inspection with its agencies, sites and outcomes, for
// the CSV and XLSX exports; outcomes are counts, never a person.
type Export struct {
	Inspections []Inspection
	// areaNames names the city's current areas by code.
	areaNames map[string]string
}

// maxExported bounds the inspections one export reads.
const maxExported = 10000

// ExportAll reads every inspection, planned and held, with its agencies
// and sites; the export is audited in the same transaction.
func (s *Service) ExportAll(ctx context.Context, actor access.Actor) (Export, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageInspections, "inspection", ""); err != nil {
		return Export{}, err
	}
	areas, err := s.areas(ctx)
	if err != nil {
		return Export{}, fmt.Errorf("load the city's areas: %w", err)
	}
	out := Export{areaNames: map[string]string{}}
	for _, a := range areas {
		out.areaNames[a.Code] = a.Name
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+columns+` FROM inspections i ORDER BY i.planned_on, i.id LIMIT %d`, maxExported))
		if err != nil {
			return fmt.Errorf("list inspections: %w", err)
		}
		at := map[string]int{}
		for rows.Next() {
			in, err := scan(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan inspection: %w", err)
			}
			at[in.ID] = len(out.Inspections)
			out.Inspections = append(out.Inspections, in)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list inspections: %w", err)
		}
		if err := eachRow(ctx, tx, `SELECT a.inspection_id, o.name, '' FROM inspection_agencies a JOIN organisations o ON o.id = a.org_id
			ORDER BY a.inspection_id, o.name, o.id`, func(id, name, _ string) {
			if i, ok := at[id]; ok {
				out.Inspections[i].Agencies = append(out.Inspections[i].Agencies, Agency{Name: name})
			}
		}); err != nil {
			return fmt.Errorf("list inspection agencies: %w", err)
		}
		if err := eachRow(ctx, tx, `SELECT inspection_id, address, site_type FROM inspection_sites ORDER BY inspection_id, position`,
			func(id, address, kind string) {
				if i, ok := at[id]; ok {
					out.Inspections[i].Sites = append(out.Inspections[i].Sites, Site{Address: address, Type: kind})
				}
			}); err != nil {
			return fmt.Errorf("list inspection sites: %w", err)
		}
		return s.gate.Record(ctx, tx, actor, "inspections.export", "inspection", "", "", fmt.Sprintf("inspections=%d", len(out.Inspections)))
	})
	if err != nil {
		return Export{}, err
	}
	return out, nil
}

// eachRow runs query and calls fn with each row's three text columns.
func eachRow(ctx context.Context, tx *storage.Tx, query string, fn func(a, b, c string)) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, c string
		if err := rows.Scan(&a, &b, &c); err != nil {
			return err
		}
		fn(a, b, c)
	}
	return rows.Err()
}

// rows lays the export out in p's language, one row per inspection.
func (e Export) rows(p *i18n.Printer) [][]string {
	out := [][]string{{p.T("inspections.planned_on"), p.T("inspections.status"), p.T("inspections.held_on"), p.T("inspections.location_type"),
		p.T("inspections.area"), p.T("inspections.sector"), p.T("inspections.agencies"), p.T("inspections.sites"), p.T("inspections.workers_met"),
		p.T("inspections.screenings"), p.T("inspections.referrals"), p.T("inspections.reported_screenings"), p.T("inspections.reported_referrals"),
		p.T("inspections.follow_up")}}
	names := map[string]string{}
	for _, c := range mapping.ShippedChoices("locations", "location_type") {
		names["type:"+c.Name] = mapping.In(c.Label, p.Lang())
	}
	for _, c := range mapping.ShippedChoices("labour_exploitation", "sector") {
		names["sector:"+c.Name] = mapping.In(c.Label, p.Lang())
	}
	for code, n := range e.areaNames {
		names["area:"+code] = n
	}
	name := func(prefix, code string) string {
		if n, ok := names[prefix+code]; ok {
			return n
		}
		return code
	}
	for _, in := range e.Inspections {
		area := p.T("inspections.whole_city")
		if in.AreaCode != "" {
			area = name("area:", in.AreaCode)
		}
		var agencies, sites []string
		for _, a := range in.Agencies {
			agencies = append(agencies, a.Name)
		}
		for _, st := range in.Sites {
			sites = append(sites, st.Address+" ("+name("type:", st.Type)+")")
		}
		out = append(out, []string{in.PlannedOn, p.T("inspections.status." + in.Status), in.HeldOn, name("type:", in.LocationType), area,
			name("sector:", in.Sector), strings.Join(agencies, "; "), strings.Join(sites, "; "), strconv.Itoa(in.WorkersMet),
			strconv.Itoa(in.Screenings), strconv.Itoa(in.Referrals), strconv.Itoa(in.ReportedScreenings), strconv.Itoa(in.ReportedReferrals), in.FollowUp})
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e Export) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e Export) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("inspections.export.sheet"), e.rows(p))
}
