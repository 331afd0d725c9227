package forms

import "strings"

// Form is a parsed, validated questionnaire. It is immutable and safe for
// concurrent use.
type Form struct {
	ID      string
	Title   string
	Version string
	// DefaultLang is the settings' default_language: the language a label
	// is shown in when the reader's is missing.
	DefaultLang string
	// Languages lists the languages the form has texts in, in the order
	// their columns first appear; "" is a column without a language
	// (plain "label").
	Languages []string

	// dynamic is true when answers change what is shown.
	dynamic bool
	root    *node
	size    int // number of rows; each has an idx below it
	fields  map[string]*node
}

// Type names the kinds of survey rows.
const (
	TypeText           = "text"
	TypeInteger        = "integer"
	TypeDecimal        = "decimal"
	TypeDate           = "date"
	TypeSelectOne      = "select_one"
	TypeSelectMultiple = "select_multiple"
	TypeNote           = "note"
	TypeCalculate      = "calculate"
	TypeGroup          = "group"
	TypeRepeat         = "repeat"
)

// texts is one text in several languages, keyed by language code ("" for a
// column without a language).
type texts map[string]string

// node is one survey row; a group or repeat has children.
type node struct {
	typ      string
	name     string
	row      int
	idx      int // position in the survey, for evaluation's tables
	label    texts
	hint     texts
	required expr // nil: not required
	// requiredMsg and constraintMsg replace the generic message when set.
	requiredMsg   texts
	relevant      expr
	constraint    expr
	constraintMsg texts
	calculation   expr
	choiceFilter  expr
	def           string
	list          *list
	children      []*node
	parent        *node
	// labelRefs are the rows a label or hint shows the value of.
	labelRefs []*node
}

// list is one choice list of the choices sheet.
type list struct {
	name    string
	choices []*choice
	names   map[string]bool // the choices' names, for checking answers
}

// choice is one row of the choices sheet. extra holds the columns a
// choice_filter reads.
type choice struct {
	name  string
	row   int
	label texts
	extra map[string]string
}

// repeat returns the innermost repeat that holds n, or nil at the top level.
func (n *node) repeat() *node {
	for p := n.parent; p != nil; p = p.parent {
		if p.typ == TypeRepeat {
			return p
		}
	}
	return nil
}

// answered reports whether the row is a question someone answers.
func (n *node) answered() bool {
	switch n.typ {
	case TypeText, TypeInteger, TypeDecimal, TypeDate, TypeSelectOne, TypeSelectMultiple:
		return true
	}
	return false
}

// FieldInfo describes one question or calculation for those who read
// answers without the form's pages: aggregation, export.
type FieldInfo struct {
	Name  string
	Type  string // one of the Type constants, never group or repeat
	List  string // the choice list of a select
	Label map[string]string
	// Repeat is the name of the innermost repeat holding the field; "" at
	// the top level. Its answers are in Answers.Repeats[Repeat][i].
	Repeat  string
	Choices []ChoiceInfo
}

// ChoiceInfo is one choice of a select question.
type ChoiceInfo struct {
	Name  string
	Label map[string]string
}

// Fields lists the questions and calculations in survey order.
func (f *Form) Fields() []FieldInfo {
	var out []FieldInfo
	var visit func(n *node)
	visit = func(n *node) {
		for _, c := range n.children {
			switch {
			case c.typ == TypeGroup || c.typ == TypeRepeat:
				visit(c)
			case c.answered() || c.typ == TypeCalculate:
				fi := FieldInfo{Name: c.name, Type: c.typ, Label: copyTexts(c.label)}
				if r := c.repeat(); r != nil {
					fi.Repeat = r.name
				}
				if c.list != nil {
					fi.List = c.list.name
					for _, ch := range c.list.choices {
						fi.Choices = append(fi.Choices, ChoiceInfo{Name: ch.name, Label: copyTexts(ch.label)})
					}
				}
				out = append(out, fi)
			}
		}
	}
	visit(f.root)
	return out
}

func copyTexts(t texts) map[string]string {
	if len(t) == 0 {
		return nil
	}
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

// text picks the text in lang (or its base language: de for de-AT), else
// the default language, else the column without a language, else the first
// language of the form.
func (f *Form) text(t texts, lang string) string {
	if len(t) == 0 {
		return ""
	}
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if base, _, ok := strings.Cut(lang, "-"); ok && t[base] != "" {
		return t[base]
	}
	if s, ok := t[f.DefaultLang]; ok && s != "" {
		return s
	}
	if s, ok := t[""]; ok && s != "" {
		return s
	}
	for _, l := range f.Languages {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}
