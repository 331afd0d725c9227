package forms

import (
	"strings"
	"testing"
)

func TestTextFormatErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"not a table", "| survey |\n| | type | name | label |\nsome prose\n", "forms.error.text_line form line=3 name=t.md\n"},
		{"row before a sheet", "| | type | name |\n", "forms.error.text_line form line=1 name=t.md\n"},
		{"sheet name with cells", "| survey | type |\n", "forms.error.text_line form line=1 name=t.md\n"},
		{"open row", "| survey |\n| | type | name\n", "forms.error.text_line form line=2 name=t.md\n"},
		{"sheet twice", "| survey |\n| | type |\n| Survey |\n", "forms.error.text_sheet_twice form line=3 name=t.md\n"},
		{"not UTF-8", "| survey |\n| | type | name | label |\n| | text | a | \xff |\n", "forms.error.text_encoding form line=0 name=t.md\n"},
		{"too large", strings.Repeat("#", MaxFileSize+1), "forms.error.file_too_large form max=2\n"},
		{"too many rows", "| survey |\n| | type | name | label |\n" + strings.Repeat("| | note | n | N |\n", MaxRows+1), "forms.error.text_too_many_rows form line=2003 name=t.md\n"},
		{"empty", "", "forms.error.no_survey form column= row=1 sheet=survey\n"},
	}
	for _, c := range cases {
		_, err := ParseText("t.md", []byte(c.src))
		if got := dumpError(err); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTextFormatTolerates(t *testing.T) {
	src := "\ufeff# comment\r\n\r\n  | survey |  \r\n|---|---|---|---|\r\n| | type | name | label |\r\n| | text | a | A \\| B |\r\n| | | | |\r\n| | note | n | N |\r\n"
	f, err := ParseText("t.md", []byte(src))
	if err != nil {
		t.Fatal(dumpError(err))
	}
	if f.fields["a"].label[""] != "A | B" || f.fields["n"].row != 4 {
		t.Fatalf("label %q, row of n %d", f.fields["a"].label[""], f.fields["n"].row)
	}
}
