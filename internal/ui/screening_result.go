package ui

import (
	"slices"
	"time"

	"waymark.city/waymark/internal/screening"
)

// linkView is a question the result asks for, linking to the page that asks it.
type linkView struct {
	Label string
	Href  string
}

type dimensionView struct {
	Name       string
	Clause     string
	Indicators []string
}

type purposeView struct {
	Name        string
	Outcome     string // the engine's outcome code, for styling
	OutcomeText string
	Notes       []string
	Rule        string
	Dimensions  []dimensionView
	NonePresent string
	Act         string
	Missing     string
	Further     []linkView
	LabourText  string
}

// resultView is a screening result in words, for the result page and the
// printed summary. It holds no personal data: no name, no exact age.
type resultView struct {
	ID            string
	Draft         bool
	Setting       string
	CreatedAt     time.Time
	CompletedAt   *time.Time
	Version       string
	Population    string
	Presumption   string
	Urgent        []string
	Purposes      []purposeView
	AnyReferral   bool
	AnyFurther    bool
	AnyLabour     bool
	Declined      string
	Unanswered    int
	DimensionRule string
	Disclaimer    string
	ContinuePage  int
}

// outcomeRank orders the purposes on the result page: what needs action
// first.
func outcomeRank(o string) int {
	return slices.Index([]string{screening.OutcomeReasonableGrounds, screening.OutcomeFurtherAssessment,
		screening.OutcomeExploitedWorker, screening.OutcomeNoIndicators}, o)
}

// explainResult puts a result into words in lang, from the catalogue's
// texts, with the further questions linked to the pages that ask them.
func explainResult(c *screening.Catalogue, sc screening.Screening, res screening.Result, plan questionPlan, lang string) resultView {
	t := func(key string) string { return c.Text(key, lang, nil) }
	v := resultView{ID: sc.ID, Draft: sc.Status != screening.StatusCompleted, Setting: t("setting." + sc.Setting),
		CreatedAt: sc.CreatedAt, CompletedAt: sc.CompletedAt, Version: res.CatalogueVersion,
		Population: t("population." + res.Population), DimensionRule: t(res.DimensionRule.Key),
		Disclaimer: c.Message(res.Disclaimer, lang), ContinuePage: plan.firstOpenPage(sc.Answers)}
	if res.AgePresumption {
		v.Presumption = t("population.age_presumption")
	}
	for _, u := range res.UrgentReasons {
		v.Urgent = append(v.Urgent, c.Message(u.Message, lang))
	}
	purposes := slices.Clone(res.Purposes)
	slices.SortStableFunc(purposes, func(a, b screening.PurposeResult) int { return outcomeRank(a.Outcome) - outcomeRank(b.Outcome) })
	for _, p := range purposes {
		pv := purposeView{Name: t("purpose." + p.Purpose), Outcome: p.Outcome, OutcomeText: t("outcome." + p.Outcome)}
		switch p.Outcome {
		case screening.OutcomeReasonableGrounds:
			v.AnyReferral = true
		case screening.OutcomeFurtherAssessment:
			v.AnyFurther = true
		}
		if p.LabourRightsReferral {
			v.AnyLabour = true
			pv.LabourText = t("labour_rights_referral")
		}
		if p.Outcome == screening.OutcomeNoIndicators {
			v.Purposes = append(v.Purposes, pv)
			continue
		}
		if p.Reason == screening.ReasonNearThreshold {
			pv.Notes = append(pv.Notes, c.Message(p.Message, lang))
		}
		if p.Override != nil {
			pv.Notes = append(pv.Notes, c.Message(*p.Override, lang))
		}
		pv.Rule = c.Message(p.Rule, lang)
		for _, d := range p.Dimensions {
			if d.State != screening.StatePositive {
				continue
			}
			dv := dimensionView{Name: t("dimension." + d.Dimension), Clause: t(d.ClauseKey)}
			for _, e := range d.Indicators {
				dv.Indicators = append(dv.Indicators, c.Label(e.ID, lang)+" ("+t("strength."+string(e.Strength))+")")
			}
			pv.Dimensions = append(pv.Dimensions, dv)
		}
		if len(pv.Dimensions) == 0 {
			pv.NonePresent = t("render.none_positive")
		}
		if res.Population == screening.Child {
			pv.Act = t("element.act") + ": " + t("state."+p.Act.State)
		}
		if len(p.Missing) > 0 {
			items := ""
			for i, m := range p.Missing {
				name := t("dimension." + m.Dimension)
				if m.Element != "" {
					name = t("element." + m.Element)
				}
				if i > 0 {
					items += "; "
				}
				items += name + " (" + t("state."+m.State) + ")"
			}
			pv.Missing = c.Text("render.missing", lang, map[string]string{"items": items})
		}
		for _, id := range p.FurtherQuestions {
			l := linkView{Label: c.Label(id, lang)}
			if n, ok := plan.pageOf[id]; ok {
				l.Href = questionsPath(sc.ID, n) + "#f-answers." + id
			}
			pv.Further = append(pv.Further, l)
		}
		v.Purposes = append(v.Purposes, pv)
	}
	if len(res.Declined) > 0 {
		labels := ""
		for i, id := range res.Declined {
			if i > 0 {
				labels += "; "
			}
			labels += c.Label(id, lang)
		}
		v.Declined = c.Text("render.declined", lang, map[string]string{"questions": labels})
	}
	// Count the questions the plan asks, not the whole catalogue: questions
	// that do not apply to the person (child-only ones for an adult) were
	// never asked.
	for _, page := range plan.pages {
		for _, q := range page {
			if _, ok := sc.Answers[q.ID]; !ok {
				v.Unanswered++
			}
		}
	}
	return v
}

// summary is the one-line outcome of a screening for the list: the most
// pressing outcome and the forms of exploitation it concerns.
func summary(c *screening.Catalogue, res screening.Result, lang string) (outcome, text string) {
	best := screening.OutcomeNoIndicators
	for _, p := range res.Purposes {
		if outcomeRank(p.Outcome) < outcomeRank(best) {
			best = p.Outcome
		}
	}
	text = c.Text("outcome."+best, lang, nil)
	if best == screening.OutcomeNoIndicators {
		return best, text
	}
	sep := ": "
	for _, p := range res.Purposes {
		if p.Outcome == best {
			text += sep + c.Text("purpose."+p.Purpose, lang, nil)
			sep = ", "
		}
	}
	return best, text
}
