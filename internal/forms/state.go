package forms

import (
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/i18n"
)

// State is what a page shows of a form with some answers: the relevant
// items in order, in one language. Evaluate makes it; the page calls Show
// before rendering it with the "questionnaire" template.
type State struct {
	Lang  string
	Title string
	Items []Item
	// Dynamic is true when answers change what is shown (relevance, filtered
	// choices, values in labels): the page then offers to show it again.
	Dynamic bool

	// P translates the template's fixed texts (buttons, "required").
	P *i18n.Printer
	// Errors are the messages shown next to the fields, by input name.
	Errors map[string]string
}

// Item is one row of the form as shown. Non-relevant rows are left out.
type Item struct {
	Type string // one of the Type constants
	Name string
	// Input is the name of the HTML input ("age", "household[2]/age"); the
	// input's id is "f-" + Input, as the error summary links to it.
	Input    string
	Label    string
	Hint     string
	Required bool
	// Value is the answer, or a calculation's result, as text.
	Value string
	// Choices of a select, after its choice_filter.
	Choices []Choice
	// Items of a group.
	Items []Item
	// Instances of a repeat; CanAdd is false at MaxInstances.
	Instances []Instance
	CanAdd    bool

	st *State
}

// Choice is one choice of a select as shown.
type Choice struct {
	Name     string
	Label    string
	Selected bool
}

// Instance is one instance of a repeat.
type Instance struct {
	Index int    // 1-based
	Input string // "household[2]", the prefix of its inputs
	Items []Item
}

// Show sets the printer for the template's fixed texts and the messages
// next to the fields (a page's View.FieldErrors after a failed Decode,
// which are keyed by input name). It returns s for use in a template's data.
func (s *State) Show(p *i18n.Printer, fieldErrors map[string]string) *State {
	s.P = p
	s.Errors = fieldErrors
	return s
}

// P is the printer of the state the item belongs to, for templates.
func (it Item) P() *i18n.Printer { return it.st.P }

// Error is the message next to the item, if any.
func (it Item) Error() string { return it.st.Errors[it.Input] }

// Described lists the ids the input is described by: hint and error.
func (it Item) Described() string {
	var ids []string
	if it.Hint != "" {
		ids = append(ids, "f-"+it.Input+":hint")
	}
	if it.Error() != "" {
		ids = append(ids, "f-"+it.Input+":error")
	}
	return strings.Join(ids, " ")
}

// Count is the number of instances of a repeat, posted back with the form.
func (it Item) Count() int { return len(it.Instances) }

// Evaluate computes what to show for ans in lang: only relevant rows, with
// their current and calculated values and filtered choices.
func (f *Form) Evaluate(ans Answers, lang string) *State {
	return f.evaluate(ans, lang, time.Now())
}

func (f *Form) evaluate(ans Answers, lang string, now time.Time) *State {
	st := &State{Lang: lang, Title: f.Title, Dynamic: f.dynamic}
	root := newScope(f, nil, &ans, nil, 0, now)
	st.Items = f.items(st, root, f.root, "", lang)
	return st
}

// items builds the shown items of the rows inside n, in scope s; prefix is
// the input name prefix of the scope.
func (f *Form) items(st *State, s *scope, n *node, prefix, lang string) []Item {
	var out []Item
	for _, c := range n.children {
		if !s.isRelevant(c) {
			continue
		}
		it := Item{Type: c.typ, Name: c.name, Input: prefix + c.name, st: st,
			Label: f.interpolate(s, f.text(c.label, lang)), Hint: f.interpolate(s, f.text(c.hint, lang))}
		switch c.typ {
		case TypeGroup:
			it.Items = f.items(st, s, c, prefix, lang)
			if len(it.Items) == 0 {
				continue // a group with nothing to show is not shown
			}
		case TypeRepeat:
			for i, sc := range s.instanceScopes(c) {
				in := prefix + c.name + "[" + strconv.Itoa(i+1) + "]"
				it.Instances = append(it.Instances, Instance{Index: i + 1, Input: in,
					Items: f.items(st, sc, c, in+"/", lang)})
			}
			it.CanAdd = len(it.Instances) < MaxInstances
		default:
			if c.answered() {
				// The answer as given, even one that does not fit its type,
				// so the reader can correct it.
				it.Value = strings.TrimSpace(s.raw(c))
				it.Required = c.required != nil && s.eval(c.required, c, nil).truth()
			} else {
				it.Value = s.value(c).text()
			}
			if c.list != nil {
				chosen := map[string]bool{}
				for _, v := range strings.Fields(it.Value) {
					chosen[v] = true
				}
				for _, ch := range f.choicesFor(s, c) {
					it.Choices = append(it.Choices, Choice{Name: ch.name, Label: f.interpolate(s, f.text(ch.label, lang)),
						Selected: chosen[ch.name]})
				}
			}
		}
		out = append(out, it)
	}
	return out
}

// choicesFor returns the choices of select n that its choice_filter keeps.
func (f *Form) choicesFor(s *scope, n *node) []*choice {
	if n.choiceFilter == nil {
		return n.list.choices
	}
	var out []*choice
	for _, c := range n.list.choices {
		if s.eval(n.choiceFilter, n, c).truth() {
			out = append(out, c)
		}
	}
	return out
}

// interpolate replaces ${name} in a label or hint with the current value;
// the names were checked when the form was read.
func (f *Form) interpolate(s *scope, text string) string {
	if !strings.Contains(text, "${") {
		return text
	}
	return interpolation.ReplaceAllStringFunc(text, func(m string) string {
		target := f.fields[m[2:len(m)-1]]
		if target == nil {
			return m
		}
		return s.lookup(target).text()
	})
}
