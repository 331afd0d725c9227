package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
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

// TestPasskeyAsSecondFactor adds a passkey on "My account" with Chromium's
// virtual authenticator (after the step-up it requires), then signs in with
// it instead of a code.
func TestPasskeyAsSecondFactor(t *testing.T) {
	t.Parallel()
	srv := startServerAt(t, "localhost:0")
	b := newBrowser(t, srv)
	b.do(func(ctx context.Context, tgt *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tgt, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tgt, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportUsb,
				HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
			}})
		return chromedp.Void{}, err
	})
	l := srv.login(t, "caseworker")
	enrolled := b.signInNew(l.Username)

	b.open("/account")
	b.click(`a[href="/stepup?next=/account"]`)
	b.wantPath("/stepup")
	b.fill("f-password", l.Password, "f-code", enrolled.RecoveryCodes[0])
	wantStatus(t, b.click(`form[action="/stepup"] button[type=submit]`), 200)
	b.wantPath("/account")
	b.do(chromedp.WaitVisible(chromedp.ID("passkey-add")))
	b.fill("f-name", "Test key")
	b.click(`#passkey-add button[type=submit]`)
	b.do(chromedp.WaitVisible(chromedp.ID("passkey-table")))
	if got := b.text("#passkey-table tbody td"); got != "Test key" {
		t.Errorf("passkey row = %q", got)
	}

	b.click(`form.signout button[type=submit]`)
	wantStatus(t, b.signIn(l.Username, l.Password), 200)
	b.wantPath("/login/code")
	b.do(chromedp.WaitVisible(chromedp.ID("passkey-signin")))
	b.click(`#passkey-signin button[type=submit]`)
	b.do(chromedp.WaitVisible(chromedp.CSS("nav")))
	b.wantPath("/")
}
