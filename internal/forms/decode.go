package forms

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
)

// MaxTextLen is the most characters a text answer may have.
const MaxTextLen = 5000

// Names of the inputs the template adds beside the questions. A colon
// cannot occur in a question name, so they never clash with one.
const (
	// ActionInput is the name of the buttons that add or remove a repeat
	// instance or show the questions the answers make relevant.
	ActionInput = "forms:action"
	// countSuffix ends the hidden input holding a repeat's instance count.
	countSuffix = ":count"
)

// Decode turns a posted form into answers and checks them: each relevant
// question's type (integer, decimal, date YYYY-MM-DD), choices, required
// and constraint. Answers to rows that are not relevant are cleared. With
// an error, the answers are still returned (as typed) for showing the form
// again; the error is an apperr.Validation whose fields are input names.
// lang picks the language of the form's own messages (required_message,
// constraint_message).
func (f *Form) Decode(values url.Values, lang string) (Answers, error) {
	return f.decode(values, lang, time.Now())
}

func (f *Form) decode(values url.Values, lang string, now time.Time) (Answers, error) {
	typeErrs := map[string]apperr.FieldError{}
	budget := maxTotalInstances
	ans := f.read(values, f.root, "", typeErrs, &budget)
	var errs []apperr.FieldError
	root := newScope(f, nil, &ans, nil, 0, now)
	f.check(root, f.root, "", lang, typeErrs, &errs)
	if len(errs) > 0 {
		return ans, apperr.Validation(errs...)
	}
	return ans, nil
}

// read collects the answers to the rows inside n from values, normalising
// them; answers that do not fit their type are kept as typed and reported.
func (f *Form) read(values url.Values, n *node, prefix string, errs map[string]apperr.FieldError, budget *int) Answers {
	ans := Answers{Values: map[string]string{}}
	var visit func(n *node)
	visit = func(n *node) {
		for _, c := range n.children {
			switch {
			case c.typ == TypeGroup:
				visit(c)
			case c.typ == TypeRepeat:
				count, err := strconv.Atoi(values.Get(prefix + c.name + countSuffix))
				if err != nil || count < 0 {
					continue
				}
				count = min(count, MaxInstances, *budget)
				*budget -= count
				if ans.Repeats == nil {
					ans.Repeats = map[string][]Answers{}
				}
				list := make([]Answers, count)
				for i := range list {
					list[i] = f.read(values, c, prefix+c.name+"["+strconv.Itoa(i+1)+"]/", errs, budget)
				}
				ans.Repeats[c.name] = list
			case c.answered():
				input := prefix + c.name
				v, key := normalise(c, values[input])
				if key != "" {
					errs[input] = apperr.FieldError{Field: input, Key: key}
				}
				ans.Values[c.name] = v
			}
		}
	}
	visit(n)
	return ans
}

// normalise turns the posted values of one question into its stored form;
// key is the message key when they do not fit the type.
func normalise(n *node, posted []string) (string, string) {
	if n.typ == TypeSelectMultiple {
		// Checked against the list as they come, so a post with many
		// values costs no more than one pass.
		chosen := map[string]bool{}
		for _, p := range posted {
			for _, v := range strings.Fields(p) {
				if !n.list.has(v) {
					return strings.Join(strings.Fields(strings.Join(posted, " ")), " "), "forms.answer.choice"
				}
				chosen[v] = true
			}
		}
		// Stored in the list's order, so equal answers are equal texts.
		var ordered []string
		for _, c := range n.list.choices {
			if chosen[c.name] {
				ordered = append(ordered, c.name)
			}
		}
		return strings.Join(ordered, " "), ""
	}
	v := ""
	if len(posted) > 0 {
		v = strings.TrimSpace(posted[0])
	}
	if v == "" {
		return "", ""
	}
	switch n.typ {
	case TypeText:
		if utf8.RuneCountInString(v) > MaxTextLen || !utf8.ValidString(v) {
			return v, "forms.answer.too_long"
		}
	case TypeInteger:
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || i > 1<<53 || i < -(1<<53) {
			return v, "forms.answer.integer"
		}
		return strconv.FormatInt(i, 10), ""
	case TypeDecimal:
		d, err := parseDecimal(v)
		if err != nil {
			return v, "forms.answer.decimal"
		}
		return formatNumber(d), ""
	case TypeDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return v, "forms.answer.date"
		}
		return t.Format(time.DateOnly), ""
	case TypeSelectOne:
		if !n.list.has(v) {
			return v, "forms.answer.choice"
		}
	}
	return v, ""
}

// parseDecimal reads a decimal number written with a point or, as in
// German, with a comma.
func parseDecimal(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	if s == "" || strings.ContainsAny(s, "xXpPnN_iI") {
		return 0, errors.New("not a decimal number")
	}
	d, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(d, 0) || math.Abs(d) > 1e15 {
		return 0, errors.New("not a decimal number")
	}
	return d, nil
}

// check clears the answers to rows that are not relevant and checks the
// relevant ones' choices (after choice_filter), required and constraint.
// typeErrs holds the inputs whose answer does not fit the type; they are
// reported only where the question is relevant.
func (f *Form) check(s *scope, n *node, prefix, lang string, typeErrs map[string]apperr.FieldError, errs *[]apperr.FieldError) {
	for _, c := range n.children {
		input := prefix + c.name
		if !s.isRelevant(c) {
			f.clear(s.answers, c)
			continue
		}
		switch {
		case c.typ == TypeGroup:
			f.check(s, c, prefix, lang, typeErrs, errs)
		case c.typ == TypeRepeat:
			for i, sc := range s.instanceScopes(c) {
				f.check(sc, c, prefix+c.name+"["+strconv.Itoa(i+1)+"]/", lang, typeErrs, errs)
			}
		case c.answered():
			if fe, bad := typeErrs[input]; bad {
				*errs = append(*errs, fe)
				continue
			}
			v := s.value(c)
			switch {
			case v.empty():
				if c.required != nil && s.eval(c.required, c, nil).truth() {
					*errs = append(*errs, f.message(input, "forms.answer.required", c.requiredMsg, lang))
				}
			case c.list != nil && !f.allowed(s, c, v.text()):
				*errs = append(*errs, apperr.FieldError{Field: input, Key: "forms.answer.choice"})
			case c.constraint != nil && !s.eval(c.constraint, c, nil).truth():
				*errs = append(*errs, f.message(input, "forms.answer.constraint", c.constraintMsg, lang))
			}
		}
	}
}

// allowed reports whether every chosen name is among the filtered choices.
func (f *Form) allowed(s *scope, n *node, answer string) bool {
	if n.choiceFilter == nil {
		return true
	}
	shown := f.choicesFor(s, n)
	for _, v := range strings.Fields(answer) {
		if !slices.ContainsFunc(shown, func(c *choice) bool { return c.name == v }) {
			return false
		}
	}
	return true
}

// message is a field error with the form's own text if it has one.
func (f *Form) message(input, key string, custom texts, lang string) apperr.FieldError {
	if text := f.text(custom, lang); text != "" {
		return apperr.FieldError{Field: input, Key: "forms.answer.custom", Args: map[string]any{"message": text}}
	}
	return apperr.FieldError{Field: input, Key: key}
}

// clear forgets the answers to n and the rows inside it.
func (f *Form) clear(a *Answers, n *node) {
	switch {
	case n.answered():
		if _, ok := a.Values[n.name]; ok {
			a.Values[n.name] = ""
		}
	case n.typ == TypeRepeat:
		delete(a.Repeats, n.name)
	case n.typ == TypeGroup:
		for _, c := range n.children {
			f.clear(a, c)
		}
	}
}

// Action is what a button of the form other than the page's own submit
// asks for: add an instance to a repeat, remove one, or just show the
// questions the answers so far make relevant. The page applies it with
// Form.Apply and shows the form again instead of saving.
type Action struct {
	Kind string // "add", "remove" or "refresh"
	// Path is the repeat ("household", "household[2]/person") for add, the
	// instance ("household[2]") for remove.
	Path string
}

// Action kinds.
const (
	ActionAdd     = "add"
	ActionRemove  = "remove"
	ActionRefresh = "refresh"
)

// ReadAction returns the action a posted form asks for, if any.
func ReadAction(values url.Values) (Action, bool) {
	v := values.Get(ActionInput)
	if v == ActionRefresh {
		return Action{Kind: ActionRefresh}, true
	}
	kind, path, ok := strings.Cut(v, ":")
	if !ok || (kind != ActionAdd && kind != ActionRemove) || path == "" {
		return Action{}, false
	}
	return Action{Kind: kind, Path: path}, true
}

// Apply carries out an add or remove action on ans and returns the
// changed answers; ans itself is left as it was. Adding beyond
// MaxInstances and a path that names no repeat are refused.
func (f *Form) Apply(ans Answers, a Action) (Answers, error) {
	out := ans.clone()
	if a.Kind == ActionRefresh {
		return out, nil
	}
	segs := strings.Split(a.Path, "/")
	cur := &out
	parent := f.root
	for i, seg := range segs {
		name, idx, hasIdx := splitIndex(seg)
		r := f.fields[name]
		if r == nil || r.typ != TypeRepeat || r.repeat() != repeatOf(parent) {
			return ans, apperr.Validation(apperr.FieldError{Field: ActionInput, Key: "forms.answer.bad_action"})
		}
		last := i == len(segs)-1
		if cur.Repeats == nil {
			cur.Repeats = map[string][]Answers{}
		}
		list := cur.instances(name)
		switch {
		case last && a.Kind == ActionAdd && !hasIdx:
			if len(list) >= MaxInstances {
				return ans, apperr.Validation(apperr.FieldError{Field: a.Path, Key: "forms.answer.repeat_max", Args: map[string]any{"n": MaxInstances}})
			}
			cur.Repeats[name] = append(slices.Clone(list), Answers{})
			return out, nil
		case last && a.Kind == ActionRemove && hasIdx && idx <= len(list):
			cur.Repeats[name] = slices.Delete(slices.Clone(list), idx-1, idx)
			return out, nil
		case !last && hasIdx && idx <= len(list):
			list = slices.Clone(list)
			cur.Repeats[name] = list
			cur = &list[idx-1]
			parent = r
		default:
			return ans, apperr.Validation(apperr.FieldError{Field: ActionInput, Key: "forms.answer.bad_action"})
		}
	}
	return ans, apperr.Validation(apperr.FieldError{Field: ActionInput, Key: "forms.answer.bad_action"})
}

// repeatOf is the repeat a row's children live in: the row if it is a
// repeat, else the repeat around it.
func repeatOf(n *node) *node {
	if n.typ == TypeRepeat {
		return n
	}
	return n.repeat()
}

// splitIndex splits "household[2]" into its name and 1-based index.
func splitIndex(seg string) (string, int, bool) {
	name, rest, ok := strings.Cut(seg, "[")
	if !ok {
		return seg, 0, false
	}
	num, ok := strings.CutSuffix(rest, "]")
	if !ok {
		return seg, 0, false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 1 || i > MaxInstances {
		return seg, 0, false
	}
	return name, i, true
}

// clone copies answers deeply.
func (a Answers) clone() Answers {
	out := Answers{}
	if a.Values != nil {
		out.Values = make(map[string]string, len(a.Values))
		for k, v := range a.Values {
			out.Values[k] = v
		}
	}
	if a.Repeats != nil {
		out.Repeats = make(map[string][]Answers, len(a.Repeats))
		for k, list := range a.Repeats {
			cp := make([]Answers, len(list))
			for i, x := range list {
				cp[i] = x.clone()
			}
			out.Repeats[k] = cp
		}
	}
	return out
}
