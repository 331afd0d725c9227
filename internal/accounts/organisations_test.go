package accounts_test

import (
	"context"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// org is a valid organisation with the reach given.
func org(r accounts.Reach) accounts.NewOrganisation {
	return accounts.NewOrganisation{Name: "Safe Harbour", Kind: accounts.NGO, Reach: r}
}

func TestOrganisationValidate(t *testing.T) {
	tests := []struct {
		name  string
		in    accounts.NewOrganisation
		field string
		key   string // empty: valid
	}{
		{"valid", accounts.NewOrganisation{Name: "Safe Harbour", Kind: accounts.NGO}, "", ""},
		{"trimmed", accounts.NewOrganisation{Name: "  Safe Harbour  ", Kind: accounts.NGO}, "", ""},
		{"200 characters", accounts.NewOrganisation{Name: strings.Repeat("ä", 200), Kind: accounts.NGO}, "", ""},
		{"empty", accounts.NewOrganisation{Name: "", Kind: accounts.NGO}, "name", "org.name_required"},
		{"blank", accounts.NewOrganisation{Name: " \t ", Kind: accounts.NGO}, "name", "org.name_required"},
		{"too long", accounts.NewOrganisation{Name: strings.Repeat("ä", 201), Kind: accounts.NGO}, "name", "org.name_too_long"},
		{"invalid utf-8", accounts.NewOrganisation{Name: "Safe \xff Harbour", Kind: accounts.NGO}, "name", "error.bad_encoding"},
		{"bad kind", accounts.NewOrganisation{Name: "Safe Harbour", Kind: "gang"}, "kind", "org.kind_invalid"},
		{"no kind", accounts.NewOrganisation{Name: "Safe Harbour"}, "kind", "org.kind_invalid"},
		{"phone and hours", org(accounts.Reach{Phone: " +00 30 1234-5678 ", Hours: " 24/7 "}), "", ""},
		{"phone in brackets", org(accounts.Reach{Phone: "(000) 123/45.67", Hours: "Mon–Fri 8–16"}), "", ""},
		{"short emergency number", org(accounts.Reach{Phone: "112"}), "", ""},
		{"phone with letters", org(accounts.Reach{Phone: "call 0800 123"}), "phone", "org.phone_invalid"},
		{"plus inside", org(accounts.Reach{Phone: "0800+123"}), "phone", "org.phone_invalid"},
		{"too few digits", org(accounts.Reach{Phone: "+1 2"}), "phone", "org.phone_invalid"},
		{"phone too long", org(accounts.Reach{Phone: strings.Repeat("1", accounts.MaxPhone+1)}), "phone", "org.phone_too_long"},
		{"phone invalid utf-8", org(accounts.Reach{Phone: "0800 \xff"}), "phone", "error.bad_encoding"},
		{"hours too long", org(accounts.Reach{Hours: strings.Repeat("ä", accounts.MaxHours+1)}), "hours", "org.hours_too_long"},
		{"hours on two lines", org(accounts.Reach{Hours: "Mon–Fri 8–16\nSat 9–12"}), "hours", "org.hours_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				if tt.in.Name != strings.TrimSpace(tt.in.Name) || tt.in.Phone != strings.TrimSpace(tt.in.Phone) || tt.in.Hours != strings.TrimSpace(tt.in.Hours) {
					t.Errorf("%+v not trimmed", tt.in)
				}
				return
			}
			if got := fieldKey(t, err, tt.field); got != tt.key {
				t.Errorf("field %s key = %q, want %q", tt.field, got, tt.key)
			}
		})
	}
}

func TestOrganisations(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		org, err := f.svc.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: " Safe Harbour ", Kind: accounts.NGO})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if org.Name != "Safe Harbour" || org.Kind != accounts.NGO || org.ID == "" {
			t.Fatalf("created %+v", org)
		}
		t.Run("invalid input is refused", func(t *testing.T) {
			_, err := f.svc.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: "", Kind: "gang"})
			if got := fieldKey(t, err, "name"); got != "org.name_required" {
				t.Errorf("name key = %q", got)
			}
			if got := fieldKey(t, err, "kind"); got != "org.kind_invalid" {
				t.Errorf("kind key = %q", got)
			}
		})
		t.Run("duplicate name, any case", func(t *testing.T) {
			for _, name := range []string{"Safe Harbour", "SAFE HARBOUR", "  safe harbour"} {
				_, err := f.svc.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: name, Kind: accounts.Shelter})
				if got := fieldKey(t, err, "name"); got != "org.name_taken" {
					t.Errorf("%q: name key = %q, want org.name_taken", name, got)
				}
			}
		})

		other := f.env.Org("Riverton Social Services", accounts.SocialServices)
		admin := f.env.User("admin1", access.Administrator, other)
		worker := f.env.User("worker1", access.CaseWorker, org.ID)
		f.env.User("worker2", access.CaseWorker, org.ID)
		gone := f.env.User("worker3", access.CaseWorker, org.ID)
		if err := f.svc.SetDisabled(ctx, admin.Actor, gone.ID, true); err != nil {
			t.Fatalf("disable: %v", err)
		}

		t.Run("only managers create organisations", func(t *testing.T) {
			_, err := f.svc.CreateOrganisation(ctx, worker.Actor, accounts.NewOrganisation{Name: "Rogue", Kind: accounts.NGO})
			wantCode(t, err, apperr.Forbidden, "")
			if !hasAudit(f.auditEntries(t, audit.Filter{ActorUserID: worker.ID}), string(access.ManageOrganisation), audit.Denied) {
				t.Error("refusal not audited")
			}
			if _, err := f.svc.CreateOrganisation(ctx, admin.Actor, accounts.NewOrganisation{Name: "Helpline", Kind: accounts.Hotline}); err != nil {
				t.Errorf("administrator: %v", err)
			}
		})

		t.Run("list", func(t *testing.T) {
			// Every role sees the whole partnership's organisations (they are
			// public), with the number of active accounts of each.
			for _, actor := range []access.Actor{admin.Actor, worker.Actor, accounts.System} {
				orgs, err := f.svc.ListOrganisations(ctx, actor)
				if err != nil {
					t.Fatalf("list as %s: %v", actor.Role, err)
				}
				var names []string
				users := map[string]int{}
				for _, o := range orgs {
					names = append(names, o.Name)
					users[o.ID] = o.Users
				}
				if got, want := strings.Join(names, "|"), "Helpline|Riverton Social Services|Safe Harbour"; got != want {
					t.Errorf("list as %s = %s, want %s", actor.Role, got, want)
				}
				if users[org.ID] != 2 || users[other] != 1 {
					t.Errorf("user counts = %v, want 2 in %s (one disabled) and 1 in %s", users, org.ID, other)
				}
			}
		})

		t.Run("get", func(t *testing.T) {
			got, err := f.svc.GetOrganisation(ctx, worker.Actor, other)
			if err != nil || got.ID != other || got.Users != 1 {
				t.Errorf("get = %+v, %v", got, err)
			}
			_, err = f.svc.GetOrganisation(ctx, worker.Actor, accounts.NewID())
			wantCode(t, err, apperr.NotFound, "")
		})

		t.Run("a disabled organisation takes no new users", func(t *testing.T) {
			err := f.env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE organisations SET disabled_at = $1 WHERE id = $2`, storage.Now(), other)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: other, Username: "late", Role: access.CaseWorker,
				Password: password, Profile: accounts.Profile{DisplayName: "Late Comer"}})
			if got := fieldKey(t, err, "org"); got != "user.org_required" {
				t.Errorf("org key = %q", got)
			}
		})
	})
}

// Disabling an organisation signs its users out and keeps them out until it
// is enabled again; nobody disables their own organisation.
func TestSetOrganisationDisabled(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		home := f.env.Org("Riverton Human Rights Office", accounts.Municipality)
		partner := f.env.Org("Safe Harbour", accounts.NGO)
		coord := f.env.User("coord", access.Coordinator, home)
		f.createUser(t, partner, "kim", access.Analyst)
		res, err := f.svc.SignIn(ctx, "kim", password, "client")
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}

		wantCode(t, f.svc.SetOrganisationDisabled(ctx, coord.Actor, home, true), apperr.Invalid, "org.cannot_disable_own")
		worker := f.env.User("worker", access.CaseWorker, partner)
		wantCode(t, f.svc.SetOrganisationDisabled(ctx, worker.Actor, home, true), apperr.Forbidden, "")
		wantCode(t, f.svc.SetOrganisationDisabled(ctx, coord.Actor, "no-such-org", true), apperr.NotFound, "")

		if err := f.svc.SetOrganisationDisabled(ctx, coord.Actor, partner, true); err != nil {
			t.Fatalf("disable: %v", err)
		}
		_, err = f.svc.Resolve(ctx, res.Token)
		wantCode(t, err, apperr.Unauthorized, "")
		_, err = f.svc.SignIn(ctx, "kim", password, "client")
		wantCode(t, err, apperr.Unauthorized, "login.failed")

		if err := f.svc.SetOrganisationDisabled(ctx, coord.Actor, partner, false); err != nil {
			t.Fatalf("enable: %v", err)
		}
		if _, err := f.svc.SignIn(ctx, "kim", password, "client"); err != nil {
			t.Errorf("sign in after enabling: %v", err)
		}
		for _, action := range []string{"organisation.disable", "organisation.enable"} {
			if got := f.auditEntries(t, audit.Filter{Action: action, Outcome: audit.Done, SubjectID: partner}); len(got) != 1 {
				t.Errorf("%s audit entries = %d, want 1", action, len(got))
			}
		}
	})
}

func TestReachDial(t *testing.T) {
	for phone, want := range map[string]string{"+00 30 1234-5678": "+003012345678", "(000) 123/45.67": "0001234567", "112": "112", "": ""} {
		if got := (accounts.Reach{Phone: phone}).Dial(); got != want {
			t.Errorf("Dial(%q) = %q, want %q", phone, got, want)
		}
	}
}

// A coordinator records a partner's phone and hours; bad input stores
// nothing; other roles may not.
func TestSetReach(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		home := f.env.Org("Riverton Human Rights Office", accounts.Municipality)
		police := f.env.Org("Riverton Police", accounts.Police)
		coord := f.env.User("coord", access.Coordinator, home)
		worker := f.env.User("worker", access.CaseWorker, home)

		got, err := f.svc.SetReach(ctx, coord.Actor, police, accounts.Reach{Phone: " +00 30 5550 110 ", Hours: "24/7"})
		if err != nil || got.Phone != "+00 30 5550 110" || got.Hours != "24/7" {
			t.Fatalf("set reach = %+v, %v", got, err)
		}
		_, err = f.svc.SetReach(ctx, coord.Actor, police, accounts.Reach{Phone: "ask at the desk", Hours: "always"})
		if key := fieldKey(t, err, "phone"); key != "org.phone_invalid" {
			t.Errorf("phone key = %q", key)
		}
		_, err = f.svc.SetReach(ctx, worker.Actor, police, accounts.Reach{Phone: "110"})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = f.svc.SetReach(ctx, coord.Actor, "no-such-org", accounts.Reach{Phone: "110"})
		wantCode(t, err, apperr.NotFound, "")
		if o, _ := f.svc.GetOrganisation(ctx, worker.Actor, police); o.Phone != "+00 30 5550 110" || o.Hours != "24/7" {
			t.Errorf("after refused changes: %+v", o.Reach)
		}
		if got := f.auditEntries(t, audit.Filter{Action: "organisation.reach", Outcome: audit.Done, SubjectID: police}); len(got) != 1 {
			t.Errorf("%d reach changes audited, want 1", len(got))
		}
		created, err := f.svc.CreateOrganisation(ctx, coord.Actor, accounts.NewOrganisation{Name: "Helpline", Kind: accounts.Hotline,
			Reach: accounts.Reach{Phone: "+00 800 1000", Hours: "Mon–Fri 8–16"}})
		if err != nil {
			t.Fatal(err)
		}
		if o, _ := f.svc.GetOrganisation(ctx, worker.Actor, created.ID); o.Phone != "+00 800 1000" || o.Hours != "Mon–Fri 8–16" {
			t.Errorf("created with reach %+v", o.Reach)
		}
	})
}

// CallNow names the police and the help lines for immediate danger, and
// child protection first for a child, with phone and hours; social
// services stand in for a missing child-protection service; disabled
// partners and other kinds are left out.
func TestCallNow(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		add := func(name string, kind accounts.OrgKind, phone, hours string) string {
			t.Helper()
			o, err := f.svc.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: name, Kind: kind,
				Reach: accounts.Reach{Phone: phone, Hours: hours}})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		add("Safe Harbour", accounts.NGO, "+00 30 1111", "Mon–Fri 9–17")
		add("Social Services", accounts.SocialServices, "+00 30 2222", "Mon–Fri 8–16")
		add("Police Contact Point", accounts.Police, "+00 30 110", "24/7")
		add("Another Helpline", accounts.Hotline, "", "")
		add("Helpline", accounts.Hotline, "+00 800 1000", "24/7")
		closed := add("Old Helpline", accounts.Hotline, "+00 800 9999", "24/7")
		if err := f.svc.SetOrganisationDisabled(ctx, accounts.System, closed, true); err != nil {
			t.Fatal(err)
		}
		screener := f.env.User("screener", access.Screener, f.env.Org("Labour Inspectorate", accounts.LabourInspectorate))
		names := func(child bool) string {
			t.Helper()
			cs, err := f.svc.CallNow(ctx, screener.Actor, child)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+" "+string(c.Kind)+" "+c.Phone+" "+c.Hours)
			}
			return strings.Join(out, "|")
		}
		danger := "Police Contact Point police +00 30 110 24/7|Helpline hotline +00 800 1000 24/7|Another Helpline hotline  "
		if got := names(false); got != danger {
			t.Errorf("immediate danger:\n got  %s\n want %s", got, danger)
		}
		if got, want := names(true), "Social Services social_services +00 30 2222 Mon–Fri 8–16|"+danger; got != want {
			t.Errorf("child without a child-protection service:\n got  %s\n want %s", got, want)
		}
		add("Child Emergency Service", accounts.ChildProtection, "+00 30 3333", "24/7")
		if got, want := names(true), "Child Emergency Service child_protection +00 30 3333 24/7|"+danger; got != want {
			t.Errorf("child:\n got  %s\n want %s", got, want)
		}
	})
}
