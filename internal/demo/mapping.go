package demo

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/mapping"
)

// DemoRound2 is the demo's second mapping round, still open.
const DemoRound2 = "demo-round-2"

// seedMapping runs Riverton's mapping: a finished round last autumn
// (DemoRound, which the plan's findings come from) with about thirty
// answers from the partners' staff and, through links, from trade unions,
// taxi drivers, hotel staff and citizens; and a second round, open now,
// with a few answers, so comparing them shows a change where both rounds
// have k answers and "fewer than k" where they do not. Some free text is
// reviewed, some waits for the coordinator.
func seedMapping(ctx context.Context, d Deps, actors map[string]access.Actor, orgIDs []string) error {
	if d.Mapping == nil {
		return nil
	}
	const socialServices, ngo, police, inspectorate, hotline = 1, 2, 3, 4, 5
	coordinator := actors["coordinator"]
	qs := map[string]string{}
	for _, slug := range []string{"labour_exploitation", "sexual_exploitation", "locations", "perpetrators"} {
		q, err := d.Mapping.AddShipped(ctx, coordinator, slug)
		if err != nil {
			return fmt.Errorf("seed questionnaire %s: %w", slug, err)
		}
		qs[slug] = q.ID
	}
	now := time.Now()
	first, err := d.Mapping.CreateRoundWithID(ctx, coordinator, DemoRound, mapping.RoundInput{Title: "Autumn mapping " + strconv.Itoa(now.Year()-1),
		QuestionnaireIDs: []string{qs["labour_exploitation"], qs["sexual_exploitation"], qs["locations"], qs["perpetrators"]},
		PeriodStart:      time.Date(now.Year()-1, 9, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		PeriodEnd:        time.Date(now.Year()-1, 11, 30, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Open: true})
	if err != nil {
		return fmt.Errorf("seed mapping round: %w", err)
	}
	invited := map[string][]int{
		"labour_exploitation": {socialServices, ngo, police, inspectorate, hotline},
		"sexual_exploitation": {socialServices, ngo, police},
		"locations":           {ngo, police, inspectorate},
		"perpetrators":        {police, inspectorate},
	}
	staff := map[int]string{socialServices: "socialworker", ngo: "caseworker", police: "police", inspectorate: "inspector", hotline: "hotline"}
	links := map[string][]string{
		"labour_exploitation": {"trade_union", "trade_union", "migrant_community", "private_citizens", "recruitment_agency", "trade_union"},
		"sexual_exploitation": {"ngo", "health_service", "private_citizens"},
		"locations":           {"taxi_drivers", "hotel_staff", "taxi_drivers", "private_citizens", "libraries"},
		"perpetrators":        {"taxi_drivers", "hotel_staff", "neighbourhood"},
	}
	for _, slug := range []string{"labour_exploitation", "sexual_exploitation", "locations", "perpetrators"} {
		n := 0
		for _, org := range invited[slug] {
			if _, err := d.Mapping.Invite(ctx, coordinator, first.ID, mapping.InviteInput{QuestionnaireID: qs[slug], OrgID: orgIDs[org]}); err != nil {
				return fmt.Errorf("seed invitation: %w", err)
			}
			// The NGO's case worker answers anonymously.
			if _, err := d.Mapping.Respond(ctx, actors[staff[org]], first.ID, qs[slug], demoAnswers(slug, n, 0), "en", org == ngo); err != nil {
				return fmt.Errorf("seed answer to %s: %w", slug, err)
			}
			n++
		}
		if err := linkAnswers(ctx, d.Mapping, coordinator, first.ID, qs[slug], links[slug], func(i int) url.Values { return demoAnswers(slug, n+i, 0) }); err != nil {
			return err
		}
	}
	if err := reviewSome(ctx, d.Mapping, coordinator, first.ID); err != nil {
		return err
	}
	if err := d.Mapping.CloseRound(ctx, coordinator, first.ID); err != nil {
		return fmt.Errorf("close the first mapping round: %w", err)
	}

	second, err := d.Mapping.CreateRoundWithID(ctx, coordinator, DemoRound2, mapping.RoundInput{Title: "Spring mapping " + strconv.Itoa(now.Year()),
		QuestionnaireIDs: []string{qs["labour_exploitation"], qs["locations"]},
		PeriodStart:      now.AddDate(0, 0, -14).Format(time.DateOnly), PeriodEnd: now.AddDate(0, 1, 0).Format(time.DateOnly), Open: true})
	if err != nil {
		return fmt.Errorf("seed second mapping round: %w", err)
	}
	for i, org := range []int{socialServices, ngo, inspectorate} {
		if _, err := d.Mapping.Invite(ctx, coordinator, second.ID, mapping.InviteInput{QuestionnaireID: qs["labour_exploitation"], OrgID: orgIDs[org]}); err != nil {
			return fmt.Errorf("seed invitation: %w", err)
		}
		if _, err := d.Mapping.Respond(ctx, actors[staff[org]], second.ID, qs["labour_exploitation"], demoAnswers("labour_exploitation", i, 1), "en", false); err != nil {
			return fmt.Errorf("seed answer: %w", err)
		}
	}
	err = linkAnswers(ctx, d.Mapping, coordinator, second.ID, qs["labour_exploitation"], []string{"trade_union", "trade_union", "migrant_community"},
		func(i int) url.Values { return demoAnswers("labour_exploitation", 3+i, 1) })
	if err != nil {
		return err
	}
	return linkAnswers(ctx, d.Mapping, coordinator, second.ID, qs["locations"], []string{"taxi_drivers", "hotel_staff"},
		func(i int) url.Values { return demoAnswers("locations", i, 1) })
}

// linkAnswers makes one link per kind of respondent and answers through it.
func linkAnswers(ctx context.Context, m *mapping.Service, coordinator access.Actor, round, q string, kinds []string, answers func(i int) url.Values) error {
	for i, kind := range kinds {
		inv, err := m.Invite(ctx, coordinator, round, mapping.InviteInput{QuestionnaireID: q, Link: true, RespondentKind: kind, MaxUses: 5, Days: 30})
		if err != nil {
			return fmt.Errorf("seed link: %w", err)
		}
		if _, err := m.RespondByLink(ctx, inv.Token, answers(i), "en"); err != nil {
			return fmt.Errorf("seed answer through a link: %w", err)
		}
	}
	return nil
}

// reviewSome accepts every other free-text answer with a shortened,
// de-identified text and rejects one, as the coordinator would.
func reviewSome(ctx context.Context, m *mapping.Service, coordinator access.Actor, round string) error {
	pending, err := m.Reviews(ctx, coordinator, round, mapping.Pending)
	if err != nil {
		return err
	}
	for i, t := range pending {
		switch {
		case i == 1:
			err = m.Review(ctx, coordinator, t.ID, false, "")
		case i%2 == 0:
			err = m.Review(ctx, coordinator, t.ID, true, t.Original)
		}
		if err != nil {
			return fmt.Errorf("seed review: %w", err)
		}
	}
	return nil
}

// pick chooses from options by the respondent's number, so answers vary
// but the demo is the same on every installation.
func pick(options []string, i int) string { return options[i%len(options)] }

// demoAnswers are the i-th respondent's answers to a shipped
// questionnaire; round 1 (the spring) sees slightly more workers and
// worse conditions than round 0.
func demoAnswers(slug string, i, round int) url.Values {
	districts := []string{"2", "5", "2", "3", "whole_city", "1", "6"}
	v := url.Values{"area": {pick(districts, i)}, "basis": {pick([]string{"own_casework", "outreach", "inspections", "reports"}, i)}}
	switch slug {
	case "labour_exploitation":
		v.Set("worker_count", strconv.Itoa(150+40*(i%5)+90*round))
		v["sectors"] = []string{pick([]string{"agriculture", "construction", "logistics", "cleaning"}, i), pick([]string{"hospitality", "meat_processing"}, i)}
		v.Set("newcomers", pick([]string{"yes", "yes", "no", "unknown"}, i+round))
		if v.Get("newcomers") == "yes" {
			v.Set("newcomers_describe", pick([]string{"Groups of men brought by van to the harbour warehouses since August.",
				"Young women from abroad working in the hotels by the station, housed together.",
				"Seasonal workers on the farms south of Hillcrest, paid per crate."}, i))
		}
		v["housing"] = []string{pick([]string{"employer", "crowded_flats", "on_site", "own_rental"}, i+round)}
		v.Set("commute", pick([]string{"employer_transport", "public_transport", "employer_transport", "unknown"}, i))
		v["work_signs"] = []string{pick([]string{"long_hours", "low_pay", "no_contract"}, i), pick([]string{"documents_held", "debt", "no_days_off"}, i+round)}
		v.Set("pay", pick([]string{"below", "around", "below", "unknown"}, i+round))
		v.Set("know_rights", pick([]string{"few", "none", "few", "about_half"}, i))
		v.Set("support_exists", pick([]string{"no", "unknown", "yes"}, i))
		v.Set("protection_needed", pick([]string{"Information on rights in the workers' languages at the places they are collected.",
			"A night shelter for men who leave a workplace.", ""}, i))
	case "sexual_exploitation":
		v.Set("area", pick([]string{"5", "1", "5"}, i))
		v.Set("sex_work_known", "yes")
		v.Set("sex_work_count", strconv.Itoa(30+10*(i%4)))
		v.Set("sex_work_trend", pick([]string{"rising", "stable", "rising"}, i))
		v["sex_work_origin"] = []string{"eu", pick([]string{"non_eu", "local"}, i)}
		v.Set("controlled_share", pick([]string{"few", "about_half", "unknown"}, i))
		v.Set("trafficked_share", pick([]string{"few", "unknown"}, i))
		v["venues"] = []string{"apartment", pick([]string{"online", "massage", "hotel"}, i)}
		v.Set("migrant_bars", pick([]string{"yes", "unknown"}, i))
		v.Set("profile", pick([]string{"Mostly young women, some who speak no local language, moved between flats every few weeks.", ""}, i))
		v.Set("newcomer_count", strconv.Itoa(800+100*(i%3)))
		v["newcomer_needs"] = []string{"housing", pick([]string{"language", "work", "legal"}, i)}
		v.Set("newcomer_risk", pick([]string{"medium", "high"}, i))
		v.Set("support_exists", "yes")
	case "locations":
		v.Set("places:count", "2")
		place := func(n int, typ, area, sign, period, note string) {
			p := "places[" + strconv.Itoa(n) + "]/"
			v.Set(p+"location_type", typ)
			v.Set(p+"place_area", area)
			v.Set(p+"place_signs", sign)
			v.Set(p+"time_of_day", pick([]string{"night", "day", "evening"}, i+n))
			v.Set(p+"seen_period", period)
			v.Set(p+"observation", note)
		}
		place(1, pick([]string{"transport_hub", "construction_site", "ethnic_business", "street_scene"}, i), pick([]string{"5", "2", "1", "5"}, i),
			pick([]string{"transported", "recruitment", "controlled"}, i), pick([]string{"this_month", "quarter"}, i+round),
			pick([]string{"Vans collect groups of men before six in the morning.", "Workers are offered day jobs at the entrance.", ""}, i))
		place(2, pick([]string{"farm", "employment_agency", "gathering_place"}, i), pick([]string{"6", "3", "4"}, i),
			pick([]string{"overcrowding", "fear", "minors"}, i), pick([]string{"quarter", "year"}, i), "")
		v["prevention_places"] = []string{"transport_hub", pick([]string{"clinic", "library_wifi", "ethnic_business"}, i)}
	case "perpetrators":
		v.Set("area", pick([]string{"2", "5", "whole_city"}, i))
		v["forms"] = []string{pick([]string{"labour", "sexual"}, i)}
		v.Set("offenders_known", pick([]string{"yes", "unknown"}, i))
		if v.Get("offenders_known") == "yes" {
			v.Set("offender_structure", pick([]string{"small_group", "family"}, i))
			v.Set("offender_pattern", "A recruiter from the workers' home region and a local agency that rents them rooms.")
		}
		v["industries"] = []string{pick([]string{"recruitment", "nightlife", "short_rentals"}, i)}
		v.Set("third_party_recruiters", pick([]string{"yes", "unknown"}, i))
		v["enablers"] = []string{pick([]string{"landlords", "drivers", "agencies", "advertisers"}, i)}
		if v.Get("forms") == "sexual" {
			v.Set("demand_size", "moderate")
		}
		v.Set("demand_programmes", "no")
		v.Set("exchange", pick([]string{"no", "unknown"}, i))
		v.Set("ethics_codes", pick([]string{"few", "unknown"}, i))
	}
	return v
}
