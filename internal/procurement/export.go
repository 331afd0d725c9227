package procurement

import (
	"context"
	"fmt"
	"io"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// Export is the contract list with every contract's ratings.
type Export struct {
	Contracts []Contract
}

// ExportContracts reads the contracts (newest first, at most 1,000) with
// their ratings, in two queries.
func (s *Service) ExportContracts(ctx context.Context, actor access.Actor) (Export, error) {
	list, err := s.Contracts(ctx, actor)
	if err != nil {
		return Export{}, err
	}
	at := map[string]int{}
	for i, c := range list {
		at[c.ID] = i
	}
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.contract_id, r.characteristic, r.level, r.reason FROM procurement_ratings r
			JOIN procurement_contracts c ON c.id = r.contract_id ORDER BY r.contract_id`)
		if err != nil {
			return fmt.Errorf("export ratings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var r Rating
			if err := rows.Scan(&id, &r.Characteristic, &r.Level, &r.Reason); err != nil {
				return fmt.Errorf("scan rating: %w", err)
			}
			if i, ok := at[id]; ok {
				list[i].Ratings = append(list[i].Ratings, r)
			}
		}
		return rows.Err()
	})
	return Export{Contracts: list}, err
}

// exportColumns are the headings before the six characteristics' level
// and reason, and after them.
var (
	exportHead = []string{"id", "authority", "subject", "cpv", "cpv_label", "value", "currency", "starts_on", "ends_on", "supplier",
		"status", "risk"}
	exportTail = []string{"social_clause", "slavery_clause", "review_on", "goods"}
)

// rows lays the export out in p's language.
func (e Export) rows(p *i18n.Printer) [][]string {
	var head []string
	for _, c := range exportHead {
		head = append(head, p.T("procurement.export."+c))
	}
	for _, c := range characteristics {
		name := p.T("procurement.characteristic." + c)
		head = append(head, p.T("procurement.export.level", "characteristic", name), p.T("procurement.export.reason", "characteristic", name))
	}
	for _, c := range exportTail {
		head = append(head, p.T("procurement.export."+c))
	}
	out := [][]string{head}
	yes := func(b bool) string {
		if b {
			return p.T("procurement.yes")
		}
		return p.T("procurement.no")
	}
	level := func(l string) string {
		if l == "" {
			return ""
		}
		return p.T("procurement.level." + l)
	}
	for _, c := range e.Contracts {
		label, _ := CPVLabel(c.CPV)
		row := []string{c.ID, c.Authority, c.Subject, c.CPV, label, c.ValueText(), c.Currency, c.StartsOn, c.EndsOn, c.SupplierName,
			p.T("procurement.status." + c.Status), level(c.Risk)}
		rated := map[string]Rating{}
		for _, r := range c.Ratings {
			rated[r.Characteristic] = r
		}
		for _, ch := range characteristics {
			row = append(row, level(rated[ch].Level), rated[ch].Reason)
		}
		row = append(row, yes(c.SocialClause), yes(c.SlaveryClause), c.ReviewOn, strings.Join(c.Goods, "; "))
		out = append(out, row)
	}
	return out
}

// WriteCSV writes the export as CSV in p's language.
func (e Export) WriteCSV(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteCSV(w, e.rows(p))
}

// WriteXLSX writes the export as an Excel workbook in p's language; every
// cell is text, so nothing is read as a formula.
func (e Export) WriteXLSX(w io.Writer, p *i18n.Printer) error {
	return spreadsheet.WriteXLSX(w, p.T("procurement.export.sheet"), e.rows(p))
}
