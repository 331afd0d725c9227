package screening

import (
	"fmt"
	"slices"

	"waymark.city/waymark/internal/apperr"
)

// ElementResult explains one element of the legal definition for one form:
// its state and every yes answer that counted for it, also when they fell
// short, so a worker sees their own answers behind each line.
type ElementResult struct {
	Element  string `json:"element"`
	State    string `json:"state"`
	Required bool   `json:"required"`
	// Clause is the threshold clause that was met, or "forced_activity".
	Clause string     `json:"clause,omitempty"`
	Yes    []Evidence `json:"yes,omitempty"`
}

// assessment is one evaluation in index form, before it is put into words.
type assessment struct {
	pop      int
	popName  string
	presumed bool
	ans      []Answer
	asked    []bool
	act      int
	means    int
	mLow     counts
	coerce   [2]int // strong coercion yes, and yes or open
	actYes   bool
	// freeWorker: the questions that decide whether work is forced (free
	// to leave, not threatened) are answered no.
	freeWorker bool
	forms      []formAssessment
}

type formAssessment struct {
	purpose    int
	conditions bool // the purpose clauses are met without the forced-activity rule
	forced     bool
	activity   bool
	comb       int
	signal     bool
	override   *Message
	pLow       counts
}

func (a *assessment) yes(i int) bool  { return a.asked[i] && a.ans[i] == Yes }
func (a *assessment) open(i int) bool { return a.asked[i] && a.ans[i].open() }

// populationV2: a stated age under 18 or reasons to believe the person is a
// child apply the child rules, whatever age was typed (the presumption of
// childhood, CoE Convention Art. 10(3)).
func populationV2(a Age) (pop string, presumed bool) {
	if a.Years != nil && *a.Years < 18 {
		return Child, false
	}
	if a.ReasonsToBelieveChild {
		return Child, true
	}
	return Adult, false
}

func (c *Catalogue) validateInputV2(in Input) error {
	var fields []apperr.FieldError
	if in.CatalogueVersion != "" && in.CatalogueVersion != c.Version {
		fields = append(fields, apperr.FieldError{Field: "catalogue_version", Key: "error.screening.catalogue_version",
			Args: map[string]any{"version": c.Version}})
	}
	if _, ok := c.v2.places[in.Setting]; in.Setting != "" && !ok {
		fields = append(fields, apperr.FieldError{Field: "setting", Key: "error.screening.unknown_setting"})
	}
	if y := in.Age.Years; y != nil && (*y < 0 || *y > 130) {
		fields = append(fields, apperr.FieldError{Field: "age.years", Key: "error.screening.invalid_age"})
	} else if y != nil && *y < 18 && in.Age.Adult {
		fields = append(fields, apperr.FieldError{Field: "age.adult", Key: "error.screening.child_marked_adult"})
	}
	fields = append(fields, c.answerErrors(in.Answers)...)
	if len(fields) > 0 {
		return apperr.Validation(fields...)
	}
	return nil
}

// askedV2 marks the questions the answers open: core questions, and
// follow-ups whose condition holds, for the person's population.
func (c *Catalogue) askedV2(ans []Answer, setting string, pop int) []bool {
	v := c.v2
	asked := make([]bool, len(c.Indicators))
	for i, ind := range c.Indicators {
		if v.pop[i] >= 0 && v.pop[i] != pop {
			continue
		}
		if ind.Core {
			asked[i] = true
			continue
		}
		for _, cd := range v.conds[i] {
			if (cd.pop >= 0 && cd.pop == pop) || slices.Contains(cd.settings, setting) ||
				slices.ContainsFunc(cd.yes, func(j int) bool { return ans[j] == Yes }) {
				asked[i] = true
				break
			}
		}
	}
	return asked
}

func clausesMet(cls []Clause, n counts) bool {
	return slices.ContainsFunc(cls, func(cl Clause) bool { return cl.met(n) })
}

func clauseState(cls []Clause, low, up counts) int {
	switch {
	case clausesMet(cls, low):
		return pos
	case clausesMet(cls, up):
		return indet
	}
	return neg
}

func state3(yes, open bool) int {
	switch {
	case yes:
		return pos
	case open:
		return indet
	}
	return neg
}

// assess applies the version 2 rules to valid input.
func (c *Catalogue) assess(in Input) assessment {
	v, r := c.v2, &c.v2.rules
	a := assessment{ans: make([]Answer, len(c.Indicators))}
	for id, ans := range in.Answers {
		a.ans[c.index[id]] = ans
	}
	a.popName, a.presumed = populationV2(in.Age)
	a.pop = popIndex(a.popName)
	a.asked = c.askedV2(a.ans, in.Setting, a.pop)

	var actYes, actOpen bool
	for _, i := range v.act {
		actYes = actYes || a.yes(i)
		actOpen = actOpen || a.open(i)
	}
	a.act, a.actYes = state3(actYes, actOpen), actYes

	var mUp counts
	for _, m := range v.means[a.pop] {
		strongCoercion := m.kind == "coercion" && m.rank == 3
		switch {
		case a.yes(m.ind):
			a.mLow.add(m.rank)
			mUp.add(m.rank)
			if strongCoercion {
				a.coerce[0]++
				a.coerce[1]++
			}
		case a.open(m.ind):
			mUp.add(m.rank)
			if strongCoercion {
				a.coerce[1]++
			}
		}
	}
	a.freeWorker = true
	for _, id := range r.ExploitedWorker.AnsweredNo {
		a.freeWorker = a.freeWorker && a.ans[c.index[id]] == No
	}
	meansClauses := r.Thresholds.Means[a.popName]
	if len(meansClauses) == 0 {
		meansClauses = r.Thresholds.Means[Adult]
	}
	a.means = clauseState(meansClauses, a.mLow, mUp)
	meansSignal := a.mLow.strong+a.mLow.medium > 0
	required := r.Required[a.popName]

	fired := func(trigger string) bool {
		for i, ind := range c.Indicators {
			if a.yes(i) && slices.Contains(ind.Triggers, trigger) {
				return true
			}
		}
		return false
	}
	a.forms = make([]formAssessment, len(v.forms))
	for f, def := range r.Forms {
		fa := &a.forms[f]
		var activityOpen bool
		for _, i := range v.activityOf[f] {
			fa.activity = fa.activity || a.yes(i)
			activityOpen = activityOpen || a.open(i)
		}
		var pUp counts
		for _, m := range v.purpose[a.pop][f] {
			switch {
			case m.withActivity && !fa.activity && !activityOpen:
			case a.yes(m.ind) && (fa.activity || !m.withActivity):
				fa.pLow.add(m.rank)
				pUp.add(m.rank)
			case a.yes(m.ind) || a.open(m.ind):
				pUp.add(m.rank)
			}
		}
		k := r.ForcedActivity.CoercionStrong
		purposeClauses := r.Thresholds.Purpose[a.popName]
		fa.conditions = clausesMet(purposeClauses, fa.pLow)
		// Doing the activity under strong coercion is forced labour or
		// services only when the coercion bears on the activity: someone
		// holds, houses or directs the person, or takes what they earn.
		// Threats at home do not make a free job forced.
		held := fa.pLow.strong+fa.pLow.medium > 0
		fa.forced = fa.activity && a.coerce[0] >= k && (a.actYes || held)
		forcedUp := (fa.activity || activityOpen) && a.coerce[1] >= k && (a.act != neg || pUp.strong+pUp.medium > 0)
		fa.purpose = state3(fa.conditions || fa.forced, clausesMet(purposeClauses, pUp) || forcedUp)
		fa.comb = pos
		for _, e := range required {
			switch e {
			case ElementAct:
				fa.comb = min(fa.comb, a.act)
			case ElementMeans:
				fa.comb = min(fa.comb, a.means)
			default:
				fa.comb = min(fa.comb, fa.purpose)
			}
		}
		// Something must point to the form before it is worth assessing:
		// a medium or strong sign of its purpose, its activity done under
		// pressure, or, for a child, an activity that is itself a warning.
		// A journey arranged by others alone points to no form.
		fa.signal = held || fa.forced || (fa.activity && meansSignal && a.actYes) ||
			(a.pop == 1 && fa.activity && def.ChildActivitySign)
		for _, o := range r.Overrides {
			if o.Population == a.popName && slices.Contains(o.Purposes, def.ID) && fired(o.Trigger) {
				fa.override = &Message{Key: o.TextKey}
			}
		}
	}
	return a
}

// evaluateV2 puts an assessment into a Result.
func (c *Catalogue) evaluateV2(in Input) (Result, error) {
	if err := c.validateInputV2(in); err != nil {
		return Result{}, fmt.Errorf("evaluate screening: %w", err)
	}
	v, r := c.v2, &c.v2.rules
	a := c.assess(in)
	res := Result{
		CatalogueVersion: c.Version, CatalogueHash: c.Hash, Setting: in.Setting,
		Population: a.popName, AgePresumption: a.presumed, StatedAge: in.Age.Years,
		DimensionRule: Message{Key: r.Threshold}, Disclaimer: Message{Key: "disclaimer"},
	}
	fired := map[string][]string{}
	for i, ind := range c.Indicators {
		switch {
		case a.ans[i] != "" && !a.asked[i]:
			res.Unused = append(res.Unused, ind.ID)
		case !a.asked[i]:
		case a.ans[i] == "":
			res.Unanswered++
		case a.ans[i] == Declined:
			res.Declined = append(res.Declined, ind.ID)
		case a.ans[i] == Yes:
			for _, t := range ind.Triggers {
				fired[t] = append(fired[t], ind.ID)
			}
			if ind.Vulnerability != "" && !slices.Contains(res.ProtectionNeeds, ind.Vulnerability) {
				res.ProtectionNeeds = append(res.ProtectionNeeds, ind.Vulnerability)
			}
			for _, f := range ind.Flags {
				if !slices.Contains(res.Flags, f) {
					res.Flags = append(res.Flags, f)
				}
			}
		}
	}

	deciding := map[string]int{} // question → score over the forms it would settle
	perForm := make([][]string, len(v.forms))
	anyGrounds, anySign := false, false
	act, means := c.sharedElements(&a)
	for f, def := range r.Forms {
		fa := a.forms[f]
		pr := PurposeResult{Purpose: def.ID, Rule: Message{Key: r.RuleText[a.popName]}, Override: fa.override}
		pr.Elements = c.elementsV2(&a, f, act, means)
		switch {
		case fa.override != nil || fa.comb == pos:
			pr.Outcome = OutcomeReasonableGrounds
		case !fa.signal:
			pr.Outcome = OutcomeNoIndicators
		case a.pop == 0 && fa.conditions && def.LabourRights && a.mLow.strong+a.mLow.medium == 0 &&
			(fa.comb == neg || a.freeWorker):
			// Exploitative work, free to leave and not threatened: a
			// labour-rights case, not one of doubt.
			pr.Outcome = OutcomeExploitedWorker
		case fa.comb == indet:
			pr.Outcome, pr.Reason = OutcomeFurtherAssessment, ReasonOpenQuestions
		case fa.purpose == pos || a.means == pos:
			pr.Outcome, pr.Reason = OutcomeFurtherAssessment, ReasonNearThreshold
		default:
			pr.Outcome = OutcomeNoIndicators
		}
		pr.Message = Message{Key: "outcome." + pr.Outcome}
		if pr.Reason == ReasonNearThreshold {
			pr.Message = Message{Key: "outcome.near_threshold"}
		}
		pr.LabourRightsReferral = def.LabourRights && fa.conditions && pr.Outcome != OutcomeReasonableGrounds
		anyGrounds = anyGrounds || pr.Outcome == OutcomeReasonableGrounds
		anySign = anySign || fa.signal || fa.override != nil
		if pr.Outcome == OutcomeFurtherAssessment && pr.Reason == ReasonOpenQuestions {
			perForm[f] = c.decidingV2(&a, f)
			for _, id := range perForm[f] {
				ind, _ := c.Indicator(id)
				deciding[id] += 10 + strongestRank(ind, a.pop)
			}
		}
		for _, e := range pr.Elements {
			if e.Required && e.State != StatePositive && pr.Outcome != OutcomeReasonableGrounds && pr.Outcome != OutcomeNoIndicators {
				pr.Missing = append(pr.Missing, MissingPart{Element: e.Element, State: e.State})
			}
		}
		res.Purposes = append(res.Purposes, pr)
	}
	// The deciding questions: those that settle the most forms, strongest
	// first, at most MaxDeciding; each form lists its own among them.
	for id := range deciding {
		res.DecidingQuestions = append(res.DecidingQuestions, id)
	}
	slices.SortFunc(res.DecidingQuestions, func(x, y string) int {
		if deciding[x] != deciding[y] {
			return deciding[y] - deciding[x]
		}
		return c.index[x] - c.index[y]
	})
	if len(res.DecidingQuestions) > r.MaxDeciding {
		res.DecidingQuestions = res.DecidingQuestions[:r.MaxDeciding]
	}
	for f := range res.Purposes {
		for _, id := range perForm[f] {
			if slices.Contains(res.DecidingQuestions, id) {
				res.Purposes[f].FurtherQuestions = append(res.Purposes[f].FurtherQuestions, id)
			}
		}
	}

	res.ChildProtection = a.pop == 1 && anySign
	for _, t := range r.Triggers {
		if !slices.Contains(t.Populations, a.popName) {
			continue
		}
		ids := fired[t.ID]
		byQuestion := v.questionTriggers[t.ID]
		ok := (!byQuestion || len(ids) > 0) &&
			(t.Requires != "exploitation_sign" || anySign) && (t.Requires != "reasonable_grounds" || anyGrounds)
		if ok {
			res.Urgent = true
			res.UrgentReasons = append(res.UrgentReasons, UrgentReason{Trigger: t.ID, Message: Message{Key: t.TextKey}, Indicators: ids})
		}
	}
	res.Outcome = OutcomeNoIndicators
	for _, o := range []string{OutcomeExploitedWorker, OutcomeFurtherAssessment, OutcomeReasonableGrounds} {
		if slices.ContainsFunc(res.Purposes, func(p PurposeResult) bool { return p.Outcome == o }) {
			res.Outcome = o
		}
	}
	if res.Outcome == OutcomeNoIndicators && len(res.ProtectionNeeds) > 0 {
		res.Outcome = OutcomeProtectionNeed
	}
	return res, nil
}

func strongestRank(ind Indicator, pop int) int {
	best := 0
	for _, n := range ind.Counts {
		best = max(best, n.strength(pop).rank())
	}
	return best
}

// sharedElements explains the act and the means, the same for every form,
// so one slice of evidence serves all of them.
func (c *Catalogue) sharedElements(a *assessment) (act, means ElementResult) {
	v, r := c.v2, &c.v2.rules
	required := r.Required[a.popName]
	act = ElementResult{Element: ElementAct, State: stateNames[a.act], Required: slices.Contains(required, ElementAct),
		Yes: make([]Evidence, 0, len(v.act))}
	for _, i := range v.act {
		if a.yes(i) {
			for _, n := range c.Indicators[i].Counts {
				if n.Element == ElementAct {
					act.Yes = append(act.Yes, Evidence{ID: c.Indicators[i].ID, Verification: c.Indicators[i].Verification, Kind: n.Kind})
					break
				}
			}
		}
	}
	means = ElementResult{Element: ElementMeans, State: stateNames[a.means], Required: slices.Contains(required, ElementMeans),
		Yes: make([]Evidence, 0, len(v.means[a.pop]))}
	for _, m := range v.means[a.pop] {
		if a.yes(m.ind) {
			means.Yes = append(means.Yes, Evidence{ID: c.Indicators[m.ind].ID, Strength: rankStrength(m.rank),
				Verification: c.Indicators[m.ind].Verification, Kind: m.kind})
		}
	}
	if a.means == pos {
		cls := r.Thresholds.Means[a.popName]
		if len(cls) == 0 {
			cls = r.Thresholds.Means[Adult]
		}
		means.Clause = firstMet(cls, a.mLow)
	}
	return act, means
}

// elementsV2 explains act, means and purpose of form f.
func (c *Catalogue) elementsV2(a *assessment, f int, act, means ElementResult) []ElementResult {
	v, r := c.v2, &c.v2.rules
	fa := a.forms[f]
	purpose := ElementResult{Element: ElementPurpose, State: stateNames[fa.purpose], Required: true}
	for _, m := range v.purpose[a.pop][f] {
		if a.yes(m.ind) && (fa.activity || !m.withActivity) {
			purpose.Yes = append(purpose.Yes, Evidence{ID: c.Indicators[m.ind].ID, Strength: rankStrength(m.rank),
				Verification: c.Indicators[m.ind].Verification})
		}
	}
	switch {
	case fa.conditions:
		purpose.Clause = firstMet(r.Thresholds.Purpose[a.popName], fa.pLow)
	case fa.forced:
		purpose.Clause = "forced_activity"
	}
	return []ElementResult{act, means, purpose}
}

func firstMet(cls []Clause, n counts) string {
	for _, cl := range cls {
		if cl.met(n) {
			return cl.ID
		}
	}
	return ""
}

// decidingV2 lists the fewest open questions, strongest first, that would
// establish each open required element of form f if answered yes.
func (c *Catalogue) decidingV2(a *assessment, f int) []string {
	v, r := c.v2, &c.v2.rules
	fa := a.forms[f]
	var out []string
	add := func(i int) {
		if id := c.Indicators[i].ID; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	required := r.Required[a.popName]
	if slices.Contains(required, ElementAct) && a.act == indet {
		// Prefer an act question that belongs to this form.
		best := -1
		for _, i := range v.act {
			if !a.open(i) {
				continue
			}
			if best < 0 || (countsForForm(c.Indicators[i], v.forms[f]) && !countsForForm(c.Indicators[best], v.forms[f])) {
				best = i
			}
		}
		if best >= 0 {
			add(best)
		}
	}
	greedy := func(refs []mref, have counts, cls []Clause) {
		for _, m := range refs {
			if clausesMet(cls, have) {
				return
			}
			if a.open(m.ind) {
				have.add(m.rank)
				add(m.ind)
			}
		}
	}
	if slices.Contains(required, ElementMeans) && a.means == indet {
		greedy(v.means[a.pop], a.mLow, r.Thresholds.Means[a.popName])
	}
	if fa.purpose == indet {
		greedy(v.purpose[a.pop][f], fa.pLow, r.Thresholds.Purpose[a.popName])
	}
	return out
}

func countsForForm(ind Indicator, form string) bool {
	return slices.ContainsFunc(ind.Counts, func(n Count) bool { return slices.Contains(n.Forms, form) })
}
