package screening

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"

	"waymark.city/waymark/internal/apperr"
)

// Answer is a frontline worker's answer to one indicator question. A missing
// answer is treated like Unknown: unknown is never no.
type Answer string

// Answers.
const (
	Yes      Answer = "yes"
	No       Answer = "no"
	Unknown  Answer = "unknown"
	Declined Answer = "declined"
)

func (a Answer) valid() bool { return a == Yes || a == No || a == Unknown || a == Declined }

// open reports whether the answer leaves the indicator undecided.
func (a Answer) open() bool { return a != Yes && a != No }

// Outcomes of one purpose.
const (
	OutcomeReasonableGrounds = "reasonable_grounds"
	OutcomeFurtherAssessment = "further_assessment"
	OutcomeNoIndicators      = "no_indicators"
	OutcomeExploitedWorker   = "exploited_worker"
)

// Reasons qualifying a further_assessment outcome.
const (
	ReasonOpenQuestions = "open_questions" // unanswered indicators could still establish it
	ReasonNearThreshold = "near_threshold" // exploitation and some means present, rule not met
)

// States of a dimension or condition: established on the answers given, not
// established even if every open question were answered yes, or open.
const (
	StatePositive      = "positive"
	StateNegative      = "negative"
	StateIndeterminate = "indeterminate"
)

// Age is what is known about the person's age. Years may be nil when unknown.
type Age struct {
	Years                 *int `json:"years,omitempty"`
	Estimated             bool `json:"estimated,omitempty"`
	ReasonsToBelieveChild bool `json:"reasons_to_believe_child,omitempty"`
	// Adult records that the person is known to be an adult (a document
	// was seen); it contradicts an age below 18 and never outweighs reasons
	// to believe the person is a child.
	Adult bool `json:"adult,omitempty"`
}

// Input is one screening: no name or other personal data is needed.
type Input struct {
	CatalogueVersion string            `json:"catalogue_version,omitempty"`
	Setting          string            `json:"setting,omitempty"`
	Age              Age               `json:"age"`
	Answers          map[string]Answer `json:"answers"`
}

// Message is a text key from texts.json with its arguments.
type Message struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

// Evidence is one indicator answered yes that counted for a dimension.
type Evidence struct {
	ID           string   `json:"id"`
	Strength     Strength `json:"strength,omitempty"`
	Verification string   `json:"verification"`
	// Kind is the kind of act or means the answer shows (version 2).
	Kind string `json:"kind,omitempty"`
}

// Counts are the strong, medium and weak indicators answered yes.
type Counts struct {
	Strong int `json:"strong"`
	Medium int `json:"medium"`
	Weak   int `json:"weak"`
}

// DimensionResult explains one dimension for one purpose.
type DimensionResult struct {
	Dimension  string     `json:"dimension"`
	State      string     `json:"state"`
	Clause     string     `json:"clause,omitempty"`
	ClauseKey  string     `json:"clause_key,omitempty"`
	Counts     Counts     `json:"counts"`
	Indicators []Evidence `json:"indicators,omitempty"`
}

// ConditionResult explains an element condition such as the act.
type ConditionResult struct {
	Element    string   `json:"element"`
	State      string   `json:"state"`
	Indicators []string `json:"indicators,omitempty"`
}

// MissingPart is a part of the combination rule that is not established, with
// the open indicators that could still establish it (strongest first).
type MissingPart struct {
	Dimension  string   `json:"dimension,omitempty"`
	Element    string   `json:"element,omitempty"`
	State      string   `json:"state"`
	Candidates []string `json:"candidates,omitempty"`
}

// PurposeResult is the explained outcome for one form of exploitation.
type PurposeResult struct {
	Purpose              string            `json:"purpose"`
	Outcome              string            `json:"outcome"`
	Reason               string            `json:"reason,omitempty"`
	Message              Message           `json:"message"`
	Rule                 Message           `json:"rule"`
	Override             *Message          `json:"override,omitempty"`
	LabourRightsReferral bool              `json:"labour_rights_referral"`
	Dimensions           []DimensionResult `json:"dimensions"`
	Act                  ConditionResult   `json:"act"`
	// Elements explain a version 2 result: act, means and purpose, each
	// with every yes answer that counted for it, also when it fell short.
	Elements         []ElementResult `json:"elements,omitempty"`
	Missing          []MissingPart   `json:"missing,omitempty"`
	FurtherQuestions []string        `json:"further_questions,omitempty"` // fewest, strongest open questions that could settle each missing part
}

// UrgentReason is a trigger answered yes.
type UrgentReason struct {
	Trigger    string   `json:"trigger"`
	Message    Message  `json:"message"`
	Indicators []string `json:"indicators"`
}

// Result is the explained screening result for every purpose.
type Result struct {
	CatalogueVersion string          `json:"catalogue_version"`
	CatalogueHash    string          `json:"catalogue_hash"`
	Setting          string          `json:"setting,omitempty"`
	Population       string          `json:"population"`
	AgePresumption   bool            `json:"age_presumption"`
	Urgent           bool            `json:"urgent"`
	UrgentReasons    []UrgentReason  `json:"urgent_reasons,omitempty"`
	Purposes         []PurposeResult `json:"purposes"`
	// Outcome is the most pressing outcome over all forms (version 2), or
	// protection_need when no form shows exploitation but the person is
	// vulnerable.
	Outcome string `json:"outcome,omitempty"`
	// StatedAge is the age as typed: stated, not known.
	StatedAge *int `json:"stated_age,omitempty"`
	// ProtectionNeeds name the vulnerabilities answered yes (smuggled,
	// irregular status…), so they are not lost when no form is indicated.
	ProtectionNeeds []string `json:"protection_needs,omitempty"`
	// ChildProtection is set for a child with any sign of exploitation: the
	// child-protection steps apply.
	ChildProtection bool `json:"child_protection,omitempty"`
	// DecidingQuestions are at most five open questions that would settle
	// the forms the answers point to, most decisive first.
	DecidingQuestions []string `json:"deciding_questions,omitempty"`
	// Unused are given answers the rules did not use: questions the other
	// answers did not open, or for another age group.
	Unused []string `json:"unused,omitempty"`
	// Flags are follow-ups outside case work, e.g. procurement_follow_up.
	Flags         []string `json:"flags,omitempty"`
	Declined      []string `json:"declined,omitempty"`
	Unanswered    int      `json:"unanswered"`
	DimensionRule Message  `json:"dimension_rule"`
	Disclaimer    Message  `json:"disclaimer"`
}

// Purpose returns the result for one purpose.
func (r Result) Purpose(p string) (PurposeResult, bool) {
	for _, pr := range r.Purposes {
		if pr.Purpose == p {
			return pr, true
		}
	}
	return PurposeResult{}, false
}

// Tri-state values ordered so that "all" is min and "any" is max.
const (
	neg   = 0
	indet = 1
	pos   = 2
)

var stateNames = [3]string{StateNegative, StateIndeterminate, StatePositive}

type counts struct{ strong, medium, weak int }

func (n *counts) add(rank int8) {
	switch rank {
	case 3:
		n.strong++
	case 2:
		n.medium++
	case 1:
		n.weak++
	}
}

type cexpr struct {
	op      byte // 'A' all, 'O' any, 'D' dimension, 'E' element
	kids    []*cexpr
	dim     int
	element string
}

// compiled is the catalogue turned into index tables so that one evaluation
// is a few passes over small slices.
type compiled struct {
	purposes  []string
	dims      []string
	rank      [][][2]int8  // indicator → purpose → population → strength rank
	byDim     [][2][][]int // purpose → population → dimension → indicators, strongest first
	byElement map[string][]int
	exprs     [][2]*cexpr
	combKeys  [][2]string
	exploit   int
	noneOf    []int
}

func popIndex(pop string) int {
	if pop == Child {
		return 1
	}
	return 0
}

func compile(c *Catalogue) compiled {
	cc := compiled{purposes: c.Rules.Purposes, byElement: map[string][]int{}}
	dimIdx := map[string]int{}
	for i, d := range c.Rules.Dimensions {
		cc.dims = append(cc.dims, d.ID)
		dimIdx[d.ID] = i
	}
	cc.rank = make([][][2]int8, len(c.Indicators))
	cc.byDim = make([][2][][]int, len(cc.purposes))
	for p := range cc.purposes {
		for pop := range 2 {
			cc.byDim[p][pop] = make([][]int, len(cc.dims))
		}
	}
	for i, ind := range c.Indicators {
		cc.rank[i] = make([][2]int8, len(cc.purposes))
		for p, name := range cc.purposes {
			ps := ind.Strength[name]
			for pop, s := range []Strength{ps.Adult, ps.Child} {
				r := int8(s.rank())
				cc.rank[i][p][pop] = r
				if r > 0 {
					d := dimIdx[ind.Dimension]
					cc.byDim[p][pop][d] = append(cc.byDim[p][pop][d], i)
				}
			}
		}
		cc.byElement[ind.Element] = append(cc.byElement[ind.Element], i)
	}
	for p := range cc.purposes {
		for pop := range 2 {
			for d := range cc.dims {
				list := cc.byDim[p][pop][d]
				sort.SliceStable(list, func(a, b int) bool { return cc.rank[list[a]][p][pop] > cc.rank[list[b]][p][pop] })
			}
		}
	}
	var build func(e Expr) *cexpr
	build = func(e Expr) *cexpr {
		switch {
		case len(e.All) > 0 || len(e.Any) > 0:
			n := &cexpr{op: 'A'}
			kids := e.All
			if len(e.Any) > 0 {
				n.op, kids = 'O', e.Any
			}
			for _, k := range kids {
				n.kids = append(n.kids, build(k))
			}
			return n
		case e.Dimension != "":
			return &cexpr{op: 'D', dim: dimIdx[e.Dimension]}
		default:
			return &cexpr{op: 'E', element: e.Element}
		}
	}
	cc.exprs = make([][2]*cexpr, len(cc.purposes))
	cc.combKeys = make([][2]string, len(cc.purposes))
	for p, name := range cc.purposes {
		for pop, popName := range knownPopulations {
			comb := c.Rules.Combinations[c.Rules.PurposeRules[name][popName]]
			cc.exprs[p][pop] = build(comb.Expr)
			cc.combKeys[p][pop] = comb.TextKey
		}
	}
	cc.exploit = dimIdx[c.Rules.ExploitedWorker.Exploitation]
	for _, d := range c.Rules.ExploitedWorker.NoneOf {
		cc.noneOf = append(cc.noneOf, dimIdx[d])
	}
	return cc
}

// idPattern guards error fields: an answer key that does not look like an
// indicator id may be free text and is not echoed back.
var idPattern = regexp.MustCompile(`^[a-z0-9_.]{1,64}$`)

// answerErrors names each answer to a question the catalogue does not have
// and each answer that is not one of the four.
func (c *Catalogue) answerErrors(answers map[string]Answer) []apperr.FieldError {
	bad := false
	for id, a := range answers {
		if _, ok := c.index[id]; !ok || !a.valid() {
			bad = true
			break
		}
	}
	// Sorting and field naming only happen on the error path; the common
	// case stays a single pass over the answers.
	if !bad {
		return nil
	}
	var fields []apperr.FieldError
	for _, id := range slices.Sorted(maps.Keys(answers)) {
		field := "answers"
		if idPattern.MatchString(id) {
			field = "answers." + id
		}
		if _, ok := c.index[id]; !ok {
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.screening.unknown_indicator"})
		} else if !answers[id].valid() {
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.screening.invalid_answer"})
		}
	}
	return fields
}

func (c *Catalogue) validateInput(in Input) error {
	var fields []apperr.FieldError
	if in.CatalogueVersion != "" && in.CatalogueVersion != c.Version {
		fields = append(fields, apperr.FieldError{Field: "catalogue_version", Key: "error.screening.catalogue_version",
			Args: map[string]any{"version": c.Version}})
	}
	if in.Setting != "" && !slices.Contains(knownSettings, in.Setting) {
		fields = append(fields, apperr.FieldError{Field: "setting", Key: "error.screening.unknown_setting"})
	}
	if y := in.Age.Years; y != nil && (*y < 0 || *y > 130) {
		fields = append(fields, apperr.FieldError{Field: "age.years", Key: "error.screening.invalid_age"})
	}
	fields = append(fields, c.answerErrors(in.Answers)...)
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// validate checks input by the rules of this catalogue's version.
func (c *Catalogue) validate(in Input) error {
	if c.v2 != nil {
		return c.validateInputV2(in)
	}
	return c.validateInput(in)
}

// population applies the age presumption: where age is uncertain and there
// are reasons to believe the person is a child, the child rules apply.
func population(a Age) (pop string, presumed bool) {
	if a.Years != nil && *a.Years < 18 {
		return Child, false
	}
	uncertain := a.Years == nil || a.Estimated
	if uncertain && a.ReasonsToBelieveChild {
		return Child, true
	}
	return Adult, false
}

// Evaluate screens one person for every form of exploitation at once, by
// the rules of this catalogue's version. It returns an apperr validation
// error for an unknown question id, an invalid answer, setting or age, or a
// catalogue version other than this one.
func (c *Catalogue) Evaluate(in Input) (Result, error) {
	if c.v2 != nil {
		return c.evaluateV2(in)
	}
	return c.evaluateV1(in)
}

// evaluateV1 applies the version 1 rules: the ILO/EC 2009 dimension rule and
// its combination of recruitment, exploitation and coercion dimensions.
func (c *Catalogue) evaluateV1(in Input) (Result, error) {
	if err := c.validateInput(in); err != nil {
		return Result{}, fmt.Errorf("evaluate screening: %w", err)
	}
	cc := &c.compiled
	ans := make([]Answer, len(c.Indicators))
	for id, a := range in.Answers {
		ans[c.index[id]] = a
	}
	popName, presumed := population(in.Age)
	pop := popIndex(popName)
	res := Result{
		CatalogueVersion: c.Version,
		CatalogueHash:    c.Hash,
		Setting:          in.Setting,
		Population:       popName,
		AgePresumption:   presumed,
		DimensionRule:    Message{Key: c.Rules.DimensionRule.TextKey},
		Disclaimer:       Message{Key: "disclaimer"},
	}

	fired := map[string][]string{}
	for i, ind := range c.Indicators {
		switch ans[i] {
		case "":
			res.Unanswered++
		case Declined:
			res.Declined = append(res.Declined, ind.ID)
		case Yes:
			for _, t := range ind.Triggers {
				fired[t] = append(fired[t], ind.ID)
			}
		}
	}
	for _, tr := range c.Rules.Triggers {
		if ids := fired[tr.ID]; len(ids) > 0 && slices.Contains(tr.Populations, popName) {
			res.Urgent = true
			res.UrgentReasons = append(res.UrgentReasons, UrgentReason{Trigger: tr.ID, Message: Message{Key: tr.TextKey}, Indicators: ids})
		}
	}

	elemStates := map[string]int{}
	elemState := func(el string) int {
		if s, ok := elemStates[el]; ok {
			return s
		}
		s := neg
		for _, i := range cc.byElement[el] {
			if ans[i] == Yes {
				s = pos
				break
			}
			if ans[i].open() {
				s = indet
			}
		}
		elemStates[el] = s
		return s
	}

	type purposeWork struct {
		states  []int
		lower   []counts
		anyYes  bool // a medium or strong yes counts for this purpose
		exploit bool
	}
	work := make([]purposeWork, len(cc.purposes))
	anyExploitYes := false
	for p := range cc.purposes {
		w := purposeWork{states: make([]int, len(cc.dims)), lower: make([]counts, len(cc.dims))}
		for d := range cc.dims {
			var lower, upper counts
			for _, i := range cc.byDim[p][pop][d] {
				r := cc.rank[i][p][pop]
				switch {
				case ans[i] == Yes:
					lower.add(r)
					upper.add(r)
				case ans[i].open():
					upper.add(r)
				}
			}
			w.lower[d] = lower
			w.states[d] = c.dimState(lower, upper)
			if lower.strong+lower.medium > 0 {
				w.anyYes = true
			}
			if lower != (counts{}) {
				if d == cc.exploit {
					w.exploit = true
					anyExploitYes = true
				}
			}
		}
		work[p] = w
	}

	for p, purpose := range cc.purposes {
		w := work[p]
		pr := PurposeResult{Purpose: purpose, Rule: Message{Key: cc.combKeys[p][pop]}}
		for d, dim := range cc.dims {
			dr := DimensionResult{Dimension: dim, State: stateNames[w.states[d]],
				Counts: Counts{w.lower[d].strong, w.lower[d].medium, w.lower[d].weak}}
			if w.states[d] == pos {
				cl := c.firstClause(w.lower[d])
				dr.Clause, dr.ClauseKey = cl.ID, cl.TextKey
			}
			for _, i := range cc.byDim[p][pop][d] {
				if ans[i] == Yes {
					dr.Indicators = append(dr.Indicators, Evidence{ID: c.Indicators[i].ID,
						Strength: rankStrength(cc.rank[i][p][pop]), Verification: c.Indicators[i].Verification})
				}
			}
			pr.Dimensions = append(pr.Dimensions, dr)
		}
		pr.Act = ConditionResult{Element: "act", State: stateNames[elemState("act")]}
		for _, i := range cc.byElement["act"] {
			if ans[i] == Yes {
				pr.Act.Indicators = append(pr.Act.Indicators, c.Indicators[i].ID)
			}
		}

		expr := cc.exprs[p][pop]
		state := func(e *cexpr) int { return e.eval(w.states, elemState) }
		comb := state(expr)
		exploitPos := w.states[cc.exploit] == pos
		meansPos := false
		for _, d := range cc.noneOf {
			if w.states[d] == pos {
				meansPos = true
			}
		}
		// A purpose deserves further questions only if something points to
		// it: a yes on its exploitation dimension, or, when no form of
		// exploitation is known yet, a medium or strong yes counting for it.
		// Weak answers alone never open an assessment (urgency still fires).
		signal := w.exploit || (!anyExploitYes && w.anyYes)

		for _, o := range c.Rules.Overrides {
			if o.Population == popName && slices.Contains(o.Purposes, purpose) && len(fired[o.Trigger]) > 0 {
				pr.Override = &Message{Key: o.TextKey}
			}
		}
		switch {
		case pr.Override != nil || comb == pos:
			pr.Outcome = OutcomeReasonableGrounds
		case comb == indet && signal:
			pr.Outcome, pr.Reason = OutcomeFurtherAssessment, ReasonOpenQuestions
		case exploitPos && !meansPos:
			pr.Outcome = OutcomeExploitedWorker
		case exploitPos:
			pr.Outcome, pr.Reason = OutcomeFurtherAssessment, ReasonNearThreshold
		default:
			pr.Outcome = OutcomeNoIndicators
		}
		pr.Message = Message{Key: "outcome." + pr.Outcome}
		if pr.Reason == ReasonNearThreshold {
			pr.Message = Message{Key: "outcome.near_threshold"}
		}
		pr.LabourRightsReferral = pr.Outcome != OutcomeReasonableGrounds && exploitPos && !meansPos

		if pr.Outcome != OutcomeReasonableGrounds && pr.Outcome != OutcomeNoIndicators {
			var parts []*cexpr
			expr.missing(state, &parts)
			seen := map[string]bool{}
			for _, leaf := range parts {
				mp := MissingPart{State: stateNames[state(leaf)]}
				var cands []int
				if leaf.op == 'D' {
					mp.Dimension = cc.dims[leaf.dim]
					cands = cc.byDim[p][pop][leaf.dim]
				} else {
					mp.Element = leaf.element
					cands = cc.byElement[leaf.element]
				}
				if seen[mp.Dimension+"/"+mp.Element] {
					continue
				}
				seen[mp.Dimension+"/"+mp.Element] = true
				// Candidates lists every open indicator; the further questions
				// are the fewest, strongest ones that would settle the part if
				// answered yes, so a worker on a phone asks those first.
				var minimal []string
				if state(leaf) == indet {
					n := counts{}
					if leaf.op == 'D' {
						n = w.lower[leaf.dim]
					}
					settled := false
					for _, i := range cands {
						if !ans[i].open() {
							continue
						}
						id := c.Indicators[i].ID
						mp.Candidates = append(mp.Candidates, id)
						if settled {
							continue
						}
						minimal = append(minimal, id)
						if leaf.op == 'D' {
							n.add(cc.rank[i][p][pop])
							settled = c.dimState(n, n) == pos
						} else {
							settled = true
						}
					}
				}
				pr.Missing = append(pr.Missing, mp)
				if pr.Outcome == OutcomeFurtherAssessment {
					for _, id := range minimal {
						if !slices.Contains(pr.FurtherQuestions, id) {
							pr.FurtherQuestions = append(pr.FurtherQuestions, id)
						}
					}
				}
			}
		}
		res.Purposes = append(res.Purposes, pr)
	}
	return res, nil
}

// dimState: positive if the yes answers meet a clause, indeterminate if the
// yes and open answers together could, negative otherwise.
func (c *Catalogue) dimState(lower, upper counts) int {
	var up bool
	for _, cl := range c.Rules.DimensionRule.Clauses {
		if cl.met(lower) {
			return pos
		}
		up = up || cl.met(upper)
	}
	if up {
		return indet
	}
	return neg
}

func (c *Catalogue) firstClause(n counts) Clause {
	for _, cl := range c.Rules.DimensionRule.Clauses {
		if cl.met(n) {
			return cl
		}
	}
	return Clause{}
}

func rankStrength(r int8) Strength {
	switch r {
	case 3:
		return Strong
	case 2:
		return Medium
	case 1:
		return Weak
	}
	return ""
}

func (e *cexpr) eval(dims []int, elem func(string) int) int {
	switch e.op {
	case 'D':
		return dims[e.dim]
	case 'E':
		return elem(e.element)
	case 'A':
		s := pos
		for _, k := range e.kids {
			s = min(s, k.eval(dims, elem))
		}
		return s
	default:
		s := neg
		for _, k := range e.kids {
			s = max(s, k.eval(dims, elem))
		}
		return s
	}
}

// missing collects the leaves that keep a non-positive node from being
// positive.
func (e *cexpr) missing(state func(*cexpr) int, out *[]*cexpr) {
	if state(e) == pos {
		return
	}
	if e.op == 'D' || e.op == 'E' {
		*out = append(*out, e)
		return
	}
	for _, k := range e.kids {
		k.missing(state, out)
	}
}
