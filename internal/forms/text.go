package forms

import (
	"strings"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// ParseText reads a form written as text tables (see the package
// documentation for the format). name is the file name, for messages.
func ParseText(name string, src []byte) (*Form, error) {
	if len(src) > MaxFileSize {
		return nil, apperr.Validation(apperr.FieldError{Field: "form", Key: "forms.error.file_too_large",
			Args: map[string]any{"max": MaxFileSize >> 20}})
	}
	if !utf8.Valid(src) {
		return nil, textError(name, 0, "forms.error.text_encoding")
	}
	// Editors on Windows may start a UTF-8 file with a byte order mark.
	sheets, err := readTables(name, strings.TrimPrefix(string(src), "\ufeff"))
	if err != nil {
		return nil, err
	}
	return build(sheets)
}

func textError(name string, line int, key string) error {
	return apperr.Validation(apperr.FieldError{Field: "form", Key: key,
		Args: map[string]any{"name": name, "line": line}})
}

// readTables splits the text into sheets. A line "| survey |" starts a
// sheet; the next table line, whose first cell is empty, is its header;
// the lines after it are its rows, numbered from 2 as in a spreadsheet.
func readTables(name, src string) ([]sheet, error) {
	var sheets []sheet
	var cur *sheet
	rows := 0
	for i, line := range strings.Split(src, "\n") {
		lineNo := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") || len(line) < 2 {
			return nil, textError(name, lineNo, "forms.error.text_line")
		}
		cells := splitCells(line[1 : len(line)-1])
		if separator(cells) {
			continue
		}
		if first := strings.TrimSpace(cells[0]); first != "" {
			for _, c := range cells[1:] {
				if strings.TrimSpace(c) != "" {
					return nil, textError(name, lineNo, "forms.error.text_line")
				}
			}
			for _, s := range sheets {
				if s.name == strings.ToLower(first) {
					return nil, textError(name, lineNo, "forms.error.text_sheet_twice")
				}
			}
			sheets = append(sheets, sheet{name: strings.ToLower(first)})
			cur = &sheets[len(sheets)-1]
			continue
		}
		if cur == nil {
			return nil, textError(name, lineNo, "forms.error.text_line")
		}
		rows++
		if rows > MaxRows*3 {
			return nil, textError(name, lineNo, "forms.error.text_too_many_rows")
		}
		if cur.header == nil {
			cur.header = cells[1:]
			if len(cur.header) == 0 {
				cur.header = []string{}
			}
			continue
		}
		if len(cur.rows) >= MaxRows {
			return nil, textError(name, lineNo, "forms.error.text_too_many_rows")
		}
		cur.rows = append(cur.rows, sheetRow{num: len(cur.rows) + 2, cells: cells[1:]})
	}
	return sheets, nil
}

// splitCells splits a table line between its outer bars; "\|" is a bar
// inside a cell.
func splitCells(s string) []string {
	var cells []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '|':
			b.WriteByte('|')
			i++
		case s[i] == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

// separator reports a Markdown table rule such as |---|:--|.
func separator(cells []string) bool {
	dashes := false
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" {
			return false
		}
		dashes = dashes || strings.Contains(c, "-")
	}
	return dashes
}
