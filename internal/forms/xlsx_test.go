package forms

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/apperr"
)

func TestXLSXCells(t *testing.T) {
	// Numbers typed into cells, a sheet named with capitals, blank rows
	// between rows and a header with stray spaces read like text.
	wb := excelize.NewFile()
	defer wb.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(wb.SetSheetName("Sheet1", "Survey"))
	must(wb.SetSheetRow("Survey", "A1", &[]any{" type ", "name", "label::Deutsch (de)", "default", "constraint"}))
	must(wb.SetSheetRow("Survey", "A2", &[]any{"integer", "n", "Zahl", 3, ". > 2"}))
	must(wb.SetSheetRow("Survey", "A5", &[]any{"decimal", "x", "Dezimal", 2.5}))
	var buf bytes.Buffer
	must(wb.Write(&buf))
	f, err := ParseXLSX(&buf)
	if err != nil {
		t.Fatal(dumpError(err))
	}
	st := f.Evaluate(Answers{}, "de")
	if len(st.Items) != 2 || st.Items[0].Value != "3" || st.Items[1].Value != "2.5" || st.Items[0].Label != "Zahl" {
		t.Fatalf("items %+v", st.Items)
	}
	if f.fields["x"].row != 5 {
		t.Fatalf("row of x is %d, want 5", f.fields["x"].row)
	}
}

func TestXLSXRefusals(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		key  string
	}{
		{"empty", nil, "forms.error.not_xlsx"},
		{"text", []byte("| survey |\n"), "forms.error.not_xlsx"},
		{"ole", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...), "forms.error.not_xlsx"},
		{"broken zip", []byte("PK\x03\x04 but nothing else"), "forms.error.not_xlsx"},
		{"too large", append([]byte("PK\x03\x04"), make([]byte, MaxFileSize)...), "forms.error.file_too_large"},
		{"no survey", writeWorkbook(t, []sheet{{name: "choices", header: []string{"list_name", "name", "label"}}}), "forms.error.no_survey"},
		{"header below", headerBelow(t), "forms.error.header_not_first"},
		{"far row", farRow(t), "forms.error.too_many_rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseXLSX(bytes.NewReader(c.data))
			if got := firstKey(err); got != c.key {
				t.Errorf("got %s (%v), want %s", got, err, c.key)
			}
		})
	}
}

func firstKey(err error) string {
	if err == nil {
		return "ok"
	}
	first, _, _ := strings.Cut(dumpError(err), " ")
	return first
}

func headerBelow(t *testing.T) []byte {
	wb := excelize.NewFile()
	defer wb.Close()
	_ = wb.SetSheetName("Sheet1", "survey")
	_ = wb.SetSheetRow("survey", "A3", &[]string{"type", "name", "label"})
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func farRow(t *testing.T) []byte {
	wb := excelize.NewFile()
	defer wb.Close()
	_ = wb.SetSheetName("Sheet1", "survey")
	_ = wb.SetSheetRow("survey", "A1", &[]string{"type", "name", "label"})
	_ = wb.SetSheetRow("survey", fmt.Sprintf("A%d", 20*MaxRows+2), &[]string{"text", "far", "Far"})
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bomb writes a zip whose worksheet unpacks to size bytes; with lie, its
// header claims 1 KiB.
func bomb(t *testing.T, size int, lie bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("[Content_Types].xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	var packed bytes.Buffer
	fw, _ := flate.NewWriter(&packed, flate.BestSpeed)
	crc := crc32.NewIEEE()
	chunk := make([]byte, 1<<20)
	for range size >> 20 {
		_, _ = fw.Write(chunk)
		_, _ = crc.Write(chunk)
	}
	_ = fw.Close()
	h := &zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc.Sum32(), CompressedSize64: uint64(packed.Len()), UncompressedSize64: uint64(size)}
	if lie {
		h.UncompressedSize64 = 1024
	}
	raw, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = raw.Write(packed.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXZipBomb: a small file that unpacks to far more than the limit
// is refused without the memory it would take, whether its header tells
// the size or lies about it.
func TestXLSXZipBomb(t *testing.T) {
	for _, lie := range []bool{false, true} {
		data := bomb(t, 4*unzipLimit, lie)
		if len(data) > MaxFileSize {
			t.Fatalf("the bomb is %d bytes, over the file limit", len(data))
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ParseXLSX(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if got := firstKey(err); got != "forms.error.not_xlsx" {
			t.Errorf("lie=%v: got %s, want not_xlsx", lie, got)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 48<<20 {
			t.Errorf("lie=%v: reading the bomb allocated %d MiB", lie, grown>>20)
		}
	}
}

// FuzzParseXLSX: no file makes the .xlsx reader panic; it is read from
// uploads.
func FuzzParseXLSX(f *testing.F) {
	f.Add(workbook(f, "seed", []byte(exprForm)))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := ParseXLSX(bytes.NewReader(data))
		if err == nil {
			form.Evaluate(Answers{}, "en")
		}
	})
}

// TestXLSXMalformedParts replaces each part of a good workbook with broken
// XML: the reader refuses it with a validation error or reads a form, and
// never panics.
func TestXLSXMalformedParts(t *testing.T) {
	good := workbook(t, "seed", []byte(exprForm))
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	junks := []string{"", "<", "garbage",
		`<?xml version="1.0"?><worksheet><sheetData><row r="-5"><c r="ZZZZZZ1" t="s"><v>99999</v></c></row></sheetData></worksheet>`,
		`<x><row r="1048577"></row></x>`,
		`<workbook><sheets><sheet name="survey" sheetId="1" r:id="rId9"/></sheets></workbook>`}
	for _, target := range zr.File {
		for _, junk := range junks {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for _, f := range zr.File {
				w, err := zw.Create(f.Name)
				if err != nil {
					t.Fatal(err)
				}
				if f.Name == target.Name {
					_, _ = w.Write([]byte(junk))
					continue
				}
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(w, rc)
				_ = rc.Close()
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			_, err := ParseXLSX(bytes.NewReader(buf.Bytes()))
			if err != nil && apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%s replaced by %.20q: %v", target.Name, junk, err)
			}
		}
	}
}
