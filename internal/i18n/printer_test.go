package i18n

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the test must not depend on the host's zone database

	"waymark.city/waymark/internal/apperr"
)

func shippedCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// worldCatalog has languages with richer plural rules than English.
func worldCatalog(t *testing.T) *Catalog {
	t.Helper()
	files := map[string]string{
		"en.json": enBase,
		"ru.json": `{
  "_meta": {"name": "Русский", "dir": "ltr"},
  "error.internal": "Что-то пошло не так.",
  "format.date": "02.01.2006",
  "format.datetime": "02.01.2006 15:04",
  "items": {"one": "one:{n}", "few": "few:{n}", "many": "many:{n}", "other": "other:{n}"},
  "users.created": "Пользователь {name} создан."
}`,
		"ar.json": `{
  "_meta": {"name": "العربية", "dir": "rtl"},
  "error.internal": "حدث خطأ ما.",
  "format.date": "02/01/2006",
  "format.datetime": "02/01/2006 15:04",
  "items": {"zero": "zero:{n}", "one": "one:{n}", "two": "two:{n}", "few": "few:{n}", "many": "many:{n}", "other": "other:{n}"},
  "users.created": "تم إنشاء المستخدم {name}."
}`,
	}
	c, err := LoadFS(mapFS(files))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	return c
}

func TestPluralShipped(t *testing.T) {
	c := shippedCatalog(t)
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 entries"},
		{"en", 1, "1 entry"},
		{"en", 2, "2 entries"},
		{"en", 1234, "1,234 entries"},
		{"en", -1, "-1 entry"},
		{"de", 0, "0 Einträge"},
		{"de", 1, "1 Eintrag"},
		{"de", 21, "21 Einträge"},
		{"de", 1234567, "1.234.567 Einträge"},
	}
	for _, tt := range tests {
		if got := c.For(tt.lang).N("audit.entries", tt.n); got != tt.want {
			t.Errorf("%s N(audit.entries, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestPluralRussianArabic(t *testing.T) {
	c := worldCatalog(t)
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "one:1"},
		{"ru", 2, "few:2"},
		{"ru", 4, "few:4"},
		{"ru", 5, "many:5"},
		{"ru", 11, "many:11"},
		{"ru", 12, "many:12"},
		{"ru", 21, "one:21"},
		{"ru", 22, "few:22"},
		{"ru", 111, "many:111"},
		{"ru", 0, "many:0"},
		{"ar", 0, "zero:٠"},
		{"ar", 1, "one:١"},
		{"ar", 2, "two:٢"},
		{"ar", 3, "few:٣"},
		{"ar", 10, "few:١٠"},
		{"ar", 11, "many:١١"},
		{"ar", 99, "many:٩٩"},
		{"ar", 100, "other:١٠٠"},
		{"ar", 102, "other:١٠٢"},
		{"ar", 103, "few:١٠٣"},
	}
	for _, tt := range tests {
		if got := c.For(tt.lang).N("items", tt.n); got != tt.want {
			t.Errorf("%s N(items, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	// Extreme values must not panic (the plural operand is reduced first).
	for _, n := range []int{-1 << 63, 1<<63 - 1} {
		for _, lang := range []string{"ru", "ar", "en"} {
			_ = c.For(lang).N("items", n)
		}
	}
	if got := c.For("ar").Dir(); got != "rtl" {
		t.Errorf("ar Dir() = %q, want rtl", got)
	}
	want := []string{"en", "ar", "ru"}
	var got []string
	for _, l := range c.Languages() {
		got = append(got, l.Tag)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Languages() tags = %v, want %v", got, want)
	}
}

type stringer struct{}

func (stringer) String() string { return "S" }

func TestPlaceholders(t *testing.T) {
	c, err := LoadFS(mapFS(map[string]string{"en.json": `{
  "_meta": {"name": "English", "dir": "ltr"},
  "error.internal": "Something went wrong.",
  "format.date": "2 Jan 2006",
  "format.datetime": "2 Jan 2006 15:04",
  "greet": "Hello {name}, you have {count} cases in {city}.",
  "items": {"one": "{n} item in {place}", "other": "{n} items in {place}"},
  "literal": "Braces { stay } and {9x} and {} and {open"
}`}))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	p := c.For("en")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"all args", p.T("greet", "name", "Ana", "count", 1500, "city", "Graz"), "Hello Ana, you have 1,500 cases in Graz."},
		{"order does not matter", p.T("greet", "city", "Graz", "count", 2, "name", "Ana"), "Hello Ana, you have 2 cases in Graz."},
		{"missing arg stays visible", p.T("greet", "name", "Ana"), "Hello Ana, you have {count} cases in {city}."},
		{"odd args", p.T("greet", "name"), "Hello {name}, you have {count} cases in {city}."},
		{"non-string name", p.T("greet", 7, "x", "name", "Ana"), "Hello Ana, you have {count} cases in {city}."},
		{"stringer and nil", p.T("greet", "name", stringer{}, "count", nil, "city", 1.5), "Hello S, you have  cases in 1.5."},
		{"value with braces is not expanded", p.T("greet", "name", "{city}", "city", "Graz", "count", 0), "Hello {city}, you have 0 cases in Graz."},
		{"literal braces", p.T("literal"), "Braces { stay } and {9x} and {} and {open"},
		{"plural with args", p.N("items", 3, "place", "Linz"), "3 items in Linz"},
		{"n cannot be overridden", p.N("items", 1, "n", 5, "place", "Linz"), "1 item in Linz"},
		{"T on plural selects by n", p.T("items", "n", 1, "place", "Linz"), "1 item in Linz"},
		{"T on plural without integer n uses other", p.T("items", "n", "x", "place", "Linz"), "x items in Linz"},
		{"N on text sets n", p.N("greet", 2, "name", "Ana", "city", "Graz"), "Hello Ana, you have {count} cases in Graz."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if m := c.Missing(); len(m) != 0 {
		t.Errorf("Missing() = %v", m)
	}
}

func TestMissingKey(t *testing.T) {
	c := shippedCatalog(t)
	p := c.For("de")
	if p.Has("no.such.key") {
		t.Error("Has(no.such.key) = true")
	}
	if !p.Has("app.name") {
		t.Error("Has(app.name) = false")
	}
	if got := p.T("no.such.key", "name", "x"); got != "⟦no.such.key⟧" {
		t.Errorf("T(missing) = %q", got)
	}
	if got := p.N("no.plural", 3); got != "⟦no.plural⟧" {
		t.Errorf("N(missing) = %q", got)
	}
	_ = c.For("en").T("no.such.key")
	if got, want := c.Missing(), []string{"no.plural", "no.such.key"}; !slices.Equal(got, want) {
		t.Errorf("Missing() = %v, want %v", got, want)
	}
}

func TestFor(t *testing.T) {
	c := shippedCatalog(t)
	tests := []struct{ in, want string }{
		{"de", "de"},
		{"DE", "de"},
		{"en", "en"},
		{"fr", "en"},
		{"", "en"},
		{"not a tag!", "en"},
	}
	for _, tt := range tests {
		p := c.For(tt.in)
		if got := p.Lang(); got != tt.want {
			t.Errorf("For(%q).Lang() = %q, want %q", tt.in, got, tt.want)
		}
		if got := p.Dir(); got != "ltr" {
			t.Errorf("For(%q).Dir() = %q, want ltr", tt.in, got)
		}
	}
}

func TestError(t *testing.T) {
	c := shippedCatalog(t)
	de := c.For("de")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"apperr", apperr.New(apperr.NotFound, "error.not_found"), "Das konnten wir nicht finden. Vielleicht existiert es nicht oder Sie haben keinen Zugriff darauf."},
		{"wrapped apperr", fmt.Errorf("load case 7: %w", apperr.Wrap(apperr.Forbidden, "error.forbidden", errors.New("db detail"))), "Ihre Rolle erlaubt das nicht."},
		{"validation", apperr.Validation(apperr.FieldError{Field: "name", Key: "error.invalid_form"}), "Bitte korrigieren Sie die unten markierten Felder."},
		{"plain error", errors.New("pq: relation users does not exist"), "Bei uns ist etwas schiefgelaufen. Nichts von Ihren Eingaben wurde gespeichert. Bitte versuchen Sie es erneut."},
		{"apperr without key", &apperr.Error{Code: apperr.Internal}, "Bei uns ist etwas schiefgelaufen. Nichts von Ihren Eingaben wurde gespeichert. Bitte versuchen Sie es erneut."},
	}
	for _, tt := range tests {
		if got := de.Error(tt.err); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.want)
		}
	}
	if m := c.Missing(); len(m) != 0 {
		t.Errorf("Missing() = %v", m)
	}
	if got := de.Error(apperr.New(apperr.Invalid, "error.unknown_key")); got != "⟦error.unknown_key⟧" {
		t.Errorf("unknown key: Error() = %q", got)
	}

	w := worldCatalog(t)
	err := &apperr.Error{Code: apperr.Conflict, Key: "users.created", Args: map[string]any{"name": "Ana"}}
	if got := w.For("en").Error(err); got != "User Ana was created." {
		t.Errorf("Error with args = %q", got)
	}
	fe := apperr.FieldError{Field: "count", Key: "items", Args: map[string]any{"n": 1234}}
	if got := w.For("ru").Field(fe); got != "few:1\u00a0234" {
		t.Errorf("Field = %q", got)
	}
}

func TestDate(t *testing.T) {
	c := shippedCatalog(t)
	vienna, err := time.LoadLocation("Europe/Vienna")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, time.November, 22, 13, 5, 0, 0, time.UTC)
	late := time.Date(2026, time.July, 1, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		lang      string
		t         time.Time
		loc       *time.Location
		date, dts string
	}{
		{"en", noon, vienna, "22 Nov 2026", "22 Nov 2026 14:05"},
		{"de", noon, vienna, "22.11.2026", "22.11.2026 14:05"},
		{"en", noon, nil, "22 Nov 2026", "22 Nov 2026 13:05"},
		{"de", late, vienna, "02.07.2026", "02.07.2026 01:30"}, // summer time moves the date
		{"de", late, newYork, "01.07.2026", "01.07.2026 19:30"},
	}
	for _, tt := range tests {
		p := c.For(tt.lang)
		if got := p.Date(tt.t, tt.loc); got != tt.date {
			t.Errorf("%s Date(%v, %v) = %q, want %q", tt.lang, tt.t, tt.loc, got, tt.date)
		}
		if got := p.DateTime(tt.t, tt.loc); got != tt.dts {
			t.Errorf("%s DateTime(%v, %v) = %q, want %q", tt.lang, tt.t, tt.loc, got, tt.dts)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := shippedCatalog(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p := c.For([]string{"en", "de"}[i%2])
			for n := range 100 {
				_ = p.N("audit.entries", n)
				_ = p.T("missing.key")
				_ = c.Match("", "de-AT,de;q=0.9")
			}
		})
	}
	wg.Wait()
	if got := c.Missing(); !slices.Equal(got, []string{"missing.key"}) {
		t.Errorf("Missing() = %v", got)
	}
}

// FuzzFill checks that filling never panics and that a template without
// values comes back unchanged, whatever braces it contains.
func FuzzFill(f *testing.F) {
	for _, s := range []string{"", "{", "}", "{n}", "{{n}}", "a {b} c {", "{9}", "{_x1}", "\xff{é}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := fill(s, func(string) (string, bool) { return "", false }); got != s {
			t.Fatalf("fill(%q) without values = %q", s, got)
		}
		set := map[string]bool{}
		addPlaceholders(set, s)
		for name := range set {
			if !strings.Contains(s, "{"+name+"}") {
				t.Fatalf("placeholder %q not in %q", name, s)
			}
		}
		_ = fill(s, func(name string) (string, bool) { return "<" + name + ">", true })
	})
}
