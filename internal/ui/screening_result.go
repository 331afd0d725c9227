package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/agreements"
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
	// Elements are the act, means and purpose lines of a version 2 result.
	Elements []string
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
	// Version 2: the overall outcome, the child-protection steps, the
	// protection needs, the forms with no indication and at most five
	// deciding questions.
	Outcome         string
	OutcomeText     string
	StatedAge       string
	ChildSteps      string
	ProtectionNeeds string
	Flags           []string
	NoIndication    string
	Deciding        []linkView
	Threshold       string
	Rationale       string
	// CallNow are the partners to call at once, with phone and hours, for
	// immediate danger and for a child.
	CallNow []callContact
	// LocalNoted are the local signs the worker noted, by label; they are
	// recorded and never change the result. LocalVersion is the local field
	// guide version they were shown from.
	LocalNoted   []guideText
	LocalVersion int
	// Unconfirmed are the pre-filled answers (from a site check) not yet
	// confirmed with the person nor changed, linked to where they are
	// asked. The result counts them; a referral may still go out, under
	// the warning the page shows.
	Unconfirmed []linkView
}

// callContact is a partner to call now.
type callContact struct {
	Name, Kind, Phone, Hours string
	// Dial is the number for a tel: link: "+" and digits.
	Dial string
	// Persons are the partner's named contact persons.
	Persons []agreements.Contact
}

// outcomeRank orders the purposes on the result page: what needs action
// first.
func outcomeRank(o string) int {
	return slices.Index([]string{screening.OutcomeReasonableGrounds, screening.OutcomeFurtherAssessment,
		screening.OutcomeExploitedWorker, screening.OutcomeNoIndicators}, o)
}

// explainResult puts a result into words in lang, from the catalogue's
// texts, with the further questions linked to the pages that ask them.
func explainResult(c *screening.Catalogue, sc screening.Screening, res screening.Result, plan screening.Plan, lang string) resultView {
	t := func(key string) string { return c.Text(key, lang, nil) }
	v := resultView{ID: sc.ID, Draft: sc.Status != screening.StatusCompleted, Setting: c.SettingName(sc.Setting, lang),
		CreatedAt: sc.CreatedAt, CompletedAt: sc.CompletedAt, Version: res.CatalogueVersion,
		Population: t("population." + res.Population), DimensionRule: t(res.DimensionRule.Key),
		Disclaimer: c.Message(res.Disclaimer, lang), ContinuePage: plan.FirstOpenPage(sc.Answers)}
	if res.AgePresumption {
		v.Presumption = t("population.age_presumption")
	}
	for _, u := range res.UrgentReasons {
		v.Urgent = append(v.Urgent, c.Message(u.Message, lang))
	}
	link := func(id string) linkView {
		l := linkView{Label: c.Label(id, lang)}
		if n, ok := plan.PageOf[id]; ok {
			l.Href = questionsPath(sc.ID, n) + "#f-answers." + id
		}
		return l
	}
	v2 := res.Outcome != ""
	if v2 {
		v.Outcome, v.OutcomeText = res.Outcome, t("outcome."+res.Outcome)
		if res.StatedAge != nil {
			v.StatedAge = strconv.Itoa(*res.StatedAge)
		}
		if res.ChildProtection {
			v.ChildSteps = t("child_protection.steps")
		}
		v.ProtectionNeeds = c.ProtectionNeeds(res, lang)
		for _, f := range res.Flags {
			v.Flags = append(v.Flags, t("flag."+f))
		}
		for _, id := range res.DecidingQuestions {
			v.Deciding = append(v.Deciding, link(id))
		}
		v.Threshold, v.Rationale = t("rule.threshold"), t("rule.rationale")
	}
	purposes := slices.Clone(res.Purposes)
	slices.SortStableFunc(purposes, func(a, b screening.PurposeResult) int { return outcomeRank(a.Outcome) - outcomeRank(b.Outcome) })
	var none []string
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
			// Version 2 names the forms the answers do not point to in one
			// line, so the page shows only what needs action.
			if v2 {
				none = append(none, pv.Name)
			} else {
				v.Purposes = append(v.Purposes, pv)
			}
			continue
		}
		if p.Reason == screening.ReasonNearThreshold {
			pv.Notes = append(pv.Notes, c.Message(p.Message, lang))
		}
		if p.Override != nil {
			pv.Notes = append(pv.Notes, c.Message(*p.Override, lang))
		}
		pv.Rule = c.Message(p.Rule, lang)
		for _, e := range p.Elements {
			if e.Required || len(e.Yes) > 0 {
				pv.Elements = append(pv.Elements, c.ElementLine(e, lang))
			}
		}
		if !v2 {
			explainDimensions(c, res, p, &pv, lang)
		}
		for _, id := range p.FurtherQuestions {
			pv.Further = append(pv.Further, link(id))
		}
		v.Purposes = append(v.Purposes, pv)
	}
	if len(none) > 0 {
		v.NoIndication = strings.Join(none, ", ")
	}
	if len(res.Declined) > 0 {
		labels := make([]string, len(res.Declined))
		for i, id := range res.Declined {
			labels[i] = c.Label(id, lang)
		}
		v.Declined = c.Text("render.declined", lang, map[string]string{"questions": strings.Join(labels, "; ")})
	}
	for _, p := range sc.UnconfirmedAsked(plan) {
		v.Unconfirmed = append(v.Unconfirmed, link(p.Question))
	}
	// The plan holds the questions asked of this person: child-only ones
	// are not asked of an adult, nor follow-ups the answers did not open.
	v.Unanswered = plan.Unanswered(sc.Answers)
	return v
}

// explainDimensions adds a version 1 result's dimensions, act and missing
// parts to a purpose.
func explainDimensions(c *screening.Catalogue, res screening.Result, p screening.PurposeResult, pv *purposeView, lang string) {
	t := func(key string) string { return c.Text(key, lang, nil) }
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
		items := make([]string, len(p.Missing))
		for i, m := range p.Missing {
			name := t("dimension." + m.Dimension)
			if m.Element != "" {
				name = t("element." + m.Element)
			}
			items[i] = name + " (" + t("state."+m.State) + ")"
		}
		pv.Missing = c.Text("render.missing", lang, map[string]string{"items": strings.Join(items, "; ")})
	}
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
	if best == screening.OutcomeNoIndicators && res.Outcome == screening.OutcomeProtectionNeed {
		best = res.Outcome
	}
	text = c.Text("outcome."+best, lang, nil)
	if best == screening.OutcomeNoIndicators || best == screening.OutcomeProtectionNeed {
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
