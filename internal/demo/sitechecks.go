package demo

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/sitechecks"
)

// seedSiteChecks records a check of City Hall, the site of the demo's
// cleaning contract, three days ago: the inspectors spoke to four of nine
// night cleaners, some of whom do not hold their own papers and had no day
// off in the last week. Its two findings have corrective actions, the one
// about the papers already overdue. No screening is started, so a
// newcomer signed in as the procurement officer can press "Screen a
// worker" and go on to the referral. The city's own questionnaire for
// cleaning contractors is imported beside the shipped one.
func seedSiteChecks(ctx context.Context, d Deps, actors map[string]access.Actor) error {
	if d.SiteChecks == nil || d.Procurement == nil {
		return nil
	}
	officer := actors["procurement"]
	contracts, err := d.Procurement.Contracts(ctx, officer)
	if err != nil {
		return fmt.Errorf("seed site check: %w", err)
	}
	contractID, siteID := "", ""
	for _, c := range contracts {
		sites, err := d.Procurement.Sites(ctx, officer, c.ID)
		if err != nil {
			return fmt.Errorf("seed site check: %w", err)
		}
		for _, s := range sites {
			if s.Name == "City Hall" {
				contractID, siteID = c.ID, s.ID
			}
		}
	}
	if siteID == "" {
		return fmt.Errorf("seed site check: the demo contracts have no site named City Hall")
	}
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	answers := url.Values{"announced": {"unannounced"}, "public_premises": {"yes"}, "workers_present": {"9"}, "workers_spoken": {"4"},
		"spoken_apart": {"yes"}, "contracts_shown": {"yes"}, "contract_not_understood": {"no"}, "payslips_shown": {"yes"},
		"pay_below_minimum": {"no"}, "pay_withheld": {"no"}, "hours_recorded": {"yes"}, "hours_excessive": {"unknown"}, "no_day_off": {"yes"},
		"housed_by_employer": {"no"}, "agency_used": {"yes"}, "fees_paid": {"no"}, "debt_owed": {"no"}, "documents_held": {"yes"},
		"not_free": {"no"}, "threats": {"no"}, "speaks_for_them": {"no"}, "group_transport": {"unknown"}, "safety_missing": {"no"},
		"undeclared_subcontractor": {"no"}, "site_notes": {"Night shift of the cleaning subcontractor, 22:00 to 06:00. The team leader keeps the workers' identity cards in the site office."}}
	c, _, err := d.SiteChecks.Record(ctx, officer, sitechecks.CheckInput{ContractID: contractID, SiteID: siteID, CheckedOn: day(-3),
		Inspectors: "Two procurement officers, one labour inspector", Organisation: "Riverton Human Rights Office"}, answers, "en")
	if err != nil {
		return fmt.Errorf("seed site check: %w", err)
	}
	actions := map[string]sitechecks.ActionInput{
		"documents_held": {Action: "The supplier returns every identity document to its holder and gives each worker a lockable locker.",
			Owner: sitechecks.BySupplier, DueOn: day(-1), Verification: "Unannounced follow-up visit: workers confirm in private that they hold their papers.",
			Status: sitechecks.Open},
		"no_day_off": {Action: "The supplier sets a roster with at least one full day off a week and sends the time records monthly.",
			Owner: sitechecks.BySupplier, DueOn: day(14), Verification: "The procurement officer compares four weeks of rosters with the time records.",
			Status: sitechecks.InProgress},
	}
	for _, f := range c.FindingList {
		in, ok := actions[f.Signal]
		if !ok {
			continue
		}
		if _, err := d.SiteChecks.AddAction(ctx, officer, f.ID, in); err != nil {
			return fmt.Errorf("seed corrective action: %w", err)
		}
	}
	return seedCheckForm(ctx, d, officer)
}

// seedCheckForm imports the city's own short questionnaire for cleaning
// contractors, as the procurement officer would upload it: an XLSForm
// whose yes/no items name the screening catalogue's indicators, so a new
// check can choose it beside the shipped one.
func seedCheckForm(ctx context.Context, d Deps, officer access.Actor) error {
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", "survey"); err != nil {
		return fmt.Errorf("seed check questionnaire: %w", err)
	}
	for _, name := range []string{"choices", "settings"} {
		if _, err := wb.NewSheet(name); err != nil {
			return fmt.Errorf("seed check questionnaire: %w", err)
		}
	}
	for sheet, rows := range map[string][][]string{
		"survey": {
			{"type", "name", "label::en", "label::de", "required", "indicator", "severity"},
			{"integer", "cleaners_met", "How many cleaners did you meet?", "Wie viele Reinigungskräfte haben Sie angetroffen?", "yes", "", ""},
			{"select_one yn", "cards_kept", "Does a team leader keep the cleaners' identity cards?", "Bewahrt eine Vorarbeiterin oder ein Vorarbeiter die Ausweise der Reinigungskräfte auf?", "", "core.documents_held", "critical"},
			{"select_one yn", "night_without_rest", "Do cleaners work nights without a day off in the week?", "Arbeiten Reinigungskräfte nachts ohne freien Tag in der Woche?", "", "work.excessive_hours", "high"},
			{"select_one yn", "driven_together", "Are cleaners driven to and from the site together by the employer?", "Werden die Reinigungskräfte gemeinsam vom Arbeitgeber zum Ort gebracht und abgeholt?", "", "ctl.group_transport", "low"},
			{"select_one yn", "no_rights_notice", "Is there no notice of workers' rights in a language they read?", "Fehlt ein Aushang zu Arbeitsrechten in einer Sprache, die sie lesen?", "", "", "low"},
		},
		"choices":  {{"list_name", "name", "label::en", "label::de"}, {"yn", "yes", "Yes", "Ja"}, {"yn", "no", "No", "Nein"}, {"yn", "unknown", "Could not tell", "Nicht feststellbar"}},
		"settings": {{"form_title", "form_id", "version", "default_language"}, {"Riverton cleaning contractor check", "riverton_cleaning", "1", "en"}},
	} {
		for i, row := range rows {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			if err != nil {
				return fmt.Errorf("seed check questionnaire: %w", err)
			}
			if err := wb.SetSheetRow(sheet, cell, &row); err != nil {
				return fmt.Errorf("seed check questionnaire: %w", err)
			}
		}
	}
	buf, err := wb.WriteToBuffer()
	if err != nil {
		return fmt.Errorf("seed check questionnaire: %w", err)
	}
	if _, err := d.SiteChecks.ImportForm(ctx, officer, "riverton-cleaning-check.xlsx", buf); err != nil {
		return fmt.Errorf("seed check questionnaire: %w", err)
	}
	return nil
}
