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
