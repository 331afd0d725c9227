package forms

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Answers are the answers to one form: each question's value as text
// (select_multiple: the chosen names separated by spaces, date:
// YYYY-MM-DD), and each repeat's instances. A question missing from Values
// has not been asked yet and shows its default; "" is an empty answer.
// Answers marshal to JSON as they are.
type Answers struct {
	Values  map[string]string    `json:"values,omitempty"`
	Repeats map[string][]Answers `json:"repeats,omitempty"`
}

// MaxInstances is the most instances one repeat may have; the instances
// of all repeats together, nested ones included, are at most
// maxTotalInstances, so nested repeats cannot multiply the work.
const (
	MaxInstances      = 50
	maxTotalInstances = 500
)

// instances returns a repeat's instances; a repeat never touched has one.
func (a *Answers) instances(name string) []Answers {
	list, ok := a.Repeats[name]
	if !ok {
		return []Answers{{}}
	}
	if len(list) > MaxInstances {
		return list[:MaxInstances]
	}
	return list
}

// scope is one place answers live: the whole form, or one instance of a
// repeat. Values are computed on demand and kept, so evaluation order
// follows the references whatever the order of the rows.
type scope struct {
	form    *Form
	repeat  *node // nil for the whole form
	answers *Answers
	parent  *scope
	index   int // 1-based position in the repeat
	now     time.Time
	// values, valueState and relevance are indexed by node.idx.
	values     []value
	valueState []uint8
	relevance  []uint8
	children   map[*node][]*scope
	budget     *int // instances left to make, shared by all scopes of one evaluation
}

func newScope(f *Form, repeat *node, a *Answers, parent *scope, index int, now time.Time) *scope {
	s := &scope{form: f, repeat: repeat, answers: a, parent: parent, index: index, now: now,
		values: make([]value, f.size), valueState: make([]uint8, f.size), relevance: make([]uint8, f.size)}
	if parent == nil {
		budget := maxTotalInstances
		s.budget = &budget
	} else {
		s.budget = parent.budget
	}
	return s
}

// States of a memoised value or relevance.
const (
	unknown uint8 = iota
	computing
	known
	knownFalse
	knownTrue
)

// instanceScopes returns the scopes of a repeat directly inside s.
func (s *scope) instanceScopes(r *node) []*scope {
	if list, ok := s.children[r]; ok {
		return list
	}
	if s.children == nil {
		s.children = map[*node][]*scope{}
	}
	inst := s.answers.instances(r.name)
	inst = inst[:min(len(inst), *s.budget)]
	*s.budget -= len(inst)
	list := make([]*scope, len(inst))
	for i := range inst {
		list[i] = newScope(s.form, r, &inst[i], s, i+1, s.now)
	}
	s.children[r] = list
	return list
}

// owner returns the scope n's value lives in as seen from s: s or one of
// its ancestors. ok is false when n lives in a repeat s is not inside.
func (s *scope) owner(n *node) (*scope, bool) {
	r := n.repeat()
	for sc := s; sc != nil; sc = sc.parent {
		if sc.repeat == r || r == nil && sc.parent == nil {
			return sc, true
		}
	}
	return nil, false
}

// isRelevant reports whether n is shown in s (the scope that holds it):
// its own relevant and that of every group around it. A repeat's own
// relevance is decided in the scope around its instances.
func (s *scope) isRelevant(n *node) bool {
	if n == s.form.root {
		return true
	}
	if n == s.repeat {
		if s.parent == nil {
			return true
		}
		return s.parent.isRelevant(n)
	}
	switch s.relevance[n.idx] {
	case knownTrue:
		return true
	case knownFalse, computing:
		return false
	}
	s.relevance[n.idx] = computing
	ok := s.isRelevant(n.parent)
	if ok && n.relevant != nil {
		ok = s.eval(n.relevant, n, nil).truth()
	}
	s.relevance[n.idx] = knownFalse
	if ok {
		s.relevance[n.idx] = knownTrue
	}
	return ok
}

// value returns n's value in s (the scope that holds it): nothing if it is
// not relevant, else its calculation or its answer.
func (s *scope) value(n *node) value {
	switch s.valueState[n.idx] {
	case known:
		return s.values[n.idx]
	case computing:
		return noValue()
	}
	v := noValue()
	if s.isRelevant(n) {
		s.valueState[n.idx] = computing
		if n.typ == TypeCalculate {
			v = s.eval(n.calculation, n, nil)
			if v.kind == kNodes {
				v = v.first()
			}
		} else {
			v = typed(n, s.raw(n))
		}
	}
	s.values[n.idx] = v
	s.valueState[n.idx] = known
	return v
}

// raw is the stored answer of n, or its default if it was never answered.
func (s *scope) raw(n *node) string {
	v, ok := s.answers.Values[n.name]
	if !ok {
		return n.def
	}
	return v
}

// typed turns a stored answer into a value of the question's type; an
// answer that does not fit is "no value".
func typed(n *node, raw string) value {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return noValue()
	}
	switch n.typ {
	case TypeInteger, TypeDecimal:
		f, err := parseDecimal(raw)
		if err != nil {
			return noValue()
		}
		return num(f)
	case TypeDate:
		t, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			return noValue()
		}
		return day(t)
	}
	return str(raw)
}

// lookup is the value of a reference from s: the value in the scope that
// holds it, or, for a field in a repeat s is not inside, its values in
// every instance.
func (s *scope) lookup(n *node) value {
	if sc, ok := s.owner(n); ok {
		return sc.value(n)
	}
	var out []value
	for _, sc := range s.all(n.repeat()) {
		out = append(out, sc.value(n))
	}
	return nodes(out)
}

// all returns the instance scopes of repeat r (of relevant repeats only),
// reached from the nearest scope both s and r are inside.
func (s *scope) all(r *node) []*scope {
	if sc := s.inside(r); sc != nil {
		return sc.parent.instanceScopes(r)
	}
	var path []*node // r and the repeats around it that s is not inside
	x := r
	for x != nil && s.inside(x) == nil {
		path = append(path, x)
		x = x.repeat()
	}
	base := s.root()
	if x != nil {
		base = s.inside(x)
	}
	scopes := []*scope{base}
	for i := len(path) - 1; i >= 0; i-- {
		var next []*scope
		for _, sc := range scopes {
			if sc.isRelevant(path[i]) {
				next = append(next, sc.instanceScopes(path[i])...)
			}
		}
		scopes = next
	}
	return scopes
}

// inside returns the instance scope of repeat x that s is in, or nil.
func (s *scope) inside(x *node) *scope {
	for sc := s; sc != nil; sc = sc.parent {
		if sc.repeat == x && sc.parent != nil {
			return sc
		}
	}
	return nil
}

func (s *scope) root() *scope {
	for s.parent != nil {
		s = s.parent
	}
	return s
}

// eval evaluates e for row n in s; c is the choice a choice_filter is
// evaluated for.
func (s *scope) eval(e expr, n *node, c *choice) value {
	switch e := e.(type) {
	case literal:
		return e.v
	case *ref:
		return s.lookup(e.node)
	case self:
		return s.value(n)
	case column:
		if c == nil {
			return noValue()
		}
		if e.name == "name" {
			return str(c.name)
		}
		return str(c.extra[e.name])
	case *negate:
		return arithmetic("-", num(0), s.eval(e.x, n, c))
	case *binary:
		switch e.op {
		case "and":
			return boolean(s.eval(e.l, n, c).truth() && s.eval(e.r, n, c).truth())
		case "or":
			return boolean(s.eval(e.l, n, c).truth() || s.eval(e.r, n, c).truth())
		case "=", "!=", "<", "<=", ">", ">=":
			return boolean(compare(e.op, s.eval(e.l, n, c), s.eval(e.r, n, c)))
		}
		return arithmetic(e.op, s.eval(e.l, n, c), s.eval(e.r, n, c))
	case *call:
		return s.call(e, n, c)
	}
	return noValue()
}

func (s *scope) call(e *call, n *node, c *choice) value {
	arg := func(i int) value { return s.eval(e.args[i], n, c) }
	switch e.fn {
	case "true":
		return boolean(true)
	case "false":
		return boolean(false)
	case "not":
		return boolean(!arg(0).truth())
	case "selected":
		want := strings.TrimSpace(arg(1).text())
		for _, v := range strings.Fields(arg(0).text()) {
			if v == want {
				return boolean(true)
			}
		}
		return boolean(false)
	case "count-selected":
		return num(float64(len(strings.Fields(arg(0).text()))))
	case "string-length":
		return num(float64(utf8.RuneCountInString(arg(0).text())))
	case "concat":
		var b strings.Builder
		for i := range e.args {
			v := arg(i)
			if v.kind == kNodes {
				for _, x := range v.nodes {
					b.WriteString(x.text())
				}
				continue
			}
			b.WriteString(v.text())
		}
		return str(b.String())
	case "if":
		if arg(0).truth() {
			return arg(1)
		}
		return arg(2)
	case "coalesce":
		if v := arg(0); !v.empty() {
			return v
		}
		return arg(1)
	case "today":
		y, m, d := s.now.Date()
		return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	case "int":
		f := arg(0).number()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return noValue()
		}
		return num(math.Trunc(f))
	case "number":
		f := arg(0).number()
		if math.IsNaN(f) {
			return noValue()
		}
		return num(f)
	case "string":
		return str(arg(0).text())
	case "date":
		t, ok := arg(0).date()
		if !ok {
			return noValue()
		}
		return day(t)
	case "round":
		f := arg(0).number()
		digits := 0.0
		if len(e.args) == 2 {
			digits = arg(1).number()
		}
		if math.IsNaN(f) || math.IsNaN(digits) || math.Abs(digits) > 15 {
			return noValue()
		}
		p := math.Pow(10, math.Trunc(digits))
		return num(math.Floor(f*p+0.5) / p)
	case "regex":
		return boolean(e.re.MatchString(arg(0).text()))
	case "position":
		for sc := s; sc != nil; sc = sc.parent {
			if sc.repeat != nil && sc.parent != nil {
				return num(float64(sc.index))
			}
		}
		return noValue()
	case "count":
		target := e.args[0].(*ref).node
		if target.typ == TypeRepeat {
			return num(float64(len(s.all(target))))
		}
		v := arg(0)
		if v.kind != kNodes {
			if v.empty() {
				return num(0)
			}
			return num(1)
		}
		return num(float64(len(v.nodes)))
	case "sum":
		v := arg(0)
		if v.kind != kNodes {
			v = nodes([]value{v})
		}
		total := 0.0
		for _, x := range v.nodes {
			if f := x.number(); !math.IsNaN(f) {
				total += f
			}
		}
		return num(total)
	}
	return noValue()
}
