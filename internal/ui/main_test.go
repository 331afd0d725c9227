package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/auth"
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
	orgC     string                       // the {org} of organisation routes: no users, safe to disable
	staff    map[access.Role]apptest.User // one user of each role in A
	target   apptest.User                 // screener of A: the {id} of every route
	login    apptest.User                 // analyst of A whose password POST /login sends
	outsider apptest.User                 // case worker of B
	// codes holds each user's unused recovery codes, for step-up.
	codes map[string][]string
	seq   int
	// caseID is the case of organisation A that targetCase returns.
	caseID string
	// lastConsent and lastShare are those the latest consentedCase and
	// sharedCase made, for the form of the same request.
	lastConsent, lastShare string
	// params fills path parameters other than {id} that an id function
	// created (a provider, an activity), for the same request.
	params map[string]string
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, staff: map[access.Role]apptest.User{}, codes: map[string][]string{}, params: map[string]string{}}
	f.orgA = env.Org("Organisation A", accounts.NGO)
	f.orgB = env.Org("Organisation B", accounts.SocialServices)
	f.orgC = env.Org("Organisation C", accounts.Shelter)
	for _, role := range access.Roles {
		u := env.User("a-"+strings.ReplaceAll(string(role), "_", "-"), role, f.orgA)
		f.staff[role] = u
		f.giveRecoveryCodes(t, u.ID)
	}
	f.target = env.User("target-a", access.Screener, f.orgA)
	f.login = env.User("login-a", access.Analyst, f.orgA)
	f.outsider = env.User("outsider-b", access.CaseWorker, f.orgB)
	f.giveRecoveryCodes(t, f.outsider.ID)
	return f
}

// giveRecoveryCodes stores fresh recovery codes for a user, so tests can
// pass the step-up check without an authenticator app.
func (f *fixture) giveRecoveryCodes(t testing.TB, userID string) {
	t.Helper()
	codes, hashes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		t.Fatalf("recovery codes: %v", err)
	}
	err = f.env.App.DB.Write(context.Background(), func(tx *storage.Tx) error {
		return auth.ReplaceRecoveryCodes(context.Background(), tx, userID, hashes)
	})
	if err != nil {
		t.Fatalf("store recovery codes: %v", err)
	}
	f.codes[userID] = codes
}

// recoveryCode hands out one unused recovery code of a user.
func (f *fixture) recoveryCode(t testing.TB, userID string) string {
	t.Helper()
	codes := f.codes[userID]
	if len(codes) == 0 {
		t.Fatalf("no recovery codes left for %s", userID)
	}
	f.codes[userID] = codes[1:]
	return codes[0]
}

// unique returns a name no earlier call returned.
func (f *fixture) unique(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}

// redirectPath is the path a redirect response points to, or "".
func redirectPath(res *http.Response) string {
	loc := res.Header.Get("Location")
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.Path
}
