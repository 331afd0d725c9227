package mapping

import (
	"context"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// ChoiceChange is how the share of one choice moved between two rounds.
type ChoiceChange struct {
	Choice forms.ChoiceInfo
	// ShareA and ShareB are parts of the answers, 0 to 1; Points is the
	// change in percentage points.
	ShareA, ShareB, Points float64
}

// QuestionChange is one question compared between two rounds.
type QuestionChange struct {
	Field  forms.FieldInfo
	NA, NB int
	// Enough is true when both rounds have at least k answers; only then
	// are the figures below filled.
	Enough bool
	// MeanA, MeanB, MedianA, MedianB summarise a number question.
	MeanA, MeanB, MedianA, MedianB float64
	Choices                        []ChoiceChange
	// AreasA and AreasB count the answers per area code in each round
	// when the question is asked from the area list and Enough.
	AreasA, AreasB map[string]int
}

// Numeric reports whether the question asks for a number.
func (c QuestionChange) Numeric() bool {
	return c.Field.Type == forms.TypeInteger || c.Field.Type == forms.TypeDecimal
}

// Comparison is one questionnaire asked in two rounds.
type Comparison struct {
	Questionnaire Questionnaire
	K             int
	Questions     []QuestionChange
}

// Compare compares every questionnaire two rounds both asked (the same
// form id) that the actor may see the results of, question by question.
// A question is compared only where both rounds have at least k answers
// (MinAnswers).
func (s *Service) Compare(ctx context.Context, actor access.Actor, roundA, roundB string) (Round, Round, []Comparison, error) {
	if !seesRounds(actor) {
		if _, err := s.gate.Authorize(ctx, actor, access.ViewMappingReport, "mapping_round", roundA); err != nil {
			return Round{}, Round{}, nil, err
		}
	}
	if roundA == roundB {
		return Round{}, Round{}, nil, apperr.Validation(apperr.FieldError{Field: "b", Key: "mapping.error.same_round"})
	}
	city, err := s.areasIn(ctx, nil)
	if err != nil {
		return Round{}, Round{}, nil, err
	}
	codes := areaCodes(city)
	var a, b Round
	var out []Comparison
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		if a, err = getRound(ctx, tx, roundA); err != nil {
			return err
		}
		if b, err = getRound(ctx, tx, roundB); err != nil {
			return err
		}
		for _, qb := range b.Questionnaires {
			if !seesResults(actor, qb) {
				continue
			}
			for _, qa := range a.Questionnaires {
				if qa.FormID != qb.FormID || !seesResults(actor, qa) {
					continue
				}
				aggA, err := s.aggregate(ctx, tx, a, qa)
				if err != nil {
					return err
				}
				aggB, err := s.aggregate(ctx, tx, b, qb)
				if err != nil {
					return err
				}
				out = append(out, compare(aggA, aggB, s.minAnswers, codes))
			}
		}
		return nil
	})
	return a, b, out, err
}

func compare(a, b Aggregate, k int, codes map[string]string) Comparison {
	c := Comparison{Questionnaire: b.Questionnaire, K: k}
	for _, qb := range b.Questions {
		qa, ok := a.Result(qb.Field.Name)
		if !ok || qa.Field.Type != qb.Field.Type || qb.Field.Type == forms.TypeDate {
			continue
		}
		ch := QuestionChange{Field: qb.Field, NA: qa.All.N, NB: qb.All.N}
		ch.Enough = ch.NA >= k && ch.NB >= k
		if ch.Enough {
			if qb.Numeric() {
				ch.MeanA, ch.MeanB, ch.MedianA, ch.MedianB = qa.All.Mean, qb.All.Mean, qa.All.Median, qb.All.Median
			}
			for _, choice := range qb.Field.Choices {
				sa, sb := qa.All.Share(choice.Name), qb.All.Share(choice.Name)
				ch.Choices = append(ch.Choices, ChoiceChange{Choice: choice, ShareA: sa, ShareB: sb, Points: (sb - sa) * 100})
			}
			if ca, ok := areaCounts(qa, codes); ok {
				cb, _ := areaCounts(qb, codes)
				ch.AreasA, ch.AreasB = ca.ByArea, cb.ByArea
			}
		}
		c.Questions = append(c.Questions, ch)
	}
	return c
}
