package api_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// fixture is a running Waymark with two organisations: A, which has one
// user of every role plus the user every {id} names, and B, whose case
// worker tries to reach A's records.
type fixture struct {
	env      *apptest.Env
	orgA     string
	orgB     string
	staff    map[access.Role]apptest.User // one user of each role in A
	target   apptest.User                 // screener of A: the {id} of every route
	outsider apptest.User                 // case worker of B
	seq      int
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, staff: map[access.Role]apptest.User{}}
	f.orgA = env.Org("Organisation A", accounts.NGO)
	f.orgB = env.Org("Organisation B", accounts.SocialServices)
	for _, role := range access.Roles {
		u := env.User("a-"+strings.ReplaceAll(string(role), "_", "-"), role, f.orgA)
		f.staff[role] = u
	}
	f.target = env.User("target-a", access.Screener, f.orgA)
	f.outsider = env.User("outsider-b", access.CaseWorker, f.orgB)
	return f
}

// unique returns a name no earlier call returned.
func (f *fixture) unique(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}
