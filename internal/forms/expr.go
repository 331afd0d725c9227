package forms

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The expression language is the XPath subset XLSForm uses. An expression
// is parsed once, when the form is loaded; evaluating it never fails: a
// type mismatch, a division by zero or a missing answer gives "no value".

// Limits on expressions, so a form cannot make the parser or a regex work
// without bound.
const (
	MaxExprLen   = 1000 // bytes of one expression
	maxExprDepth = 40   // nesting of parentheses and operators
	MaxRegexLen  = 200  // bytes of a regex() pattern
)

// expr is a parsed expression.
type expr interface{ String() string }

type (
	// literal is a string or number written in the expression.
	literal struct{ v value }
	// ref is ${name}; node is resolved after the whole survey is read.
	ref struct {
		name string
		node *node
	}
	// self is ".", the value of the question the expression belongs to.
	self struct{}
	// parent is "..", allowed only as the argument of position().
	parent struct{}
	// column is a bare name in a choice_filter: a column of the choices sheet.
	column struct{ name string }
	binary struct {
		op   string
		l, r expr
	}
	negate struct{ x expr }
	call   struct {
		fn   string
		args []expr
		re   *regexp.Regexp // compiled pattern of regex()
	}
)

func (l literal) String() string {
	if l.v.kind == kString {
		return "'" + l.v.s + "'"
	}
	return l.v.text()
}
func (r *ref) String() string   { return "${" + r.name + "}" }
func (self) String() string     { return "." }
func (parent) String() string   { return ".." }
func (c column) String() string { return c.name }
func (b *binary) String() string {
	return "(" + b.l.String() + " " + b.op + " " + b.r.String() + ")"
}
func (n *negate) String() string { return "-" + n.x.String() }
func (c *call) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.fn + "(" + strings.Join(parts, ", ") + ")"
}

// arity gives the number of arguments each function takes: min, max
// (max -1 means any number).
var arity = map[string][2]int{
	"selected":       {2, 2},
	"count-selected": {1, 1},
	"string-length":  {1, 1},
	"concat":         {1, -1},
	"if":             {3, 3},
	"coalesce":       {2, 2},
	"today":          {0, 0},
	"int":            {1, 1},
	"number":         {1, 1},
	"string":         {1, 1},
	"date":           {1, 1},
	"round":          {1, 2},
	"regex":          {2, 2},
	"position":       {1, 1},
	"count":          {1, 1},
	"sum":            {1, 1},
	"not":            {1, 1},
	"true":           {0, 0},
	"false":          {0, 0},
}

// exprError is a problem in an expression; the caller adds where it is.
type exprError struct{ key string }

func (e *exprError) Error() string { return e.key }

// token kinds of the lexer.
const (
	tEOF = iota
	tNum
	tStr
	tRef
	tName
	tOp
	tDot
	tDotDot
	tLParen
	tRParen
	tComma
)

type token struct {
	kind int
	text string
}

// lex splits an expression into tokens.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$':
			if i+1 >= len(src) || src[i+1] != '{' {
				return nil, &exprError{"forms.error.expression_syntax"}
			}
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, &exprError{"forms.error.expression_syntax"}
			}
			name := src[i+2 : i+end]
			if !validName(name) {
				return nil, &exprError{"forms.error.expression_syntax"}
			}
			out = append(out, token{tRef, name})
			i += end + 1
		case c == '\'' || c == '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, &exprError{"forms.error.expression_syntax"}
			}
			out = append(out, token{tStr, src[i+1 : i+1+end]})
			i += end + 2
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if _, err := strconv.ParseFloat(src[i:j], 64); err != nil {
				return nil, &exprError{"forms.error.expression_syntax"}
			}
			out = append(out, token{tNum, src[i:j]})
			i = j
		case c == '.':
			if i+1 < len(src) && src[i+1] == '.' {
				out = append(out, token{tDotDot, ".."})
				i += 2
			} else {
				out = append(out, token{tDot, "."})
				i++
			}
		case c == '(':
			out = append(out, token{tLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")"})
			i++
		case c == ',':
			out = append(out, token{tComma, ","})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				out = append(out, token{tOp, src[i : i+2]})
				i += 2
			} else if c == '!' {
				return nil, &exprError{"forms.error.expression_syntax"}
			} else {
				out = append(out, token{tOp, string(c)})
				i++
			}
		case c == '=' || c == '+' || c == '-' || c == '*':
			out = append(out, token{tOp, string(c)})
			i++
		case isNameStart(c):
			j := i
			for j < len(src) && isNameByte(src[j]) {
				j++
			}
			out = append(out, token{tName, src[i:j]})
			i = j
		default:
			return nil, &exprError{"forms.error.expression_syntax"}
		}
	}
	return append(out, token{kind: tEOF}), nil
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

// validName reports whether s is a usable question or list name: an XML
// name without a namespace prefix, in ASCII.
func validName(s string) bool {
	if s == "" || len(s) > 64 || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

// parser is a recursive-descent parser over the tokens of one expression.
type parser struct {
	toks  []token
	pos   int
	depth int
	// columns is true in a choice_filter, where bare names are choice columns.
	columns bool
}

// parseExpr parses src. columns allows bare names (choice columns).
func parseExpr(src string, columns bool) (expr, error) {
	if len(src) > MaxExprLen {
		return nil, &exprError{"forms.error.expression_too_long"}
	}
	if !utf8.ValidString(src) {
		return nil, &exprError{"forms.error.expression_syntax"}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, columns: columns}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, &exprError{"forms.error.expression_syntax"}
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// isWord reports whether the next token is the operator word w (and, or,
// div, mod), which XPath writes as names.
func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tName && t.text == w
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return &exprError{"forms.error.expression_too_deep"}
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) or() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &binary{"or", l, r}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.equality()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.equality()
		if err != nil {
			return nil, err
		}
		l = &binary{"and", l, r}
	}
	return l, nil
}

func (p *parser) equality() (expr, error) {
	l, err := p.relational()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tOp && (t.text == "=" || t.text == "!="); t = p.peek() {
		p.next()
		r, err := p.relational()
		if err != nil {
			return nil, err
		}
		l = &binary{t.text, l, r}
	}
	return l, nil
}

func (p *parser) relational() (expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tOp && strings.ContainsAny(t.text, "<>"); t = p.peek() {
		p.next()
		r, err := p.additive()
		if err != nil {
			return nil, err
		}
		l = &binary{t.text, l, r}
	}
	return l, nil
}

func (p *parser) additive() (expr, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tOp && (t.text == "+" || t.text == "-"); t = p.peek() {
		p.next()
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = &binary{t.text, l, r}
	}
	return l, nil
}

func (p *parser) multiplicative() (expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !(t.kind == tOp && t.text == "*" || p.isWord("div") || p.isWord("mod")) {
			return l, nil
		}
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &binary{t.text, l, r}
	}
}

func (p *parser) unary() (expr, error) {
	if t := p.peek(); t.kind == tOp && t.text == "-" {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &negate{x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		n, _ := strconv.ParseFloat(t.text, 64)
		return literal{num(n)}, nil
	case tStr:
		return literal{str(t.text)}, nil
	case tRef:
		return &ref{name: t.text}, nil
	case tDot:
		return self{}, nil
	case tDotDot:
		return parent{}, nil
	case tLParen:
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tRParen {
			return nil, &exprError{"forms.error.expression_syntax"}
		}
		return e, nil
	case tName:
		if p.peek().kind == tLParen {
			return p.call(t.text)
		}
		if p.columns {
			return column{t.text}, nil
		}
		return nil, &exprError{"forms.error.expression_bare_name"}
	}
	return nil, &exprError{"forms.error.expression_syntax"}
}

func (p *parser) call(fn string) (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next() // (
	n, known := arity[fn]
	if !known {
		return nil, &exprError{"forms.error.unknown_function"}
	}
	c := &call{fn: fn}
	if p.peek().kind != tRParen {
		for {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	if p.next().kind != tRParen {
		return nil, &exprError{"forms.error.expression_syntax"}
	}
	if len(c.args) < n[0] || n[1] >= 0 && len(c.args) > n[1] {
		return nil, &exprError{"forms.error.wrong_arguments"}
	}
	switch fn {
	case "regex":
		lit, ok := c.args[1].(literal)
		if !ok || lit.v.kind != kString {
			return nil, &exprError{"forms.error.regex_not_literal"}
		}
		if len(lit.v.s) > MaxRegexLen {
			return nil, &exprError{"forms.error.regex_too_long"}
		}
		re, err := regexp.Compile(lit.v.s)
		if err != nil {
			return nil, &exprError{"forms.error.regex_invalid"}
		}
		c.re = re
	case "position":
		if _, ok := c.args[0].(parent); !ok {
			return nil, &exprError{"forms.error.position_argument"}
		}
	case "count", "sum":
		if _, ok := c.args[0].(*ref); !ok {
			return nil, &exprError{"forms.error.repeat_argument"}
		}
	}
	return c, nil
}

// walk calls fn on e and every expression inside it.
func walk(e expr, fn func(expr)) {
	fn(e)
	switch e := e.(type) {
	case *binary:
		walk(e.l, fn)
		walk(e.r, fn)
	case *negate:
		walk(e.x, fn)
	case *call:
		for _, a := range e.args {
			walk(a, fn)
		}
	}
}

// misplacedParent reports whether e uses ".." anywhere but as the argument
// of position().
func misplacedParent(e expr) bool {
	bad := false
	var check func(e expr, ok bool)
	check = func(e expr, ok bool) {
		switch e := e.(type) {
		case parent:
			if !ok {
				bad = true
			}
		case *binary:
			check(e.l, false)
			check(e.r, false)
		case *negate:
			check(e.x, false)
		case *call:
			for _, a := range e.args {
				check(a, e.fn == "position")
			}
		}
	}
	check(e, false)
	return bad
}

// interpolation finds the ${name} references in a label or hint, which are
// shown with the current value.
var interpolation = regexp.MustCompile(`\$\{([^}]*)\}`)

// labelRefs returns the names referenced in a label text.
func labelRefs(s string) []string {
	var names []string
	for _, m := range interpolation.FindAllStringSubmatch(s, -1) {
		names = append(names, m[1])
	}
	return names
}
