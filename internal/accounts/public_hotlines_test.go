package accounts_test

import (
	"context"
	"strings"
	"testing"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/audit"
)

// TestPublicHotlines: the public help page lists the active help lines
// that have a number, without an actor, and reading them changes nothing.
func TestPublicHotlines(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		ctx := context.Background()
		list := func() string {
			t.Helper()
			cs, err := f.svc.PublicHotlines(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, c.Name+" "+c.Phone+" "+c.Hours)
			}
			return strings.Join(out, "|")
		}
		if got := list(); got != "" {
			t.Errorf("an empty directory lists %q", got)
		}
		add := func(name string, kind accounts.OrgKind, phone, hours string) string {
			t.Helper()
			o, err := f.svc.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{Name: name, Kind: kind,
				Reach: accounts.Reach{Phone: phone, Hours: hours}})
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		add("Police Contact Point", accounts.Police, "+00 30 110", "24/7")
		add("Unlisted Helpline", accounts.Hotline, "", "")
		add("zebra line", accounts.Hotline, "0800 222", "Mon–Fri 8–20")
		add("Helpline", accounts.Hotline, "+00 800 1000", "24/7")
		closed := add("Old Helpline", accounts.Hotline, "+00 800 9999", "24/7")
		if err := f.svc.SetOrganisationDisabled(ctx, accounts.System, closed, true); err != nil {
			t.Fatal(err)
		}
		before := len(f.auditEntries(t, audit.Filter{}))
		if got, want := list(), "Helpline +00 800 1000 24/7|zebra line 0800 222 Mon–Fri 8–20"; got != want {
			t.Errorf("public hotlines:\n got  %s\n want %s", got, want)
		}
		if after := len(f.auditEntries(t, audit.Filter{})); after != before {
			t.Errorf("reading the public hotlines wrote %d audit entries", after-before)
		}
	})
}
