package assistance_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env                    *apptest.Env
	svc                    *assistance.Service
	ngo, shelterOrg, other string
	worker                 apptest.User // case worker of the NGO
	coordinator            apptest.User // coordinator of the NGO
	shelterWorker          apptest.User // case worker of the shelter's organisation
	otherWorker            apptest.User // case worker of an unrelated NGO
	screener               apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.Assistance}
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	f.shelterOrg = env.Org("Women's House", accounts.Shelter)
	f.other = env.Org("Other NGO", accounts.NGO)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.coordinator = env.User("coord", access.Coordinator, f.ngo)
	f.shelterWorker = env.User("shelter", access.CaseWorker, f.shelterOrg)
	f.otherWorker = env.User("other", access.CaseWorker, f.other)
	f.screener = env.User("screener", access.Screener, f.ngo)
	return f
}

func (f *fixture) openCase(t *testing.T, child bool) cases.Case {
	t.Helper()
	in := cases.PersonInput{
		Person: cases.Person{GivenNames: "Marija", FamilyName: "Kovač", BirthDate: "1990-04-12", Contact: "phone after 6 pm"},
		Gender: "feminine", Citizenships: []string{"RO"}, Languages: []string{"ro"}, ContactMethod: "phone",
		Exploitation: []string{"labour"},
	}
	if child {
		in.BirthDate = time.Now().AddDate(-15, 0, 0).Format(time.DateOnly)
	}
	c, err := f.env.App.Cases.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: in})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// consent records the person's consent to referrals to orgs.
func (f *fixture) consent(t *testing.T, c cases.Case, orgs ...string) cases.ConsentRecord {
	t.Helper()
	return f.consentTo(t, c, orgs, nil)
}

// consentTo records the person's consent to referrals to orgs and to the
// directory's providers.
func (f *fixture) consentTo(t *testing.T, c cases.Case, orgs, providers []string) cases.ConsentRecord {
	t.Helper()
	in := cases.ConsentInput{Purposes: []string{cases.PurposeReferral}, Orgs: orgs, Providers: providers, Categories: []string{string(cases.Assistance)},
		Language: "ro", Interpreter: true, Method: "written", GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)}
	if c.Child {
		in.GivenBy, in.ChildHeard, in.BestInterest = "guardian", true, true
	}
	k, err := f.env.App.Cases.RecordConsent(context.Background(), f.worker.Actor, c.ID, in)
	if err != nil {
		t.Fatalf("record consent: %v", err)
	}
	return k
}

func (f *fixture) provider(t *testing.T, name, org string, total int) assistance.Provider {
	t.Helper()
	p, err := f.svc.CreateProvider(context.Background(), f.coordinator.Actor, assistance.ProviderInput{
		Name: name, Types: []string{"shelter", "psychological"}, Languages: []string{"ro", "EN"}, Phone: "+43 1 234",
		Email: "office@shelter.example", Address: "Main Street 1", OrgID: org, Active: true, PlacesTotal: total,
		PlaceGender: "women", PlaceAge: "adults"})
	if err != nil {
		t.Fatalf("create provider: %v", err)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if key != "" && apperr.As(err).Key != key {
		t.Fatalf("%s: key %q, want %q", what, apperr.As(err).Key, key)
	}
}

// wantField fails unless err refuses a field with the message key.
func wantField(t *testing.T, what string, err error, key string) {
	t.Helper()
	wantCode(t, what, err, apperr.Invalid, "")
	for _, f := range apperr.As(err).Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("%s: fields %+v, want one with %q", what, apperr.As(err).Fields, key)
}

// rowCount counts rows of a table for a case (or all rows when caseID is "").
func rowCount(t *testing.T, env *apptest.Env, table, caseID string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		if caseID == "" {
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE case_id = $1`, caseID).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func deadlines(t *testing.T, env *apptest.Env, kind, ref string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_deadlines WHERE kind = $1 AND ref_id = $2`, kind, ref).Scan(&n)
	})
	if err != nil {
		t.Fatalf("count deadlines: %v", err)
	}
	return n
}

func TestNeedsAndPlan(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false)
			secret := "Afraid the employer knows her sister's address"
			err := f.svc.SaveNeeds(ctx, f.worker.Actor, c.ID, assistance.NeedsInput{
				Needs: map[string]string{"safety": "high", "livelihood": "medium"}, Note: secret})
			if err != nil {
				t.Fatalf("save needs: %v", err)
			}
			p, err := f.svc.Plan(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			if p.Need("safety") != "high" || p.Need("livelihood") != "medium" || p.Need("fear") != "" || p.NeedsNote != secret {
				t.Fatalf("needs = %+v note %q", p.Needs, p.NeedsNote)
			}
			// The note is sealed, not stored in the clear.
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var b []byte
				if err := tx.QueryRowContext(ctx, `SELECT needs_note FROM assistance_plans WHERE case_id = $1`, c.ID).Scan(&b); err != nil {
					return err
				}
				if bytes.Contains(b, []byte("sister")) {
					t.Error("the needs note is stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    assistance.NeedsInput
				code  apperr.Code
			}{
				{"unknown need", f.worker.Actor, assistance.NeedsInput{Needs: map[string]string{"cooperation": "high"}}, apperr.Invalid},
				{"bad priority", f.worker.Actor, assistance.NeedsInput{Needs: map[string]string{"fear": "urgent"}}, apperr.Invalid},
				{"screener", f.screener.Actor, assistance.NeedsInput{Needs: map[string]string{"fear": "low"}}, apperr.Forbidden},
				{"other organisation", f.otherWorker.Actor, assistance.NeedsInput{Needs: map[string]string{"fear": "low"}}, apperr.NotFound},
			} {
				err := f.svc.SaveNeeds(ctx, tc.actor, c.ID, tc.in)
				wantCode(t, tc.name, err, tc.code, "")
			}
			if p, _ := f.svc.Plan(ctx, f.worker.Actor, c.ID); len(p.Needs) != 2 {
				t.Errorf("a refused change changed the needs: %+v", p.Needs)
			}

			// Activities: bad input changes nothing.
			today := time.Now().UTC()
			day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
			for _, tc := range []struct {
				name string
				in   assistance.ActivityInput
				key  string
			}{
				{"end before start", assistance.ActivityInput{Type: "safe_housing", ResponsibleOrg: f.ngo, PlannedStart: day(5), PlannedEnd: day(2)}, "error.plan.end_before_start"},
				{"unknown organisation", assistance.ActivityInput{Type: "safe_housing", ResponsibleOrg: "no-such-org"}, "error.plan.org_unknown"},
				{"unknown type", assistance.ActivityInput{Type: "police_statement", ResponsibleOrg: f.ngo}, "error.plan.activity_type"},
				{"done in the future", assistance.ActivityInput{Type: "safe_housing", ResponsibleOrg: f.ngo, Status: "done", DoneOn: day(3)}, "error.plan.date_future"},
			} {
				_, err := f.svc.AddActivity(ctx, f.worker.Actor, c.ID, tc.in)
				wantCode(t, tc.name, err, apperr.Invalid, "")
				if fe := apperr.As(err).Fields; len(fe) == 0 || fe[0].Key != tc.key {
					t.Errorf("%s: fields %+v, want %s", tc.name, fe, tc.key)
				}
			}
			if n := rowCount(t, f.env, "plan_activities", c.ID); n != 0 {
				t.Fatalf("refused activities were stored: %d", n)
			}
			a, err := f.svc.AddActivity(ctx, f.worker.Actor, c.ID, assistance.ActivityInput{Type: "safe_housing",
				ResponsibleOrg: f.shelterOrg, PlannedStart: day(0), PlannedEnd: day(10), Note: "Needs a ground-floor room"})
			if err != nil {
				t.Fatalf("add activity: %v", err)
			}
			if a.Step != "crisis_intervention" || a.Status != assistance.Planned || a.ResponsibleName != "Women's House" {
				t.Errorf("activity = %+v", a)
			}
			if deadlines(t, f.env, "plan_activity", a.ID) != 1 {
				t.Error("the planned end registered no deadline")
			}
			a, err = f.svc.UpdateActivity(ctx, f.worker.Actor, c.ID, a.ID, assistance.ActivityInput{Type: "safe_housing",
				ResponsibleOrg: f.shelterOrg, Status: assistance.Done, PlannedStart: day(0), PlannedEnd: day(10)})
			if err != nil {
				t.Fatalf("update activity: %v", err)
			}
			if a.DoneOn != day(0) || deadlines(t, f.env, "plan_activity", a.ID) != 0 {
				t.Errorf("done activity: done on %q, deadline left", a.DoneOn)
			}

			// A closed case takes no changes.
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c.ID, cases.Closed, cases.CloseReasons()[0]); err != nil {
				t.Fatalf("close: %v", err)
			}
			_, err = f.svc.AddActivity(ctx, f.worker.Actor, c.ID, assistance.ActivityInput{Type: "therapy", ResponsibleOrg: f.ngo})
			wantCode(t, "closed case", err, apperr.Conflict, "error.case_closed")
		})
	}
}

func TestProviders(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			p := f.provider(t, "Women's House shelter", f.shelterOrg, 4)
			if !p.Shelter() || p.Places.Free() != 4 || p.OrgName != "Women's House" || p.Languages[1] != "en" {
				t.Fatalf("provider = %+v", p)
			}
			_, err := f.svc.CreateProvider(ctx, f.coordinator.Actor, assistance.ProviderInput{Name: "Legal Aid Office",
				Types: []string{"legal_aid"}, Languages: []string{"de", "uk"}, Active: true})
			if err != nil {
				t.Fatalf("create legal aid: %v", err)
			}
			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    assistance.ProviderInput
				code  apperr.Code
			}{
				{"case worker", f.worker.Actor, assistance.ProviderInput{Name: "X", Types: []string{"medical"}}, apperr.Forbidden},
				{"no types", f.coordinator.Actor, assistance.ProviderInput{Name: "X"}, apperr.Invalid},
				{"bad language", f.coordinator.Actor, assistance.ProviderInput{Name: "X", Types: []string{"medical"}, Languages: []string{"Romanian"}}, apperr.Invalid},
				{"unknown organisation", f.coordinator.Actor, assistance.ProviderInput{Name: "X", Types: []string{"medical"}, OrgID: "nope"}, apperr.Invalid},
				{"same name", f.coordinator.Actor, assistance.ProviderInput{Name: "legal aid office", Types: []string{"legal_aid"}}, apperr.Invalid},
				{"over capacity", f.coordinator.Actor, assistance.ProviderInput{Name: "Y", Types: []string{"shelter"}, PlacesTotal: 2, PlacesExternal: 3}, apperr.Invalid},
			} {
				_, err := f.svc.CreateProvider(ctx, tc.actor, tc.in)
				wantCode(t, tc.name, err, tc.code, "")
			}
			if n := rowCount(t, f.env, "service_providers", ""); n != 2 {
				t.Fatalf("%d providers, want 2", n)
			}
			for _, tc := range []struct {
				filter assistance.ProviderFilter
				want   int
			}{
				{assistance.ProviderFilter{}, 2},
				{assistance.ProviderFilter{Type: "shelter"}, 1},
				{assistance.ProviderFilter{Language: "uk"}, 1},
				{assistance.ProviderFilter{Type: "legal_aid", Language: "ro"}, 0},
			} {
				list, err := f.svc.Providers(ctx, f.otherWorker.Actor, tc.filter)
				if err != nil || len(list) != tc.want {
					t.Errorf("filter %+v: %d providers (%v), want %d", tc.filter, len(list), err, tc.want)
				}
			}
			if _, err := f.svc.Providers(ctx, f.screener.Actor, assistance.ProviderFilter{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("screener lists providers: %v", err)
			}
			in := assistance.ProviderInput{Name: p.Name, Types: p.Types, Languages: p.Languages, OrgID: p.OrgID, Active: true,
				PlacesTotal: 4, PlacesExternal: 3, PlaceGender: "women", PlaceAge: "adults"}
			p, err = f.svc.UpdateProvider(ctx, f.coordinator.Actor, p.ID, in)
			if err != nil || p.Places.Occupied != 3 || p.Places.Free() != 1 {
				t.Fatalf("update places: %+v, %v", p.Places, err)
			}
			in.PlacesTotal = 2
			_, err = f.svc.UpdateProvider(ctx, f.coordinator.Actor, p.ID, in)
			wantCode(t, "total below occupied", err, apperr.Invalid, "")
		})
	}
}

// TestProviderAudiences: a provider serves victims, people at risk or
// both; the municipality's readers get the services per audience with
// shelters counted, never named.
func TestProviderAudiences(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			shelter := f.provider(t, "Women's House shelter", f.shelterOrg, 4)
			if !slices.Equal(shelter.Audiences, []string{"victims"}) {
				t.Fatalf("a provider without audiences serves %v, want victims", shelter.Audiences)
			}
			dropIn, err := f.svc.CreateProvider(ctx, f.coordinator.Actor, assistance.ProviderInput{Name: "Workers' Drop-in",
				Types: []string{"employment"}, Languages: []string{"ro"}, Audiences: []string{"at_risk", "victims"}, Active: true})
			if err != nil {
				t.Fatalf("create drop-in: %v", err)
			}
			before := rowCount(t, f.env, "service_providers", "")
			_, err = f.svc.CreateProvider(ctx, f.coordinator.Actor, assistance.ProviderInput{Name: "X", Types: []string{"medical"}, Audiences: []string{"tourists"}})
			wantField(t, "unknown audience", err, "error.provider.audiences")
			in := assistance.ProviderInput{Name: dropIn.Name, Types: dropIn.Types, Languages: dropIn.Languages, Audiences: []string{"everyone"}, Active: true}
			_, err = f.svc.UpdateProvider(ctx, f.coordinator.Actor, dropIn.ID, in)
			wantField(t, "unknown audience on update", err, "error.provider.audiences")
			if after := rowCount(t, f.env, "service_providers", ""); after != before {
				t.Fatalf("refused audiences changed the directory: %d providers, was %d", after, before)
			}
			if p, _ := f.svc.Provider(ctx, f.worker.Actor, dropIn.ID); !slices.Equal(p.Audiences, []string{"at_risk", "victims"}) {
				t.Fatalf("a refused update changed the audiences to %v", p.Audiences)
			}
			list, err := f.svc.Providers(ctx, f.worker.Actor, assistance.ProviderFilter{Audience: "at_risk"})
			if err != nil || len(list) != 1 || list[0].ID != dropIn.ID {
				t.Errorf("providers for people at risk: %v (%v), want the drop-in", list, err)
			}
			_, err = f.svc.Providers(ctx, f.worker.Actor, assistance.ProviderFilter{Audience: "x"})
			wantField(t, "unknown audience filter", err, "error.provider.audiences")

			analyst := f.env.User("analyst", access.Analyst, f.ngo)
			services, err := f.svc.Services(ctx, analyst.Actor)
			if err != nil || len(services) != 2 {
				t.Fatalf("services: %+v, %v", services, err)
			}
			victims, atRisk := services[0], services[1]
			if victims.Audience != "victims" || victims.Shelters != 1 || victims.ShelterPlaces != 4 || len(victims.Providers) != 1 || victims.Providers[0].Name != "Workers' Drop-in" {
				t.Errorf("services for victims: %+v", victims)
			}
			if atRisk.Audience != "at_risk" || atRisk.Shelters != 0 || len(atRisk.Providers) != 1 {
				t.Errorf("services for people at risk: %+v", atRisk)
			}
			if _, err := f.svc.Services(ctx, f.screener.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a screener reads the municipality's services overview: %v", err)
			}
		})
	}
}

func TestReferrals(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			shelter := f.provider(t, "Women's House shelter", f.shelterOrg, 1)
			phoneOnly, err := f.svc.CreateProvider(ctx, f.coordinator.Actor, assistance.ProviderInput{Name: "Dr. Clinic",
				Types: []string{"medical"}, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			c := f.openCase(t, false)
			in := assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"shelter"}, Placement: true}

			// Without consent, nothing is referred.
			_, err = f.svc.Refer(ctx, f.worker.Actor, c.ID, in)
			wantCode(t, "no consent", err, apperr.Conflict, "error.case_no_consent_provider")
			// A consent for another organisation does not cover this one.
			f.consent(t, c, f.other)
			_, err = f.svc.Refer(ctx, f.worker.Actor, c.ID, in)
			wantCode(t, "consent for another org", err, apperr.Conflict, "error.case_no_consent_provider")
			if n := rowCount(t, f.env, "service_referrals", c.ID); n != 0 {
				t.Fatalf("refused referrals were stored: %d", n)
			}
			f.consent(t, c, f.shelterOrg)
			for _, tc := range []struct {
				name  string
				actor access.Actor
				in    assistance.ReferralInput
				code  apperr.Code
			}{
				{"unknown provider", f.worker.Actor, assistance.ReferralInput{ProviderID: "nope", Services: []string{"shelter"}}, apperr.Invalid},
				{"service not offered", f.worker.Actor, assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"legal_aid"}}, apperr.Invalid},
				{"placement at a clinic", f.worker.Actor, assistance.ReferralInput{ProviderID: phoneOnly.ID, Services: []string{"medical"}, Placement: true}, apperr.Invalid},
				{"other organisation", f.otherWorker.Actor, in, apperr.NotFound},
				{"screener", f.screener.Actor, in, apperr.Forbidden},
			} {
				_, err := f.svc.Refer(ctx, tc.actor, c.ID, tc.in)
				wantCode(t, tc.name, err, tc.code, "")
			}
			r, err := f.svc.Refer(ctx, f.worker.Actor, c.ID, in)
			if err != nil {
				t.Fatalf("refer: %v", err)
			}
			if r.Status != assistance.Pending || r.ProviderOrg != f.shelterOrg || deadlines(t, f.env, "provider_referral", r.ID) != 1 {
				t.Fatalf("referral = %+v", r)
			}
			// The shelter answers itself; the referring worker may not.
			_, err = f.svc.AnswerReferral(ctx, f.worker.Actor, c.ID, r.ID, assistance.Answer{Accept: true})
			wantCode(t, "referring org answers", err, apperr.Forbidden, "error.service_referral.provider_answers")
			_, err = f.svc.AnswerReferral(ctx, f.otherWorker.Actor, c.ID, r.ID, assistance.Answer{Accept: true})
			wantCode(t, "unrelated org answers", err, apperr.NotFound, "")
			_, err = f.svc.AnswerReferral(ctx, f.shelterWorker.Actor, c.ID, r.ID, assistance.Answer{})
			wantCode(t, "decline without reason", err, apperr.Invalid, "")
			incoming, err := f.svc.IncomingReferrals(ctx, f.shelterWorker.Actor, "")
			if err != nil || len(incoming) != 1 || incoming[0].CaseCode != c.Code {
				t.Fatalf("incoming = %+v, %v", incoming, err)
			}
			r, err = f.svc.AnswerReferral(ctx, f.shelterWorker.Actor, c.ID, r.ID, assistance.Answer{Accept: true})
			if err != nil || r.Status != assistance.Accepted || !r.Occupying || r.AnsweredVia != "provider" {
				t.Fatalf("accept: %+v, %v", r, err)
			}
			if deadlines(t, f.env, "provider_referral", r.ID) != 0 {
				t.Error("the answer left the deadline")
			}
			if p, _ := f.svc.Provider(ctx, f.worker.Actor, shelter.ID); p.Places.Free() != 0 {
				t.Errorf("free places after placement = %d", p.Places.Free())
			}
			// The shelter is full now: a second placement is refused.
			c2 := f.openCase(t, false)
			f.consent(t, c2, f.shelterOrg)
			_, err = f.svc.Refer(ctx, f.worker.Actor, c2.ID, in)
			wantCode(t, "full shelter", err, apperr.Conflict, "error.shelter.full")
			// A child is not placed in a shelter for adults.
			child := f.openCase(t, true)
			f.consent(t, child, f.shelterOrg)
			_, err = f.svc.Refer(ctx, f.worker.Actor, child.ID, in)
			wantCode(t, "child in adult shelter", err, apperr.Invalid, "")

			// Ending the placement frees the place.
			r, err = f.svc.EndReferral(ctx, f.shelterWorker.Actor, c.ID, r.ID, "moved_on")
			if err != nil || r.Status != assistance.Ended || r.Occupying {
				t.Fatalf("end: %+v, %v", r, err)
			}
			if p, _ := f.svc.Provider(ctx, f.worker.Actor, shelter.ID); p.Places.Free() != 1 {
				t.Errorf("free places after the end = %d", p.Places.Free())
			}

			// A provider without Waymark is covered only by a consent that
			// names it: the shelter's does not.
			_, err = f.svc.Refer(ctx, f.worker.Actor, c2.ID, assistance.ReferralInput{ProviderID: phoneOnly.ID, Services: []string{"medical"}})
			wantCode(t, "consent that does not name the clinic", err, apperr.Conflict, "error.case_no_consent_provider")
			if _, err := f.env.App.Cases.RecordConsent(ctx, f.worker.Actor, c2.ID, cases.ConsentInput{Purposes: []string{cases.PurposeReferral},
				Providers: []string{"no-such-provider"}, Categories: []string{string(cases.Assistance)}, Language: "ro", Method: "written",
				GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)}); !hasFieldKey(err, "providers", "error.consent_provider_unknown") {
				t.Errorf("consent naming an unknown provider: %v", err)
			}
			f.consentTo(t, c2, nil, []string{phoneOnly.ID})
			// The worker records the clinic's answer.
			r2, err := f.svc.Refer(ctx, f.worker.Actor, c2.ID, assistance.ReferralInput{ProviderID: phoneOnly.ID, Services: []string{"medical"}})
			if err != nil {
				t.Fatalf("refer to clinic: %v", err)
			}
			r2, err = f.svc.AnswerReferral(ctx, f.worker.Actor, c2.ID, r2.ID, assistance.Answer{Reason: "no_capacity"})
			if err != nil || r2.Status != assistance.Declined || r2.Reason != "no_capacity" || r2.AnsweredVia != "phone" {
				t.Fatalf("decline by phone: %+v, %v", r2, err)
			}
			_, err = f.svc.AnswerReferral(ctx, f.worker.Actor, c2.ID, r2.ID, assistance.Answer{Accept: true})
			wantCode(t, "answer twice", err, apperr.Conflict, "")

			// Closing a case ends its placement.
			r3, err := f.svc.Refer(ctx, f.worker.Actor, c2.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AnswerReferral(ctx, f.shelterWorker.Actor, c2.ID, r3.ID, assistance.Answer{Accept: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.env.App.Cases.MoveStage(ctx, f.worker.Actor, c2.ID, cases.Closed, cases.CloseReasons()[0]); err != nil {
				t.Fatalf("close: %v", err)
			}
			if p, _ := f.svc.Provider(ctx, f.worker.Actor, shelter.ID); p.Places.Free() != 1 {
				t.Errorf("free places after closing the case = %d", p.Places.Free())
			}
			_, err = f.svc.Refer(ctx, f.worker.Actor, c2.ID, in)
			wantCode(t, "closed case", err, apperr.Conflict, "error.case_closed")
		})
	}
}

// TestLastPlaceOnce accepts two placements for the last shelter place at
// the same moment: exactly one wins, and the shelter is never over capacity.
func TestLastPlaceOnce(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			shelter := f.provider(t, "Last Bed", "", 1)
			var refs [2]assistance.Referral
			var ids [2]string
			for i := range refs {
				c := f.openCase(t, false)
				f.consentTo(t, c, nil, []string{shelter.ID})
				r, err := f.svc.Refer(ctx, f.worker.Actor, c.ID, assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"shelter"}, Placement: true})
				if err != nil {
					t.Fatalf("refer %d: %v", i, err)
				}
				refs[i], ids[i] = r, c.ID
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range refs {
				wg.Go(func() {
					_, errs[i] = f.svc.AnswerReferral(ctx, f.worker.Actor, ids[i], refs[i].ID, assistance.Answer{Accept: true})
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case apperr.Is(err, apperr.Conflict) && apperr.As(err).Key == "error.shelter.full":
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if won != 1 {
				t.Fatalf("%d placements won the last place, want 1 (%v)", won, errs)
			}
			p, err := f.svc.Provider(ctx, f.worker.Actor, shelter.ID)
			if err != nil || p.Places.Occupied != 1 {
				t.Fatalf("occupied = %d, %v", p.Places.Occupied, err)
			}
		})
	}
}

// TestConsentWithdrawal withdraws the consent a referral rests on: the
// referral still waiting for an answer is withdrawn and its deadline
// cleared; an accepted one goes on.
func TestConsentWithdrawal(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			shelter := f.provider(t, "Women's House shelter", f.shelterOrg, 2)
			c := f.openCase(t, false)
			k := f.consent(t, c, f.shelterOrg)
			accepted, err := f.svc.Refer(ctx, f.worker.Actor, c.ID, assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"shelter"}, Placement: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AnswerReferral(ctx, f.shelterWorker.Actor, c.ID, accepted.ID, assistance.Answer{Accept: true}); err != nil {
				t.Fatal(err)
			}
			pending, err := f.svc.Refer(ctx, f.worker.Actor, c.ID, assistance.ReferralInput{ProviderID: shelter.ID, Services: []string{"psychological"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.env.App.Cases.WithdrawConsent(ctx, f.worker.Actor, c.ID, k.ID, time.Now().UTC().Format(time.DateOnly)); err != nil {
				t.Fatal(err)
			}
			plan, err := f.svc.Plan(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			for _, r := range plan.Referrals {
				status[r.ID] = r.Status
			}
			if status[pending.ID] != assistance.Withdrawn || status[accepted.ID] != assistance.Accepted {
				t.Errorf("after withdrawal: %v", status)
			}
			if n := deadlines(t, f.env, "provider_referral", pending.ID); n != 0 {
				t.Errorf("the withdrawn referral kept its deadline")
			}
		})
	}
}

// hasFieldKey reports whether err is a validation error naming field with key.
func hasFieldKey(err error, field, key string) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return false
	}
	for _, f := range ae.Fields {
		if f.Field == field && f.Key == key {
			return true
		}
	}
	return false
}
