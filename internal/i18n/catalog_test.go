package i18n

import (
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// enBase is a minimal valid reference catalogue for test file systems.
const enBase = `{
  "_meta": {"name": "English", "dir": "ltr"},
  "error.internal": "Something went wrong.",
  "format.date": "2 Jan 2006",
  "format.datetime": "2 Jan 2006 15:04",
  "items": {"one": "{n} item", "other": "{n} items"},
  "users.created": "User {name} was created."
}`

const deBase = `{
  "_meta": {"name": "Deutsch", "dir": "ltr"},
  "error.internal": "Etwas ist schiefgelaufen.",
  "format.date": "02.01.2006",
  "format.datetime": "02.01.2006 15:04",
  "items": {"one": "{n} Element", "other": "{n} Elemente"},
  "users.created": "Benutzer {name} wurde angelegt."
}`

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestShippedCatalogues(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []Language{
		{Tag: "en", Name: "English", Dir: "ltr"},
		{Tag: "de", Name: "Deutsch", Dir: "ltr"},
	}
	if got := c.Languages(); !reflect.DeepEqual(got, want) {
		t.Errorf("Languages() = %v, want %v", got, want)
	}
	for _, l := range c.Languages() {
		p := c.For(l.Tag)
		if got := p.T("app.name"); got != "Waymark" {
			t.Errorf("%s app.name = %q", l.Tag, got)
		}
	}
	if m := c.Missing(); len(m) != 0 {
		t.Errorf("Missing() = %v", m)
	}
}

// TestShippedFilesSorted keeps the shipped files in the agreed shape:
// _meta first, then keys in byte order, so merges and reviews stay easy.
func TestShippedFilesSorted(t *testing.T) {
	files, err := fs.Glob(shipped, "locales/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped catalogues: %v", err)
	}
	for _, name := range files {
		data, err := fs.ReadFile(shipped, name)
		if err != nil {
			t.Fatal(err)
		}
		members, err := decodeObject(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		first := 0
		if !strings.Contains(strings.TrimSuffix(path.Base(name), ".json"), ".") {
			// A main file starts with _meta; an area file has none.
			if len(members) == 0 || members[0].key != "_meta" {
				t.Errorf("%s: _meta must come first", name)
				continue
			}
			first = 1
		}
		for i := first + 1; i < len(members); i++ {
			if members[i-1].key >= members[i].key {
				t.Errorf("%s: key %q must come before %q", name, members[i].key, members[i-1].key)
			}
		}
	}
}

func TestLoadFSValid(t *testing.T) {
	c, err := LoadFS(mapFS(map[string]string{"en.json": enBase, "de.json": deBase, "README.md": "ignored"}))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got := len(c.Languages()); got != 2 {
		t.Errorf("%d languages, want 2", got)
	}
}

func TestLoadFSValidation(t *testing.T) {
	de := func(old, new string) string {
		if !strings.Contains(deBase, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(deBase, old, new, 1)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{
			name:  "missing key",
			files: map[string]string{"en.json": enBase, "de.json": de(`"users.created": "Benutzer {name} wurde angelegt."`, `"zz.unused": "x"`)},
			want:  []string{`de.json: key "users.created": missing (English has it)`},
		},
		{
			name:  "extra key",
			files: map[string]string{"en.json": enBase, "de.json": de(`"items"`, `"nav.extra": "Extra", "items"`)},
			want:  []string{`de.json: key "nav.extra": unknown key`},
		},
		{
			name:  "missing plural category",
			files: map[string]string{"en.json": enBase, "de.json": de(`"one": "{n} Element", `, ``)},
			want:  []string{`de.json: key "items": plural category "one" is missing; de needs one+other`},
		},
		{
			name: "missing Russian plural categories",
			files: map[string]string{"en.json": enBase, "ru.json": `{
  "_meta": {"name": "Русский", "dir": "ltr"},
  "error.internal": "Что-то пошло не так.",
  "format.date": "02.01.2006",
  "format.datetime": "02.01.2006 15:04",
  "items": {"one": "{n} элемент", "other": "{n} элемента"},
  "users.created": "Пользователь {name} создан."
}`},
			want: []string{
				`ru.json: key "items": plural category "few" is missing; ru needs one+few+many+other`,
				`ru.json: key "items": plural category "many" is missing`,
			},
		},
		{
			name:  "unused plural category",
			files: map[string]string{"en.json": enBase, "de.json": de(`"one": "{n} Element"`, `"one": "{n} Element", "few": "{n} Elemente"`)},
			want:  []string{`de.json: key "items": plural category "few" is never used in de`},
		},
		{
			name:  "unknown plural category",
			files: map[string]string{"en.json": enBase, "de.json": de(`"one": "{n} Element"`, `"single": "{n} Element"`)},
			want:  []string{`de.json: key "items": "single" is not a plural category`},
		},
		{
			name:  "placeholder mismatch",
			files: map[string]string{"en.json": enBase, "de.json": de(`{name}`, `{nmae}`)},
			want:  []string{`de.json: key "users.created": placeholders differ from English: missing [{name}], unknown [{nmae}]`},
		},
		{
			name:  "plural placeholder mismatch",
			files: map[string]string{"en.json": enBase, "de.json": de(`"{n} Elemente"`, `"{count} Elemente"`)},
			want:  []string{`de.json: key "items": placeholders differ from English: missing [], unknown [{count}]`},
		},
		{
			name:  "text where English has plural",
			files: map[string]string{"en.json": enBase, "de.json": de(`{"one": "{n} Element", "other": "{n} Elemente"}`, `"{n} Elemente"`)},
			want:  []string{`de.json: key "items": must be a plural object as in English`},
		},
		{
			name:  "bad JSON",
			files: map[string]string{"en.json": enBase, "de.json": de(`"Etwas ist schiefgelaufen.",`, `"Etwas ist schiefgelaufen."`)},
			want:  []string{`de.json: invalid JSON at line 4`},
		},
		{
			name:  "truncated JSON",
			files: map[string]string{"en.json": enBase, "de.json": deBase[:40]},
			want:  []string{`de.json: invalid JSON`},
		},
		{
			name:  "not an object",
			files: map[string]string{"en.json": enBase, "de.json": `["x"]`},
			want:  []string{`de.json: expected a JSON object`},
		},
		{
			name:  "duplicate key",
			files: map[string]string{"en.json": enBase, "de.json": de(`"items"`, `"format.date": "02.01.2006", "items"`)},
			want:  []string{`de.json: line 6: duplicate key "format.date"`},
		},
		{
			name:  "missing _meta",
			files: map[string]string{"en.json": enBase, "de.json": de(`"_meta": {"name": "Deutsch", "dir": "ltr"},`, ``)},
			want:  []string{`de.json: _meta object with name and dir is missing`},
		},
		{
			name:  "bad dir",
			files: map[string]string{"en.json": enBase, "de.json": de(`"dir": "ltr"`, `"dir": "left"`)},
			want:  []string{`de.json: key "_meta": _meta.dir must be "ltr" or "rtl", not "left"`},
		},
		{
			name:  "empty text",
			files: map[string]string{"en.json": enBase, "de.json": de(`"Etwas ist schiefgelaufen."`, `" "`)},
			want:  []string{`de.json: key "error.internal": empty text`},
		},
		{
			name:  "English month names outside English",
			files: map[string]string{"en.json": enBase, "de.json": de(`"format.date": "02.01.2006"`, `"format.date": "2 Jan 2006"`)},
			want:  []string{`de.json: key "format.date": layout "2 Jan 2006" would print English month`},
		},
		{
			name:  "not a layout",
			files: map[string]string{"en.json": enBase, "de.json": de(`"format.date": "02.01.2006"`, `"format.date": "dd.mm.yyyy"`)},
			want:  []string{`de.json: key "format.date": "dd.mm.yyyy" is not a Go time layout`},
		},
		{
			name:  "invalid UTF-8",
			files: map[string]string{"en.json": enBase, "de.json": de(`Etwas`, "Etw\xffas")},
			want:  []string{`de.json: not valid UTF-8`},
		},
		{
			name:  "file name not a tag",
			files: map[string]string{"en.json": enBase, "german.json": deBase},
			want:  []string{`german.json: file name must be a canonical language tag`},
		},
		{
			name:  "file name not canonical",
			files: map[string]string{"en.json": enBase, "de-de.json": deBase},
			want:  []string{`de-de.json: file name must be a canonical language tag`},
		},
		{
			name:  "no reference",
			files: map[string]string{"de.json": deBase},
			want:  []string{`reference catalogue en.json is missing`},
		},
		{
			name:  "reference lacks a key the package needs",
			files: map[string]string{"en.json": strings.Replace(enBase, `"format.datetime"`, `"format.other"`, 1)},
			want:  []string{`en.json: key "format.datetime": missing; the i18n package needs it`},
		},
		{
			name:  "all problems reported together",
			files: map[string]string{"en.json": enBase, "de.json": de(`{name}`, `{x}`), "fr.json": `{`},
			want:  []string{`de.json: key "users.created": placeholders differ`, `fr.json: invalid JSON`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadFS(mapFS(tt.files))
			if err == nil {
				t.Fatalf("LoadFS succeeded with %d languages, want error", len(c.Languages()))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

// Area files add a capability's keys to a language; a key lives in one file.
func TestAreaFiles(t *testing.T) {
	c, err := LoadFS(mapFS(map[string]string{
		"en.json": enBase, "de.json": deBase,
		"en.area.json": `{"area.hello": "Hello"}`,
		"de.area.json": `{"area.hello": "Hallo"}`,
	}))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if got := c.For("de").T("area.hello"); got != "Hallo" {
		t.Errorf("area key = %q", got)
	}
	for name, files := range map[string]map[string]string{
		"key in two files":        {"en.json": enBase, "de.json": deBase, "en.area.json": `{"app.name": "Again"}`},
		"area without main":       {"en.json": enBase, "de.json": deBase, "fr.area.json": `{"area.hello": "Bonjour"}`},
		"_meta in area":           {"en.json": enBase, "de.json": deBase, "en.area.json": `{"_meta": {"name": "English", "dir": "ltr"}}`},
		"missing in one language": {"en.json": enBase, "de.json": deBase, "en.area.json": `{"area.hello": "Hello"}`},
	} {
		if _, err := LoadFS(mapFS(files)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

// A partial language covers only its areas: it is offered for those pages,
// never on the staff surface, and falls back to English (recorded as
// missing) for a key outside them.
func TestPartialLanguage(t *testing.T) {
	files := map[string]string{
		"en.json": enBase, "de.json": deBase,
		"en.public.json": `{"public.title": "Report a concern", "public.thanks": "Thank you, {name}."}`,
		"de.public.json": `{"public.thanks": "Danke, {name}.", "public.title": "Verdacht melden"}`,
		"ro.json": `{
  "_meta": {"name": "Română", "dir": "ltr", "areas": ["public"]},
  "error.internal": "Ceva nu a mers bine.",
  "format.date": "02.01.2006",
  "format.datetime": "02.01.2006 15:04"
}`,
		"ro.public.json": `{"public.thanks": "Mulțumim, {name}.", "public.title": "Semnalați o suspiciune"}`,
	}
	c, err := LoadFS(mapFS(files))
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	tags := func(ls []Language) (out []string) {
		for _, l := range ls {
			out = append(out, l.Tag)
		}
		return out
	}
	if got := tags(c.Languages()); !reflect.DeepEqual(got, []string{"en", "de"}) {
		t.Errorf("staff languages = %v", got)
	}
	if got := tags(c.LanguagesFor("public")); !reflect.DeepEqual(got, []string{"en", "de", "ro"}) {
		t.Errorf("public languages = %v", got)
	}
	if got := c.MatchFor("public", "", "ro-RO,ro;q=0.9"); got != "ro" {
		t.Errorf("public match = %q", got)
	}
	if got := c.Match("", "ro-RO,ro;q=0.9"); got != "en" {
		t.Errorf("staff match for Romanian = %q, want en", got)
	}
	if got := c.Match("ro", ""); got != "en" {
		t.Errorf("staff preference for Romanian = %q, want en", got)
	}
	ro := c.For("ro")
	if got := ro.T("public.title"); got != "Semnalați o suspiciune" {
		t.Errorf("ro public.title = %q", got)
	}
	if got := ro.T("users.created", "name", "Ana"); got != "User Ana was created." {
		t.Errorf("ro outside its area = %q, want the English text", got)
	}
	if m := c.Missing(); !reflect.DeepEqual(m, []string{"users.created"}) {
		t.Errorf("Missing() = %v", m)
	}

	broken := map[string]string{}
	for k, v := range files {
		broken[k] = v
	}
	broken["ro.public.json"] = `{"public.title": "Semnalați o suspiciune"}`
	if _, err := LoadFS(mapFS(broken)); err == nil || !strings.Contains(err.Error(), "public.thanks") {
		t.Errorf("a partial language lacking a key of its area loaded: %v", err)
	}
	broken["ro.public.json"] = files["ro.public.json"]
	broken["en.json"] = strings.Replace(enBase, `"dir": "ltr"}`, `"dir": "ltr", "areas": ["public"]}`, 1)
	if _, err := LoadFS(mapFS(broken)); err == nil {
		t.Error("a partial reference language loaded")
	}
}
