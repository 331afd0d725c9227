package e2e

import (
	"fmt"
	"github.com/chromedp/chromedp"
	"slices"
	"strings"
	"testing"
)

// TestNewcomerWalkthrough is the "done" criterion of the platform: a
// newcomer starts the demo, signs in as the coordinator, sets up the
// authenticator, adds a partner organisation and an account in their own
// organisation, whose owner activates it in another browser (password and
// authenticator, which the coordinator never learns), finds both in the
// audit log, and sees the account's contact details only after confirming
// it is them, which the audit log records too.
func TestNewcomerWalkthrough(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	coord := srv.login(t, "coordinator")

	// Sign in: the password leads to the authenticator set-up.
	res := b.signIn(coord.Username, coord.Password)
	wantStatus(t, res, 200)
	b.wantPath("/login/enrol")
	if got := b.text("h1"); got != "Set up your authenticator app" {
		t.Errorf("enrolment heading = %q", got)
	}
	enrolled := b.enrol()
	if got := b.text("h1"); got != "Overview" {
		t.Errorf("after enrolment heading = %q, want Overview", got)
	}
	if who := b.text(".who"); !strings.Contains(who, "coordinator") || !strings.Contains(who, "Coordinator") {
		t.Errorf("header shows %q, want the username and role", who)
	}

	// A new partner organisation, through the Organisations page.
	const orgName = "Northside Shelter"
	b.click(`nav a[href="/organisations"]`)
	b.wantPath("/organisations")
	b.fill("f-name", orgName)
	b.choose("f-kind", "Shelter")
	res = b.click(`form[action="/organisations"] button[type=submit]`)
	wantStatus(t, res, 201)
	if got, want := b.text(".notice"), "Organisation “"+orgName+"” added."; got != want {
		t.Errorf("notice = %q, want %q", got, want)
	}
	row := eval[[]string](b, fmt.Sprintf(`(() => {
  const a = [...document.querySelectorAll("table tbody a")].find(a => a.textContent.trim() === %s);
  return a ? [...a.closest("tr").cells].map(c => c.innerText.trim()) : [];
})()`, jsString(orgName)))
	if len(row) < 2 || row[0] != orgName || row[1] != "Shelter" {
		t.Fatalf("organisation row = %q, want %q of type Shelter", row, orgName)
	}

	// A new account in the coordinator's own organisation (only an
	// administrator creates accounts in another), through Accounts → New
	// account. The form asks for no password.
	b.click(`nav a[href="/users"]`)
	b.wantPath("/users")
	b.click(`a.button[href^="/users/new"]`)
	b.wantPath("/users/new")
	const (
		username = "n.okafor"
		fullName = "Nkechi Okafor"
		password = "lantern quietly crosses the harbour"
		ownOrg   = "Riverton Human Rights Office"
	)
	if n := eval[int](b, `document.querySelectorAll('input[type=password]').length`); n != 0 {
		t.Errorf("the new account form has %d password fields", n)
	}
	b.fill("f-username", username)
	b.choose("f-role", "Case worker")
	b.fill("f-name", fullName, "f-email", "n.okafor@northside.example")
	b.choose("f-language", "English")
	res = b.click(`form[action="/users"] button[type=submit]`)
	wantStatus(t, res, 201)
	if got := b.text(".notice"); !strings.HasPrefix(got, "Account “"+username+"” created.") {
		t.Errorf("notice = %q", got)
	}
	// Without mail the link is shown this once, to hand over.
	link := eval[string](b, `document.getElementById("activation-link").value`)
	linkPath := link[strings.Index(link, "/activate/"):]
	b.click(`main a[href^="/users/"]`)
	b.wantPath("/users/")
	userPath := b.path()
	if got := b.text("h1"); got != username {
		t.Errorf("user page heading = %q, want %q", got, username)
	}
	facts := b.text("dl.facts")
	for _, want := range []string{"Case worker", ownOrg, "Waiting for activation", "Not set up yet"} {
		if !strings.Contains(facts, want) {
			t.Errorf("user facts %q lack %q", facts, want)
		}
	}
	if strings.Contains(b.text("main"), fullName) {
		t.Error("the user page shows the person's name before step-up")
	}

	// The owner opens the link in a browser of their own, chooses the
	// password and sets up the authenticator.
	owner := b.incognito("owner")
	wantStatus(t, owner.open(linkPath), 200)
	if got := owner.text("h1"); got != "Activate your account" {
		t.Errorf("activation heading = %q", got)
	}
	owner.fill("f-password", password, "f-confirm", password)
	res = owner.click(`form[action^="/activate/"] button[type=submit]`)
	wantStatus(t, res, 200)
	owner.wantPath("/login/enrol")
	owner.enrol()
	if got := owner.text("h1"); got != "Overview" {
		t.Errorf("the owner after enrolment sees %q, want Overview", got)
	}
	// The link worked once.
	wantStatus(t, owner.open(linkPath), 409)
	if got := owner.text("main"); !strings.Contains(got, "already been used") {
		t.Errorf("a used link shows %q", got)
	}
	b.open(userPath)
	if facts := b.text("dl.facts"); !strings.Contains(facts, "Active") || !strings.Contains(facts, "Authenticator app") {
		t.Errorf("after activation the account shows %q", facts)
	}

	// The audit log lists both changes and can be filtered by action.
	b.click(`nav a[href="/audit"]`)
	b.wantPath("/audit")
	actions := b.texts("#audit-table tbody td:nth-child(3)")
	for _, want := range []string{"organisation.create", "user.create", "user.activate", "auth.totp_enrol"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit log actions %q lack %s", actions, want)
		}
	}
	// The filters sit in a closed disclosure until one is set.
	b.do(chromedp.Click(chromedp.CSS(`details.filter-box summary`), chromedp.NodeVisible), chromedp.WaitVisible(chromedp.ID("f-action")))
	b.fill("f-action", "user.create")
	res = b.click(`form.filters button[type=submit]`)
	wantStatus(t, res, 200)
	if p := b.path(); !strings.Contains(p, "action=user.create") {
		t.Errorf("filter went to %s", p)
	}
	actions = b.texts("#audit-table tbody td:nth-child(3)")
	if len(actions) == 0 {
		t.Fatal("filtered audit log is empty")
	}
	for _, a := range actions {
		if a != "user.create" {
			t.Errorf("filter user.create shows an entry of %s", a)
		}
	}
	wantCount := fmt.Sprintf("%d entries", len(actions))
	if len(actions) == 1 {
		wantCount = "1 entry"
	}
	if got := b.text("main p[role=status]"); got != wantCount {
		t.Errorf("entry count = %q, want %q", got, wantCount)
	}

	// Revealing the contact details asks to confirm it is the coordinator.
	// The enrolment used this 30-second step's code, and a code works once,
	// so the confirmation uses a recovery code.
	b.open(userPath)
	res = b.click(`a[href$="/contact"]`)
	wantStatus(t, res, 200)
	b.wantPath("/stepup")
	if got := b.text("h1"); got != "Confirm it is you" {
		t.Errorf("step-up heading = %q", got)
	}
	b.fill("f-password", coord.Password, "f-code", enrolled.RecoveryCodes[0])
	res = b.click(`form[action="/stepup"] button[type=submit]`)
	wantStatus(t, res, 200)
	b.wantPath(userPath + "/contact")
	contact := b.text("#contact")
	for _, want := range []string{fullName, "n.okafor@northside.example"} {
		if !strings.Contains(contact, want) {
			t.Errorf("contact details %q lack %q", contact, want)
		}
	}

	// The audit log records the reveal, and never the revealed name.
	b.open("/audit?action=user.reveal_contact")
	actions = b.texts("#audit-table tbody td:nth-child(3)")
	if len(actions) != 1 || actions[0] != "user.reveal_contact" {
		t.Errorf("audit log for user.reveal_contact = %q, want one entry", actions)
	}
	b.open("/audit")
	if body := b.text("main"); strings.Contains(body, fullName) || strings.Contains(body, "northside.example") {
		t.Error("the audit log shows personal data of the account")
	}
}

// TestDisableUserEndsSessions: a coordinator disables an account while its
// owner is signed in elsewhere; the owner's very next request lands on the
// sign-in page.
func TestDisableUserEndsSessions(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	coord := newBrowser(t, srv)
	other := coord.incognito("caseworker")

	other.signInNew("caseworker")
	wantStatus(t, other.open("/users"), 200)
	other.wantPath("/users")

	coord.signInNew("coordinator")
	coord.open("/users")
	coord.click(fmt.Sprintf(`a[href=%q]`, coord.linkHref("table", "caseworker")))
	if got := coord.text("h1"); got != "caseworker" {
		t.Fatalf("opened the account %q, want caseworker", got)
	}
	res := coord.click(`form[action$="/disable"] button[type=submit]`)
	wantStatus(t, res, 200)
	if facts := coord.text("dl.facts"); !strings.Contains(facts, "Disabled") {
		t.Errorf("after disabling, the account shows %q", facts)
	}

	res = other.open("/users")
	wantStatus(t, res, 200)
	if p := other.path(); p != "/login?next=%2Fusers" {
		t.Errorf("the disabled user's next request ended at %s, want /login?next=%%2Fusers", p)
	}
	if got := other.text("h1"); got != "Sign in" {
		t.Errorf("the disabled user sees %q, want the sign-in page", got)
	}
	// Signing in again is refused as well.
	l := srv.login(t, "caseworker")
	res = other.signIn(l.Username, l.Password)
	wantStatus(t, res, 401)
	other.wantPath("/login")

	coord.open("/audit?action=user.disable")
	if actions := coord.texts("#audit-table tbody td:nth-child(3)"); len(actions) != 1 {
		t.Errorf("audit log for user.disable = %q, want one entry", actions)
	}
}
