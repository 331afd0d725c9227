package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// mappingQuestions is the size of the bench questionnaire, the 60.
const mappingQuestions = 60

// mappingTopics are the questionnaire's topic blocks: each asks whether
// something is seen and, only if so, five follow-ups; the first topics
// end with a free-text description, the others with a number.
var mappingTopics = []string{"sex_indoor", "sex_street", "labour_farm", "labour_building", "labour_care",
	"begging", "criminality", "online", "minors"}

// textTopics is how many topics end with a free-text question.
const textTopics = 4

// mappingAreas are the choices of the questionnaire's area list.
var mappingAreas = []string{"whole_city", "centre", "north", "east", "south", "west", "harbour"}

// mappingChoices are the questionnaire's other lists.
var mappingChoices = map[string][]string{
	"yes_no_unknown": {"yes", "no", "unknown"},
	"basis":          {"own_casework", "outreach", "reports", "inspections", "public_sources"},
	"signs":          {"controlled", "no_documents", "debt", "long_hours", "housed_at_work", "moved_often", "none"},
	"trend":          {"rising", "stable", "falling", "unknown"},
	"groups":         {"women", "men", "minors", "migrants", "nationals", "disabled"},
	"support":        {"enough", "some", "none", "unknown"},
}

// mappingSurvey is the bench questionnaire's survey sheet: an area and
// the basis of the answers, nine topics of six questions, and four
// closing questions (a choice, an integer, a decimal and a date): 60
// questions of every answered type the mapping counts or reviews.
func mappingSurvey() [][]string {
	rows := [][]string{{"type", "name", "label::en", "label::de", "required", "relevant", "constraint"},
		{"select_one area", "area", "Which part of the city?", "Welcher Teil der Stadt?", "yes", "", ""},
		{"select_multiple basis", "basis", "What are your answers based on?", "Worauf stützen sich Ihre Antworten?", "yes", "", ""}}
	for i, t := range mappingTopics {
		seen := "${" + t + "_seen} = 'yes'"
		last := []string{"integer", t + "_hours", "Hours a day, about?", "Stunden am Tag, etwa?", "", seen, ". >= 0 and . <= 24"}
		if i < textTopics {
			last = []string{"text", t + "_describe", "What did you see? No names.", "Was haben Sie gesehen? Keine Namen.", "", seen, ""}
		}
		rows = append(rows,
			[]string{"select_one yes_no_unknown", t + "_seen", "Seen here: " + t + "?", "Hier beobachtet: " + t + "?", "yes", "", ""},
			[]string{"integer", t + "_count", "How many people, about?", "Wie viele Menschen, etwa?", "", seen, ". >= 0 and . <= 10000"},
			[]string{"select_multiple signs", t + "_signs", "Which signs?", "Welche Anzeichen?", "", seen, ""},
			[]string{"select_one trend", t + "_trend", "Compared with last year?", "Im Vergleich zum Vorjahr?", "", seen, ""},
			[]string{"select_multiple groups", t + "_groups", "Who is affected?", "Wer ist betroffen?", "", seen, ""},
			last)
	}
	return append(rows,
		[]string{"select_one support", "support", "Is there enough support?", "Gibt es genug Unterstützung?", "", "", ""},
		[]string{"integer", "staff", "Staff who could identify victims?", "Personal, das Betroffene erkennen könnte?", "", "", ". >= 0"},
		[]string{"decimal", "share_trained", "Share of them trained (0 to 1)?", "Anteil geschult (0 bis 1)?", "", "", ". >= 0 and . <= 1"},
		[]string{"date", "last_case", "Last case you met?", "Letzter Fall?", "", "", ""})
}

// mappingWorkbook is the bench questionnaire as an .xlsx XLSForm, as a
// coordinator would upload it; its form id carries the run's tag, so runs
// can share a database.
func mappingWorkbook(tag string) ([]byte, error) {
	wb := excelize.NewFile()
	defer wb.Close()
	choices := [][]string{{"list_name", "name", "label::en", "label::de"}}
	for _, a := range mappingAreas {
		choices = append(choices, []string{"area", a, a, a})
	}
	for _, list := range []string{"yes_no_unknown", "basis", "signs", "trend", "groups", "support"} {
		for _, c := range mappingChoices[list] {
			choices = append(choices, []string{list, c, c, c})
		}
	}
	sheets := []struct {
		name string
		rows [][]string
	}{
		{"survey", mappingSurvey()},
		{"choices", choices},
		{"settings", [][]string{{"form_title", "form_id", "version", "default_language"}, {"Bench mapping", "bench_mapping_" + tag, "1", "en"}}},
	}
	for i, s := range sheets {
		if i == 0 {
			if err := wb.SetSheetName("Sheet1", s.name); err != nil {
				return nil, err
			}
		} else if _, err := wb.NewSheet(s.name); err != nil {
			return nil, err
		}
		for j, row := range s.rows {
			if err := wb.SetSheetRow(s.name, "A"+strconv.Itoa(j+1), &row); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// mappingAnswers is one respondent's posted form, as a browser without
// JavaScript sends it: a topic not seen leaves its follow-ups empty (and
// a few respondents fill them anyway, which relevance discards); about
// one answer in ten of the optional questions is skipped.
func mappingAnswers(r *rand.Rand) url.Values {
	v := url.Values{}
	pick := func(list string) string { l := mappingChoices[list]; return l[r.IntN(len(l))] }
	some := func(list string) []string {
		var out []string
		for _, c := range mappingChoices[list] {
			if r.IntN(3) == 0 {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			out = append(out, pick(list))
		}
		return out
	}
	skip := func() bool { return r.IntN(10) == 0 }
	v.Set("area", mappingAreas[r.IntN(len(mappingAreas))])
	v["basis"] = some("basis")
	for i, t := range mappingTopics {
		seen := []string{"yes", "yes", "no", "no", "unknown"}[r.IntN(5)]
		v.Set(t+"_seen", seen)
		if seen != "yes" && r.IntN(20) != 0 {
			continue
		}
		if !skip() {
			v.Set(t+"_count", strconv.Itoa(r.IntN(200)))
		}
		if !skip() {
			v[t+"_signs"] = some("signs")
		}
		if !skip() {
			v.Set(t+"_trend", pick("trend"))
		}
		if !skip() {
			v[t+"_groups"] = some("groups")
		}
		switch {
		case i >= textTopics:
			if !skip() {
				v.Set(t+"_hours", strconv.Itoa(r.IntN(25)))
			}
		case r.IntN(2) == 0:
			v.Set(t+"_describe", "Seen on weekday evenings near the "+mappingAreas[r.IntN(len(mappingAreas))]+
				" station; a van brings a group and collects them later, "+strconv.Itoa(3+r.IntN(8))+" people each time.")
		}
	}
	if !skip() {
		v.Set("support", pick("support"))
	}
	if !skip() {
		v.Set("staff", strconv.Itoa(r.IntN(80)))
	}
	if !skip() {
		v.Set("share_trained", strconv.FormatFloat(float64(r.IntN(101))/100, 'f', 2, 64))
	}
	if !skip() {
		v.Set("last_case", fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(11), 1+r.IntN(28)))
	}
	return v
}

// mappingBench is the seeded round and who reads it.
type mappingBench struct {
	coordinator        access.Actor
	username, password string
	round, q           string
	responses, texts   int
	accepted           int
	// again is a respondent with an account who answered; answering again
	// replaces the response, so the round changes without growing.
	again access.Actor
}

// respondentOrgs are the invited organisations: kind and the roles of
// their respondents.
var respondentOrgs = []struct {
	kind  accounts.OrgKind
	roles []access.Role
}{
	{accounts.NGO, []access.Role{access.CaseWorker, access.Screener}},
	{accounts.Police, []access.Role{access.PoliceContact}},
	{accounts.SocialServices, []access.Role{access.CaseWorker}},
	{accounts.LabourInspectorate, []access.Role{access.Screener}},
	{accounts.HealthService, []access.Role{access.Screener, access.HotlineOperator}},
}

// linkActors are the key actors the round's link invitations are for.
var linkActors = []string{"trade_union", "taxi_drivers", "hotel_staff", "private_citizens"}

// seedMappingBench imports the bench questionnaire, opens a round over
// the whole city, invites the respondent organisations and links for the
// key actors without accounts, and lets n respondents answer through the
// service (Respond and RespondByLink: decoded, checked, free text sealed,
// audited): a quarter with accounts (a third of them anonymously), the
// rest through links. The coordinator then accepts some free texts.
func seedMappingBench(ctx context.Context, a *app.App, n int, tag string) (mappingBench, error) {
	b := mappingBench{password: "bench-passphrase-not-secret", username: "mb" + tag + "-coordinator"}
	city, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: "Bench city " + tag, Kind: accounts.Municipality})
	if err != nil {
		return b, err
	}
	u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: city.ID, Username: b.username, Role: access.Coordinator,
		Password: b.password, Profile: accounts.Profile{DisplayName: "Bench coordinator"}})
	if err != nil {
		return b, fmt.Errorf("create bench coordinator: %w", err)
	}
	b.coordinator = access.Actor{UserID: u.ID, OrgID: city.ID, Role: access.Coordinator}
	src, err := mappingWorkbook(tag)
	if err != nil {
		return b, err
	}
	q, err := a.Mapping.ImportXLSForm(ctx, b.coordinator, "bench-mapping-"+tag+".xlsx", bytes.NewReader(src), false)
	if err != nil {
		return b, fmt.Errorf("import the bench questionnaire: %w", err)
	}
	b.q = q.ID
	r, err := a.Mapping.CreateRound(ctx, b.coordinator, mapping.RoundInput{Title: "Bench round " + tag, QuestionnaireIDs: []string{q.ID},
		PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31", Open: true})
	if err != nil {
		return b, fmt.Errorf("open the bench round: %w", err)
	}
	b.round = r.ID

	// Respondents with accounts, spread over the organisations and roles.
	type respondent struct {
		actor     access.Actor
		token     string
		anonymous bool
	}
	var who []respondent
	withAccounts := max(n/4, 1)
	orgs := make([]string, len(respondentOrgs))
	for i, o := range respondentOrgs {
		org, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: fmt.Sprintf("Bench %s %s", o.kind, tag), Kind: o.kind})
		if err != nil {
			return b, err
		}
		orgs[i] = org.ID
		if _, err := a.Mapping.Invite(ctx, b.coordinator, r.ID, mapping.InviteInput{QuestionnaireID: q.ID, OrgID: org.ID}); err != nil {
			return b, fmt.Errorf("invite %s: %w", o.kind, err)
		}
	}
	for i := range withAccounts {
		o := respondentOrgs[i%len(respondentOrgs)]
		role := o.roles[(i/len(respondentOrgs))%len(o.roles)]
		ru, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: orgs[i%len(respondentOrgs)],
			Username: fmt.Sprintf("mb%s-r%05d", tag, i), Role: role, Password: b.password,
			Profile: accounts.Profile{DisplayName: fmt.Sprintf("Respondent %d", i)}})
		if err != nil {
			return b, fmt.Errorf("create respondent %d: %w", i, err)
		}
		who = append(who, respondent{actor: access.Actor{UserID: ru.ID, OrgID: ru.OrgID, Role: role}, anonymous: i%3 == 2})
	}
	// The rest through links, each link good for at most MaxLinkUses.
	for i := 0; i < n-withAccounts; {
		uses := min(mapping.MaxLinkUses, n-withAccounts-i)
		inv, err := a.Mapping.Invite(ctx, b.coordinator, r.ID, mapping.InviteInput{QuestionnaireID: q.ID, Link: true,
			RespondentKind: linkActors[(i/mapping.MaxLinkUses)%len(linkActors)], MaxUses: uses, Days: 30})
		if err != nil {
			return b, fmt.Errorf("link invitation: %w", err)
		}
		for range uses {
			who = append(who, respondent{token: inv.Token})
		}
		i += uses
	}
	// The answers are drawn up front so the seed is the same however the
	// writers interleave; several writers, as respondents answer at once.
	answers := make([]url.Values, len(who))
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range answers {
		answers[i] = mappingAnswers(rng)
	}
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(who) || ctx.Err() != nil {
					return
				}
				var err error
				if w := who[i]; w.token != "" {
					_, err = a.Mapping.RespondByLink(ctx, w.token, answers[i], "en")
				} else {
					_, err = a.Mapping.Respond(ctx, w.actor, r.ID, q.ID, answers[i], "en", w.anonymous)
				}
				if err != nil {
					mu.Lock()
					first = cmpErr(first, fmt.Errorf("response %d: %w", i, err))
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return b, first
	}
	b.responses = len(who)
	b.again = who[0].actor
	err = a.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mapping_free_texts WHERE round_id = $1`, r.ID).Scan(&b.texts)
	})
	if err != nil {
		return b, err
	}
	// The coordinator accepts one in five of the free texts on the review
	// list (its first 200), de-identified, for the report.
	pending, err := a.Mapping.Reviews(ctx, b.coordinator, r.ID, mapping.Pending)
	if err != nil {
		return b, err
	}
	for i := 0; i < len(pending); i += 5 {
		if err := a.Mapping.Review(ctx, b.coordinator, pending[i].ID, true, "A group is brought by van on weekday evenings and collected later."); err != nil {
			return b, fmt.Errorf("accept free text: %w", err)
		}
		b.accepted++
	}
	return b, nil
}
