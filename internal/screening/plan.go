package screening

import (
	"slices"
)

// Plan is how the questions of one screening are laid out on pages.
type Plan struct {
	Pages [][]Question
	// PageOf is the page (from 1) that asks each question.
	PageOf map[string]int
	// Optional is the first page of questions a worker may skip: questions
	// less usual in the setting (version 1), or follow-ups beyond the two
	// most decisive pages (version 2); 0 when there are none.
	Optional int
}

// FirstOpenPage is the first page with an unanswered question, to continue
// a draft where it was left; the last page when all are answered.
func (p Plan) FirstOpenPage(answers map[string]Answer) int {
	for i, page := range p.Pages {
		for _, q := range page {
			if _, ok := answers[q.ID]; !ok {
				return i + 1
			}
		}
	}
	return max(len(p.Pages), 1)
}

// Unanswered counts the questions of the plan without an answer.
func (p Plan) Unanswered(answers map[string]Answer) int {
	n := 0
	for _, page := range p.Pages {
		for _, q := range page {
			if _, ok := answers[q.ID]; !ok {
				n++
			}
		}
	}
	return n
}

// Plan lays out the questions of a screening in lang. Version 2: the core
// questions on the first page, then only the follow-ups the first-page
// answers open, most decisive first, PageSize a page. Version 1: every
// question, the setting's first. The setting and age must be valid.
func (c *Catalogue) Plan(in Input, lang string) (Plan, error) {
	if c.v2 == nil {
		return c.planV1(in, lang)
	}
	if err := c.validateInputV2(Input{Setting: in.Setting, Age: in.Age}); err != nil {
		return Plan{}, err
	}
	v := c.v2
	core := Input{Setting: in.Setting, Age: in.Age, Answers: map[string]Answer{}}
	for id, a := range in.Answers {
		if i, ok := c.index[id]; ok && c.Indicators[i].Core && a.valid() {
			core.Answers[id] = a
		}
	}
	a := c.assess(core)
	score := c.decisiveness(&a, in.Setting)
	var first []Question
	var follow []int
	for i := range c.Indicators {
		switch {
		case !a.asked[i]:
		case c.Indicators[i].Core:
			first = append(first, c.question(i, lang))
		default:
			follow = append(follow, i)
		}
	}
	slices.SortStableFunc(follow, func(x, y int) int { return score[y] - score[x] })
	plan := Plan{Pages: [][]Question{first}, PageOf: map[string]int{}}
	size := v.rules.PageSize
	for start := 0; start < len(follow); start += size {
		var page []Question
		for _, i := range follow[start:min(start+size, len(follow))] {
			page = append(page, c.question(i, lang))
		}
		plan.Pages = append(plan.Pages, page)
	}
	// A typical screening ends after the first page and two pages of
	// follow-ups; the rest is there for whoever has the time.
	if len(plan.Pages) > 3 {
		plan.Optional = 4
	}
	for n, page := range plan.Pages {
		for _, q := range page {
			plan.PageOf[q.ID] = n + 1
		}
	}
	return plan, nil
}

// decisiveness scores each follow-up by how much a yes could still change:
// a sign of a form the answers point to whose purpose is not yet
// established weighs most, then means and act while they are open, then
// the forms and signs the setting is known for, then needs for protection
// (first of all when every sign of coercion was denied).
func (c *Catalogue) decisiveness(a *assessment, setting string) []int {
	v := c.v2
	place := v.places[setting]
	pointed := make([]bool, len(v.forms))
	anyPointed := false
	for f, fa := range a.forms {
		pointed[f] = fa.activity || fa.signal
		anyPointed = anyPointed || pointed[f]
	}
	coercionDenied := true
	for _, i := range v.core {
		for _, n := range c.Indicators[i].Counts {
			if n.Element == ElementMeans && a.ans[i] != No {
				coercionDenied = false
			}
		}
	}
	score := make([]int, len(c.Indicators))
	for i, ind := range c.Indicators {
		s := 0
		for _, n := range ind.Counts {
			rank := n.strength(a.pop).rank()
			switch n.Element {
			case ElementPurpose:
				for _, form := range n.Forms {
					f := v.formIdx[form]
					switch {
					case pointed[f] && a.forms[f].purpose != pos:
						s += 12 * rank
					case pointed[f]:
						s += 2 * rank
					case slices.Contains(place.Forms, form):
						s += 3 * rank
					}
				}
			case ElementMeans:
				if a.means != pos && anyPointed {
					s += 8 * rank
				} else {
					s += rank
				}
			case ElementAct:
				if a.act != pos {
					s += 10
				}
			}
		}
		switch {
		case ind.Vulnerability != "" && coercionDenied:
			// Every first-page sign of coercion was denied: what is left to
			// find out is mostly what protection the person needs.
			s += 25
		case ind.Vulnerability != "" || len(ind.Flags) > 0:
			s += 3
		}
		if slices.Contains(place.Indicators, ind.ID) {
			s += 10 // a sign the field guide names for this place
		}
		if v.pop[i] == a.pop {
			s += 5 // questions only for this age group (a child's) come early
		}
		score[i] = s
	}
	return score
}

// question prepares one question for a page.
func (c *Catalogue) question(i int, lang string) Question {
	ind := c.Indicators[i]
	lang = c.Lang(lang)
	best := Strength("")
	for _, n := range ind.Counts {
		for _, s := range []Strength{n.Strength, n.Child} {
			if s.rank() > best.rank() {
				best = s
			}
		}
	}
	return Question{ID: ind.ID, Group: ind.Group, Strength: best, Label: ind.Label[lang], Text: ind.Question[lang],
		Help: ind.Help[lang], Triggers: ind.Triggers}
}

// questionsPerPageV1 keeps a version 1 page short enough for a phone.
const questionsPerPageV1 = 8

// planV1 orders the version 1 questions for the setting and cuts them into
// pages: the immediate-danger question first, then the questions of the
// setting, then the others; within each part grouped by indicator group,
// strongest first. Questions that count for no purpose at the person's
// population are left out.
func (c *Catalogue) planV1(in Input, lang string) (Plan, error) {
	qs, err := c.Questions(in.Setting, lang)
	if err != nil {
		return Plan{}, err
	}
	pop, _ := population(in.Age)
	groupRank := func(g string) int { return slices.Index(c.Rules.Groups, g) }
	danger := func(q Question) bool { return slices.Contains(q.Triggers, "immediate_danger") }
	var first, setting, other []Question
	for _, q := range qs {
		if !c.countsFor(q.ID, pop) {
			continue
		}
		switch {
		case danger(q):
			first = append(first, q)
		case q.SettingRelevant:
			setting = append(setting, q)
		default:
			other = append(other, q)
		}
	}
	byGroup := func(a, b Question) int { return groupRank(a.Group) - groupRank(b.Group) }
	slices.SortStableFunc(setting, byGroup)
	slices.SortStableFunc(other, byGroup)
	plan := Plan{PageOf: map[string]int{}}
	plan.Pages = append(plan.Pages, split(append(first, setting...))...)
	if len(other) > 0 {
		plan.Optional = len(plan.Pages) + 1
		plan.Pages = append(plan.Pages, split(other)...)
	}
	for i, page := range plan.Pages {
		for _, q := range page {
			plan.PageOf[q.ID] = i + 1
		}
	}
	return plan, nil
}

// split cuts qs into the fewest pages of at most questionsPerPageV1, of
// sizes as even as possible, so no page is left with a single question.
func split(qs []Question) [][]Question {
	if len(qs) == 0 {
		return nil
	}
	n := (len(qs) + questionsPerPageV1 - 1) / questionsPerPageV1
	var pages [][]Question
	start := 0
	for i := range n {
		size := len(qs) / n
		if i < len(qs)%n {
			size++
		}
		pages = append(pages, qs[start:start+size])
		start += size
	}
	return pages
}

// countsFor reports whether a version 1 indicator has a strength for the
// population for any purpose.
func (c *Catalogue) countsFor(id, pop string) bool {
	ind, ok := c.Indicator(id)
	if !ok {
		return false
	}
	for _, ps := range ind.Strength {
		if (pop == Child && ps.Child != "") || (pop != Child && ps.Adult != "") {
			return true
		}
	}
	return false
}
