package e2e

import (
	"strings"
	"testing"
)

// TestChangePasswordInAccount changes the password on "My account": a
// wrong current password is refused next to its field, the change signs out
// the person's other session, and the new password then works.
func TestChangePasswordInAccount(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	l := srv.login(t, "caseworker")
	enrolled := b.signInNew(l.Username)
	other := b.incognito("other")
	wantStatus(t, other.signIn(l.Username, l.Password), 200)
	other.wantPath("/login/code")
	other.fill("f-code", enrolled.RecoveryCodes[0])
	wantStatus(t, other.click(`form[action="/login/code"] button[type=submit]`), 200)
	other.wantPath("/")

	b.click(`nav a[href="/account"]`)
	b.wantPath("/account")
	const newPassword = "lantern orchard mosaic river"
	b.fill("f-current_password", "not my password at all", "f-new_password", newPassword, "f-confirm_password", newPassword)
	wantStatus(t, b.click(`form[action="/account/password"] button[type=submit]`), 422)
	if msg := b.text("#f-current_password-error"); msg == "" {
		t.Error("a wrong current password shows no message next to its field")
	}

	b.fill("f-current_password", l.Password, "f-new_password", newPassword, "f-confirm_password", newPassword)
	wantStatus(t, b.click(`form[action="/account/password"] button[type=submit]`), 200)
	if got := b.text(".notice"); !strings.Contains(got, "password was changed") {
		t.Errorf("notice = %q", got)
	}

	// The other session has ended.
	other.open("/users")
	other.wantPath("/login")

	// The old password no longer signs in; the new one does.
	wantStatus(t, other.signIn(l.Username, l.Password), 401)
	wantStatus(t, other.signIn(l.Username, newPassword), 200)
	other.wantPath("/login/code")
}
