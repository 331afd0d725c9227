package ui

import (
	"slices"

	"waymark.city/waymark/internal/screening"
)

// questionsPerPage keeps a page short enough for a phone screen: a worker
// answers it in about a minute and the draft is saved after each page.
const questionsPerPage = 8

// questionPlan is how the questions of one screening are split into pages.
type questionPlan struct {
	pages [][]screening.Question
	// pageOf is the page (from 1) that asks each indicator.
	pageOf map[string]int
	// further is the first page of the questions less usual in the setting;
	// 0 when every question belongs to the setting.
	further int
}

// planQuestions orders the questions for the screening's setting and cuts
// them into pages: the immediate-danger question first, then the questions
// of the setting, then the others; within each part grouped by indicator
// group (general, labour, sexual, …), strongest first. Questions that count
// for no purpose at the person's population (child-only indicators for an
// adult) are left out. Each part is cut into pages of even size.
func planQuestions(c *screening.Catalogue, sc screening.Screening, population, lang string) (questionPlan, error) {
	qs, err := c.Questions(sc.Setting, lang)
	if err != nil {
		return questionPlan{}, err
	}
	groupRank := func(g string) int { return slices.Index(c.Rules.Groups, g) }
	danger := func(q screening.Question) bool { return slices.Contains(q.Triggers, "immediate_danger") }
	var first, setting, other []screening.Question
	for _, q := range qs {
		if !countsFor(c, q.ID, population) {
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
	byGroup := func(a, b screening.Question) int { return groupRank(a.Group) - groupRank(b.Group) }
	slices.SortStableFunc(setting, byGroup)
	slices.SortStableFunc(other, byGroup)

	plan := questionPlan{pageOf: map[string]int{}}
	plan.pages = append(plan.pages, split(append(first, setting...))...)
	if len(other) > 0 {
		plan.further = len(plan.pages) + 1
		plan.pages = append(plan.pages, split(other)...)
	}
	for i, page := range plan.pages {
		for _, q := range page {
			plan.pageOf[q.ID] = i + 1
		}
	}
	return plan, nil
}

// split cuts qs into the fewest pages of at most questionsPerPage, of sizes
// as even as possible, so no page is left with a single question.
func split(qs []screening.Question) [][]screening.Question {
	if len(qs) == 0 {
		return nil
	}
	n := (len(qs) + questionsPerPage - 1) / questionsPerPage
	var pages [][]screening.Question
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

// countsFor reports whether an indicator has a strength for the population
// for any purpose.
func countsFor(c *screening.Catalogue, id, population string) bool {
	ind, ok := c.Indicator(id)
	if !ok {
		return false
	}
	for _, ps := range ind.Strength {
		if (population == screening.Child && ps.Child != "") || (population != screening.Child && ps.Adult != "") {
			return true
		}
	}
	return false
}

// firstOpenPage is the first page with an unanswered question, to continue
// a draft where it was left; the last page when all are answered.
func (p questionPlan) firstOpenPage(answers map[string]screening.Answer) int {
	for i, page := range p.pages {
		for _, q := range page {
			if _, ok := answers[q.ID]; !ok {
				return i + 1
			}
		}
	}
	return max(len(p.pages), 1)
}
