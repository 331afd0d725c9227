package forms

import (
	"errors"
	"net/url"
	"testing"

	"waymark.city/waymark/internal/apperr"
)

// exprForm is the form expressions are evaluated against in these tests.
const exprForm = `
| survey |
| | type | name | label |
| | integer | a | A |
| | integer | zero | Zero |
| | text | t | T |
| | text | empty | Empty |
| | date | d | D |
| | select_multiple s | s | S |
| | decimal | x | X |
| | begin repeat | r | R |
| | integer | v | V |
| | end repeat | | |
| choices |
| | list_name | name | label |
| | s | p | P |
| | s | q | Q |
| | s | w | W |
`

func exprFixture(t testing.TB) (*Form, Answers) {
	t.Helper()
	f, err := ParseText("expr.md", []byte(exprForm))
	if err != nil {
		t.Fatal(dumpError(err))
	}
	ans := Answers{
		Values: map[string]string{"a": "7", "zero": "0", "t": "abc", "empty": "", "d": "2026-03-01", "s": "p w", "x": "2.5"},
		Repeats: map[string][]Answers{"r": {
			{Values: map[string]string{"v": "1"}}, {Values: map[string]string{"v": "2"}}, {Values: map[string]string{"v": "x"}},
		}},
	}
	return f, ans
}

// evalText parses src, binds its names to f and evaluates it at the top
// level of ans.
func evalText(t testing.TB, f *Form, ans Answers, src string) (string, error) {
	e, err := parseExpr(src, false)
	if err != nil {
		return "", err
	}
	bind(f, e)
	s := newScope(f, nil, &ans, nil, 0, today)
	return s.eval(e, f.fields["a"], nil).text(), nil
}

// bind resolves the references of e as the builder does; unknown names
// stay unbound and evaluate to no value.
func bind(f *Form, e expr) bool {
	ok := true
	walk(e, func(e expr) {
		if r, isRef := e.(*ref); isRef {
			r.node = f.fields[r.name]
			ok = ok && r.node != nil
		}
	})
	return ok
}

func TestExpressions(t *testing.T) {
	f, ans := exprFixture(t)
	cases := []struct{ src, want string }{
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"10 div 4", "2.5"},
		{"10 mod 4", "2"},
		{"-3 - -3", "0"},
		{"${a} div ${zero}", ""},
		{"${a} mod ${zero}", ""},
		{"${t} + 1", ""},
		{"${empty} + 1", ""},
		{"${a} * 2", "14"},
		{"${a} = 7", "true"},
		{"${a} = '7'", "true"},
		{"${a} != 7", "false"},
		{"${a} > 6 and ${a} < 8", "true"},
		{"${a} > 7 or ${a} <= 6", "false"},
		{"${t} = 'abc'", "true"},
		{"${t} != 'abd'", "true"},
		{"${empty} = ''", "true"},
		{"${empty} > 0", "false"},
		{"${empty} != 0", "true"},
		{"${d} < '2026-03-02'", "true"},
		{"${d} = date('2026-03-01')", "true"},
		{"today() - ${d}", "14"},
		{"${d} > today()", "false"},
		{"selected(${s}, 'w')", "true"},
		{"selected(${s}, 'q')", "false"},
		{"count-selected(${s})", "2"},
		{"string-length(${t})", "3"},
		{"string-length('Straße')", "6"},
		{"concat(${t}, '-', ${a})", "abc-7"},
		{"if(${a} > 5, 'big', 'small')", "big"},
		{"coalesce(${empty}, ${t})", "abc"},
		{"coalesce(${t}, 'x')", "abc"},
		{"int(${x})", "2"},
		{"int(-2.5)", "-2"},
		{"int(${t})", ""},
		{"number('3.5') * 2", "7"},
		{"number(${t})", ""},
		{"round(2.5)", "3"},
		{"round(-2.5)", "-2"},
		{"round(3.14159, 2)", "3.14"},
		{"round(${t})", ""},
		{"regex(${t}, '^[a-c]+$')", "true"},
		{"regex(${t}, '^x')", "false"},
		{"not(${a} = 7)", "false"},
		{"true() and not(false())", "true"},
		{"string(${a})", "7"},
		{"count(${r})", "3"},
		{"count(${v})", "3"},
		{"sum(${v})", "3"},
		{"${v} = 2", "true"},
		{"${v} = 5", "false"},
		{"concat(${v})", "12"},
		{"${a} + true()", "8"},
		{"1 div 0", ""},
		{"0 div 0", ""},
		{"'a' < 'b'", "false"},
		{"position(..)", ""},
	}
	for _, c := range cases {
		got, err := evalText(t, f, ans, c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestExpressionRefusals(t *testing.T) {
	cases := []struct{ src, key string }{
		{"1 +", "forms.error.expression_syntax"},
		{"(1", "forms.error.expression_syntax"},
		{"1)", "forms.error.expression_syntax"},
		{"${a", "forms.error.expression_syntax"},
		{"${1a}", "forms.error.expression_syntax"},
		{"$a", "forms.error.expression_syntax"},
		{"'open", "forms.error.expression_syntax"},
		{"1 ! 2", "forms.error.expression_syntax"},
		{"1 # 2", "forms.error.expression_syntax"},
		{"1.2.3", "forms.error.expression_syntax"},
		{"a = 1", "forms.error.expression_bare_name"},
		{"random()", "forms.error.unknown_function"},
		{"jr:choice-name(${a}, 'x')", "forms.error.expression_syntax"},
		{"if(1, 2)", "forms.error.wrong_arguments"},
		{"today(1)", "forms.error.wrong_arguments"},
		{"regex(${a}, ${b})", "forms.error.regex_not_literal"},
		{"regex(${a}, '(')", "forms.error.regex_invalid"},
		{"position(.)", "forms.error.position_argument"},
		{"sum(1)", "forms.error.repeat_argument"},
		{"/data/a = 1", "forms.error.expression_syntax"},
		{string(make([]byte, MaxExprLen+1)), "forms.error.expression_too_long"},
		{"--------------------------------------------------1", "forms.error.expression_too_deep"},
		{"\xff", "forms.error.expression_syntax"},
	}
	for _, c := range cases {
		_, err := parseExpr(c.src, false)
		var ee *exprError
		if !errors.As(err, &ee) || ee.key != c.key {
			t.Errorf("%.40q: got %v, want %s", c.src, err, c.key)
		}
	}
}

// FuzzExpression: no expression makes the parser or the evaluator panic,
// and what parses evaluates to some value.
func FuzzExpression(f *testing.F) {
	for _, s := range []string{"1 + 2", "${a} div ${zero}", "if(${a} > 1, concat('a', ${t}), round(${x}, 2))",
		"regex(${t}, '^(a|b)*$')", "sum(${v}) + count(${r})", "today() - ${d}", "selected(${s}, 'p') or not(1)",
		"-(-(-1))", "((((1))))", "'", "${"} {
		f.Add(s)
	}
	form, ans := exprFixture(f)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := parseExpr(src, true)
		if err != nil {
			return
		}
		bind(form, e)
		if !boundAll(e) {
			return
		}
		s := newScope(form, nil, &ans, nil, 0, today)
		_ = s.eval(e, form.fields["a"], nil).text()
	})
}

func boundAll(e expr) bool {
	ok := true
	walk(e, func(e expr) {
		if r, isRef := e.(*ref); isRef && r.node == nil {
			ok = false
		}
	})
	return ok
}

// FuzzParseText: no text makes the parser panic, and a form it accepts can
// be evaluated and decoded.
func FuzzParseText(f *testing.F) {
	f.Add(exprForm)
	f.Add("| survey |\n| | type | name | label | relevant |\n| | integer | a | A | ${a} > 1 |\n")
	f.Add("| survey |\n| | type | name | label |\n| | begin repeat | r | R |\n| | text | b | B |\n| | end repeat |\n")
	f.Add("| settings |\n| | form_id |\n| | x |\n")
	f.Add("|")
	f.Fuzz(func(t *testing.T, src string) {
		form, err := ParseText("fuzz.md", []byte(src))
		if err != nil {
			if _, ok := errors.AsType[*apperr.Error](err); !ok {
				t.Fatalf("not an apperr: %v", err)
			}
			return
		}
		form.Evaluate(Answers{}, "en")
		if _, err := form.Decode(url.Values{}, "en"); err != nil && apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("decode: %v", err)
		}
	})
}

// TestExpressionPrecedence shows how expressions group: or below and below
// equality below relations below + - below * div mod below unary minus.
func TestExpressionPrecedence(t *testing.T) {
	cases := map[string]string{
		"1 + 2 * 3":                  "(1 + (2 * 3))",
		"1 - 2 - 3":                  "((1 - 2) - 3)",
		"${a} = 1 or ${b} < 2 and 3": "((${a} = 1) or ((${b} < 2) and 3))",
		"-${a} div 2 mod 3":          "((-${a} div 2) mod 3)",
		"1 != 2 = 3 <= 4":            "((1 != 2) = (3 <= 4))",
		"if(. > 1, concat('a', \"b\"), position(..))": "if((. > 1), concat('a', 'b'), position(..))",
		"name = ${x}": "(name = ${x})",
	}
	for src, want := range cases {
		e, err := parseExpr(src, true)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := e.String(); got != want {
			t.Errorf("%s parsed as %s, want %s", src, got, want)
		}
	}
}
