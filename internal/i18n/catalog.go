// Package i18n holds Waymark's message catalogues and turns message keys
// into text in the reader's language.
//
// Each language is one JSON file in locales/, named by its BCP 47 tag
// (de.json, pt-BR.json), plus optional area files a capability keeps its
// own messages in (de.screening.json), merged into it. A language whose
// _meta lists "areas" is partial: complete only for those area files (a
// language the public report form is offered in, say, but staff pages are
// not); LanguagesFor and MatchFor choose among the languages of an area.
// Keys are flat ("nav.home"); a value is either a
// text or a plural object keyed by CLDR category ({"one": "{n} entry",
// "other": "{n} entries"}). Placeholders are named: {name}. A "_meta"
// object gives the language's endonym and writing direction.
//
// English is the reference. Load refuses a catalogue in which another
// language lacks an English key, has a key English does not, misses a
// plural category its grammar needs, or uses other placeholders than
// English: a broken translation must fail the build, not show up in front
// of a victim or a case worker. A key that is still missing at run time is
// shown as ⟦key⟧ and recorded (Catalog.Missing) so tests can catch it.
package i18n

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Reference is the tag of the reference language every other catalogue is
// checked against, and the fallback when nothing else matches.
const Reference = "en"

// Keys every catalogue must have because this package itself uses them.
const (
	keyDate     = "format.date"
	keyDateTime = "format.datetime"
	keyInternal = "error.internal"
)

// shipped holds the catalogues compiled into the binary; it is read-only.
//
//go:embed locales/*.json
var shipped embed.FS

// Language describes one shipped language for a language picker.
type Language struct {
	Tag  string // BCP 47 tag, e.g. "de"
	Name string // endonym, e.g. "Deutsch"
	Dir  string // "ltr" or "rtl"
	// Areas, when set, makes the language partial: it is complete only for
	// the messages of these area files (e.g. "public" for a language the
	// public report form is offered in but staff pages are not).
	Areas []string
}

// Partial reports whether the language covers only some areas.
func (l Language) Partial() bool { return len(l.Areas) > 0 }

// Catalog is the set of loaded languages. It is safe for concurrent use.
type Catalog struct {
	locales  map[string]*locale
	printers map[string]*Printer
	order    []Language // Reference first, then by tag
	// matchers choose among the languages complete for an area; "" is the
	// staff surface, which only complete languages serve.
	matchers map[string]areaMatcher

	mu      sync.Mutex
	missing map[string]struct{}
}

// areaMatcher matches Accept-Language against the languages of one area.
type areaMatcher struct {
	langs   []Language
	matcher language.Matcher
}

// locale is one language's parsed catalogue.
type locale struct {
	file  string
	tag   language.Tag
	meta  Language
	msgs  map[string]entry
	area  map[string]string // key → area of the file it is in ("" for the main file)
	forms []plural.Form     // plural categories the language's grammar uses
}

// entry is one catalogue entry: a text, or plural forms.
type entry struct {
	text  string
	forms map[plural.Form]string // nil for a plain text
}

func (m entry) plural() bool { return m.forms != nil }

// placeholders returns the placeholder names used anywhere in the message.
func (m entry) placeholders() map[string]bool {
	set := map[string]bool{}
	if !m.plural() {
		addPlaceholders(set, m.text)
		return set
	}
	for _, s := range m.forms {
		addPlaceholders(set, s)
	}
	return set
}

var formNames = map[string]plural.Form{
	"zero":  plural.Zero,
	"one":   plural.One,
	"two":   plural.Two,
	"few":   plural.Few,
	"many":  plural.Many,
	"other": plural.Other,
}

func formName(f plural.Form) string {
	for name, g := range formNames {
		if g == f {
			return name
		}
	}
	return fmt.Sprintf("form(%d)", f)
}

// Load loads and validates the catalogues shipped inside the binary.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(shipped, "locales")
	if err != nil {
		return nil, fmt.Errorf("load shipped catalogues: %w", err)
	}
	return LoadFS(sub)
}

// LoadFS loads and validates the *.json catalogues at the root of fsys.
// All problems found are reported together, each naming file and key.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load catalogues: %w", err)
	}
	c := &Catalog{
		locales:  map[string]*locale{},
		printers: map[string]*Printer{},
		missing:  map[string]struct{}{},
	}
	var problems []error
	// A language is its main file (de.json) plus any area files
	// (de.screening.json) that capabilities keep their messages in.
	areas := map[string][]fs.DirEntry{}
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".json")
		if tag, _, ok := strings.Cut(base, "."); ok && !e.IsDir() && path.Ext(e.Name()) == ".json" {
			areas[tag] = append(areas[tag], e)
		}
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" || strings.Contains(strings.TrimSuffix(e.Name(), ".json"), ".") {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("load catalogue %s: %w", e.Name(), err)
		}
		var extra []areaFile
		for _, a := range areas[strings.TrimSuffix(e.Name(), ".json")] {
			d, err := fs.ReadFile(fsys, a.Name())
			if err != nil {
				return nil, fmt.Errorf("load catalogue %s: %w", a.Name(), err)
			}
			extra = append(extra, areaFile{name: a.Name(), data: d})
		}
		delete(areas, strings.TrimSuffix(e.Name(), ".json"))
		loc, errs := parseFile(e.Name(), data, extra...)
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		c.locales[loc.meta.Tag] = loc
	}
	for tag, files := range areas {
		for _, f := range files {
			problems = append(problems, fmt.Errorf("%s: there is no main catalogue %s.json for it", f.Name(), tag))
		}
	}
	en, ok := c.locales[Reference]
	if !ok && !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == Reference+".json" }) {
		problems = append(problems, fmt.Errorf("reference catalogue %s.json is missing", Reference))
	}
	if ok {
		problems = append(problems, checkReference(en)...)
		for _, loc := range c.locales {
			if loc != en {
				problems = append(problems, compare(en, loc)...)
			}
		}
	}
	if len(problems) > 0 {
		sort.Slice(problems, func(i, j int) bool { return problems[i].Error() < problems[j].Error() })
		return nil, fmt.Errorf("load catalogues: %w", errors.Join(problems...))
	}

	for _, loc := range c.locales {
		c.order = append(c.order, loc.meta)
	}
	slices.SortFunc(c.order, func(a, b Language) int {
		switch {
		case a.Tag == b.Tag:
			return 0
		case a.Tag == Reference:
			return -1
		case b.Tag == Reference:
			return 1
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	areaNames := map[string]bool{"": true}
	for _, l := range c.order {
		loc := c.locales[l.Tag]
		c.printers[l.Tag] = &Printer{cat: c, loc: loc, ref: en, num: message.NewPrinter(loc.tag)}
		for _, a := range l.Areas {
			areaNames[a] = true
		}
	}
	c.matchers = map[string]areaMatcher{}
	for area := range areaNames {
		var m areaMatcher
		for _, l := range c.order {
			if !l.Partial() || slices.Contains(l.Areas, area) {
				m.langs = append(m.langs, l)
			}
		}
		langTags := make([]language.Tag, len(m.langs))
		for i, l := range m.langs {
			langTags[i] = c.locales[l.Tag].tag
		}
		// The first tag is the matcher's default, so it must be the reference.
		m.matcher = language.NewMatcher(langTags)
		c.matchers[area] = m
	}
	return c, nil
}

// areaFile is an extra message file of a language, e.g. de.screening.json:
// keys only, no _meta.
type areaFile struct {
	name string
	data []byte
}

// parseFile parses one language's catalogue (its main file and area files)
// and checks what can be checked without the reference: structure, _meta,
// plural categories, layouts. A key may appear in only one file.
func parseFile(name string, data []byte, areas ...areaFile) (*locale, []error) {
	fail := func(format string, args ...any) []error {
		return []error{fmt.Errorf("%s: "+format, append([]any{name}, args...)...)}
	}
	base := strings.TrimSuffix(name, ".json")
	tag, err := language.Parse(base)
	if err != nil || tag.String() != base {
		return nil, fail("file name must be a canonical language tag such as de.json or pt-BR.json")
	}
	if !utf8.Valid(data) {
		return nil, fail("not valid UTF-8")
	}
	members, err := decodeObject(data)
	if err != nil {
		return nil, fail("%v", err)
	}
	seen := map[string]string{}
	for _, m := range members {
		seen[m.key] = name
	}
	for _, a := range areas {
		if !utf8.Valid(a.data) {
			return nil, []error{fmt.Errorf("%s: not valid UTF-8", a.name)}
		}
		more, err := decodeObject(a.data)
		if err != nil {
			return nil, []error{fmt.Errorf("%s: %v", a.name, err)}
		}
		for _, m := range more {
			if m.key == "_meta" {
				return nil, []error{fmt.Errorf("%s: _meta belongs in %s only", a.name, name)}
			}
			if first, dup := seen[m.key]; dup {
				return nil, []error{fmt.Errorf("%s: key %q is already in %s", a.name, m.key, first)}
			}
			seen[m.key] = a.name
		}
		areaName := strings.TrimSuffix(strings.TrimPrefix(a.name, strings.TrimSuffix(name, ".json")+"."), ".json")
		for i := range more {
			more[i].area = areaName
		}
		members = append(members, more...)
	}
	loc := &locale{file: name, tag: tag, msgs: map[string]entry{}, area: map[string]string{}, forms: pluralForms(tag)}
	loc.meta.Tag = base
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: key %q: "+format, append([]any{name, key}, args...)...))
	}
	hasMeta := false
	for _, m := range members {
		if m.key == "_meta" {
			hasMeta = true
			if err := parseMeta(m.raw, &loc.meta); err != nil {
				bad(m.key, "%v", err)
			}
			continue
		}
		if strings.TrimSpace(m.key) == "" {
			bad(m.key, "empty key")
			continue
		}
		msg, err := parseMessage(m.raw)
		if err != nil {
			bad(m.key, "%v", err)
			continue
		}
		if msg.plural() {
			for _, f := range loc.forms {
				if _, ok := msg.forms[f]; !ok {
					bad(m.key, "plural category %q is missing; %s needs %s", formName(f), base, formList(loc.forms))
				}
			}
			for f := range msg.forms {
				if !slices.Contains(loc.forms, f) {
					bad(m.key, "plural category %q is never used in %s; it needs %s", formName(f), base, formList(loc.forms))
				}
			}
		}
		loc.msgs[m.key] = msg
		loc.area[m.key] = m.area
	}
	if !hasMeta {
		errs = append(errs, fmt.Errorf("%s: _meta object with name and dir is missing", name))
	}
	for _, key := range []string{keyDate, keyDateTime} {
		msg, ok := loc.msgs[key]
		if !ok {
			continue // reported by the comparison with the reference
		}
		if err := checkLayout(msg, tag); err != nil {
			bad(key, "%v", err)
		}
	}
	return loc, errs
}

func formList(forms []plural.Form) string {
	names := make([]string, len(forms))
	for i, f := range forms {
		names[i] = formName(f)
	}
	return strings.Join(names, "+")
}

func parseMeta(raw json.RawMessage, meta *Language) error {
	members, err := decodeObject(raw)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.key == "areas" {
			if err := json.Unmarshal(m.raw, &meta.Areas); err != nil || len(meta.Areas) == 0 || slices.Contains(meta.Areas, "") {
				return errors.New("_meta.areas must be a list of area names, such as [\"public\"]")
			}
			continue
		}
		var s string
		if err := json.Unmarshal(m.raw, &s); err != nil {
			return fmt.Errorf("_meta.%s must be a string", m.key)
		}
		switch m.key {
		case "name":
			meta.Name = strings.TrimSpace(s)
		case "dir":
			meta.Dir = s
		default:
			return fmt.Errorf("unknown field _meta.%s", m.key)
		}
	}
	if meta.Name == "" {
		return errors.New("_meta.name (the language's own name) is missing")
	}
	if meta.Dir != "ltr" && meta.Dir != "rtl" {
		return fmt.Errorf("_meta.dir must be \"ltr\" or \"rtl\", not %q", meta.Dir)
	}
	return nil
}

func parseMessage(raw json.RawMessage) (entry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return entry{}, errors.New("no value")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return entry{}, err
		}
		if strings.TrimSpace(s) == "" {
			return entry{}, errors.New("empty text")
		}
		return entry{text: s}, nil
	case '{':
		members, err := decodeObject(raw)
		if err != nil {
			return entry{}, err
		}
		msg := entry{forms: map[plural.Form]string{}}
		for _, m := range members {
			f, ok := formNames[m.key]
			if !ok {
				return entry{}, fmt.Errorf("%q is not a plural category (zero, one, two, few, many, other)", m.key)
			}
			var s string
			if err := json.Unmarshal(m.raw, &s); err != nil {
				return entry{}, fmt.Errorf("plural category %q must be a string", m.key)
			}
			if strings.TrimSpace(s) == "" {
				return entry{}, fmt.Errorf("plural category %q is empty", m.key)
			}
			msg.forms[f] = s
		}
		if len(msg.forms) == 0 {
			return entry{}, errors.New("empty plural object")
		}
		return msg, nil
	}
	return entry{}, errors.New("value must be a string or a plural object")
}

// checkLayout checks a date layout: it must contain Go layout elements,
// and outside English it must not use English month or day names, which
// Go's time package always prints in English.
func checkLayout(msg entry, tag language.Tag) error {
	if msg.plural() {
		return errors.New("a date layout must be a string")
	}
	ref := time.Date(2026, time.November, 22, 14, 5, 0, 0, time.UTC)
	if ref.Format(msg.text) == msg.text {
		return fmt.Errorf("%q is not a Go time layout (use e.g. \"02.01.2006\")", msg.text)
	}
	if base, _ := tag.Base(); base.String() != Reference {
		if strings.Contains(msg.text, "Jan") || strings.Contains(msg.text, "Mon") ||
			strings.Contains(msg.text, "PM") || strings.Contains(msg.text, "pm") {
			return fmt.Errorf("layout %q would print English month, day or AM/PM names; use numbers", msg.text)
		}
	}
	return nil
}

// checkReference checks what only the reference must provide.
// isPackageKey reports whether this package itself needs the key, so every
// language, even a partial one, must have it.
func isPackageKey(key string) bool { return key == keyDate || key == keyDateTime || key == keyInternal }

func checkReference(en *locale) []error {
	var errs []error
	if en.meta.Partial() {
		errs = append(errs, fmt.Errorf("%s: the reference language cannot be partial", en.file))
	}
	for _, key := range []string{keyDate, keyDateTime, keyInternal} {
		if msg, ok := en.msgs[key]; !ok {
			errs = append(errs, fmt.Errorf("%s: key %q: missing; the i18n package needs it", en.file, key))
		} else if msg.plural() {
			errs = append(errs, fmt.Errorf("%s: key %q: must be a text, not a plural object", en.file, key))
		}
	}
	return errs
}

// compare checks a translation against the reference.
func compare(en, loc *locale) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: key %q: "+format, append([]any{loc.file, key}, args...)...))
	}
	for key, ref := range en.msgs {
		msg, ok := loc.msgs[key]
		if !ok {
			if !loc.meta.Partial() || slices.Contains(loc.meta.Areas, en.area[key]) || isPackageKey(key) {
				bad(key, "missing (English has it)")
			}
			continue
		}
		if ref.plural() != msg.plural() {
			if ref.plural() {
				bad(key, "must be a plural object as in English")
			} else {
				bad(key, "must be a text as in English, not a plural object")
			}
			continue
		}
		want, got := ref.placeholders(), msg.placeholders()
		var lacking, unknown []string
		for p := range want {
			if !got[p] {
				lacking = append(lacking, "{"+p+"}")
			}
		}
		for p := range got {
			if !want[p] {
				unknown = append(unknown, "{"+p+"}")
			}
		}
		if len(lacking) > 0 || len(unknown) > 0 {
			slices.Sort(lacking)
			slices.Sort(unknown)
			bad(key, "placeholders differ from English: missing %v, unknown %v", lacking, unknown)
		}
	}
	for key := range loc.msgs {
		if _, ok := en.msgs[key]; !ok {
			bad(key, "unknown key (English does not have it)")
		}
	}
	return errs
}

// pluralForms lists the plural categories the language's cardinal rules
// can select, found by probing integers and decimals: x/text does not
// export the list. Decimals matter because CLDR requires e.g. Russian
// "other" (used for 1.5) although no integer selects it.
func pluralForms(tag language.Tag) []plural.Form {
	seen := map[plural.Form]bool{}
	for i := 0; i <= 200; i++ {
		seen[plural.Cardinal.MatchPlural(tag, i, 0, 0, 0, 0)] = true
	}
	for _, i := range []int{1000, 10000, 100000, 1000000} {
		seen[plural.Cardinal.MatchPlural(tag, i, 0, 0, 0, 0)] = true
	}
	for i := 0; i <= 20; i++ {
		for f := 0; f < 10; f++ {
			seen[plural.Cardinal.MatchPlural(tag, i, 1, 1, f, f)] = true
		}
		for f := 0; f < 100; f++ {
			seen[plural.Cardinal.MatchPlural(tag, i, 2, 2, f, f)] = true
		}
	}
	var forms []plural.Form
	for _, f := range []plural.Form{plural.Zero, plural.One, plural.Two, plural.Few, plural.Many, plural.Other} {
		if seen[f] {
			forms = append(forms, f)
		}
	}
	return forms
}

type member struct {
	key  string
	raw  json.RawMessage
	area string // the area file it came from; "" for the main file
}

// decodeObject decodes a JSON object keeping its members in order and
// rejecting duplicate keys, which encoding/json would silently drop.
func decodeObject(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("expected a JSON object")
	}
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(data, err)
		}
		if seen[key] {
			return nil, fmt.Errorf("line %d: duplicate key %q", lineOf(data, dec.InputOffset()), key)
		}
		seen[key] = true
		members = append(members, member{key: key, raw: raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: unexpected data after the object")
	}
	return members, nil
}

func jsonError(data []byte, err error) error {
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("invalid JSON at line %d: %w", lineOf(data, se.Offset), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("invalid JSON: unexpected end of file: %w", err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return 1 + bytes.Count(data[:offset], []byte{'\n'})
}

// Languages lists the languages complete for every page (the staff
// surface), English first, then by tag.
func (c *Catalog) Languages() []Language { return c.LanguagesFor("") }

// LanguagesFor lists the languages an area's pages can be shown in: the
// complete ones and the partial ones that cover the area.
func (c *Catalog) LanguagesFor(area string) []Language {
	m, ok := c.matchers[area]
	if !ok {
		m = c.matchers[""]
	}
	return slices.Clone(m.langs)
}

// Missing returns the keys asked for that no catalogue has, sorted. Other
// packages' tests assert it is empty after rendering their pages.
func (c *Catalog) Missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.missing))
	for k := range c.missing {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (c *Catalog) recordMissing(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.missing[key] = struct{}{}
}

// For returns the printer for a shipped language; an unshipped or invalid
// tag gets the English printer (use Match to choose the tag first).
func (c *Catalog) For(lang string) *Printer {
	if p, ok := c.printers[lang]; ok {
		return p
	}
	if len(lang) <= maxTagLen {
		if tag, err := language.Parse(lang); err == nil {
			if p, ok := c.printers[tag.String()]; ok {
				return p
			}
		}
	}
	return c.printers[Reference]
}
