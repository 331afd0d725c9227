package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Cleaning", "Cleaning"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+49 30 1234", "'+49 30 1234"},
		{"-12.5", "-12.5"},
		{"+3", "+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
	} {
		if got := Inert(c.in); got != c.want {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Both forms hold the same table, every cell as text, formulas made inert.
func TestWrite(t *testing.T) {
	rows := [][]string{{"Subject", "Value"}, {"=cmd|' /C calc'!A0", "480000"}, {"Übersetzung, \"quoted\"", ""}}
	want := [][]string{{"Subject", "Value"}, {"'=cmd|' /C calc'!A0", "480000"}, {"Übersetzung, \"quoted\"", ""}}
	var c bytes.Buffer
	if err := WriteCSV(&c, rows); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&c).ReadAll()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CSV read back %q, %v", got, err)
	}
	var x bytes.Buffer
	if err := WriteXLSX(&x, "Verträge", rows); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	cells, err := wb.GetRows("Verträge")
	if err != nil || len(cells) != 3 || cells[1][0] != rows[1][0] || cells[2][0] != rows[2][0] {
		t.Fatalf("XLSX read back %q, %v", cells, err)
	}
	if f, _ := wb.GetCellFormula("Verträge", "A2"); f != "" {
		t.Errorf("a typed formula became a formula: %q", f)
	}
}

// A count column holds numbers a spreadsheet can add up; its header and a
// word in it stay text, and other columns stay text even when they hold
// digits (a postcode keeps its leading zero).
func TestWriteXLSXCounts(t *testing.T) {
	rows := [][]string{{"Postcode", "Persons"}, {"01067", "29"}, {"04109", ""}, {"=1+1", "suppressed"}}
	var x bytes.Buffer
	if err := WriteXLSX(&x, "Table", rows, 1); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	for cell, want := range map[string]excelize.CellType{"B1": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset,
		"A2": excelize.CellTypeInlineString, "B4": excelize.CellTypeInlineString} {
		if got, err := wb.GetCellType("Table", cell); err != nil || got != want {
			t.Errorf("%s: type %v, want %v (%v)", cell, got, want, err)
		}
	}
	if v, _ := wb.GetCellValue("Table", "A2"); v != "01067" {
		t.Errorf("postcode read back as %q", v)
	}
	if v, _ := wb.CalcCellValue("Table", "B2"); v != "29" {
		t.Errorf("count read back as %q", v)
	}
}
