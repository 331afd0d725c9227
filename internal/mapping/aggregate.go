package mapping

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// Tally is what the answers to one question add up to.
type Tally struct {
	// N is how many answered (for a question in a repeat: how many
	// instances answered it).
	N int
	// Counts are the answers per choice of a select.
	Counts map[string]int
	// Sum, Mean, Median, Min and Max summarise the answers to a number.
	Sum, Mean, Median, Min, Max float64
	numbers                     []float64
}

// Share is the part of the answers that chose name, 0 to 1.
func (t *Tally) Share(name string) float64 {
	if t == nil || t.N == 0 {
		return 0
	}
	return float64(t.Counts[name]) / float64(t.N)
}

func (t *Tally) add(f *forms.FieldInfo, v string) {
	if v == "" {
		return
	}
	switch f.Type {
	case forms.TypeSelectOne:
		t.N++
		t.Counts[v]++
	case forms.TypeSelectMultiple:
		t.N++
		for _, c := range strings.Fields(v) {
			t.Counts[c]++
		}
	case forms.TypeInteger, forms.TypeDecimal:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(n) {
			return
		}
		t.N++
		t.numbers = append(t.numbers, n)
	default:
		t.N++
	}
}

func (t *Tally) finish() {
	if len(t.numbers) == 0 {
		return
	}
	slices.Sort(t.numbers)
	t.Min, t.Max = t.numbers[0], t.numbers[len(t.numbers)-1]
	for _, n := range t.numbers {
		t.Sum += n
	}
	t.Mean = t.Sum / float64(len(t.numbers))
	mid := len(t.numbers) / 2
	t.Median = t.numbers[mid]
	if len(t.numbers)%2 == 0 {
		t.Median = (t.numbers[mid-1] + t.numbers[mid]) / 2
	}
	t.numbers = nil
}

func newTally() *Tally { return &Tally{Counts: map[string]int{}} }

// QuestionResult is one question's answers, in all and per respondent type.
type QuestionResult struct {
	Field forms.FieldInfo
	All   *Tally
	// ByType is keyed by RespondentType.Key.
	ByType map[string]*Tally
}

// Numeric reports whether the question asks for a number.
func (q QuestionResult) Numeric() bool {
	return q.Field.Type == forms.TypeInteger || q.Field.Type == forms.TypeDecimal
}

// Select reports whether the question is a select.
func (q QuestionResult) Select() bool {
	return q.Field.Type == forms.TypeSelectOne || q.Field.Type == forms.TypeSelectMultiple
}

// TypeCount is how many responses came from one respondent type.
type TypeCount struct {
	Type RespondentType
	N    int
}

// Aggregate is a questionnaire's answers in a round, added up.
type Aggregate struct {
	Round         Round
	Questionnaire Questionnaire
	Responses     int
	// Types are the respondent types that answered, most answers first.
	Types     []TypeCount
	Questions []QuestionResult
	// Version names these sums: while the round's responses and the form
	// (its labels and area choices) are unchanged, the sums, and so the
	// version, stay the same; a page may keep what it made of them.
	Version string
}

// Result returns the result of the question named name.
func (a Aggregate) Result(name string) (QuestionResult, bool) {
	i := slices.IndexFunc(a.Questions, func(q QuestionResult) bool { return q.Field.Name == name })
	if i < 0 {
		return QuestionResult{}, false
	}
	return a.Questions[i], true
}

// mayReadResults checks that actor may see a questionnaire's results and
// audits a refusal.
func (s *Service) mayReadResults(ctx context.Context, actor access.Actor, q Questionnaire) error {
	if seesResults(actor, q) {
		return nil
	}
	action := access.ViewMappingReport
	if q.Restricted {
		action = access.ViewMappingRestricted
	}
	return s.authorize(ctx, actor, action, "mapping_questionnaire", q.ID)
}

// Aggregate adds up the answers to questionnaire qID in round roundID per
// question and per respondent type. Restricted questionnaires need
// access.ViewMappingRestricted, others access.ViewMappingReport.
func (s *Service) Aggregate(ctx context.Context, actor access.Actor, roundID, qID string) (Aggregate, error) {
	if !seesRounds(actor) {
		if err := s.authorize(ctx, actor, access.ViewMappingReport, "mapping_round", roundID); err != nil {
			return Aggregate{}, err
		}
	}
	var out Aggregate
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		r, err := getRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		if !r.Asks(qID) {
			return apperr.New(apperr.NotFound, "mapping.error.no_questionnaire")
		}
		q, err := getQuestionnaire(ctx, tx, qID)
		if err != nil {
			return err
		}
		if err := s.mayReadResults(ctx, actor, q); err != nil {
			return err
		}
		out, err = s.aggregate(ctx, tx, r, q)
		return err
	})
	return out, err
}

// cachedSum is a round's added-up answers to a questionnaire, with what
// they were added up from.
type cachedSum struct {
	version int64
	form    *forms.Form
	sum     Aggregate
}

// aggregate reads the round's responses to q and adds them up. The result
// is kept and given again while the responses are the same (the round's
// responses_revision of q): a report asked for by many readers then costs
// no query of its own instead of decoding every response. Callers must not change
// the returned tallies.
func (s *Service) aggregate(ctx context.Context, tx *storage.Tx, r Round, q Questionnaire) (Aggregate, error) {
	form, err := s.formFor(ctx, tx, q.ID, r.Areas)
	if err != nil {
		return Aggregate{}, err
	}
	version := r.revisions[q.ID].responses
	key := r.ID + "|" + q.ID
	if c, ok := s.sums.Load(key); ok {
		if c := c.(cachedSum); c.version == version && c.form == form {
			a := c.sum
			a.Round, a.Questionnaire = r, q
			return a, nil
		}
	}
	a, err := s.addUp(ctx, tx, form, r, q)
	if err != nil {
		return Aggregate{}, err
	}
	a.Version = strconv.FormatUint(s.sumsAdded.Add(1), 10)
	s.sums.Store(key, cachedSum{version: version, form: form, sum: a})
	return a, nil
}

// addUp decodes every response of the round to q and adds it up.
func (s *Service) addUp(ctx context.Context, tx *storage.Tx, form *forms.Form, r Round, q Questionnaire) (Aggregate, error) {
	acc := newAccumulator(form.Fields())
	rows, err := tx.QueryContext(ctx, `SELECT respondent_kind, respondent_role, anonymous, answers FROM mapping_responses
		WHERE round_id = $1 AND questionnaire_id = $2`, r.ID, q.ID)
	if err != nil {
		return Aggregate{}, fmt.Errorf("read responses: %w", err)
	}
	defer rows.Close()
	var answers []byte
	for rows.Next() {
		var t RespondentType
		var anonymous int
		if err := rows.Scan(&t.Kind, &t.Role, &anonymous, &answers); err != nil {
			return Aggregate{}, fmt.Errorf("scan response: %w", err)
		}
		t.Anonymous = anonymous != 0
		if err := acc.add(t, answers); err != nil {
			return Aggregate{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return Aggregate{}, err
	}
	a := acc.result()
	a.Round, a.Questionnaire = r, q
	return a, nil
}

// accumulator adds up responses one at a time.
type accumulator struct {
	fields    []forms.FieldInfo
	results   []QuestionResult
	types     map[string]*TypeCount
	responses int
	// ans is reused from response to response: decoding into the same
	// maps keeps a round of thousands of responses from allocating
	// thousands of maps.
	ans forms.Answers
}

// newAccumulator counts the questions of fields that have answers worth
// adding up: selects, numbers and dates. Free text is reviewed, not
// counted; notes and calculations are no answers.
func newAccumulator(fields []forms.FieldInfo) *accumulator {
	acc := &accumulator{types: map[string]*TypeCount{}}
	for _, f := range fields {
		switch f.Type {
		case forms.TypeSelectOne, forms.TypeSelectMultiple, forms.TypeInteger, forms.TypeDecimal, forms.TypeDate:
			acc.fields = append(acc.fields, f)
			acc.results = append(acc.results, QuestionResult{Field: f, All: newTally(), ByType: map[string]*Tally{}})
		}
	}
	return acc
}

func (acc *accumulator) add(t RespondentType, raw []byte) error {
	clear(acc.ans.Values)
	clear(acc.ans.Repeats)
	if err := json.Unmarshal(raw, &acc.ans); err != nil {
		return fmt.Errorf("decode stored answers: %w", err)
	}
	ans := acc.ans
	acc.responses++
	key := t.Key()
	tc := acc.types[key]
	if tc == nil {
		tc = &TypeCount{Type: t}
		if key == "anonymous" {
			tc.Type = RespondentType{Anonymous: true, Role: t.Role}
		}
		acc.types[key] = tc
	}
	tc.N++
	for i := range acc.results {
		res := &acc.results[i]
		f := &acc.fields[i]
		byType := res.ByType[key]
		if byType == nil {
			byType = newTally()
			res.ByType[key] = byType
		}
		if f.Repeat == "" {
			v := ans.Values[f.Name]
			res.All.add(f, v)
			byType.add(f, v)
			continue
		}
		for _, inst := range instancesOf(ans, f.Repeat) {
			v := inst.Values[f.Name]
			res.All.add(f, v)
			byType.add(f, v)
		}
	}
	return nil
}

func (acc *accumulator) result() Aggregate {
	a := Aggregate{Responses: acc.responses, Questions: acc.results}
	for i := range a.Questions {
		a.Questions[i].All.finish()
		for _, t := range a.Questions[i].ByType {
			t.finish()
		}
	}
	for _, tc := range acc.types {
		a.Types = append(a.Types, *tc)
	}
	slices.SortFunc(a.Types, func(x, y TypeCount) int {
		if x.N != y.N {
			return y.N - x.N
		}
		return strings.Compare(x.Type.Key(), y.Type.Key())
	})
	return a
}

// instancesOf returns every instance of the repeat named name, however
// deep it is nested.
func instancesOf(ans forms.Answers, name string) []forms.Answers {
	if list, ok := ans.Repeats[name]; ok {
		return list
	}
	var out []forms.Answers
	for _, list := range ans.Repeats {
		for _, inst := range list {
			out = append(out, instancesOf(inst, name)...)
		}
	}
	return out
}
