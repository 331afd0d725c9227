package sitechecks

import (
	"context"
	"io"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/spreadsheet"
	"waymark.city/waymark/internal/storage"
)

// Export is the checks of a contract with their findings and actions, and
// the names of their sites.
type Export struct {
	Contract  procurement.Contract
	Checks    []Check
	SiteNames map[string]string
}

// ExportContract reads every check of a contract with its findings and
// actions, for the CSV and XLSX exports.
func (s *Service) ExportContract(ctx context.Context, actor access.Actor, contractID string) (Export, error) {
	contract, l, err := s.ChecksOfContract(ctx, actor, contractID)
	if err != nil {
		return Export{}, err
	}
	e := Export{Contract: contract, Checks: l.Checks, SiteNames: l.SiteNames}
	today := s.today()
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		found, err := findingsOf(ctx, tx, today, "contract_id", contractID)
		for i := range e.Checks {
			e.Checks[i].FindingList = found[e.Checks[i].ID]
		}
		return err
	})
	if err != nil {
		return Export{}, err
	}
	return e, nil
}

// exportColumns are the message keys of the exports' headings.
var exportColumns = []string{"check_id", "checked_on", "site", "inspectors", "organisation", "workers_present", "workers_spoken",
	"screenings_started", "finding_id", "severity", "finding", "action", "owner", "due_on", "verification", "verified_on", "status", "overdue"}

// FindingText is a finding's text: the officer's description, or the
// standard text of the signal it was derived from.
func FindingText(p *i18n.Printer, f Finding) string {
	if f.Description != "" || f.Signal == "" {
		return f.Description
	}
	// An imported form's item has no standard text: its name stands in.
	if !p.Has("sitechecks.signal." + f.Signal) {
		return f.Signal
	}
	return p.T("sitechecks.signal." + f.Signal)
}

// rows lays the export out in p's language: one row per corrective action,
// a finding without actions on a row of its own, a check without findings
// too.
func (e Export) rows(p *i18n.Printer) [][]string {
	head := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		head[i] = p.T("sitechecks.export." + c)
	}
	out := [][]string{head}
	yes := func(b bool) string {
		if b {
			return p.T("sitechecks.yes")
		}
		return p.T("sitechecks.no")
	}
	for _, c := range e.Checks {
		check := []string{c.ID, c.CheckedOn, e.SiteNames[c.SiteID], c.Inspectors, c.Organisation, c.Answers.Values["workers_present"],
			strconv.Itoa(c.WorkersSpoken()), strconv.Itoa(c.Screenings)}
		if len(c.FindingList) == 0 {
			out = append(out, append(check, make([]string, len(exportColumns)-len(check))...))
		}
		for _, f := range c.FindingList {
			finding := append(append([]string(nil), check...), f.ID, p.T("sitechecks.severity."+string(f.Severity)), FindingText(p, f))
			if len(f.Actions) == 0 {
				out = append(out, append(finding, make([]string, len(exportColumns)-len(finding))...))
			}
			for _, a := range f.Actions {
				out = append(out, append(append([]string(nil), finding...), a.Action, p.T("sitechecks.owner."+string(a.Owner)), a.DueOn,
					a.Verification, a.VerifiedOn, p.T("sitechecks.status."+string(a.Status)), yes(a.Overdue)))
			}
		}
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
	return spreadsheet.WriteXLSX(w, p.T("sitechecks.export.sheet"), e.rows(p))
}
