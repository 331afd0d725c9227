package forms

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// kind is the type of a value during evaluation.
type kind uint8

const (
	kString kind = iota
	kNumber
	kBool
	kDate
	kNodes // the values of one field across the instances of a repeat
)

// value is a typed value. The empty string is "no value": an unanswered
// question, a non-relevant one, or the result of a failed operation.
type value struct {
	kind  kind
	s     string
	n     float64
	b     bool
	t     time.Time // a calendar day at UTC midnight
	nodes []value
}

func str(s string) value     { return value{kind: kString, s: s} }
func num(n float64) value    { return value{kind: kNumber, n: n} }
func boolean(b bool) value   { return value{kind: kBool, b: b} }
func day(t time.Time) value  { return value{kind: kDate, t: t} }
func nodes(vs []value) value { return value{kind: kNodes, nodes: vs} }
func noValue() value         { return str("") }
func (v value) empty() bool  { return v.text() == "" }

// first is the value a node-set stands for where one value is wanted.
func (v value) first() value {
	if v.kind != kNodes {
		return v
	}
	if len(v.nodes) == 0 {
		return noValue()
	}
	return v.nodes[0]
}

// number converts v as XPath's number() does; a day counts in days since
// 1970-01-01, as in ODK. NaN stands for "not a number".
func (v value) number() float64 {
	switch v.kind {
	case kNumber:
		return v.n
	case kBool:
		if v.b {
			return 1
		}
		return 0
	case kDate:
		return float64(v.t.Unix() / 86400)
	case kNodes:
		return v.first().number()
	}
	s := strings.TrimSpace(v.s)
	if s == "" {
		return math.NaN()
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpPnN_") {
		return n
	}
	return math.NaN()
}

// text converts v as XPath's string() does; a number that is not one
// (NaN, infinity) is "no value".
func (v value) text() string {
	switch v.kind {
	case kNumber:
		return formatNumber(v.n)
	case kBool:
		if v.b {
			return "true"
		}
		return "false"
	case kDate:
		return v.t.Format(time.DateOnly)
	case kNodes:
		return v.first().text()
	}
	return v.s
}

// truth converts v as XPath's boolean() does.
func (v value) truth() bool {
	switch v.kind {
	case kNumber:
		return v.n != 0 && !math.IsNaN(v.n)
	case kBool:
		return v.b
	case kDate:
		return true
	case kNodes:
		return len(v.nodes) > 0
	}
	return v.s != ""
}

// date converts v to a day: a date, a YYYY-MM-DD text, or a number of days.
func (v value) date() (time.Time, bool) {
	switch v.kind {
	case kDate:
		return v.t, true
	case kNumber:
		if math.IsNaN(v.n) || math.IsInf(v.n, 0) || math.Abs(v.n) > 1e7 {
			return time.Time{}, false
		}
		return time.Unix(int64(math.Floor(v.n))*86400, 0).UTC(), true
	case kNodes:
		return v.first().date()
	case kString:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v.s))
		return t, err == nil
	}
	return time.Time{}, false
}

func formatNumber(n float64) string {
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return ""
	}
	if n == math.Trunc(n) && math.Abs(n) < 1e15 {
		return strconv.FormatInt(int64(n), 10)
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// compare applies = != < <= > >= with XPath's coercions: a node-set
// compares true if any of its values does; a boolean side makes both
// booleans; a number side makes both numbers; a date side makes both days;
// otherwise = and != compare texts and the others numbers.
func compare(op string, l, r value) bool {
	if l.kind == kNodes {
		for _, x := range l.nodes {
			if compare(op, x, r) {
				return true
			}
		}
		return false
	}
	if r.kind == kNodes {
		for _, x := range r.nodes {
			if compare(op, l, x) {
				return true
			}
		}
		return false
	}
	equality := op == "=" || op == "!="
	switch {
	case equality && (l.kind == kBool || r.kind == kBool):
		return (l.truth() == r.truth()) == (op == "=")
	case l.kind == kDate || r.kind == kDate:
		a, okA := l.date()
		b, okB := r.date()
		if !okA || !okB {
			return op == "!="
		}
		return order(op, float64(a.Unix()), float64(b.Unix()))
	case equality && l.kind == kString && r.kind == kString:
		return (l.s == r.s) == (op == "=")
	}
	return order(op, l.number(), r.number())
}

// order compares two numbers; with NaN only != holds.
func order(op string, a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return op == "!="
	}
	switch op {
	case "=":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}

// arithmetic applies + - * div mod; a result that is not a finite number
// (division by zero, a text operand) is "no value".
func arithmetic(op string, l, r value) value {
	a, b := l.number(), r.number()
	var n float64
	switch op {
	case "+":
		n = a + b
	case "-":
		n = a - b
	case "*":
		n = a * b
	case "div":
		if b == 0 {
			return noValue()
		}
		n = a / b
	case "mod":
		if b == 0 {
			return noValue()
		}
		n = math.Mod(a, b)
	}
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return noValue()
	}
	return num(n)
}
