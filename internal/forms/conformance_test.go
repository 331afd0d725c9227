package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/apperr"
)

var update = flag.Bool("update", false, "rewrite the golden files of the conformance set")

// today is the day the conformance scenarios are evaluated on.
var today = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// TestConformance reads every form of testdata/conformance twice, as text
// and as an .xlsx written from the same rows, checks both give the same
// form or the same refusals, and compares the form's scenarios (lines
// "# scenario <lang> <posted form>") with the golden file beside it.
func TestConformance(t *testing.T) {
	files, err := filepath.Glob("testdata/conformance/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("the conformance set has %d forms, want at least 30", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fromText, textErr := ParseText(name+".md", src)
			fromXLSX, xlsxErr := ParseXLSX(bytes.NewReader(workbook(t, name, src)))
			if !sameErrors(textErr, xlsxErr) {
				t.Fatalf("the parsers disagree:\ntext: %s\nxlsx: %s", dumpError(textErr), dumpError(xlsxErr))
			}
			if textErr == nil && !reflect.DeepEqual(fromText, fromXLSX) {
				t.Fatalf("the parsers build different forms:\ntext: %s\nxlsx: %s", dumpForm(fromText), dumpForm(fromXLSX))
			}
			var out strings.Builder
			if textErr != nil {
				out.WriteString("refused:\n" + dumpError(textErr))
			} else {
				out.WriteString(dumpForm(fromText))
				for i, sc := range scenarios(t, string(src)) {
					fmt.Fprintf(&out, "\nscenario %d (%s) %s\n", i+1, sc.lang, sc.post)
					out.WriteString(runScenario(t, fromText, sc))
				}
			}
			golden := strings.TrimSuffix(file, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if out.String() != string(want) {
				t.Errorf("the result differs from %s (go test -update rewrites it):\n%s", golden, out.String())
			}
		})
	}
}

// TestConformanceCoversRefusals checks that the conformance set has a form
// for each refusal the issue names.
func TestConformanceCoversRefusals(t *testing.T) {
	want := []string{"forms.error.unknown_type", "forms.error.expression_syntax", "forms.error.cycle",
		"forms.error.unknown_reference", "forms.error.missing_list", "forms.error.unknown_column",
		"forms.error.settings_rows", "forms.error.or_other", "forms.error.unknown_function"}
	goldens, _ := filepath.Glob("testdata/conformance/*.golden")
	var all strings.Builder
	for _, g := range goldens {
		b, _ := os.ReadFile(g)
		all.Write(b)
	}
	for _, key := range want {
		if !strings.Contains(all.String(), key+" ") {
			t.Errorf("no conformance form is refused with %s", key)
		}
	}
}

type scenario struct {
	lang string
	post string
}

// scenarios reads the "# scenario <lang> <posted form>" lines; "-" posts
// nothing and shows the form as first opened.
func scenarios(t *testing.T, src string) []scenario {
	var out []scenario
	for _, line := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# scenario ")
		if !ok {
			continue
		}
		lang, post, _ := strings.Cut(rest, " ")
		out = append(out, scenario{lang: lang, post: strings.TrimSpace(post)})
	}
	return out
}

func runScenario(t *testing.T, f *Form, sc scenario) string {
	var out strings.Builder
	ans := Answers{}
	if sc.post != "-" {
		values, err := url.ParseQuery(sc.post)
		if err != nil {
			t.Fatalf("scenario %q: %v", sc.post, err)
		}
		var decodeErr error
		ans, decodeErr = f.decode(values, sc.lang, today)
		if act, ok := ReadAction(values); ok {
			var err error
			ans, err = f.Apply(ans, act)
			fmt.Fprintf(&out, "action %s %s: %s\n", act.Kind, act.Path, strings.TrimSuffix(dumpError(err), "\n"))
		} else {
			fmt.Fprintf(&out, "decode: %s\n", strings.ReplaceAll(strings.TrimSuffix(dumpError(decodeErr), "\n"), "\n", "\n  "))
		}
		b, err := json.Marshal(ans)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "answers: %s\n", b)
	}
	st := f.evaluate(ans, sc.lang, today)
	dumpItems(&out, st.Items, "  ")
	return out.String()
}

func dumpItems(out *strings.Builder, items []Item, indent string) {
	for _, it := range items {
		fmt.Fprintf(out, "%s%s %s [%s]", indent, it.Type, it.Name, it.Input)
		if it.Label != "" {
			fmt.Fprintf(out, " %q", it.Label)
		}
		if it.Hint != "" {
			fmt.Fprintf(out, " hint=%q", it.Hint)
		}
		if it.Required {
			out.WriteString(" required")
		}
		if it.Value != "" {
			fmt.Fprintf(out, " = %q", it.Value)
		}
		if it.Choices != nil {
			var cs []string
			for _, c := range it.Choices {
				mark := ""
				if c.Selected {
					mark = "*"
				}
				cs = append(cs, fmt.Sprintf("%s%s:%q", mark, c.Name, c.Label))
			}
			fmt.Fprintf(out, " {%s}", strings.Join(cs, " "))
		}
		out.WriteString("\n")
		dumpItems(out, it.Items, indent+"  ")
		for _, in := range it.Instances {
			fmt.Fprintf(out, "%s  #%d %s\n", indent, in.Index, in.Input)
			dumpItems(out, in.Items, indent+"    ")
		}
		if it.Type == TypeRepeat && !it.CanAdd {
			fmt.Fprintf(out, "%s  (full)\n", indent)
		}
	}
}

func dumpForm(f *Form) string {
	var out strings.Builder
	fmt.Fprintf(&out, "form id=%q title=%q version=%q default_language=%q languages=%q\n",
		f.ID, f.Title, f.Version, f.DefaultLang, f.Languages)
	for _, fi := range f.Fields() {
		fmt.Fprintf(&out, "field %s %s", fi.Name, fi.Type)
		if fi.List != "" {
			fmt.Fprintf(&out, " list=%s(%d choices)", fi.List, len(fi.Choices))
		}
		if fi.Repeat != "" {
			fmt.Fprintf(&out, " in=%s", fi.Repeat)
		}
		out.WriteString("\n")
	}
	return out.String()
}

// dumpError writes an error's field errors one a line, with sorted args.
func dumpError(err error) string {
	if err == nil {
		return "ok"
	}
	e, ok := errors.AsType[*apperr.Error](err)
	if !ok {
		return "not an apperr: " + err.Error()
	}
	if len(e.Fields) == 0 {
		return string(e.Code) + " " + e.Key + "\n"
	}
	var out strings.Builder
	for _, fe := range e.Fields {
		keys := make([]string, 0, len(fe.Args))
		for k := range fe.Args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(&out, "%s %s", fe.Key, fe.Field)
		for _, k := range keys {
			fmt.Fprintf(&out, " %s=%v", k, fe.Args[k])
		}
		out.WriteString("\n")
	}
	return out.String()
}

func sameErrors(a, b error) bool {
	return dumpError(a) == dumpError(b)
}

// workbook writes the text form's sheets into an .xlsx, each row at the
// row number the text parser gives it.
func workbook(t testing.TB, name string, src []byte) []byte {
	t.Helper()
	sheets, err := readTables(name, string(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return writeWorkbook(t, sheets)
}

func writeWorkbook(t testing.TB, sheets []sheet) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := wb.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := wb.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		if err := wb.SetSheetRow(s.name, "A1", &s.header); err != nil {
			t.Fatal(err)
		}
		for _, r := range s.rows {
			cells := slices.Clone(r.cells)
			if err := wb.SetSheetRow(s.name, fmt.Sprintf("A%d", r.num), &cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzParsersAgree: whatever the tables hold, the text and the .xlsx
// written from the same rows give the same form or the same refusals.
func FuzzParsersAgree(f *testing.F) {
	for _, name := range []string{"04_relevant", "11_repeat", "10_choice_filter", "23_refuse_cycle_calculate", "38_refuse_choices"} {
		src, err := os.ReadFile("testdata/conformance/" + name + ".md")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4000 || strings.ContainsFunc(src, func(r rune) bool { return r < ' ' && r != '\n' || r == 0x7f || r == utf8.RuneError }) {
			return
		}
		sheets, err := readTables("fuzz.md", src)
		if err != nil || len(sheets) == 0 {
			return
		}
		for _, s := range sheets {
			// Excel's own rules for sheet names.
			if s.name == "" || len(s.name) > 31 || strings.ContainsAny(s.name, `[]:*?/\'`) {
				return
			}
		}
		fromText, textErr := ParseText("fuzz.md", []byte(src))
		fromXLSX, xlsxErr := ParseXLSX(bytes.NewReader(writeWorkbook(t, sheets)))
		if !sameErrors(textErr, xlsxErr) {
			t.Fatalf("the parsers disagree:\ntext: %s\nxlsx: %s", dumpError(textErr), dumpError(xlsxErr))
		}
		if textErr == nil && !reflect.DeepEqual(fromText, fromXLSX) {
			t.Fatalf("the parsers build different forms:\ntext: %s\nxlsx: %s", dumpForm(fromText), dumpForm(fromXLSX))
		}
	})
}
