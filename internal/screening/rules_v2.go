package screening

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Version 2 rules follow the three elements of the legal definition
// (Palermo Protocol Art. 3(a), CoE Convention Art. 4(a)) for each form of
// exploitation: an act, a means and a purpose. Evidence of means pools
// across deception, coercion and abuse of vulnerability, from any stage; a
// child needs no means. The thresholds are data in rules.json, written out
// in texts.json ("rule.threshold", "rule.rationale") and in the README.

// Elements of the legal definition.
const (
	ElementAct     = "act"
	ElementMeans   = "means"
	ElementPurpose = "purpose"
)

// OutcomeProtectionNeed is the overall outcome when no form shows
// exploitation but the person is vulnerable (smuggled, without status…).
const OutcomeProtectionNeed = "protection_need"

// Kinds of act and of means a question can count for.
var (
	actKinds   = []string{"recruitment", "transport", "transfer", "harbouring", "receipt"}
	meansKinds = []string{"deception", "coercion", "abuse_of_vulnerability"}
	elements   = []string{ElementAct, ElementMeans, ElementPurpose}
	// knownPlaceKinds: who screens (a setting) or where to look (a place).
	knownPlaceKinds = []string{"setting", "place"}
	knownFlags      = []string{"procurement_follow_up"}
	// knownRequires are the conditions a trigger may add to its answer.
	knownRequires = []string{"", "exploitation_sign", "reasonable_grounds"}
)

// Cond opens a follow-up question: it holds when any of its parts holds.
// Conditions read only first-page answers, the setting and the population,
// so the follow-up pages stay the same while a worker moves between them.
type Cond struct {
	Yes        []string `json:"yes,omitempty"`
	Setting    []string `json:"setting,omitempty"`
	Population string   `json:"population,omitempty"`
}

// Count is what a yes to a question counts for: an act of a kind, a means
// of a kind and strength, or the purpose of some forms with a strength
// (Child overrides it for a child).
type Count struct {
	Element  string   `json:"element"`
	Kind     string   `json:"kind,omitempty"`
	Forms    []string `json:"forms,omitempty"`
	Strength Strength `json:"strength,omitempty"`
	Child    Strength `json:"child,omitempty"`
	// WithActivity: the sign counts for a form only when the person does
	// that form's activity ("money taken" is exploitation of whatever they
	// do), so one general sign does not point to every form at once.
	WithActivity bool `json:"with_activity,omitempty"`
}

func (n Count) strength(pop int) Strength {
	if pop == 1 && n.Child != "" {
		return n.Child
	}
	return n.Strength
}

// FormDef is one form of exploitation the rules evaluate.
type FormDef struct {
	ID string `json:"id"`
	// LabourRights: exploitative conditions without means give the
	// exploited-worker outcome and a labour-rights referral.
	LabourRights bool `json:"labour_rights,omitempty"`
	// ChildActivitySign: for a child the activity itself (selling sex,
	// begging, offending) is a sign of exploitation.
	ChildActivitySign bool `json:"child_activity_sign,omitempty"`
}

// TriggerV2 makes a screening urgent. Requires adds a condition: a sign of
// exploitation, or reasonable grounds for some form (then no question is
// needed).
type TriggerV2 struct {
	TriggerRule
	Requires string `json:"requires,omitempty"`
}

// RulesV2 is the content of a version 2 rules.json.
type RulesV2 struct {
	Version   string    `json:"version"`
	Format    int       `json:"format"`
	Languages []string  `json:"languages"`
	Groups    []string  `json:"groups"`
	Forms     []FormDef `json:"forms"`
	// Thresholds are minimum-count clauses per population; an element is
	// established when any clause is met. An empty list for a population
	// means the element is not required for it.
	Thresholds struct {
		Means   map[string][]Clause `json:"means"`
		Purpose map[string][]Clause `json:"purpose"`
	} `json:"thresholds"`
	// ForcedActivity: doing a form's activity under coercion of at least
	// this many strong signs establishes that form's purpose (forced labour
	// or services, ILO C29 Art. 2(1)).
	ForcedActivity struct {
		CoercionStrong int    `json:"coercion_strong"`
		TextKey        string `json:"text_key"`
	} `json:"forced_activity"`
	// ExploitedWorker: exploitative work with no sign of means is a
	// labour-rights case, not one of doubt, once these questions (free to
	// leave, not threatened) are answered no, even if follow-ups are open.
	ExploitedWorker struct {
		AnsweredNo []string `json:"answered_no"`
		Source     string   `json:"source"`
	} `json:"exploited_worker"`
	// Required are the elements a population needs for reasonable grounds.
	Required  map[string][]string `json:"required"`
	RuleText  map[string]string   `json:"rule_text"`
	Threshold string              `json:"threshold_text_key"`
	Rationale string              `json:"rationale_text_key"`
	Sources   []string            `json:"sources"`
	Triggers  []TriggerV2         `json:"triggers"`
	Overrides []Override          `json:"overrides"`
	// MaxDeciding caps the deciding questions a result lists.
	MaxDeciding int `json:"max_deciding_questions"`
	// PageSize is the number of follow-up questions per page.
	PageSize int `json:"page_size"`
}

// v2Catalogue is a version 2 catalogue compiled into index tables, so one
// evaluation is a few passes over small slices.
type v2Catalogue struct {
	rules   RulesV2
	forms   []string
	formIdx map[string]int
	places  map[string]Location
	core    []int
	// per indicator: conditions compiled to indicator indexes, population
	// (-1 both, 0 adult, 1 child), activity form (-1 none).
	conds    [][]ccond
	pop      []int
	activity []int
	// activityOf lists, per form, the questions asking about its activity.
	activityOf [][]int
	// questionTriggers: the triggers a question fires (the others follow
	// from the result, such as a child with reasonable grounds).
	questionTriggers map[string]bool
	act              []int       // indicators counting for the act
	means            [2][]mref   // per population
	purpose          [2][][]mref // per population, per form
}

type ccond struct {
	yes      []int
	settings []string
	pop      int // -1 any
}

type mref struct {
	ind          int
	rank         int8
	kind         string
	withActivity bool
}

func popOf(name string) int {
	switch name {
	case Adult:
		return 0
	case Child:
		return 1
	}
	return -1
}

func loadV2(files map[string][]byte) (*Catalogue, error) {
	c := &Catalogue{index: map[string]int{}, v2: &v2Catalogue{formIdx: map[string]int{}, places: map[string]Location{}}}
	r := &c.v2.rules
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := decodeStrict(files, "rules.json", r); err != nil {
		return nil, err
	}
	if err := decodeStrict(files, "texts.json", &c.Texts); err != nil {
		return nil, err
	}
	var places struct {
		Places []Location `json:"places"`
	}
	if err := decodeStrict(files, "places.json", &places); err != nil {
		return nil, err
	}
	c.FieldGuide, c.Version = places.Places, r.Version
	langs := r.Languages
	for _, l := range requiredLanguages[:1] {
		if !slices.Contains(langs, l) {
			fail("rules.json: languages: missing required language %q", l)
		}
	}
	checkText := textChecker(langs, fail)
	for i, f := range r.Forms {
		if _, dup := c.v2.formIdx[f.ID]; f.ID == "" || dup {
			fail("rules.json: forms: empty or duplicate form %q", f.ID)
		}
		c.v2.formIdx[f.ID] = i
		c.v2.forms = append(c.v2.forms, f.ID)
	}
	errs = append(errs, c.loadGroups(files, r.Groups, "places.json", checkText, func(string, string, Indicator) []error { return nil })...)
	if len(c.Indicators) == 0 {
		fail("catalogue: no questions")
	}
	for _, ind := range c.Indicators {
		errs = append(errs, c.validateQuestionV2(ind)...)
	}
	errs = append(errs, c.validateRulesV2()...)
	for key, t := range c.Texts {
		checkText("texts.json", "key "+key, t)
	}
	for _, key := range c.textKeysV2() {
		if _, ok := c.Texts[key]; !ok {
			fail("texts.json: missing key %q", key)
		}
	}
	seen := map[string]bool{}
	for _, p := range c.FieldGuide {
		what := c.checkPlace("places.json", seen, p, langs, checkText, fail)
		c.v2.places[p.ID] = p
		if !slices.Contains(knownPlaceKinds, p.Kind) {
			fail("places.json: %s: unknown kind %q", what, p.Kind)
		}
		for _, f := range p.Forms {
			if _, ok := c.v2.formIdx[f]; !ok {
				fail("places.json: %s: unknown form %q", what, f)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load catalogue %s: %w", c.Version, errors.Join(errs...))
	}
	c.Hash = hashFiles(files)
	c.compileV2()
	return c, nil
}

func (c *Catalogue) validateQuestionV2(ind Indicator) []error {
	var errs []error
	file := ind.Group + ".json"
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: question %q: "+format, append([]any{file, ind.ID}, args...)...))
	}
	if ind.ID == "" {
		fail("missing id")
	}
	if !ind.Core && len(ind.AskIf) == 0 {
		fail("neither a core question nor opened by ask_if")
	}
	for _, cd := range ind.AskIf {
		if len(cd.Yes) == 0 && len(cd.Setting) == 0 && cd.Population == "" {
			fail("ask_if: empty condition")
		}
		for _, id := range cd.Yes {
			// Only first-page answers may open a question (see Cond).
			if q, ok := c.Indicator(id); !ok || !q.Core {
				fail("ask_if: %q is not a core question", id)
			}
		}
		for _, s := range cd.Setting {
			if _, ok := c.v2.places[s]; !ok && !c.placeListed(s) {
				fail("ask_if: unknown setting %q", s)
			}
		}
		if cd.Population != "" && popOf(cd.Population) < 0 {
			fail("ask_if: unknown population %q", cd.Population)
		}
	}
	if ind.Population != "" && popOf(ind.Population) < 0 {
		fail("unknown population %q", ind.Population)
	}
	if ind.Activity != "" {
		if _, ok := c.v2.formIdx[ind.Activity]; !ok {
			fail("activity: unknown form %q", ind.Activity)
		}
		if !ind.Core {
			fail("an activity question must be a core question")
		}
	}
	for _, n := range ind.Counts {
		switch n.Element {
		case ElementAct:
			if !slices.Contains(actKinds, n.Kind) {
				fail("act: unknown kind %q", n.Kind)
			}
		case ElementMeans:
			if !slices.Contains(meansKinds, n.Kind) {
				fail("means: unknown kind %q", n.Kind)
			}
			if n.Strength.rank() == 0 {
				fail("means: unknown strength %q", n.Strength)
			}
		case ElementPurpose:
			if len(n.Forms) == 0 {
				fail("purpose: no forms")
			}
			for _, f := range n.Forms {
				if _, ok := c.v2.formIdx[f]; !ok {
					fail("purpose: unknown form %q", f)
				}
			}
			if n.Strength.rank() == 0 {
				fail("purpose: unknown strength %q", n.Strength)
			}
		default:
			fail("unknown element %q", n.Element)
		}
		if n.Child != "" && n.Child.rank() == 0 {
			fail("unknown child strength %q", n.Child)
		}
	}
	for _, f := range ind.Flags {
		if !slices.Contains(knownFlags, f) {
			fail("unknown flag %q", f)
		}
	}
	for _, t := range ind.Triggers {
		if !slices.ContainsFunc(c.v2.rules.Triggers, func(tr TriggerV2) bool { return tr.ID == t }) {
			fail("unknown trigger %q", t)
		}
	}
	if !slices.Contains(knownVerifications, ind.Verification) {
		fail("unknown verification %q", ind.Verification)
	}
	if strings.TrimSpace(ind.Citation) == "" {
		fail("missing citation")
	}
	if ind.HTCDS != nil && (ind.HTCDS.Field == "" || ind.HTCDS.Value == "") {
		fail("htcds mapping needs field and value")
	}
	if !slices.Contains(c.v2.rules.Groups, ind.Group) {
		fail("unknown group %q", ind.Group)
	}
	for name, t := range map[string]Localized{"label": ind.Label, "question": ind.Question, "help": ind.Help} {
		for _, l := range c.v2.rules.Languages {
			if strings.TrimSpace(t[l]) == "" {
				fail("missing %q %s", l, name)
			}
		}
	}
	return errs
}

// placeListed reports whether id is a place, also before places are indexed.
func (c *Catalogue) placeListed(id string) bool {
	return slices.ContainsFunc(c.FieldGuide, func(l Location) bool { return l.ID == id })
}

func (c *Catalogue) validateRulesV2() []error {
	r := c.v2.rules
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf("rules.json: "+format, args...)) }
	if r.Version == "" {
		fail("missing version")
	}
	if len(r.Forms) == 0 {
		fail("no forms")
	}
	checkClauses := func(what string, cls []Clause) {
		for _, cl := range cls {
			// A clause with no minimum would establish the element with no
			// answer at all.
			if cl.Strong+cl.Medium+cl.Weak+cl.MediumOrWeak <= 0 || cl.Strong < 0 || cl.Medium < 0 || cl.Weak < 0 || cl.MediumOrWeak < 0 {
				fail("%s: clause %q: needs positive minimum counts", what, cl.ID)
			}
		}
	}
	for _, pop := range knownPopulations {
		req := r.Required[pop]
		if !slices.Contains(req, ElementAct) || !slices.Contains(req, ElementPurpose) {
			fail("required: %s: act and purpose are always required", pop)
		}
		for _, e := range req {
			if !slices.Contains(elements, e) {
				fail("required: %s: unknown element %q", pop, e)
			}
		}
		if slices.Contains(req, ElementMeans) && len(r.Thresholds.Means[pop]) == 0 {
			fail("thresholds: means: %s requires means but has no clause", pop)
		}
		if len(r.Thresholds.Purpose[pop]) == 0 {
			fail("thresholds: purpose: no clause for %s", pop)
		}
		checkClauses("thresholds.means."+pop, r.Thresholds.Means[pop])
		checkClauses("thresholds.purpose."+pop, r.Thresholds.Purpose[pop])
		if r.RuleText[pop] == "" {
			fail("rule_text: missing %s", pop)
		}
	}
	if r.ForcedActivity.CoercionStrong < 1 {
		fail("forced_activity: coercion_strong must be at least 1")
	}
	for _, t := range r.Triggers {
		if !slices.Contains(knownRequires, t.Requires) {
			fail("triggers: %q: unknown requirement %q", t.ID, t.Requires)
		}
		for _, pop := range t.Populations {
			if !slices.Contains(knownPopulations, pop) {
				fail("triggers: %q: unknown population %q", t.ID, pop)
			}
		}
	}
	for _, o := range r.Overrides {
		if !slices.ContainsFunc(r.Triggers, func(t TriggerV2) bool { return t.ID == o.Trigger }) {
			fail("overrides: unknown trigger %q", o.Trigger)
		}
		for _, p := range o.Purposes {
			if _, ok := c.v2.formIdx[p]; !ok {
				fail("overrides: %q: unknown form %q", o.Trigger, p)
			}
		}
		// Overrides may only raise an outcome to referral; data must never
		// be able to suppress one.
		if o.Outcome != OutcomeReasonableGrounds {
			fail("overrides: %q: outcome must be %q", o.Trigger, OutcomeReasonableGrounds)
		}
	}
	for _, id := range r.ExploitedWorker.AnsweredNo {
		if _, ok := c.index[id]; !ok {
			fail("exploited_worker: unknown question %q", id)
		}
	}
	if r.MaxDeciding < 1 || r.PageSize < 1 {
		fail("max_deciding_questions and page_size must be at least 1")
	}
	return errs
}

// textKeysV2 are the texts.json keys a version 2 catalogue must have.
func (c *Catalogue) textKeysV2() []string {
	r := c.v2.rules
	keys := []string{"disclaimer", "labour_rights_referral", r.Threshold, r.Rationale, r.ForcedActivity.TextKey,
		"outcome.near_threshold", "child_protection.title", "child_protection.steps", "protection_need.title",
		"render.title", "render.urgent", "render.rule", "render.element_line", "render.none_yes", "render.questions",
		"render.declined", "render.unanswered", "render.unused", "render.protection_needs", "population.adult",
		"population.child", "population.age_presumption", "population.stated_age", "flag.procurement_follow_up"}
	for _, o := range []string{OutcomeReasonableGrounds, OutcomeFurtherAssessment, OutcomeNoIndicators, OutcomeExploitedWorker, OutcomeProtectionNeed} {
		keys = append(keys, "outcome."+o)
	}
	for _, e := range elements {
		keys = append(keys, "element."+e)
	}
	for _, k := range append(slices.Clone(actKinds), meansKinds...) {
		keys = append(keys, "kind."+k)
	}
	for _, f := range r.Forms {
		keys = append(keys, "purpose."+f.ID)
	}
	for _, s := range []string{StatePositive, StateNegative, StateIndeterminate} {
		keys = append(keys, "state."+s)
	}
	for _, s := range []Strength{Strong, Medium, Weak} {
		keys = append(keys, "strength."+string(s))
	}
	for _, t := range r.Triggers {
		keys = append(keys, t.TextKey)
	}
	for _, o := range r.Overrides {
		keys = append(keys, o.TextKey)
	}
	for _, t := range r.RuleText {
		keys = append(keys, t)
	}
	for _, cls := range []map[string][]Clause{r.Thresholds.Means, r.Thresholds.Purpose} {
		for _, cl := range cls {
			for _, c := range cl {
				keys = append(keys, c.TextKey)
			}
		}
	}
	for _, ind := range c.Indicators {
		if ind.Vulnerability != "" {
			keys = append(keys, "vulnerability."+ind.Vulnerability)
		}
	}
	return keys
}

func (c *Catalogue) compileV2() {
	v := c.v2
	n := len(c.Indicators)
	v.conds = make([][]ccond, n)
	v.pop = make([]int, n)
	v.activity = make([]int, n)
	v.activityOf = make([][]int, len(v.forms))
	v.questionTriggers = map[string]bool{}
	for p := range 2 {
		v.purpose[p] = make([][]mref, len(v.forms))
	}
	for i, ind := range c.Indicators {
		if ind.Core {
			v.core = append(v.core, i)
		}
		for _, t := range ind.Triggers {
			v.questionTriggers[t] = true
		}
		v.pop[i] = popOf(ind.Population)
		v.activity[i] = -1
		if ind.Activity != "" {
			v.activity[i] = v.formIdx[ind.Activity]
			v.activityOf[v.activity[i]] = append(v.activityOf[v.activity[i]], i)
		}
		for _, cd := range ind.AskIf {
			cc := ccond{settings: cd.Setting, pop: popOf(cd.Population)}
			for _, id := range cd.Yes {
				cc.yes = append(cc.yes, c.index[id])
			}
			v.conds[i] = append(v.conds[i], cc)
		}
		for _, cnt := range ind.Counts {
			switch cnt.Element {
			case ElementAct:
				if !slices.Contains(v.act, i) {
					v.act = append(v.act, i)
				}
			case ElementMeans:
				for p := range 2 {
					v.means[p] = append(v.means[p], mref{ind: i, rank: int8(cnt.strength(p).rank()), kind: cnt.Kind})
				}
			case ElementPurpose:
				for _, f := range cnt.Forms {
					for p := range 2 {
						v.purpose[p][v.formIdx[f]] = append(v.purpose[p][v.formIdx[f]],
							mref{ind: i, rank: int8(cnt.strength(p).rank()), withActivity: cnt.WithActivity})
					}
				}
			}
		}
	}
	// Strongest first, so deciding questions are picked greedily.
	byRank := func(a, b mref) int { return int(b.rank) - int(a.rank) }
	for p := range 2 {
		slices.SortStableFunc(v.means[p], byRank)
		for f := range v.purpose[p] {
			slices.SortStableFunc(v.purpose[p][f], byRank)
		}
	}
}

// Forms lists the forms of exploitation the catalogue evaluates, in order.
func (c *Catalogue) Forms() []string {
	if c.v2 != nil {
		return slices.Clone(c.v2.forms)
	}
	return slices.Clone(c.Rules.Purposes)
}

// Place returns the field-guide place or screening setting with this id.
func (c *Catalogue) Place(id string) (Location, bool) {
	if c.v2 != nil {
		l, ok := c.v2.places[id]
		return l, ok
	}
	i := slices.IndexFunc(c.FieldGuide, func(l Location) bool { return l.ID == id })
	if i < 0 {
		return Location{}, false
	}
	return c.FieldGuide[i], true
}

// SettingIDs lists the settings a screening can be in: for version 2 every
// place of the field guide, for version 1 its fixed settings.
func (c *Catalogue) SettingIDs() []string {
	if c.v2 == nil {
		return Settings()
	}
	ids := make([]string, len(c.FieldGuide))
	for i, l := range c.FieldGuide {
		ids[i] = l.ID
	}
	return ids
}

// SettingName is a setting's name in lang.
func (c *Catalogue) SettingName(id, lang string) string {
	if c.v2 == nil {
		return c.Text("setting."+id, lang, nil)
	}
	if l, ok := c.Place(id); ok {
		return l.Name[c.Lang(lang)]
	}
	return id
}
