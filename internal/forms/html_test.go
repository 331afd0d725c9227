package forms

import (
	"bytes"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"waymark.city/waymark/internal/i18n"
)

func render(t *testing.T, cat *i18n.Catalog, st *State, lang string, errs map[string]string) string {
	t.Helper()
	tpl, err := template.New("page").ParseFS(Templates(), "_*.html")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tpl.ExecuteTemplate(&buf, "questionnaire", st.Show(cat.For(lang), errs)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var (
	idAttr       = regexp.MustCompile(`\bid="([^"]+)"`)
	labelFor     = regexp.MustCompile(`<label for="([^"]+)"`)
	describedBy  = regexp.MustCompile(`aria-describedby="([^"]+)"`)
	inputTag     = regexp.MustCompile(`<(?:input|textarea) [^>]*>`)
	inChoice     = regexp.MustCompile(`<label class="choice"><input [^>]*>`)
	hiddenOrName = regexp.MustCompile(`type="hidden"`)
)

// TestQuestionnaireHTML renders forms of the conformance set in English and
// German, with errors, and checks what a screen reader needs: every input
// has a label, hints and errors are tied to their input, ids are unique,
// and no text is missing from the catalogues.
func TestQuestionnaireHTML(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		form string
		post string
		errs map[string]string
	}{
		{"01_types_basic", "name=&workers=x", map[string]string{"name": "Answer this question.", "workers": "Whole number"}},
		{"02_selects", "sector=build&signs=debt", map[string]string{"sector": "Choose"}},
		{"05_group_relevant", "minors=yes&minor_count=2", nil},
		{"11_repeat", "worker:count=2&worker[1]/age=3", map[string]string{"worker[2]/age": "Answer"}},
		{"12_nested_repeat", "site:count=2&site[1]/room:count=2&site[2]/room:count=1", nil},
		{"14_label_values", "place=<b>mill</b>", nil},
	}
	for _, c := range cases {
		f := conformanceForm(t, c.form)
		values, _ := url.ParseQuery(c.post)
		ans, _ := f.Decode(values, "en")
		for _, lang := range []string{"en", "de"} {
			html := render(t, cat, f.Evaluate(ans, lang), lang, c.errs)
			ids := map[string]bool{}
			for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
				if ids[m[1]] {
					t.Errorf("%s %s: id %s twice", c.form, lang, m[1])
				}
				ids[m[1]] = true
			}
			labelled := map[string]bool{}
			for _, m := range labelFor.FindAllStringSubmatch(html, -1) {
				labelled[m[1]] = true
			}
			for _, m := range inChoice.FindAllString(html, -1) {
				labelled[idAttr.FindStringSubmatch(m)[1]] = true
			}
			for _, in := range inputTag.FindAllString(html, -1) {
				if hiddenOrName.MatchString(in) {
					continue
				}
				id := idAttr.FindStringSubmatch(in)
				if id == nil || !labelled[id[1]] {
					t.Errorf("%s %s: input without a label: %s", c.form, lang, in)
				}
			}
			for _, m := range describedBy.FindAllStringSubmatch(html, -1) {
				for _, id := range strings.Fields(m[1]) {
					if !ids[id] {
						t.Errorf("%s %s: aria-describedby names %s, which is not on the page", c.form, lang, id)
					}
				}
			}
			for input := range c.errs {
				if !ids["f-"+input] || !strings.Contains(html, `id="f-`+input+`:error"`) {
					t.Errorf("%s %s: the error of %s is not next to it (the summary links to #f-%s)", c.form, lang, input, input)
				}
			}
			if strings.Contains(html, "<b>") {
				t.Errorf("%s: an answer shown in a label was not escaped", c.form)
			}
			if strings.Contains(html, " required") && !strings.Contains(html, "aria-required") && strings.Contains(html, "<input") {
				t.Errorf("%s: an input carries the required attribute, which would block the add and remove buttons", c.form)
			}
		}
	}
	if missing := cat.Missing(); len(missing) > 0 {
		t.Fatalf("texts missing from the catalogues: %v", missing)
	}
}

// TestQuestionnaireButtons: the buttons of a repeat post actions a page
// recognises, and Enter in a field submits the page's own form.
func TestQuestionnaireButtons(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := conformanceForm(t, "11_repeat")
	html := render(t, cat, f.Evaluate(Answers{}, "en"), "en", nil)
	first := strings.Index(html, "<button")
	if !strings.HasPrefix(html[first:], `<button type="submit" class="visually-hidden"`) || strings.Contains(html[first:first+80], "name=") {
		t.Errorf("the first button is not the plain submit: %s", html[first:first+120])
	}
	for _, want := range []string{
		`name="forms:action" value="add:worker"`,
		`name="forms:action" value="remove:worker[1]"`,
		`name="worker:count" value="1"`,
		`name="forms:action" value="refresh"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %s", want)
		}
	}
	for _, value := range []string{"add:worker", "remove:worker[1]"} {
		act, ok := ReadAction(url.Values{ActionInput: {value}})
		if !ok {
			t.Fatalf("%s not recognised", value)
		}
		if _, err := f.Apply(Answers{}, act); err != nil {
			t.Errorf("%s: %v", value, err)
		}
	}
}

// TestQuestionnaireIDs: a question named like another's hint, error or
// choice gets ids of its own.
func TestQuestionnaireIDs(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseText("ids.md", []byte(`
| survey |
| | type | name | label | hint |
| | select_one l | q | Q | Hint |
| | text | q-hint | Q hint | Hint |
| | text | q-b | Q b | |
| | text | q-error | Q error | |
| choices |
| | list_name | name | label |
| | l | a | A |
| | l | b | B |
| | l | hint | Hint |
`))
	if err != nil {
		t.Fatal(dumpError(err))
	}
	html := render(t, cat, f.Evaluate(Answers{}, "en"), "en", map[string]string{"q": "x", "q-hint": "y"})
	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
		if seen[m[1]] {
			t.Errorf("id %s twice", m[1])
		}
		seen[m[1]] = true
	}
}
