// Package screening holds Waymark's trafficking indicator catalogue (versioned
// data files, not code) and the engine that turns a frontline worker's
// answers into an explained screening outcome at reasonable-grounds level.
// Screening is not identification: the formal decision always rests with the
// competent authority, and every result says so.
package screening

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

//go:embed catalogue/v1/*.json catalogue/v2/*.json
var embedded embed.FS

// versions are the embedded catalogue versions, oldest first; the last is
// the one new screenings use. Older ones stay so that a saved screening is
// explained by the rules that decided it.
var versions = []string{"v1", "v2"}

// Strength is an indicator's weight in the ILO/EC rule.
type Strength string

// Strengths, weakest to strongest.
const (
	Weak   Strength = "weak"
	Medium Strength = "medium"
	Strong Strength = "strong"
)

func (s Strength) rank() int {
	switch s {
	case Weak:
		return 1
	case Medium:
		return 2
	case Strong:
		return 3
	}
	return 0
}

// Populations the rules distinguish.
const (
	Adult = "adult"
	Child = "child"
)

// Vocabulary the catalogue may use. It is fixed in code because the engine's
// meaning depends on it; the weights and rules themselves are data.
var (
	knownDimensions = []string{
		"deceptive_recruitment", "coercive_recruitment", "recruitment_abuse_of_vulnerability",
		"exploitative_conditions", "coercion_at_destination", "abuse_of_vulnerability_at_destination",
	}
	knownPurposes      = []string{"labour", "sexual", "begging_criminality", "domestic_servitude"}
	knownElements      = []string{"act", "means", "purpose"}
	knownSettings      = []string{"workplace_inspection", "outreach", "health_visit", "hotline_call", "school"}
	knownVerifications = []string{"ilo_delphi_verified", "secondary", "waymark_expert_judgement"}
	knownTriggers      = []string{"immediate_danger", "child_commercial_sex"}
	knownPopulations   = []string{Adult, Child}
	requiredLanguages  = []string{"en", "de"}
)

// Settings lists the screening settings questions can be ordered for.
func Settings() []string { return slices.Clone(knownSettings) }

// Localized is a text per language code ("en", "de").
type Localized map[string]string

// PopulationStrength is an indicator's strength for adults and for children;
// an empty value means the indicator does not count for that population.
type PopulationStrength struct {
	Adult Strength `json:"adult,omitempty"`
	Child Strength `json:"child,omitempty"`
}

func (p PopulationStrength) of(population string) Strength {
	if population == Child {
		return p.Child
	}
	return p.Adult
}

// HTCDSRef maps an indicator to a field and picklist value of the Human
// Trafficking Case Data Standard.
type HTCDSRef struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// Indicator is one sign of trafficking with its place in the legal definition.
type Indicator struct {
	ID               string                        `json:"id"`
	Group            string                        `json:"group"`
	Dimension        string                        `json:"dimension"`
	Element          string                        `json:"element"`
	Strength         map[string]PopulationStrength `json:"strength"`
	Verification     string                        `json:"verification"`
	VerificationNote string                        `json:"verification_note,omitempty"`
	Citation         string                        `json:"citation"`
	HTCDS            *HTCDSRef                     `json:"htcds"`
	Settings         []string                      `json:"settings"`
	Label            Localized                     `json:"label"`
	Question         Localized                     `json:"question"`
	Help             Localized                     `json:"help"`
	Triggers         []string                      `json:"triggers,omitempty"`

	// Version 2 fields: the question's place in the adaptive questionnaire
	// and what a yes counts for.
	Core          bool     `json:"core,omitempty"`
	AskIf         []Cond   `json:"ask_if,omitempty"`
	Population    string   `json:"population,omitempty"`
	Activity      string   `json:"activity,omitempty"`
	Counts        []Count  `json:"counts,omitempty"`
	Vulnerability string   `json:"vulnerability,omitempty"`
	Flags         []string `json:"flags,omitempty"`
}

// GroupInfo names one indicator group (one data file).
type GroupInfo struct {
	ID    string    `json:"id"`
	Title Localized `json:"title"`
}

// Clause is one minimum-count vector of the dimension rule; a dimension is
// positive when any clause is met.
type Clause struct {
	ID           string `json:"id"`
	Strong       int    `json:"strong,omitempty"`
	Medium       int    `json:"medium,omitempty"`
	Weak         int    `json:"weak,omitempty"`
	MediumOrWeak int    `json:"medium_or_weak,omitempty"`
	TextKey      string `json:"text_key"`
}

func (c Clause) met(n counts) bool {
	return n.strong >= c.Strong && n.medium >= c.Medium && n.weak >= c.Weak && n.medium+n.weak >= c.MediumOrWeak
}

// DimensionRule decides whether one dimension is positive.
type DimensionRule struct {
	TextKey string   `json:"text_key"`
	Source  string   `json:"source"`
	Clauses []Clause `json:"clauses"`
}

// Expr is a boolean expression over dimensions and elements; exactly one
// field is set.
type Expr struct {
	All       []Expr `json:"all,omitempty"`
	Any       []Expr `json:"any,omitempty"`
	Dimension string `json:"dimension,omitempty"`
	Element   string `json:"element,omitempty"`
}

// Combination is a named combination rule.
type Combination struct {
	TextKey string `json:"text_key"`
	Source  string `json:"source"`
	Expr    Expr   `json:"expr"`
}

// ExploitedWorkerRule defines the labour-rights outcome: exploitation present,
// none of the means dimensions present.
type ExploitedWorkerRule struct {
	TextKey      string   `json:"text_key"`
	Exploitation string   `json:"exploitation"`
	NoneOf       []string `json:"none_of"`
}

// TriggerRule says for which populations a trigger makes a screening urgent.
type TriggerRule struct {
	ID          string   `json:"id"`
	Populations []string `json:"populations"`
	TextKey     string   `json:"text_key"`
}

// Override sets an outcome directly when a trigger fires, regardless of counts.
type Override struct {
	Trigger    string   `json:"trigger"`
	Population string   `json:"population"`
	Purposes   []string `json:"purposes"`
	Outcome    string   `json:"outcome"`
	TextKey    string   `json:"text_key"`
}

// DimensionDef lists a dimension and its element of the legal definition.
type DimensionDef struct {
	ID      string `json:"id"`
	Element string `json:"element"`
}

// Rules is the content of rules.json.
type Rules struct {
	Version         string                       `json:"version"`
	Languages       []string                     `json:"languages"`
	Groups          []string                     `json:"groups"`
	Purposes        []string                     `json:"purposes"`
	Dimensions      []DimensionDef               `json:"dimensions"`
	DimensionRule   DimensionRule                `json:"dimension_rule"`
	Combinations    map[string]Combination       `json:"combinations"`
	PurposeRules    map[string]map[string]string `json:"purpose_rules"`
	ExploitedWorker ExploitedWorkerRule          `json:"exploited_worker"`
	Triggers        []TriggerRule                `json:"triggers"`
	Overrides       []Override                   `json:"overrides"`
}

// Location is one field-guide entry: where to look and what to look for.
type Location struct {
	ID         string              `json:"id"`
	Name       Localized           `json:"name"`
	Where      Localized           `json:"where"`
	LookFor    map[string][]string `json:"look_for"`
	Indicators []string            `json:"indicators"`
	Settings   []string            `json:"settings,omitempty"`
	// Kind is "setting" (who screens: a police stop, a health service) or
	// "place" (where to look: a farm, a car wash); version 2 only.
	Kind string `json:"kind,omitempty"`
	// Forms are the forms of exploitation most often met there; their
	// questions come first in a screening in this setting.
	Forms []string `json:"forms,omitempty"`
}

// Catalogue is a loaded, validated indicator catalogue. It is read-only after
// loading and safe for concurrent use.
type Catalogue struct {
	Version    string               `json:"version"`
	Hash       string               `json:"hash"`
	Groups     []GroupInfo          `json:"groups"`
	Indicators []Indicator          `json:"indicators"`
	Rules      Rules                `json:"rules"`
	FieldGuide []Location           `json:"field_guide"`
	Texts      map[string]Localized `json:"texts"`

	index    map[string]int
	compiled compiled
	// v2 is set for a version 2 catalogue: element rules instead of the
	// dimension rules in Rules.
	v2 *v2Catalogue
	// older are the earlier catalogue versions, by version, so a screening
	// saved under one is explained by its own rules.
	older map[string]*Catalogue
}

// MarshalJSON writes the catalogue as `waymark indicators` and the API's
// GET /api/v1/indicators print it: questions, the rules of its own version,
// the field guide and every text.
func (c *Catalogue) MarshalJSON() ([]byte, error) {
	var rules any = c.Rules
	if c.v2 != nil {
		rules = c.v2.rules
	}
	var older []string
	for _, v := range versions {
		if _, ok := c.older[v]; ok && v != c.Version {
			older = append(older, v)
		}
	}
	return json.Marshal(struct {
		Version       string               `json:"version"`
		Hash          string               `json:"hash"`
		OlderVersions []string             `json:"older_versions,omitempty"`
		Groups        []GroupInfo          `json:"groups"`
		Indicators    []Indicator          `json:"indicators"`
		Rules         any                  `json:"rules"`
		FieldGuide    []Location           `json:"field_guide"`
		Texts         map[string]Localized `json:"texts"`
	}{c.Version, c.Hash, older, c.Groups, c.Indicators, rules, c.FieldGuide, c.Texts})
}

// ForVersion returns the catalogue of version v: this one or an earlier one
// loaded with it.
func (c *Catalogue) ForVersion(v string) (*Catalogue, bool) {
	if v == c.Version || v == "" {
		return c, true
	}
	o, ok := c.older[v]
	return o, ok
}

// Languages are the languages the catalogue has every text in.
func (c *Catalogue) Languages() []string {
	if c.v2 != nil {
		return c.v2.rules.Languages
	}
	return c.Rules.Languages
}

// Indicator returns the indicator with the given id.
func (c *Catalogue) Indicator(id string) (Indicator, bool) {
	i, ok := c.index[id]
	if !ok {
		return Indicator{}, false
	}
	return c.Indicators[i], true
}

// Texts keys the engine and Render use besides those named in rules.json.
func fixedTextKeys() []string {
	keys := []string{
		"disclaimer", "outcome.reasonable_grounds", "outcome.further_assessment", "outcome.no_indicators",
		"outcome.exploited_worker", "outcome.near_threshold", "labour_rights_referral", "element.act",
		"population.adult", "population.child", "population.age_presumption",
		"render.title", "render.urgent", "render.rule", "render.dimension_line", "render.none_positive",
		"render.missing", "render.questions", "render.declined", "render.unanswered",
	}
	for _, d := range knownDimensions {
		keys = append(keys, "dimension."+d)
	}
	for _, p := range knownPurposes {
		keys = append(keys, "purpose."+p)
	}
	for _, s := range knownSettings {
		keys = append(keys, "setting."+s)
	}
	for _, s := range []string{"positive", "negative", "indeterminate"} {
		keys = append(keys, "state."+s)
	}
	for _, s := range []Strength{Strong, Medium, Weak} {
		keys = append(keys, "strength."+string(s))
	}
	for _, a := range []Answer{Yes, No, Unknown, Declined} {
		keys = append(keys, "answer."+string(a))
	}
	return keys
}

// LoadCatalogue loads and validates every catalogue version embedded in the
// binary and returns the newest, which knows the older ones (ForVersion).
func LoadCatalogue() (*Catalogue, error) {
	loaded := map[string]*Catalogue{}
	var latest *Catalogue
	for _, v := range versions {
		sub, err := fs.Sub(embedded, "catalogue/"+v)
		if err != nil {
			return nil, fmt.Errorf("load embedded catalogue %s: %w", v, err)
		}
		c, err := LoadCatalogueFS(sub)
		if err != nil {
			return nil, err
		}
		if c.Version != v {
			return nil, fmt.Errorf("load embedded catalogue %s: its rules say version %q", v, c.Version)
		}
		loaded[v], latest = c, c
	}
	latest.older = loaded
	return latest, nil
}

// LoadCatalogueFS loads and validates a catalogue from the root of fsys:
// rules.json, texts.json, fieldguide.json and one <group>.json per group
// listed in rules.json. All problems are reported together, each naming the
// file and the indicator or rule at fault.
func LoadCatalogueFS(fsys fs.FS) (*Catalogue, error) {
	files, err := readFiles(fsys)
	if err != nil {
		return nil, err
	}
	var head struct {
		Format int `json:"format"`
	}
	if b, ok := files["rules.json"]; ok && json.Unmarshal(b, &head) == nil && head.Format == 2 {
		return loadV2(files)
	}
	c := &Catalogue{index: map[string]int{}}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if err := decodeStrict(files, "rules.json", &c.Rules); err != nil {
		return nil, err
	}
	if err := decodeStrict(files, "texts.json", &c.Texts); err != nil {
		return nil, err
	}
	var guide struct {
		Locations []Location `json:"locations"`
	}
	if err := decodeStrict(files, "fieldguide.json", &guide); err != nil {
		return nil, err
	}
	c.FieldGuide = guide.Locations
	c.Version = c.Rules.Version

	langs := c.Rules.Languages
	for _, l := range requiredLanguages {
		if !slices.Contains(langs, l) {
			fail("rules.json: languages: missing required language %q", l)
		}
	}
	checkText := textChecker(langs, fail)
	errs = append(errs, c.loadGroups(files, c.Rules.Groups, "fieldguide.json", checkText, func(name, g string, ind Indicator) []error {
		return validateIndicator(name, g, ind, langs)
	})...)
	if len(c.Indicators) == 0 {
		fail("catalogue: no indicators")
	}

	errs = append(errs, validateRules(c.Rules)...)
	for key, t := range c.Texts {
		checkText("texts.json", "key "+key, t)
	}
	for _, key := range append(fixedTextKeys(), ruleTextKeys(c.Rules)...) {
		if _, ok := c.Texts[key]; !ok {
			fail("texts.json: missing key %q", key)
		}
	}
	seenLoc := map[string]bool{}
	for _, loc := range c.FieldGuide {
		what := c.checkPlace("fieldguide.json", seenLoc, loc, langs, checkText, fail)
		for _, s := range loc.Settings {
			if !slices.Contains(knownSettings, s) {
				fail("fieldguide.json: %s: unknown setting %q", what, s)
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("load catalogue %s: %w", c.Version, errors.Join(errs...))
	}
	c.Hash = hashFiles(files)
	c.compiled = compile(c)
	return c, nil
}

// checkPlace reports what is wrong with one place of the field guide: an
// empty or repeated id, a name, where or look-for text missing in a
// language, a sign naming a question the catalogue does not have. It
// returns how the errors name the place.
func (c *Catalogue) checkPlace(file string, seen map[string]bool, p Location, langs []string,
	checkText func(file, what string, t Localized), fail func(string, ...any)) string {
	what := fmt.Sprintf("place %q", p.ID)
	if p.ID == "" || seen[p.ID] {
		fail("%s: %s: empty or duplicate id", file, what)
	}
	seen[p.ID] = true
	checkText(file, what+" name", p.Name)
	checkText(file, what+" where", p.Where)
	for _, l := range langs {
		if len(p.LookFor[l]) == 0 {
			fail("%s: %s: missing %q look_for", file, what, l)
		}
	}
	for _, id := range p.Indicators {
		if _, ok := c.index[id]; !ok {
			fail("%s: %s: unknown question %q", file, what, id)
		}
	}
	return what
}

// textChecker reports a text missing in any of langs.
func textChecker(langs []string, fail func(string, ...any)) func(file, what string, t Localized) {
	return func(file, what string, t Localized) {
		for _, l := range langs {
			if strings.TrimSpace(t[l]) == "" {
				fail("%s: %s: missing %q text", file, what, l)
			}
		}
	}
}

// loadGroups reads the question file of each group rules.json lists, adds
// the groups and questions to c, and returns every problem: a group file
// missing, misnamed or listed twice, a duplicate question id, a file no
// group lists (besides rules.json, texts.json and guide, the field-guide
// file), and what check says of each question.
func (c *Catalogue) loadGroups(files map[string][]byte, groups []string, guide string, checkText func(file, what string, t Localized),
	check func(file, group string, ind Indicator) []error) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	listed := map[string]bool{"rules.json": true, "texts.json": true, guide: true}
	for _, g := range groups {
		name := g + ".json"
		if listed[name] {
			fail("rules.json: groups: duplicate or reserved group %q", g)
			continue
		}
		listed[name] = true
		var gf struct {
			Group      string      `json:"group"`
			Title      Localized   `json:"title"`
			Indicators []Indicator `json:"indicators"`
		}
		if err := decodeStrict(files, name, &gf); err != nil {
			errs = append(errs, err)
			continue
		}
		if gf.Group != g {
			fail("%s: group is %q, want %q", name, gf.Group, g)
		}
		checkText(name, "title", gf.Title)
		c.Groups = append(c.Groups, GroupInfo{ID: g, Title: gf.Title})
		for _, ind := range gf.Indicators {
			errs = append(errs, check(name, g, ind)...)
			if ind.ID != "" {
				if _, dup := c.index[ind.ID]; dup {
					fail("%s: question %q: duplicate id", name, ind.ID)
					continue
				}
				c.index[ind.ID] = len(c.Indicators)
			}
			c.Indicators = append(c.Indicators, ind)
		}
	}
	for name := range files {
		if !listed[name] {
			fail("%s: file is not listed in rules.json groups", name)
		}
	}
	return errs
}

func readFiles(fsys fs.FS) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("load catalogue file %s: %w", e.Name(), err)
		}
		files[e.Name()] = b
	}
	return files, nil
}

// decodeStrict rejects unknown fields so a misspelt key in a data file fails
// loudly instead of silently dropping a rule or a translation.
func decodeStrict(files map[string][]byte, name string, v any) error {
	b, ok := files[name]
	if !ok {
		return fmt.Errorf("load catalogue: %s: file missing", name)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("load catalogue: %s: %w", name, err)
	}
	return nil
}

func hashFiles(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(files[n])
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func validateIndicator(file, group string, ind Indicator, langs []string) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: indicator %q: "+format, append([]any{file, ind.ID}, args...)...))
	}
	if ind.ID == "" {
		fail("missing id")
	}
	if ind.Group != group {
		fail("group %q does not match file group %q", ind.Group, group)
	}
	if !slices.Contains(knownDimensions, ind.Dimension) {
		fail("unknown dimension %q", ind.Dimension)
	}
	if !slices.Contains(knownElements, ind.Element) {
		fail("unknown element %q", ind.Element)
	}
	if len(ind.Strength) == 0 {
		fail("no strength for any purpose")
	}
	for p, ps := range ind.Strength {
		if !slices.Contains(knownPurposes, p) {
			fail("unknown purpose %q", p)
		}
		if ps.Adult == "" && ps.Child == "" {
			fail("purpose %q: no strength for adult or child", p)
		}
		for _, s := range []Strength{ps.Adult, ps.Child} {
			if s != "" && s.rank() == 0 {
				fail("purpose %q: unknown strength %q", p, s)
			}
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
	if len(ind.Settings) == 0 {
		fail("no settings")
	}
	for _, s := range ind.Settings {
		if !slices.Contains(knownSettings, s) {
			fail("unknown setting %q", s)
		}
	}
	for _, t := range ind.Triggers {
		if !slices.Contains(knownTriggers, t) {
			fail("unknown trigger %q", t)
		}
	}
	for name, t := range map[string]Localized{"label": ind.Label, "question": ind.Question, "help": ind.Help} {
		for _, l := range langs {
			if strings.TrimSpace(t[l]) == "" {
				fail("missing %q %s", l, name)
			}
		}
	}
	return errs
}

func validateRules(r Rules) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf("rules.json: "+format, args...)) }
	if r.Version == "" {
		fail("missing version")
	}
	if len(r.Groups) == 0 {
		fail("no groups")
	}
	for _, p := range r.Purposes {
		if !slices.Contains(knownPurposes, p) {
			fail("purposes: unknown purpose %q", p)
		}
	}
	for _, p := range knownPurposes {
		if !slices.Contains(r.Purposes, p) {
			fail("purposes: missing purpose %q", p)
		}
	}
	var dims []string
	for _, d := range r.Dimensions {
		if !slices.Contains(knownDimensions, d.ID) {
			fail("dimensions: unknown dimension %q", d.ID)
		}
		if !slices.Contains(knownElements, d.Element) {
			fail("dimensions: %q: unknown element %q", d.ID, d.Element)
		}
		dims = append(dims, d.ID)
	}
	for _, d := range knownDimensions {
		if !slices.Contains(dims, d) {
			fail("dimensions: missing dimension %q", d)
		}
	}
	if len(r.DimensionRule.Clauses) == 0 {
		fail("dimension_rule: no clauses")
	}
	for _, cl := range r.DimensionRule.Clauses {
		// A clause with no minimum would make every dimension positive.
		if cl.Strong+cl.Medium+cl.Weak+cl.MediumOrWeak == 0 || cl.Strong < 0 || cl.Medium < 0 || cl.Weak < 0 || cl.MediumOrWeak < 0 {
			fail("dimension_rule: clause %q: needs positive minimum counts", cl.ID)
		}
	}
	var checkExpr func(name string, e Expr)
	checkExpr = func(name string, e Expr) {
		set := 0
		for _, b := range []bool{len(e.All) > 0, len(e.Any) > 0, e.Dimension != "", e.Element != ""} {
			if b {
				set++
			}
		}
		if set != 1 {
			fail("combination %q: each expression needs exactly one of all, any, dimension, element", name)
			return
		}
		switch {
		case e.Dimension != "":
			if !slices.Contains(knownDimensions, e.Dimension) {
				fail("combination %q: unknown dimension %q", name, e.Dimension)
			}
		case e.Element != "":
			if !slices.Contains(knownElements, e.Element) {
				fail("combination %q: unknown element %q", name, e.Element)
			}
		}
		for _, sub := range append(slices.Clone(e.All), e.Any...) {
			checkExpr(name, sub)
		}
	}
	for name, cb := range r.Combinations {
		checkExpr(name, cb.Expr)
	}
	for _, p := range knownPurposes {
		pr, ok := r.PurposeRules[p]
		if !ok {
			fail("purpose_rules: missing purpose %q", p)
			continue
		}
		for _, pop := range knownPopulations {
			if _, ok := r.Combinations[pr[pop]]; !ok {
				fail("purpose_rules: %s/%s: unknown combination %q", p, pop, pr[pop])
			}
		}
	}
	for p := range r.PurposeRules {
		if !slices.Contains(knownPurposes, p) {
			fail("purpose_rules: unknown purpose %q", p)
		}
	}
	ew := r.ExploitedWorker
	if !slices.Contains(knownDimensions, ew.Exploitation) {
		fail("exploited_worker: unknown dimension %q", ew.Exploitation)
	}
	for _, d := range ew.NoneOf {
		if !slices.Contains(knownDimensions, d) {
			fail("exploited_worker: unknown dimension %q", d)
		}
	}
	var triggers []string
	for _, t := range r.Triggers {
		if !slices.Contains(knownTriggers, t.ID) {
			fail("triggers: unknown trigger %q", t.ID)
		}
		for _, pop := range t.Populations {
			if !slices.Contains(knownPopulations, pop) {
				fail("triggers: %q: unknown population %q", t.ID, pop)
			}
		}
		triggers = append(triggers, t.ID)
	}
	for _, o := range r.Overrides {
		if !slices.Contains(triggers, o.Trigger) {
			fail("overrides: unknown trigger %q", o.Trigger)
		}
		if !slices.Contains(knownPopulations, o.Population) {
			fail("overrides: %q: unknown population %q", o.Trigger, o.Population)
		}
		for _, p := range o.Purposes {
			if !slices.Contains(knownPurposes, p) {
				fail("overrides: %q: unknown purpose %q", o.Trigger, p)
			}
		}
		// Overrides may only raise an outcome to referral; data must never be
		// able to suppress one.
		if o.Outcome != OutcomeReasonableGrounds {
			fail("overrides: %q: outcome must be %q", o.Trigger, OutcomeReasonableGrounds)
		}
	}
	return errs
}

func ruleTextKeys(r Rules) []string {
	keys := []string{r.DimensionRule.TextKey, r.ExploitedWorker.TextKey}
	for _, cl := range r.DimensionRule.Clauses {
		keys = append(keys, cl.TextKey)
	}
	for _, cb := range r.Combinations {
		keys = append(keys, cb.TextKey)
	}
	for _, t := range r.Triggers {
		keys = append(keys, t.TextKey)
	}
	for _, o := range r.Overrides {
		keys = append(keys, o.TextKey)
	}
	return keys
}
