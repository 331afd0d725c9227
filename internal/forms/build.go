package forms

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"waymark.city/waymark/internal/apperr"
)

// Limits on a form, whatever it is read from.
const (
	MaxFileSize   = 2 << 20 // bytes of an .xlsx or text file
	MaxRows       = 2000    // rows of one sheet
	MaxColumns    = 64      // columns of one sheet
	MaxCellLen    = 4000    // bytes of one cell
	MaxDepth      = 8       // groups and repeats inside each other
	maxFormErrors = 20      // refusals reported at once
)

// sheet is one sheet of an XLSForm as both readers deliver it: the header
// row and the data rows with their row numbers (the header is row 1).
type sheet struct {
	name   string
	header []string
	rows   []sheetRow
}

type sheetRow struct {
	num   int
	cells []string
}

// Sheet names.
const (
	sheetSurvey   = "survey"
	sheetChoices  = "choices"
	sheetSettings = "settings"
)

// Columns each sheet accepts. "appearance" is accepted and ignored: it
// changes how a question looks in ODK clients, and Waymark's pages have one
// look for each type.
var (
	surveyColumns = []string{"type", "name", "label", "hint", "required", "required_message",
		"relevant", "constraint", "constraint_message", "calculation", "choice_filter", "default", "appearance"}
	translatable    = []string{"label", "hint", "required_message", "constraint_message"}
	choiceColumns   = []string{"list_name", "name", "label"}
	settingsColumns = []string{"form_title", "form_id", "version", "default_language"}
)

// problems collects the refusals of one form, each at a sheet, row and column.
type problems struct {
	list []apperr.FieldError
}

func (p *problems) add(sheet string, row int, column, key string) {
	if len(p.list) >= maxFormErrors {
		return
	}
	p.list = append(p.list, apperr.FieldError{Field: "form", Key: key,
		Args: map[string]any{"sheet": sheet, "row": row, "column": column}})
}

func (p *problems) full() bool { return len(p.list) >= maxFormErrors }

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return apperr.Validation(p.list...)
}

// header is one parsed header cell: its base name and language.
type header struct {
	base string
	lang string
}

// A language column names a code, alone ("de") or after a name ("English (en)").
var (
	codeInParens = regexp.MustCompile(`^[^()]*\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\)$`)
	bareCode     = regexp.MustCompile(`^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$`)
)

// languageCode returns the code of "English (en)" or "en" as a canonical
// BCP 47 tag ("pt-BR" for "pt-br"), as Waymark's languages are named.
func languageCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	code := s
	if m := codeInParens.FindStringSubmatch(s); m != nil {
		code = m[1]
	} else if !bareCode.MatchString(s) {
		return "", false
	}
	tag, err := language.Parse(code)
	if err != nil {
		return "", false
	}
	return tag.String(), true
}

// builder turns sheets into a Form.
type builder struct {
	form     *Form
	p        problems
	choices  map[string]*list
	extra    map[string]bool // choice columns beyond list_name, name, label
	usedCols map[string]bool // choice columns a choice_filter reads
	// exprs remembers where each expression is, to resolve its names.
	exprs []located
}

type located struct {
	e      expr
	n      *node
	column string
	// constraint allows "." (the question's own value).
	constraint bool
}

// build validates the sheets and makes the form. Every parser ends here,
// so every form gets the same checks.
func build(sheets []sheet) (*Form, error) {
	b := &builder{
		form:     &Form{fields: map[string]*node{}},
		choices:  map[string]*list{},
		extra:    map[string]bool{},
		usedCols: map[string]bool{},
	}
	var survey, choices, settings *sheet
	for i := range sheets {
		s := &sheets[i]
		if blank(s.header) {
			if r := firstFilled(s.rows); r > 0 {
				b.p.add(s.name, r, "", "forms.error.header_not_first")
				continue
			}
		}
		switch s.name {
		case sheetSurvey:
			survey = s
		case sheetChoices:
			choices = s
		case sheetSettings:
			settings = s
		default:
			b.p.add(s.name, 1, "", "forms.error.unknown_sheet")
		}
	}
	if len(b.p.list) > 0 {
		return nil, b.p.err()
	}
	if survey == nil {
		b.p.add(sheetSurvey, 1, "", "forms.error.no_survey")
		return nil, b.p.err()
	}
	if settings != nil {
		b.settings(settings)
	}
	if choices != nil {
		b.choiceSheet(choices)
	}
	b.surveySheet(survey)
	if len(b.p.list) > 0 {
		return nil, b.p.err()
	}
	b.resolve()
	for _, col := range slices.Sorted(maps.Keys(b.extra)) {
		if !b.usedCols[col] {
			b.p.add(sheetChoices, 1, col, "forms.error.unknown_column")
		}
	}
	if len(b.p.list) == 0 {
		b.cycles()
	}
	if err := b.p.err(); err != nil {
		return nil, err
	}
	return b.form, nil
}

// firstFilled is the number of the first row with a value, or 0.
func firstFilled(rows []sheetRow) int {
	for _, r := range rows {
		if !blank(r.cells) {
			return r.num
		}
	}
	return 0
}

// headers parses a sheet's header row against the columns it accepts;
// extra is true where unknown columns are kept (the choices sheet).
func (b *builder) headers(s *sheet, known []string, extra bool) (out []header) {
	if len(s.header) > MaxColumns {
		b.p.add(s.name, 1, "", "forms.error.too_many_columns")
		return nil
	}
	out = make([]header, len(s.header))
	seen := map[header]bool{}
	before := len(b.p.list)
	// A refused heading would make every cell below it a refusal too: the
	// sheet's rows are read only once its headings are all accepted.
	defer func() {
		if len(b.p.list) > before {
			out = nil
		}
	}()
	for i, raw := range s.header {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		base, lang, hasLang := strings.Cut(raw, "::")
		base = strings.ToLower(strings.TrimSpace(base))
		if s.name == sheetChoices && base == "list name" {
			base = "list_name"
		}
		h := header{base: base}
		if hasLang {
			if !slices.Contains(translatable, base) {
				b.p.add(s.name, 1, raw, "forms.error.unknown_column")
				continue
			}
			code, ok := languageCode(lang)
			if !ok {
				b.p.add(s.name, 1, raw, "forms.error.bad_language")
				continue
			}
			h.lang = code
		}
		switch {
		case slices.Contains(known, base):
		case extra && validName(base):
			b.extra[base] = true
		default:
			b.p.add(s.name, 1, raw, "forms.error.unknown_column")
			continue
		}
		if seen[h] {
			b.p.add(s.name, 1, raw, "forms.error.duplicate_column")
			continue
		}
		seen[h] = true
		if slices.Contains(translatable, base) && !slices.Contains(b.form.Languages, h.lang) {
			b.form.Languages = append(b.form.Languages, h.lang)
		}
		out[i] = h
	}
	return out
}

// cellsOf maps a row's non-empty cells to their headers. A value under no
// header is refused.
func (b *builder) cellsOf(s *sheet, hs []header, r sheetRow) map[header]string {
	out := map[header]string{}
	for i, c := range r.cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if len(c) > MaxCellLen || !utf8.ValidString(c) {
			name := ""
			if i < len(hs) {
				name = hs[i].base
			}
			b.p.add(s.name, r.num, name, "forms.error.cell_too_long")
			continue
		}
		if i >= len(hs) || hs[i].base == "" {
			b.p.add(s.name, r.num, "", "forms.error.unknown_column")
			continue
		}
		out[hs[i]] = c
	}
	return out
}

// inOrder lists the headers of a row's cells in column order, so refusals
// come out in the same order every time.
func inOrder(hs []header, cells map[header]string) []header {
	var out []header
	for _, h := range hs {
		if _, ok := cells[h]; ok && h.base != "" {
			out = append(out, h)
		}
	}
	return out
}

func columnName(h header) string {
	if h.lang == "" {
		return h.base
	}
	return h.base + "::" + h.lang
}

func (b *builder) settings(s *sheet) {
	hs := b.headers(s, settingsColumns, false)
	if hs == nil {
		return
	}
	if len(s.rows) > 1 {
		b.p.add(s.name, s.rows[1].num, "", "forms.error.settings_rows")
		return
	}
	if len(s.rows) == 0 {
		return
	}
	r := s.rows[0]
	cells := b.cellsOf(s, hs, r)
	for _, h := range inOrder(hs, cells) {
		v := cells[h]
		switch h.base {
		case "form_title":
			b.form.Title = v
		case "form_id":
			if !validName(v) {
				b.p.add(s.name, r.num, h.base, "forms.error.bad_name")
			}
			b.form.ID = v
		case "version":
			b.form.Version = v
		case "default_language":
			code, ok := languageCode(v)
			if !ok {
				b.p.add(s.name, r.num, h.base, "forms.error.bad_language")
			}
			b.form.DefaultLang = code
		}
	}
}

func (b *builder) choiceSheet(s *sheet) {
	hs := b.headers(s, choiceColumns, true)
	if hs == nil {
		return
	}
	seen := map[string]map[string]bool{}
	for _, r := range s.rows {
		cells := b.cellsOf(s, hs, r)
		if len(cells) == 0 {
			continue
		}
		listName, name := cells[header{base: "list_name"}], cells[header{base: "name"}]
		switch {
		case listName == "":
			b.p.add(s.name, r.num, "list_name", "forms.error.name_missing")
			continue
		case !validName(listName):
			b.p.add(s.name, r.num, "list_name", "forms.error.bad_name")
			continue
		case name == "":
			b.p.add(s.name, r.num, "name", "forms.error.name_missing")
			continue
		case !validChoiceName(name):
			b.p.add(s.name, r.num, "name", "forms.error.bad_name")
			continue
		}
		if seen[listName] == nil {
			seen[listName] = map[string]bool{}
		}
		if seen[listName][name] {
			b.p.add(s.name, r.num, "name", "forms.error.duplicate_choice")
			continue
		}
		seen[listName][name] = true
		c := &choice{name: name, row: r.num, label: texts{}}
		for _, h := range inOrder(hs, cells) {
			v := cells[h]
			switch {
			case h.base == "label":
				c.label[h.lang] = v
			case b.extra[h.base]:
				if c.extra == nil {
					c.extra = map[string]string{}
				}
				c.extra[h.base] = v
			}
		}
		if len(c.label) == 0 {
			b.p.add(s.name, r.num, "label", "forms.error.label_missing")
		}
		l := b.choices[listName]
		if l == nil {
			l = &list{name: listName, names: map[string]bool{}}
			b.choices[listName] = l
		}
		l.choices = append(l.choices, c)
		l.names[name] = true
	}
}

// validChoiceName reports whether a choice name can be stored in a
// select_multiple answer (space-separated) and compared: no spaces.
func validChoiceName(s string) bool {
	return s != "" && len(s) <= 64 && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// typeNames maps the type cell to a row kind; "begin"/"end" rows are
// handled apart.
var typeNames = map[string]string{
	"text": TypeText, "integer": TypeInteger, "decimal": TypeDecimal, "date": TypeDate,
	"note": TypeNote, "calculate": TypeCalculate,
}

func (b *builder) surveySheet(s *sheet) {
	hs := b.headers(s, surveyColumns, false)
	if hs == nil {
		return
	}
	root := &node{typ: TypeGroup}
	b.form.root = root
	b.form.size = 1
	open := []*node{root}
	for _, r := range s.rows {
		if b.p.full() {
			return
		}
		cells := b.cellsOf(s, hs, r)
		if len(cells) == 0 {
			continue
		}
		typ := strings.Join(strings.Fields(strings.ToLower(cells[header{base: "type"}])), " ")
		if typ == "" {
			b.p.add(s.name, r.num, "type", "forms.error.type_missing")
			continue
		}
		top := open[len(open)-1]
		switch typ {
		case "end group", "end_group", "end repeat", "end_repeat":
			want := TypeGroup
			if strings.Contains(typ, "repeat") {
				want = TypeRepeat
			}
			if top == root || top.typ != want {
				b.p.add(s.name, r.num, "type", "forms.error.unexpected_end")
				continue
			}
			for _, h := range inOrder(hs, cells) {
				v := cells[h]
				if h.base == "type" || h.base == "appearance" || h.base == "name" && v == top.name {
					continue
				}
				b.p.add(s.name, r.num, columnName(h), "forms.error.column_not_allowed")
			}
			open = open[:len(open)-1]
			continue
		}
		n := &node{row: r.num, parent: top, idx: b.form.size}
		b.form.size++
		switch {
		case typ == "begin group" || typ == "begin_group":
			n.typ = TypeGroup
		case typ == "begin repeat" || typ == "begin_repeat":
			n.typ = TypeRepeat
		case strings.HasPrefix(typ, "select_one ") || strings.HasPrefix(typ, "select_multiple "):
			kind, rest, _ := strings.Cut(typ, " ")
			n.typ = kind
			listName := strings.TrimSpace(cells[header{base: "type"}])
			listName = listName[strings.LastIndexAny(listName, " \t")+1:]
			if strings.Contains(rest, " ") {
				key := "forms.error.unknown_type"
				if strings.HasSuffix(rest, " or_other") {
					key = "forms.error.or_other"
				}
				b.p.add(s.name, r.num, "type", key)
				continue
			}
			l := b.choices[listName]
			if l == nil {
				b.p.add(s.name, r.num, "type", "forms.error.missing_list")
				continue
			}
			n.list = l
		case typ == "select_one" || typ == "select_multiple":
			b.p.add(s.name, r.num, "type", "forms.error.missing_list")
			continue
		default:
			t, ok := typeNames[typ]
			if !ok {
				b.p.add(s.name, r.num, "type", "forms.error.unknown_type")
				continue
			}
			n.typ = t
		}
		if b.row(s, r, inOrder(hs, cells), cells, n) {
			top.children = append(top.children, n)
		}
		// A refused group is still opened, so its end row is no refusal too.
		if n.typ == TypeGroup || n.typ == TypeRepeat {
			if len(open) > MaxDepth {
				b.p.add(s.name, r.num, "type", "forms.error.too_deep")
				return
			}
			open = append(open, n)
		}
	}
	if len(open) > 1 {
		b.p.add(s.name, open[len(open)-1].row, "type", "forms.error.unclosed_group")
	}
	if len(root.children) == 0 && len(b.p.list) == 0 {
		b.p.add(s.name, 1, "", "forms.error.empty_survey")
	}
}

// row fills n from its cells; false if the row is refused.
func (b *builder) row(s *sheet, r sheetRow, order []header, cells map[header]string, n *node) bool {
	ok := true
	fail := func(column, key string) {
		b.p.add(s.name, r.num, column, key)
		ok = false
	}
	n.name = cells[header{base: "name"}]
	switch {
	case n.name == "":
		fail("name", "forms.error.name_missing")
	case !validName(n.name):
		fail("name", "forms.error.bad_name")
	case b.form.fields[n.name] != nil:
		fail("name", "forms.error.duplicate_name")
	default:
		b.form.fields[n.name] = n
	}
	answered := n.answered()
	for _, h := range order {
		v := cells[h]
		col := columnName(h)
		allowed := true
		switch h.base {
		case "type", "name", "appearance":
		case "label":
			allowed = n.typ != TypeCalculate
			if allowed {
				if n.label == nil {
					n.label = texts{}
				}
				n.label[h.lang] = v
			}
		case "hint":
			allowed = answered || n.typ == TypeNote
			if allowed {
				if n.hint == nil {
					n.hint = texts{}
				}
				n.hint[h.lang] = v
			}
		case "required":
			allowed = answered
			if allowed {
				n.required = b.flag(s, r, col, v, n)
			}
		case "required_message":
			allowed = answered
			if allowed {
				if n.requiredMsg == nil {
					n.requiredMsg = texts{}
				}
				n.requiredMsg[h.lang] = v
			}
		case "relevant":
			n.relevant = b.expression(s, r, col, v, n, false, false)
		case "constraint":
			allowed = answered
			if allowed {
				n.constraint = b.expression(s, r, col, v, n, false, true)
			}
		case "constraint_message":
			allowed = answered
			if allowed {
				if n.constraintMsg == nil {
					n.constraintMsg = texts{}
				}
				n.constraintMsg[h.lang] = v
			}
		case "calculation":
			allowed = n.typ == TypeCalculate
			if allowed {
				n.calculation = b.expression(s, r, col, v, n, false, false)
			}
		case "choice_filter":
			allowed = n.typ == TypeSelectOne || n.typ == TypeSelectMultiple
			if allowed {
				n.choiceFilter = b.expression(s, r, col, v, n, true, false)
			}
		case "default":
			allowed = answered
			if allowed {
				n.def = v
				if !b.validDefault(n) {
					fail(col, "forms.error.bad_default")
				}
			}
		}
		if !allowed {
			fail(col, "forms.error.column_not_allowed")
		}
	}
	switch {
	case n.typ == TypeCalculate && n.calculation == nil && cells[header{base: "calculation"}] == "":
		fail("calculation", "forms.error.calculation_missing")
	case (answered || n.typ == TypeNote || n.typ == TypeRepeat) && len(n.label) == 0:
		fail("label", "forms.error.label_missing")
	}
	if n.requiredMsg != nil && n.required == nil {
		fail("required_message", "forms.error.column_not_allowed")
	}
	if n.constraintMsg != nil && n.constraint == nil {
		fail("constraint_message", "forms.error.column_not_allowed")
	}
	for i, t := range []texts{n.label, n.hint} {
		for _, lang := range slices.Sorted(maps.Keys(t)) {
			if slices.ContainsFunc(labelRefs(t[lang]), func(s string) bool { return !validName(s) }) {
				fail([]string{"label", "hint"}[i], "forms.error.expression_syntax")
			}
		}
	}
	return ok
}

// flag reads the required column: yes/no (and true/false, true()/false())
// or an expression.
func (b *builder) flag(s *sheet, r sheetRow, col, v string, n *node) expr {
	switch strings.ToLower(v) {
	case "yes", "true", "true()":
		return literal{boolean(true)}
	case "no", "false", "false()":
		return nil
	}
	return b.expression(s, r, col, v, n, false, false)
}

// expression parses one cell; errors are recorded at its place.
func (b *builder) expression(s *sheet, r sheetRow, col, src string, n *node, columns, constraint bool) expr {
	e, err := parseExpr(src, columns)
	if err != nil {
		b.p.add(s.name, r.num, col, err.(*exprError).key)
		return nil
	}
	b.exprs = append(b.exprs, located{e: e, n: n, column: col, constraint: constraint})
	return e
}

// validDefault checks a default value against the question's type.
func (b *builder) validDefault(n *node) bool {
	switch n.typ {
	case TypeInteger:
		_, err := strconv.ParseInt(n.def, 10, 64)
		return err == nil
	case TypeDecimal:
		_, err := parseDecimal(n.def)
		return err == nil
	case TypeDate:
		_, err := time.Parse(time.DateOnly, n.def)
		return err == nil
	case TypeSelectOne:
		return n.list.has(n.def)
	case TypeSelectMultiple:
		for _, v := range strings.Fields(n.def) {
			if !n.list.has(v) {
				return false
			}
		}
	}
	return true
}

func (l *list) has(name string) bool { return l.names[name] }

// resolve binds every ${name} to its row and checks what each expression
// may refer to.
func (b *builder) resolve() {
	for _, loc := range b.exprs {
		bad := ""
		walk(loc.e, func(e expr) {
			if bad != "" {
				return
			}
			switch e := e.(type) {
			case *ref:
				target := b.form.fields[e.name]
				switch {
				case target == nil:
					bad = "forms.error.unknown_reference"
				case target.typ == TypeGroup || target.typ == TypeNote:
					bad = "forms.error.reference_no_value"
				}
				e.node = target
			case self:
				if !loc.constraint {
					bad = "forms.error.self_reference"
				}
			case column:
				if e.name != "name" && !b.extra[e.name] {
					bad = "forms.error.unknown_reference"
				}
				b.usedCols[e.name] = true
			case *call:
				if e.fn == "position" && loc.n.repeat() == nil && loc.n.typ != TypeRepeat {
					bad = "forms.error.position_outside_repeat"
				}
			}
		})
		if bad == "" && misplacedParent(loc.e) {
			bad = "forms.error.position_argument"
		}
		if bad == "" && repeatMisused(loc.e) {
			bad = "forms.error.reference_no_value"
		}
		if bad != "" {
			b.p.add(sheetSurvey, loc.n.row, loc.column, bad)
		}
	}
	var visit func(n *node)
	visit = func(n *node) {
		for i, t := range []texts{n.label, n.hint} {
			for _, lang := range slices.Sorted(maps.Keys(t)) {
				for _, name := range labelRefs(t[lang]) {
					target := b.form.fields[name]
					if target == nil || !(target.answered() || target.typ == TypeCalculate) {
						b.p.add(sheetSurvey, n.row, []string{"label", "hint"}[i], "forms.error.unknown_reference")
						continue
					}
					if !slices.Contains(n.labelRefs, target) {
						n.labelRefs = append(n.labelRefs, target)
					}
				}
			}
		}
		b.form.dynamic = b.form.dynamic || len(n.labelRefs) > 0 || n.relevant != nil || n.choiceFilter != nil
		for _, c := range n.children {
			visit(c)
		}
	}
	visit(b.form.root)
	// A choice's label may show a value too.
	for _, name := range slices.Sorted(maps.Keys(b.choices)) {
		for _, c := range b.choices[name].choices {
			for _, lang := range slices.Sorted(maps.Keys(c.label)) {
				for _, ref := range labelRefs(c.label[lang]) {
					target := b.form.fields[ref]
					if target == nil || !(target.answered() || target.typ == TypeCalculate) {
						b.p.add(sheetChoices, c.row, "label", "forms.error.unknown_reference")
						continue
					}
					b.form.dynamic = true
				}
			}
		}
	}
}

// repeatMisused reports a reference to a repeat itself anywhere but as the
// argument of count(): a repeat has instances, not a value.
func repeatMisused(e expr) bool {
	bad := false
	var check func(e expr, inCount bool)
	check = func(e expr, inCount bool) {
		switch e := e.(type) {
		case *ref:
			if e.node != nil && e.node.typ == TypeRepeat && !inCount {
				bad = true
			}
		case *binary:
			check(e.l, false)
			check(e.r, false)
		case *negate:
			check(e.x, false)
		case *call:
			for _, a := range e.args {
				check(a, e.fn == "count")
			}
		}
	}
	check(e, false)
	return bad
}
