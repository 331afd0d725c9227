package screening

import (
	"slices"
	"strconv"
	"strings"
)

// Lang returns lang if the catalogue has texts in it, else the first
// catalogue language (English), so a page in another language still explains.
func (c *Catalogue) Lang(lang string) string {
	langs := c.Languages()
	if slices.Contains(langs, lang) {
		return lang
	}
	return langs[0]
}

// Text returns the text for key in lang with {name} placeholders filled from
// args. An unknown key returns the key itself, so a gap is visible, not blank.
func (c *Catalogue) Text(key, lang string, args map[string]string) string {
	t, ok := c.Texts[key]
	if !ok {
		return key
	}
	s := t[c.Lang(lang)]
	for k, v := range args {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// Message renders a Message in lang.
func (c *Catalogue) Message(m Message, lang string) string { return c.Text(m.Key, lang, m.Args) }

// Label returns an indicator's short label in lang, or the id if unknown.
func (c *Catalogue) Label(id, lang string) string {
	ind, ok := c.Indicator(id)
	if !ok {
		return id
	}
	return ind.Label[c.Lang(lang)]
}

func (c *Catalogue) labels(ids []string, lang string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c.Label(id, lang)
	}
	return strings.Join(out, "; ")
}

// Render explains a result as plain text in lang (English or German): the
// outcome per purpose, the positive dimensions and the indicators that made
// them, the rule in plain words, what is missing and which questions would
// settle it, and that screening is not identification.
func (c *Catalogue) Render(r Result, lang string) string {
	if c.v2 != nil {
		return c.renderV2(r, lang)
	}
	lang = c.Lang(lang)
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	line(c.Text("render.title", lang, nil) + " (" + r.CatalogueVersion + ")")
	line(c.Text("population."+r.Population, lang, nil))
	if r.AgePresumption {
		line(c.Text("population.age_presumption", lang, nil))
	}
	for _, u := range r.UrgentReasons {
		line(c.Text("render.urgent", lang, nil) + ": " + c.Message(u.Message, lang))
	}
	for _, p := range r.Purposes {
		line("")
		line("== " + c.Text("purpose."+p.Purpose, lang, nil) + ": " + c.Text("outcome."+p.Outcome, lang, nil))
		if p.Outcome == OutcomeNoIndicators {
			continue // the heading says it all; keeps the printed summary short
		}
		if p.Reason == ReasonNearThreshold {
			line(c.Message(p.Message, lang))
		}
		if p.Override != nil {
			line(c.Message(*p.Override, lang))
		}
		line(c.Text("render.rule", lang, map[string]string{"rule": c.Message(p.Rule, lang)}))
		positive := 0
		for _, d := range p.Dimensions {
			if d.State != StatePositive {
				continue
			}
			positive++
			ev := make([]string, len(d.Indicators))
			for i, e := range d.Indicators {
				ev[i] = c.Label(e.ID, lang) + " (" + c.Text("strength."+string(e.Strength), lang, nil) + ")"
			}
			line("- " + c.Text("render.dimension_line", lang, map[string]string{
				"dimension":  c.Text("dimension."+d.Dimension, lang, nil),
				"state":      c.Text("state."+d.State, lang, nil),
				"clause":     c.Text(d.ClauseKey, lang, nil),
				"indicators": strings.Join(ev, "; "),
			}))
		}
		if r.Population == Child {
			act := c.Text("element.act", lang, nil) + ": " + c.Text("state."+p.Act.State, lang, nil)
			if len(p.Act.Indicators) > 0 {
				act += " (" + c.labels(p.Act.Indicators, lang) + ")"
			}
			line("- " + act)
		}
		if positive == 0 {
			line("- " + c.Text("render.none_positive", lang, nil))
		}
		if len(p.Missing) > 0 {
			items := make([]string, len(p.Missing))
			for i, m := range p.Missing {
				name := c.Text("dimension."+m.Dimension, lang, nil)
				if m.Element != "" {
					name = c.Text("element."+m.Element, lang, nil)
				}
				items[i] = name + " (" + c.Text("state."+m.State, lang, nil) + ")"
			}
			line(c.Text("render.missing", lang, map[string]string{"items": strings.Join(items, "; ")}))
		}
		if len(p.FurtherQuestions) > 0 {
			line(c.Text("render.questions", lang, map[string]string{"questions": c.labels(p.FurtherQuestions, lang)}))
		}
		if p.LabourRightsReferral {
			line(c.Text("labour_rights_referral", lang, nil))
		}
	}
	line("")
	if len(r.Declined) > 0 {
		line(c.Text("render.declined", lang, map[string]string{"questions": c.labels(r.Declined, lang)}))
	}
	if r.Unanswered > 0 {
		line(c.Text("render.unanswered", lang, map[string]string{"count": strconv.Itoa(r.Unanswered)}))
	}
	line(c.Text(c.Rules.DimensionRule.TextKey, lang, nil))
	line(c.Message(r.Disclaimer, lang))
	return b.String()
}

// Evaluation is an explained result: the result itself, plus the same
// explanation as plain text in one language. The JSON API and the command
// line answer with it.
type Evaluation struct {
	Result
	Text string `json:"text"`
}

// EvaluateExplained evaluates in and explains the result in lang, by the
// catalogue version in names (an older one stays available) or this one.
func (c *Catalogue) EvaluateExplained(in Input, lang string) (Evaluation, error) {
	if o, ok := c.ForVersion(in.CatalogueVersion); ok {
		c = o
	}
	res, err := c.Evaluate(in)
	if err != nil {
		return Evaluation{}, err
	}
	return Evaluation{Result: res, Text: c.Render(res, lang)}, nil
}

// ElementLine puts one element of a version 2 result into words: its state,
// the threshold met, and the worker's own yes answers behind it.
func (c *Catalogue) ElementLine(e ElementResult, lang string) string {
	clause := ""
	switch {
	case e.Clause == "forced_activity":
		clause = " (" + c.Text(c.v2.rules.ForcedActivity.TextKey, lang, nil) + ")"
	case e.Clause != "":
		clause = " (" + c.Text("clause."+e.Clause, lang, nil) + ")"
	}
	answers := c.Text("render.none_yes", lang, nil)
	if len(e.Yes) > 0 {
		items := make([]string, len(e.Yes))
		for i, y := range e.Yes {
			var detail []string
			if y.Kind != "" {
				detail = append(detail, c.Text("kind."+y.Kind, lang, nil))
			}
			if y.Strength != "" {
				detail = append(detail, c.Text("strength."+string(y.Strength), lang, nil))
			}
			items[i] = c.Label(y.ID, lang)
			if len(detail) > 0 {
				items[i] += " (" + strings.Join(detail, ", ") + ")"
			}
		}
		answers = strings.Join(items, "; ")
	}
	return c.Text("render.element_line", lang, map[string]string{
		"element": c.Text("element."+e.Element, lang, nil), "state": c.Text("state."+e.State, lang, nil),
		"clause": clause, "answers": answers,
	})
}

// ProtectionNeeds names the protection needs of a result in lang.
func (c *Catalogue) ProtectionNeeds(r Result, lang string) string {
	names := make([]string, len(r.ProtectionNeeds))
	for i, v := range r.ProtectionNeeds {
		names[i] = c.Text("vulnerability."+v, lang, nil)
	}
	return strings.Join(names, "; ")
}

// renderV2 explains a version 2 result: the overall outcome, urgency, the
// child-protection steps and protection needs, then per form that the
// answers point to its elements with the worker's own yes answers.
func (c *Catalogue) renderV2(r Result, lang string) string {
	lang = c.Lang(lang)
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteByte('\n') }
	line(c.Text("render.title", lang, nil) + " (" + r.CatalogueVersion + "): " + c.Text("outcome."+r.Outcome, lang, nil))
	pop := c.Text("population."+r.Population, lang, nil)
	if r.AgePresumption {
		pop += " " + c.Text("population.age_presumption", lang, nil)
	}
	if r.StatedAge != nil {
		pop += "; " + c.Text("population.stated_age", lang, map[string]string{"age": strconv.Itoa(*r.StatedAge)})
	}
	line(pop)
	for _, u := range r.UrgentReasons {
		line(c.Text("render.urgent", lang, nil) + ": " + c.Message(u.Message, lang))
	}
	if r.ChildProtection {
		line(c.Text("child_protection.title", lang, nil) + ": " + c.Text("child_protection.steps", lang, nil))
	}
	if len(r.ProtectionNeeds) > 0 {
		line(c.Text("render.protection_needs", lang, map[string]string{"needs": c.ProtectionNeeds(r, lang)}))
	}
	for _, f := range r.Flags {
		line(c.Text("flag."+f, lang, nil))
	}
	for _, p := range r.Purposes {
		if p.Outcome == OutcomeNoIndicators {
			continue // only the forms the answers point to
		}
		line("")
		line("== " + c.Text("purpose."+p.Purpose, lang, nil) + ": " + c.Text("outcome."+p.Outcome, lang, nil))
		if p.Reason == ReasonNearThreshold {
			line(c.Message(p.Message, lang))
		}
		if p.Override != nil {
			line(c.Message(*p.Override, lang))
		}
		line(c.Text("render.rule", lang, map[string]string{"rule": c.Message(p.Rule, lang)}))
		for _, e := range p.Elements {
			if e.Required || len(e.Yes) > 0 {
				line("- " + c.ElementLine(e, lang))
			}
		}
		if len(p.FurtherQuestions) > 0 {
			line(c.Text("render.questions", lang, map[string]string{"questions": c.labels(p.FurtherQuestions, lang)}))
		}
		if p.LabourRightsReferral {
			line(c.Text("labour_rights_referral", lang, nil))
		}
	}
	line("")
	if len(r.Declined) > 0 {
		line(c.Text("render.declined", lang, map[string]string{"questions": c.labels(r.Declined, lang)}))
	}
	if len(r.Unused) > 0 {
		line(c.Text("render.unused", lang, map[string]string{"questions": strings.Join(r.Unused, ", ")}))
	}
	if r.Unanswered > 0 {
		line(c.Text("render.unanswered", lang, map[string]string{"count": strconv.Itoa(r.Unanswered)}))
	}
	line(c.Text(c.v2.rules.Threshold, lang, nil))
	line(c.Message(r.Disclaimer, lang))
	return b.String()
}
