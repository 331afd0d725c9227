// Package spreadsheet writes a table of text as CSV or as an Excel
// workbook, the two forms Waymark's exports take. Every cell is text,
// except whole numbers in the columns a caller names as counts, and a text
// a spreadsheet would read as a formula is made inert first: an export must
// never run what a user typed.
package spreadsheet

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Inert keeps a spreadsheet from reading a text cell as a formula: a text
// starting with =, +, -, @, a tab or a carriage return, unless it is a
// number, gets a leading apostrophe (OWASP's advice on CSV injection).
func Inert(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// Time writes t in zone (UTC when nil) as a spreadsheet sorts it, to the
// minute.
func Time(t time.Time, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	return t.In(zone).Format("2006-01-02 15:04")
}

// WriteCSV writes rows, the first being the header, as CSV.
func WriteCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = Inert(v)
		}
		if err := cw.Write(cells); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteXLSX writes rows, the first being the header, as a workbook of one
// sheet named sheet. Every cell is a text cell, except in the columns
// counts names (0-based): below the header, a whole number there is a
// number cell, so that a spreadsheet adds the figures up; anything else in
// them (an empty cell, a word) stays text.
func WriteXLSX(w io.Writer, sheet string, rows [][]string, counts ...int) error {
	wb := excelize.NewFile()
	defer wb.Close()
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("name sheet %q: %w", sheet, err)
	}
	sw, err := wb.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
			if i > 0 && slices.Contains(counts, j) {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil {
					cells[j] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("write XLSX: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	if _, err := wb.WriteTo(w); err != nil {
		return fmt.Errorf("write XLSX: %w", err)
	}
	return nil
}
