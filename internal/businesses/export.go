package businesses

import (
	"context"
	"fmt"
	"io"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// Export is every business and association with its commitments, for the
// CSV and XLSX exports.
type Export struct {
	Records []Record
	Today   string
}

// maxExported bounds the businesses one export reads.
const maxExported = 10000

// ExportAll reads every business with its commitments and follow-up
// dates; the export is audited in the same transaction.
func (s *Service) ExportAll(ctx context.Context, actor access.Actor) (Export, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageBusinesses, "business", ""); err != nil {
		return Export{}, err
	}
	out := Export{Today: s.today()}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT `+recordColumns+recordFrom+` ORDER BY b.name, b.id LIMIT %d`, maxExported))
		if err != nil {
			return fmt.Errorf("list businesses: %w", err)
		}
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan business: %w", err)
			}
			out.Records = append(out.Records, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list businesses: %w", err)
		}
		all, err := commitments(ctx, tx, `1 = 1 ORDER BY c.made_on, c.id`)
		if err != nil {
			return err
		}
		at := map[string]int{}
		for i, r := range out.Records {
			at[r.ID] = i
		}
		for _, c := range all {
			if i, ok := at[c.BusinessID]; ok {
				out.Records[i].Commitments = append(out.Records[i].Commitments, c)
			}
		}
		return s.gate.Record(ctx, tx, actor, "businesses.export", "business", "", "", fmt.Sprintf("businesses=%d commitments=%d", len(out.Records), len(all)))
	})
	if err != nil {
		return Export{}, err
	}
	return out, nil
}

// rows lays the export out in p's language: a row per commitment, a
// business without commitments on a row of its own.
func (e Export) rows(p *i18n.Printer) [][]string {
	out := [][]string{{p.T("businesses.name"), p.T("businesses.kind"), p.T("businesses.sector"), p.T("businesses.contact_org"),
		p.T("businesses.commitment_kind"), p.T("businesses.made_on"), p.T("businesses.export.follow_up_on"), p.T("businesses.export.followed_on"),
		p.T("businesses.overdue"), p.T("businesses.note")}}
	sectors := map[string]string{}
	for _, c := range mapping.ShippedChoices("labour_exploitation", "sector") {
		sectors[c.Name] = mapping.In(c.Label, p.Lang())
	}
	for _, r := range e.Records {
		sector := sectors[r.Sector]
		if sector == "" {
			sector = r.Sector
		}
		business := []string{r.Name, p.T("businesses.kind." + r.Kind), sector, r.ContactOrgName}
		if len(r.Commitments) == 0 {
			out = append(out, append(business, "", "", "", "", "", ""))
		}
		for _, c := range r.Commitments {
			overdue := p.T("businesses.export.no")
			if c.Overdue(e.Today) {
				overdue = p.T("businesses.export.yes")
			}
			out = append(out, append(append([]string(nil), business...), p.T("businesses.commitment."+c.Kind), c.MadeOn, c.FollowUpOn, c.FollowedOn,
				overdue, c.Note))
		}
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e Export) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language.
func (e Export) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("businesses.export.sheet"), e.rows(p))
}
