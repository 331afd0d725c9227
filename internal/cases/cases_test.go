package cases_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env         *apptest.Env
	svc         *cases.Service
	ngo, police string
	worker      apptest.User // case worker of the NGO
	colleague   apptest.User // second case worker of the NGO, not on the team
	coordinator apptest.User // coordinator of the NGO
	officer     apptest.User // police contact
	otherWorker apptest.User // case worker of another NGO
	screener    apptest.User
	otherNGO    string
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: env.App.Cases}
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	f.police = env.Org("Police Contact Point", accounts.Police)
	f.otherNGO = env.Org("Other NGO", accounts.NGO)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.colleague = env.User("colleague", access.CaseWorker, f.ngo)
	f.coordinator = env.User("coord", access.Coordinator, f.ngo)
	f.officer = env.User("officer", access.PoliceContact, f.police)
	f.otherWorker = env.User("other", access.CaseWorker, f.otherNGO)
	f.screener = env.User("screener", access.Screener, f.ngo)
	return f
}

func adult() cases.PersonInput {
	return cases.PersonInput{
		Person: cases.Person{GivenNames: "Marija", FamilyName: "Kovačević", BirthDate: "1990-04-12", Contact: "+40 712 345 678 (only after 6 pm)"},
		Gender: "feminine", Citizenships: []string{"ro", "MD"}, Languages: []string{"RO"}, ContactMethod: "phone",
		Exploitation: []string{"labour"},
	}
}

func (f *fixture) open(t *testing.T, in cases.PersonInput) cases.Case {
	t.Helper()
	c, err := f.svc.Open(context.Background(), f.worker.Actor, cases.NewCase{Person: in})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

func TestOpenListSearch(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t, adult())
			if c.AgeBand != "35-49" && c.AgeBand != "25-34" || c.Child || c.AgeEstimated || c.WorkerID != f.worker.ID {
				t.Errorf("demographics: %+v", c.Demographics)
			}
			if c.Citizenships[0] != "RO" || c.Languages[0] != "ro" || c.Stage != cases.FirstContact {
				t.Errorf("codes not normalised: %+v %s", c.Demographics, c.Stage)
			}
			for _, q := range []string{"kovacevic", "MARIJA", "Marija Kovačević", c.Code, "  " + c.Code[:2] + c.Code[2:] + " "} {
				page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Query: q})
				if err != nil || len(page.Cases) != 1 || page.Cases[0].ID != c.ID {
					t.Errorf("search %q: %v %d", q, err, len(page.Cases))
				}
			}
			for _, q := range []string{"Petrov", "marija petrov"} {
				page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Query: q})
				if err != nil || len(page.Cases) != 0 {
					t.Errorf("search %q found %d: %v", q, len(page.Cases), err)
				}
			}
			// Another organisation does not see the case at all.
			page, err := f.svc.List(ctx, f.otherWorker.Actor, cases.Filter{Query: "kovacevic"})
			if err != nil || len(page.Cases) != 0 {
				t.Errorf("other org found %d: %v", len(page.Cases), err)
			}
			if _, err := f.svc.Get(ctx, f.otherWorker.Actor, c.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("other org get: %v", err)
			}
			if _, err := f.svc.List(ctx, f.screener.Actor, cases.Filter{}); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("screener list: %v", err)
			}
			// Filters and paging.
			for range 4 {
				in := adult()
				in.Exploitation = []string{"sexual"}
				f.open(t, in)
			}
			page, err = f.svc.List(ctx, f.worker.Actor, cases.Filter{Exploitation: "sexual", Limit: 3})
			if err != nil || len(page.Cases) != 3 || page.Next == "" {
				t.Fatalf("page 1: %v %d %q", err, len(page.Cases), page.Next)
			}
			page2, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Exploitation: "sexual", Limit: 3, Cursor: page.Next})
			if err != nil || len(page2.Cases) != 1 || page2.Next != "" {
				t.Fatalf("page 2: %v %d %q", err, len(page2.Cases), page2.Next)
			}
			for _, bad := range []cases.Filter{{Stage: "nope"}, {Risk: "extreme"}, {Deadline: "someday"}, {Cursor: "x"}, {Exploitation: "x"}} {
				if _, err := f.svc.List(ctx, f.worker.Actor, bad); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("filter %+v: %v", bad, err)
				}
			}
		})
	}
}

func TestIdentityIsEncrypted(t *testing.T) {
	cfg := apptest.Config(t, storage.SQLite)
	env := apptest.StartWith(t, cfg)
	ngo := env.Org("NGO", accounts.NGO)
	w := env.User("worker", access.CaseWorker, ngo)
	if _, err := env.App.Cases.Open(context.Background(), w.Actor, cases.NewCase{Person: adult()}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.Exec(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"waymark.db", "waymark.db-wal"} {
		data, _ := os.ReadFile(filepath.Join(cfg.DataDir, name))
		for _, secret := range []string{"Kovačević", "Marija", "712 345 678", "1990-04-12"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q in the clear", name, secret)
			}
		}
	}
}

func TestDemographicsRules(t *testing.T) {
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		edit   func(*cases.PersonInput)
		field  string
		child  bool
		band   string
		turn18 string
	}{
		{name: "adult", edit: func(*cases.PersonInput) {}, band: "35-49"},
		{name: "child with birth date", edit: func(in *cases.PersonInput) { in.BirthDate = "2010-12-05" }, child: true, band: "12-17", turn18: "2028-12-01"},
		{name: "turns 18 tomorrow", edit: func(in *cases.PersonInput) { in.BirthDate = "2008-11-23" }, child: true, band: "12-17", turn18: "2026-11-01"},
		{name: "turned 18 today", edit: func(in *cases.PersonInput) { in.BirthDate = "2008-11-22" }, band: "18-24"},
		{name: "presumed child", edit: func(in *cases.PersonInput) { in.BirthDate = ""; in.AgeBand = "18-24"; in.PresumedChild = true }, child: true, band: "18-24"},
		{name: "estimated adult", edit: func(in *cases.PersonInput) { in.BirthDate = ""; in.AgeBand = "25-34" }, band: "25-34"},
		{name: "birth in the future", edit: func(in *cases.PersonInput) { in.BirthDate = "2027-01-01" }, field: "birth_date"},
		{name: "not a date", edit: func(in *cases.PersonInput) { in.BirthDate = "12.04.1990" }, field: "birth_date"},
		{name: "no age at all", edit: func(in *cases.PersonInput) { in.BirthDate = "" }, field: "age_band"},
		{name: "bad gender", edit: func(in *cases.PersonInput) { in.Gender = "x" }, field: "gender"},
		{name: "bad country", edit: func(in *cases.PersonInput) { in.Citizenships = []string{"Romania"} }, field: "citizenships"},
		{name: "bad language", edit: func(in *cases.PersonInput) { in.Languages = []string{"Romanian"} }, field: "languages"},
		{name: "bad contact method", edit: func(in *cases.PersonInput) { in.ContactMethod = "pigeon" }, field: "contact_method"},
		{name: "bad exploitation", edit: func(in *cases.PersonInput) { in.Exploitation = []string{"fun"} }, field: "exploitation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := adult()
			tt.edit(&in)
			in.Normalise()
			d, err := in.Demographics(today)
			if tt.field != "" {
				e := apperr.As(err)
				if e.Code != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
					t.Fatalf("want invalid %s, got %v", tt.field, err)
				}
				return
			}
			if err != nil || d.Child != tt.child || d.AgeBand != tt.band || d.MajorityMonth != tt.turn18 {
				t.Errorf("got %+v, %v", d, err)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			first, err := f.svc.Open(ctx, f.worker.Actor, cases.NewCase{Person: adult(), NewGroup: true})
			if err != nil || first.GroupCode == "" {
				t.Fatalf("open with a new group: %+v %v", first, err)
			}
			if _, err := f.svc.Open(ctx, f.worker.Actor, cases.NewCase{Person: cases.UnknownPerson(false, nil), GroupID: first.GroupID}); err != nil {
				t.Fatal(err)
			}
			f.open(t, adult())
			page, err := f.svc.List(ctx, f.worker.Actor, cases.Filter{Query: strings.ToLower(first.GroupCode)})
			if err != nil || len(page.Cases) != 2 {
				t.Errorf("the group's cases: %d %v", len(page.Cases), err)
			}
			// Another organisation cannot join a group that is not its own.
			_, err = f.svc.Open(ctx, f.otherWorker.Actor, cases.NewCase{Person: adult(), GroupID: first.GroupID})
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("joining another organisation's group: %v", err)
			}
		})
	}
}
