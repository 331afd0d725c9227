package campaigns

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// The shipped campaign survey, in the forms engine's text format: whether
// the respondent saw the campaign, recognises its material, knows where
// to report and would act. Campaign evaluators measure these steps
// between reach and reports; the answers are the respondent's only, never
// who they are.
//
//go:embed survey/campaign_survey.md
var surveySource []byte

// survey is the parsed campaign survey; the file ships with Waymark, so a
// fault in it is a fault of the build (a test parses it).
var survey = mustParseSurvey()

func mustParseSurvey() *forms.Form {
	f, err := forms.ParseText("campaign_survey.md", surveySource)
	if err != nil {
		panic(fmt.Sprintf("campaigns: the shipped survey does not parse: %v", err))
	}
	return f
}

// Survey is the campaign survey questionnaire.
func Survey() *forms.Form { return survey }

// surveyMeasures are the target measures a survey answers: the share of
// responses after launch answering yes to the question.
var surveyMeasures = []struct{ measure, question string }{
	{"survey_saw", "saw_campaign"},
	{"survey_recognised", "recognised"},
	{"survey_knows_where", "knows_where"},
	{"survey_would_act", "would_act"},
}

// SurveyMeasures lists the survey's target measures in the survey's order.
func SurveyMeasures() []string {
	out := make([]string, len(surveyMeasures))
	for i, m := range surveyMeasures {
		out[i] = m.measure
	}
	return out
}

// IsSurveyMeasure reports whether a target's measure is a survey share
// (in percent) rather than a funnel count.
func IsSurveyMeasure(measure string) bool { return slices.Contains(SurveyMeasures(), measure) }

// maxSurveyResponses bounds the responses read for a campaign's results.
const maxSurveyResponses = 100_000

// SurveyResults are a campaign survey's responses before and after the
// launch, and for each question the answers yes.
type SurveyResults struct {
	Before, After int
	Questions     []QuestionResult
}

// QuestionResult is one question's answers yes before and after launch.
type QuestionResult struct {
	Question string
	Measure  string
	Label    map[string]string
	// YesBefore and YesAfter count the answers yes; the shares are of the
	// responses of the phase, in whole percent.
	YesBefore, YesAfter     int
	ShareBefore, ShareAfter int
}

// LabelIn is the question in lang, else English.
func (q QuestionResult) LabelIn(lang string) string { return mapping.In(q.Label, lang) }

// share is part of whole in whole percent, 0 for no whole.
func share(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return part * 100 / whole
}

// Today is the service's date, the default day of a survey response.
func (s *Service) Today() string { return s.cases.Now().Format(time.DateOnly) }

// surveyor asks the policy whether actor enters survey responses: the
// coordinator, or whoever records outreach. Campaigns are the
// partnership's, so an outreach worker of any organisation may survey.
func (s *Service) surveyor(ctx context.Context, actor access.Actor, id string) error {
	if access.Can(actor, access.ManageCampaigns) {
		_, err := s.cases.Authorize(ctx, actor, access.ManageCampaigns, "campaign", id)
		return err
	}
	_, err := s.cases.Authorize(ctx, actor, access.RecordOutreach, "campaign", id)
	return err
}

// RecordSurvey records one response to the survey of campaign
// campaignID, a draft or running one: the day it was given and the
// questionnaire's posted answers (messages in lang). The answers are
// returned as read, so a refused form can be shown again with them.
func (s *Service) RecordSurvey(ctx context.Context, actor access.Actor, campaignID, answeredOn string, values url.Values, lang string) (forms.Answers, error) {
	if err := s.surveyor(ctx, actor, campaignID); err != nil {
		return forms.Answers{}, err
	}
	var fe fields
	answeredOn = strings.TrimSpace(answeredOn)
	if !validDate(answeredOn) || answeredOn > s.cases.Now().Format(time.DateOnly) {
		fe.Add("answered_on", "campaigns.error.answered_on")
	}
	ans, err := survey.Decode(values, lang)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid {
			return ans, err
		}
		fe = append(fe, e.Fields...)
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return ans, fmt.Errorf("encode survey answers: %w", err)
	}
	return ans, s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, campaignID)
		switch {
		case apperr.Is(err, apperr.NotFound) || err == nil && c.Status == Ended:
			// A form's choice: the campaign is gone from the list, or ended.
			fe.Add("campaign", "campaigns.error.survey_campaign")
		case err != nil:
			return err
		}
		if err := fe.Err(); err != nil {
			return err
		}
		id := cases.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_survey_responses (id, campaign_id, answered_on, form_id, form_version, answers,
				created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, c.ID, answeredOn, survey.ID, survey.Version, string(b), actor.UserID, s.cases.Now()); err != nil {
			return fmt.Errorf("insert survey response: %w", err)
		}
		return s.cases.Audit(ctx, tx, actor, "campaigns.survey.record", "campaign", c.ID, "", id)
	})
}

// SurveyResults counts a campaign's survey responses before and after its
// launch (all before while it is a draft).
func (s *Service) SurveyResults(ctx context.Context, actor access.Actor, campaignID string) (SurveyResults, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", campaignID); err != nil {
		return SurveyResults{}, err
	}
	var out SurveyResults
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		out, err = surveyResults(ctx, tx, c)
		return err
	})
	return out, err
}

// surveyResults counts the responses of campaign c.
func surveyResults(ctx context.Context, tx *storage.Tx, c Campaign) (SurveyResults, error) {
	launched := "9999-12-31"
	if c.LaunchedAt != nil {
		launched = c.LaunchedAt.UTC().Format(time.DateOnly)
	}
	var out SurveyResults
	labels := map[string]map[string]string{}
	for _, f := range survey.Fields() {
		labels[f.Name] = f.Label
	}
	for _, m := range surveyMeasures {
		out.Questions = append(out.Questions, QuestionResult{Question: m.question, Measure: m.measure, Label: labels[m.question]})
	}
	rows, err := tx.QueryContext(ctx, `SELECT answered_on, answers FROM campaign_survey_responses WHERE campaign_id = $1
		ORDER BY answered_on, id LIMIT $2`, c.ID, maxSurveyResponses)
	if err != nil {
		return out, fmt.Errorf("list survey responses: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var on, raw string
		if err := rows.Scan(&on, &raw); err != nil {
			return out, fmt.Errorf("list survey responses: %w", err)
		}
		var ans forms.Answers
		if err := json.Unmarshal([]byte(raw), &ans); err != nil {
			return out, fmt.Errorf("decode survey response of campaign %s: %w", c.ID, err)
		}
		after := on >= launched
		if after {
			out.After++
		} else {
			out.Before++
		}
		for i := range out.Questions {
			if ans.Values[out.Questions[i].Question] != "yes" {
				continue
			}
			if after {
				out.Questions[i].YesAfter++
			} else {
				out.Questions[i].YesBefore++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("list survey responses: %w", err)
	}
	for i := range out.Questions {
		q := &out.Questions[i]
		q.ShareBefore, q.ShareAfter = share(q.YesBefore, out.Before), share(q.YesAfter, out.After)
	}
	return out, nil
}

// question is the result of a survey measure.
func (r SurveyResults) question(measure string) *QuestionResult {
	for i := range r.Questions {
		if r.Questions[i].Measure == measure {
			q := r.Questions[i]
			return &q
		}
	}
	return nil
}

// SurveyCampaigns lists the campaigns that take survey responses (draft
// and running ones), running first, for staff or outreach workers who
// enter them; names and dates only.
func (s *Service) SurveyCampaigns(ctx context.Context, actor access.Actor) ([]Campaign, error) {
	if err := s.surveyor(ctx, actor, ""); err != nil {
		return nil, err
	}
	var out []Campaign
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE status IN ('draft', 'running')
			ORDER BY CASE status WHEN 'running' THEN 0 ELSE 1 END, starts_on DESC, id LIMIT 500`)
		if err != nil {
			return fmt.Errorf("list campaigns to survey: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				return fmt.Errorf("list campaigns to survey: %w", err)
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
