package forms

import (
	"bytes"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/apperr"
)

// unzipLimit bounds what an .xlsx may unpack to. excelize checks each part
// against it before unpacking, and Go's zip reader refuses a part that
// unpacks to more than its header declares, so a zip bomb stops here
// instead of filling memory; parts up to the limit stay in memory rather
// than going to temporary files.
const unzipLimit = 16 << 20

// ParseXLSX reads an XLSForm workbook (.xlsx): the sheets survey, choices
// and settings. Any other sheet is refused.
func ParseXLSX(r io.Reader) (*Form, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "forms.error.not_xlsx", err)
	}
	if len(data) > MaxFileSize {
		return nil, apperr.Validation(apperr.FieldError{Field: "form", Key: "forms.error.file_too_large",
			Args: map[string]any{"max": MaxFileSize >> 20}})
	}
	// Only a zip archive is read: excelize would otherwise try to decrypt
	// an OLE container (an encrypted workbook).
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, notXLSX(nil)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: unzipLimit, UnzipXMLSizeLimit: unzipLimit,
	})
	if err != nil {
		return nil, notXLSX(err)
	}
	defer wb.Close()
	var sheets []sheet
	for _, name := range wb.GetSheetList() {
		s, err := readSheet(wb, name)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, s)
	}
	return build(sheets)
}

func notXLSX(cause error) error {
	e := apperr.Validation(apperr.FieldError{Field: "form", Key: "forms.error.not_xlsx"})
	e.Cause = cause
	return e
}

// readSheet reads one sheet row by row, stopping at MaxRows.
func readSheet(wb *excelize.File, name string) (sheet, error) {
	s := sheet{name: strings.ToLower(strings.TrimSpace(name))}
	rows, err := wb.Rows(name)
	if err != nil {
		return s, notXLSX(err)
	}
	defer rows.Close()
	num := 0
	for rows.Next() {
		num++
		// A row far down, even a blank one, would make the reader walk
		// every row before it.
		if num > 20*MaxRows {
			return s, tooMany(s.name, num, "forms.error.too_many_rows")
		}
		cells, err := rows.Columns()
		if err != nil {
			return s, notXLSX(err)
		}
		if num == 1 {
			s.header = cells
			if s.header == nil {
				s.header = []string{}
			}
			continue
		}
		if blank(cells) {
			continue
		}
		if len(s.rows) >= MaxRows {
			return s, tooMany(s.name, num, "forms.error.too_many_rows")
		}
		if len(cells) > MaxColumns {
			return s, tooMany(s.name, num, "forms.error.too_many_columns")
		}
		s.rows = append(s.rows, sheetRow{num: num, cells: cells})
	}
	if err := rows.Error(); err != nil {
		return s, notXLSX(err)
	}
	return s, nil
}

func tooMany(sheet string, row int, key string) error {
	return apperr.Validation(apperr.FieldError{Field: "form", Key: key,
		Args: map[string]any{"sheet": sheet, "row": row, "column": ""}})
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
