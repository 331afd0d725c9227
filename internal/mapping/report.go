package mapping

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// In picks a text in lang, else in English, else the column without a
// language, else any.
func In(texts map[string]string, lang string) string {
	for _, l := range []string{lang, "en", ""} {
		if t := texts[l]; t != "" {
			return t
		}
	}
	for _, t := range texts {
		return t
	}
	return ""
}

// LabelIn is the question's label in lang.
func (q QuestionResult) LabelIn(lang string) string { return In(q.Field.Label, lang) }

// LabelIn is the question's label in lang.
func (c QuestionChange) LabelIn(lang string) string { return In(c.Field.Label, lang) }

// AcceptedText is a reviewed free-text answer as it enters the report.
type AcceptedText struct {
	Question string // the question's label in the report's language
	Text     string
	// Respondent is the type of who answered; an anonymous respondent's
	// type is not shown.
	Respondent RespondentType
}

// Section is one questionnaire's results in a report.
type Section struct {
	Aggregate
	Texts []AcceptedText
	// Areas are the answers to its questions asked from the area list,
	// per area code: what the report's maps draw.
	Areas []AreaCounts
}

// AreaCounts are the answers to one question asked from the area list
// ("which part of the city"), counted per area code. Answers for the whole
// city are no area's and are left out; a choice that is no current area
// keeps its choice name, which a map reports as in no current area.
type AreaCounts struct {
	Field  forms.FieldInfo
	ByArea map[string]int
}

// areaCounts counts q's answers per area code when q is asked from the
// area list; codes maps choice names to area codes (areaCodes). The
// places of the locations register are left out: the register's own map
// draws them.
func areaCounts(q QuestionResult, codes map[string]string) (AreaCounts, bool) {
	if q.Field.List != areaList || (q.Field.Repeat != "" && q.Field.Name == fieldPlaceArea) {
		return AreaCounts{}, false
	}
	out := AreaCounts{Field: q.Field, ByArea: map[string]int{}}
	for _, c := range q.Field.Choices {
		n := q.All.Counts[c.Name]
		if c.Name == WholeCity || n == 0 {
			continue
		}
		code, ok := codes[c.Name]
		if !ok {
			code = c.Name
		}
		out.ByArea[code] += n
	}
	return out, true
}

// Location is one entry of the locations register: a kind of place, where,
// what was seen and when; never anyone's personal data.
type Location struct {
	Type, TypeLabel string
	Area, AreaLabel string
	Seen            []string // labels of what was seen
	Times           []string // labels of the times of day
	Period          string   // label of when it was last seen
	// Observation is the reviewed, de-identified description, "" when none
	// was accepted.
	Observation string
	SubmittedAt time.Time
}

// Names of the questions the locations register reads: a repeat holding
// location_type (the shipped locations questionnaire; an imported one
// that uses the same names joins the register).
const (
	fieldLocationType = "location_type"
	fieldPlaceArea    = "place_area"
	fieldPlaceSigns   = "place_signs"
	fieldTimeOfDay    = "time_of_day"
	fieldSeenPeriod   = "seen_period"
	fieldObservation  = "observation"
	fieldArea         = "area"
)

// Report is a round's mapping report.
type Report struct {
	Round    Round
	Sections []Section
	// Withheld counts the questionnaires whose results the reader may not see.
	Withheld  int
	Locations []Location
	// PlacesByArea counts the register's places per area code, for a map.
	PlacesByArea map[string]int
	Lang         string
	// Version names what the report was made from: the same version is
	// the same report (see reportVersion).
	Version string
}

// Report is the report of round id in lang: each questionnaire the actor
// may see the results of, added up, with its accepted free text, and the
// locations register.
func (s *Service) Report(ctx context.Context, actor access.Actor, id, lang string) (Report, error) {
	if !seesRounds(actor) {
		if _, err := s.gate.Authorize(ctx, actor, access.ViewMappingReport, "mapping_round", id); err != nil {
			return Report{}, err
		}
	}
	rep := Report{Lang: lang, PlacesByArea: map[string]int{}}
	city, err := s.areasIn(ctx, nil)
	if err != nil {
		return Report{}, err
	}
	codes := areaCodes(city)
	var key, version string
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		r, err := getRound(ctx, tx, id)
		if err != nil {
			return err
		}
		key, version = reportVersion(actor, r, lang, city)
		if c, ok := s.reports.Load(key); ok && c.(cachedReport).version == version {
			rep = c.(cachedReport).report
			return nil
		}
		rep.Round, rep.Version = r, version
		accepted, err := s.accepted(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, q := range r.Questionnaires {
			if !seesResults(actor, q) {
				rep.Withheld++
				continue
			}
			agg, err := s.aggregate(ctx, tx, r, q)
			if err != nil {
				return err
			}
			form, err := s.formFor(ctx, tx, q.ID, r.Areas)
			if err != nil {
				return err
			}
			sec := Section{Aggregate: agg}
			for _, qr := range agg.Questions {
				if ac, ok := areaCounts(qr, codes); ok {
					sec.Areas = append(sec.Areas, ac)
				}
			}
			fields := form.Fields()
			for _, t := range accepted {
				if t.questionnaire == q.ID {
					sec.Texts = append(sec.Texts, AcceptedText{Question: questionLabel(fields, t.field, lang), Text: t.text, Respondent: t.respondent})
				}
			}
			rep.Sections = append(rep.Sections, sec)
			if err := s.register(ctx, tx, &rep, q, form, accepted); err != nil {
				return err
			}
		}
		slices.SortStableFunc(rep.Locations, func(a, b Location) int { return strings.Compare(a.TypeLabel, b.TypeLabel) })
		s.reports.Store(key, cachedReport{version: version, report: rep})
		return nil
	})
	return rep, err
}

// cachedReport is a report as made for one version of its round
// (reportVersion).
type cachedReport struct {
	version string
	report  Report
}

// reportVersion names the report of round r that actor reads in lang (key:
// the round, the language and the questionnaires whose results the actor's
// role sees) and what it was made from (version: the round's status, the
// city's areas and each of those questionnaires' revisions). Every change
// to a report's content bumps a revision in its own transaction, so a kept
// report with the same version is the report the data would give now.
func reportVersion(actor access.Actor, r Round, lang string, city []Area) (key, version string) {
	var k, v strings.Builder
	k.WriteString(r.ID + "|" + lang)
	v.WriteString(r.Status + "|" + strings.Join(r.Areas, ",") + areaKey(city))
	for _, q := range r.Questionnaires {
		if !seesResults(actor, q) {
			continue
		}
		rev := r.revisions[q.ID]
		k.WriteString("|" + q.ID)
		fmt.Fprintf(&v, "|%s:%d:%d", q.ID, rev.responses, rev.texts)
	}
	return k.String(), v.String()
}

// acceptedText is an accepted free-text answer, decrypted.
type acceptedText struct {
	responseID, questionnaire, field, text string
	respondent                             RespondentType
}

func (s *Service) accepted(ctx context.Context, tx *storage.Tx, roundID string) ([]acceptedText, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.response_id, t.questionnaire_id, t.field, t.edited, p.respondent_kind, p.respondent_role, p.anonymous
		FROM mapping_free_texts t JOIN mapping_responses p ON p.id = t.response_id
		WHERE t.round_id = $1 AND t.status = 'accepted' ORDER BY t.field, p.submitted_at, t.id`, roundID)
	if err != nil {
		return nil, fmt.Errorf("list accepted text: %w", err)
	}
	type sealedRow struct {
		acceptedText
		id     string
		sealed []byte
	}
	var list []sealedRow
	for rows.Next() {
		var r sealedRow
		var anonymous int
		if err := rows.Scan(&r.id, &r.responseID, &r.questionnaire, &r.field, &r.sealed, &r.respondent.Kind, &r.respondent.Role, &anonymous); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan accepted text: %w", err)
		}
		if anonymous != 0 && r.respondent.Role != "" {
			r.respondent = RespondentType{Anonymous: true}
		}
		list = append(list, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]acceptedText, 0, len(list))
	for _, r := range list {
		b, err := s.vault.Open(ctx, tx, record(r.responseID), "edited:"+r.id, r.sealed)
		if err != nil {
			return nil, err
		}
		r.text = string(b)
		out = append(out, r.acceptedText)
	}
	return out, nil
}

// questionLabel is the label of the question at an input path.
func questionLabel(fields []forms.FieldInfo, path, lang string) string {
	return In(questionTexts(fields, path), lang)
}

// questionTexts are the label texts of the question at an input path; a
// question without a label is known by its name.
func questionTexts(fields []forms.FieldInfo, path string) map[string]string {
	name := path[strings.LastIndex(path, "/")+1:]
	for _, f := range fields {
		if f.Name == name && len(f.Label) > 0 {
			return f.Label
		}
	}
	return map[string]string{"": name}
}

// register adds the places of q's responses to the locations register.
func (s *Service) register(ctx context.Context, tx *storage.Tx, rep *Report, q Questionnaire, form *forms.Form, accepted []acceptedText) error {
	fields := map[string]forms.FieldInfo{}
	for _, f := range form.Fields() {
		fields[f.Name] = f
	}
	typ, ok := fields[fieldLocationType]
	if !ok || typ.Repeat == "" {
		return nil
	}
	observations := map[string]string{}
	for _, t := range accepted {
		if t.questionnaire == q.ID {
			observations[t.responseID+"|"+t.field] = t.text
		}
	}
	areas, err := s.areasIn(ctx, rep.Round.Areas)
	if err != nil {
		return err
	}
	codes := areaCodes(areas)
	list, err := s.places(ctx, tx, rep.Round, q.ID, typ.Repeat)
	if err != nil {
		return err
	}
	lang := rep.Lang
	for _, p := range list {
		v := p.values
		loc := Location{Type: v[fieldLocationType], TypeLabel: choiceLabel(fields[fieldLocationType], v[fieldLocationType], lang),
			Area: v[fieldPlaceArea], AreaLabel: choiceLabel(fields[fieldPlaceArea], v[fieldPlaceArea], lang),
			Seen: choiceLabels(fields[fieldPlaceSigns], v[fieldPlaceSigns], lang), Times: choiceLabels(fields[fieldTimeOfDay], v[fieldTimeOfDay], lang),
			Period: choiceLabel(fields[fieldSeenPeriod], v[fieldSeenPeriod], lang), SubmittedAt: p.at,
			Observation: observations[fmt.Sprintf("%s|%s[%d]/%s", p.response, typ.Repeat, p.index, fieldObservation)]}
		rep.Locations = append(rep.Locations, loc)
		if code, ok := codes[loc.Area]; ok {
			rep.PlacesByArea[code]++
		}
	}
	return nil
}

// place is one instance of the locations repeat as answered: the response,
// its 1-based position and its answers (codes, no free text).
type place struct {
	response string
	index    int
	at       time.Time
	values   map[string]string
}

type cachedPlaces struct {
	version int64
	list    []place
}

// places reads the places of a round's responses to a questionnaire, kept
// like the sums while the responses are unchanged.
func (s *Service) places(ctx context.Context, tx *storage.Tx, r Round, qID, repeat string) ([]place, error) {
	roundID, version := r.ID, r.revisions[qID].responses
	key := roundID + "|" + qID + "|" + repeat
	if c, ok := s.placeCache.Load(key); ok && c.(cachedPlaces).version == version {
		return c.(cachedPlaces).list, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, answers, submitted_at FROM mapping_responses WHERE round_id = $1 AND questionnaire_id = $2
		ORDER BY submitted_at, id`, roundID, qID)
	if err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	defer rows.Close()
	var list []place
	for rows.Next() {
		var id string
		var raw []byte
		var at time.Time
		if err := rows.Scan(&id, &raw, &at); err != nil {
			return nil, fmt.Errorf("scan places: %w", err)
		}
		var ans forms.Answers
		if err := json.Unmarshal(raw, &ans); err != nil {
			return nil, fmt.Errorf("decode answers of %s: %w", id, err)
		}
		for i, inst := range ans.Repeats[repeat] {
			if inst.Values[fieldLocationType] != "" {
				list = append(list, place{response: id, index: i + 1, at: at, values: inst.Values})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.placeCache.Store(key, cachedPlaces{version: version, list: list})
	return list, nil
}

func choiceLabel(f forms.FieldInfo, name, lang string) string {
	for _, c := range f.Choices {
		if c.Name == name {
			return In(c.Label, lang)
		}
	}
	return name
}

func choiceLabels(f forms.FieldInfo, names, lang string) []string {
	var out []string
	for _, n := range strings.Fields(names) {
		out = append(out, choiceLabel(f, n, lang))
	}
	return out
}
