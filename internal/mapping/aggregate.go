package mapping

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// merge adds the answers other counted to t, before finish.
func (t *Tally) merge(other *Tally) {
	t.N += other.N
	for c, n := range other.Counts {
		t.Counts[c] += n
	}
	t.numbers = append(t.numbers, other.numbers...)
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
	_, err := s.gate.Authorize(ctx, actor, action, "mapping_questionnaire", q.ID)
	return err
}

// Aggregate adds up the answers to questionnaire qID in round roundID per
// question and per respondent type. Restricted questionnaires need
// access.ViewMappingRestricted, others access.ViewMappingReport.
func (s *Service) Aggregate(ctx context.Context, actor access.Actor, roundID, qID string) (Aggregate, error) {
	if !seesRounds(actor) {
		if _, err := s.gate.Authorize(ctx, actor, access.ViewMappingReport, "mapping_round", roundID); err != nil {
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
// Decoding the stored answers is most of the work, so it is shared out
// among up to one worker per core, each adding up batches of responses in
// an accumulator of its own; the accumulators are merged at the end.
func (s *Service) addUp(ctx context.Context, tx *storage.Tx, form *forms.Form, r Round, q Questionnaire) (Aggregate, error) {
	fields := form.Fields()
	workers := min(runtime.GOMAXPROCS(0), maxAddingWorkers)
	accs := make([]*accumulator, workers)
	errs := make([]error, workers)
	batches := make(chan []storedResponse, workers)
	var wg sync.WaitGroup
	for i := range accs {
		accs[i] = newAccumulator(fields)
		wg.Go(func() {
			for batch := range batches {
				for _, resp := range batch {
					if errs[i] == nil {
						errs[i] = accs[i].add(resp.respondent, resp.answers)
					}
				}
			}
		})
	}
	err := readResponses(ctx, tx, r.ID, q.ID, batches)
	wg.Wait()
	if err != nil {
		return Aggregate{}, err
	}
	for i, e := range errs {
		if e != nil {
			return Aggregate{}, e
		}
		if i > 0 {
			accs[0].merge(accs[i])
		}
	}
	a := accs[0].result()
	a.Round, a.Questionnaire = r, q
	return a, nil
}

// maxAddingWorkers bounds the workers of one aggregation, so that one
// report being added up leaves cores to other requests on a large machine;
// addingBatch is how many responses a worker takes at a time.
const (
	maxAddingWorkers = 4
	addingBatch      = 32
)

// storedResponse is a response as read for adding up.
type storedResponse struct {
	respondent RespondentType
	answers    []byte
}

// readResponses sends the round's responses to q in batches and closes
// batches when done.
func readResponses(ctx context.Context, tx *storage.Tx, roundID, qID string, batches chan<- []storedResponse) error {
	defer close(batches)
	rows, err := tx.QueryContext(ctx, `SELECT respondent_kind, respondent_role, anonymous, answers FROM mapping_responses
		WHERE round_id = $1 AND questionnaire_id = $2`, roundID, qID)
	if err != nil {
		return fmt.Errorf("read responses: %w", err)
	}
	defer rows.Close()
	batch := make([]storedResponse, 0, addingBatch)
	for rows.Next() {
		var resp storedResponse
		var anonymous int
		if err := rows.Scan(&resp.respondent.Kind, &resp.respondent.Role, &anonymous, &resp.answers); err != nil {
			return fmt.Errorf("scan response: %w", err)
		}
		resp.respondent.Anonymous = anonymous != 0
		if batch = append(batch, resp); len(batch) == addingBatch {
			batches <- batch
			batch = make([]storedResponse, 0, addingBatch)
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	return rows.Err()
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

// merge adds what other added up to acc; both count the same fields.
func (acc *accumulator) merge(other *accumulator) {
	acc.responses += other.responses
	for k, tc := range other.types {
		if mine := acc.types[k]; mine != nil {
			mine.N += tc.N
		} else {
			acc.types[k] = tc
		}
	}
	for i := range acc.results {
		mine, theirs := &acc.results[i], &other.results[i]
		mine.All.merge(theirs.All)
		for k, t := range theirs.ByType {
			if m := mine.ByType[k]; m != nil {
				m.merge(t)
			} else {
				mine.ByType[k] = t
			}
		}
	}
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
