package demo

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/plan"
)

// DemoRound is the id the demo's first mapping round goes by: the findings
// below name it as their source, so the mapping seeds its round with it.
const DemoRound = "demo-round-1"

// seedPlan records four findings of the demo's first mapping round and
// three measures on them, owned by social services, the NGO and the police,
// with progress reported by their own staff. One measure is overdue and
// one due for review, so the dashboard and the plan have something to show;
// the training finding has no measure yet. Dates are relative to today.
func seedPlan(ctx context.Context, d Deps, actors map[string]access.Actor, orgIDs []string) error {
	const socialServices, ngo, police, inspectorate = 1, 2, 3, 4
	coordinator := actors["coordinator"]
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	findings := []plan.FindingInput{
		{Title: "Harbour warehouse workers housed by the agency that hires them",
			Description: "Respondents from the labour inspectorate and the NGO describe seasonal workers at the harbour warehouses living in rooms the hiring agency rents them, with the rent taken from their pay.",
			Topic:       plan.TopicLabour, AreaCode: "2", Priority: plan.High},
		{Title: "Flats near the station advertised for massage change occupants every few weeks",
			Description: "Police and outreach staff see the same flats advertised with new photos and phone numbers every few weeks.",
			Topic:       plan.TopicSexual, AreaCode: "5", Priority: plan.High},
		{Title: "No place for the night for men leaving exploitative work",
			Description: "Shelters in the city take women and children; men who leave a workplace at night have nowhere safe to go.",
			Topic:       plan.TopicServices, Priority: plan.Medium},
		{Title: "Job centre staff not trained to recognise labour exploitation",
			Description: "Job centre counsellors meet people who took jobs through informal agencies but have had no training on the signs.",
			Topic:       plan.TopicTraining, Priority: plan.Medium},
	}
	ids := make([]string, len(findings))
	for i, in := range findings {
		in.SourceKind, in.SourceID = plan.FromMappingRound, DemoRound
		f, err := d.Plan.CreateFinding(ctx, coordinator, in)
		if err != nil {
			return fmt.Errorf("seed plan finding %d: %w", i, err)
		}
		ids[i] = f.ID
	}
	measures := []struct {
		in       plan.MeasureInput
		reporter string
		progress plan.ProgressInput
	}{
		{plan.MeasureInput{Objective: "Weekly outreach visits with the labour inspectorate to the harbour warehouses",
			OwnerOrg: orgIDs[ngo], Partners: []string{orgIDs[inspectorate]}, StartOn: day(-120), DueOn: day(-14), NextReviewOn: day(-14),
			Resources: "Two outreach workers one day a week; leaflets in five languages", Amount: "6500", Currency: "EUR",
			Programme: "Riverton Fair Work Programme", Findings: []string{ids[0]},
			Indicators: []plan.IndicatorInput{{Name: "Warehouses visited", Unit: "sites", Baseline: "0", Target: "8"},
				{Name: "Workers informed in their language", Unit: "people", Baseline: "0", Target: "150"}}},
			"caseworker", plan.ProgressInput{Status: plan.InProgress, Note: "Five warehouses visited; two refused entry.",
				MeasuredOn: day(-20), Values: map[string]string{}}},
		{plan.MeasureInput{Objective: "Open an emergency night place for men, with counselling the next morning",
			OwnerOrg: orgIDs[socialServices], Partners: []string{orgIDs[ngo]}, StartOn: day(-90), DueOn: day(120), NextReviewOn: day(30),
			Resources: "Six beds in the municipal hostel; a counsellor from the NGO", Findings: []string{ids[2]},
			Indicators: []plan.IndicatorInput{{Name: "Night places available", Unit: "places", Baseline: "0", Target: "6"}}},
			"socialworker", plan.ProgressInput{Status: plan.InProgress, Note: "Two beds ready; the rest after the hostel's renovation.",
				MeasuredOn: day(-7), Values: map[string]string{}}},
		{plan.MeasureInput{Objective: "Joint checks with the NGO of the advertised flats near the station",
			OwnerOrg: orgIDs[police], Partners: []string{orgIDs[ngo]}, StartOn: day(-30), DueOn: day(150), NextReviewOn: day(5),
			Findings:   []string{ids[1]},
			Indicators: []plan.IndicatorInput{{Name: "Flats checked", Unit: "flats", Baseline: "0", Target: "20"}}},
			"", plan.ProgressInput{}},
	}
	values := [][]string{{"5", "60"}, {"2"}}
	for i, m := range measures {
		created, err := d.Plan.CreateMeasure(ctx, coordinator, m.in)
		if err != nil {
			return fmt.Errorf("seed plan measure %d: %w", i, err)
		}
		if m.reporter == "" {
			continue
		}
		for j, v := range values[i] {
			m.progress.Values[created.Indicators[j].ID] = v
		}
		if err := d.Plan.RecordProgress(ctx, actors[m.reporter], created.ID, m.progress); err != nil {
			return fmt.Errorf("seed plan progress %d: %w", i, err)
		}
	}
	return nil
}
