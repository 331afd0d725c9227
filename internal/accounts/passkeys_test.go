package accounts_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/pquerna/otp/totp"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// softKey is a software authenticator: an ECDSA P-256 key that answers
// WebAuthn ceremonies the way a security key does (attestation "none"),
// per the specification's authenticator data and signature formats.
type softKey struct {
	priv   *ecdsa.PrivateKey
	id     []byte
	rpID   string
	origin string
	count  uint32
}

func newSoftKey(t *testing.T, rpID, origin string) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softKey{priv: priv, id: id, rpID: rpID, origin: origin}
}

var b64 = base64.RawURLEncoding

// clientData is the browser's collected client data for a ceremony.
func (k *softKey) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash, flags (user present), the signature counter and,
// when attested, the AAGUID, credential id and COSE public key.
func (k *softKey) authData(t *testing.T, attested bool) []byte {
	t.Helper()
	rp := sha256.Sum256([]byte(k.rpID))
	var b bytes.Buffer
	b.Write(rp[:])
	flags := byte(0x01) // UP
	if attested {
		flags |= 0x40 // AT
	}
	b.WriteByte(flags)
	_ = binary.Write(&b, binary.BigEndian, k.count)
	if attested {
		b.Write(make([]byte, 16)) // AAGUID: none
		_ = binary.Write(&b, binary.BigEndian, uint16(len(k.id)))
		b.Write(k.id)
		pub, err := k.priv.PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatal(err)
		}
		cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pub[1:33], -3: pub[33:65]})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(cose)
	}
	return b.Bytes()
}

// create answers creation options (the JSON begin returned) with a new
// credential, as the PublicKeyCredential JSON the page script posts.
func (k *softKey) create(t *testing.T, options []byte) string {
	t.Helper()
	var opts struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &opts); err != nil {
		t.Fatalf("creation options: %v: %s", err, options)
	}
	if opts.PublicKey.RP.ID != k.rpID {
		t.Fatalf("relying party %q, want %q", opts.PublicKey.RP.ID, k.rpID)
	}
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(t, true)})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(k.clientData("webauthn.create", opts.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"usb"},
		},
	})
	return string(body)
}

// get answers request options with an assertion signed at the key's current
// counter; the caller advances count like a real key does.
func (k *softKey) get(t *testing.T, options []byte) string {
	t.Helper()
	var opts struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			Allow     []struct {
				ID string `json:"id"`
			} `json:"allowCredentials"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &opts); err != nil {
		t.Fatalf("request options: %v: %s", err, options)
	}
	if len(opts.PublicKey.Allow) == 0 || opts.PublicKey.Allow[0].ID != b64.EncodeToString(k.id) {
		t.Fatalf("request options do not allow this key: %s", options)
	}
	cd := k.clientData("webauthn.get", opts.PublicKey.Challenge)
	ad := k.authData(t, false)
	sum := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
		},
	})
	return string(body)
}

// site talks to a running Waymark by the name "localhost": passkeys need a
// domain name, and the test server listens on an IP address.
type site struct {
	env    *apptest.Env
	host   string
	origin string
}

func newSite(t *testing.T, env *apptest.Env) site {
	u, err := url.Parse(env.Server.URL)
	if err != nil {
		t.Fatal(err)
	}
	host := "localhost:" + u.Port()
	return site{env: env, host: host, origin: "http://" + host}
}

// post sends a form (or, with form nil, an empty body) with the session
// cookie and returns the status, the Location header, the new session
// cookie if one was set, and the body.
func (s site) post(t *testing.T, path, cookie string, form url.Values) (status int, location, newCookie, body string) {
	t.Helper()
	return s.do(t, http.MethodPost, path, cookie, form)
}

func (s site) do(t *testing.T, method, path, cookie string, form url.Values) (status int, location, newCookie, body string) {
	t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.env.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = s.host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "waymark" && c.Value != "" {
			newCookie = "waymark=" + c.Value
		}
	}
	return res.StatusCode, res.Header.Get("Location"), newCookie, string(b)
}

// signIn enters username and password and returns the partial session.
func (s site) signIn(t *testing.T, username string) string {
	t.Helper()
	status, loc, cookie, _ := s.post(t, "/login", "", url.Values{"username": {username}, "password": {apptest.Password}, "next": {"/"}})
	if status != http.StatusSeeOther || cookie == "" {
		t.Fatalf("sign in: status %d to %s", status, loc)
	}
	return cookie
}

func token(cookie string) string { return strings.TrimPrefix(cookie, "waymark=") }

// enrolledUser creates a case worker who set up an authenticator app and
// holds a complete, stepped-up session.
func enrolledUser(t *testing.T, s site, username, org string) (accounts.User, string) {
	t.Helper()
	ctx := context.Background()
	svc := s.env.App.Accounts
	u, err := svc.CreateUserWithPassword(ctx, accounts.NewUser{OrgID: org, Username: username, Role: access.CaseWorker,
		Password: apptest.Password, Profile: accounts.Profile{DisplayName: "Person " + username}})
	if err != nil {
		t.Fatal(err)
	}
	partial := token(s.signIn(t, username))
	e, err := svc.BeginEnrolment(ctx, partial)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(e.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	codes, complete, err := svc.ConfirmEnrolment(ctx, partial, code)
	if err != nil {
		t.Fatalf("confirm enrolment: %v", err)
	}
	if err := svc.StepUp(ctx, complete, apptest.Password, codes[0], "test"); err != nil {
		t.Fatalf("step up: %v", err)
	}
	return u, "waymark=" + complete
}

// registerKey adds a software key to the account through the pages.
func registerKey(t *testing.T, s site, cookie, name string) *softKey {
	t.Helper()
	status, _, _, opts := s.post(t, "/account/passkeys/begin", cookie, nil)
	if status != http.StatusOK {
		t.Fatalf("begin registration: status %d: %s", status, opts)
	}
	key := newSoftKey(t, "localhost", s.origin)
	status, loc, _, body := s.post(t, "/account/passkeys/finish", cookie, url.Values{"name": {name}, "credential": {key.create(t, []byte(opts))}})
	if status != http.StatusSeeOther || loc != "/account?done=passkey_added" {
		t.Fatalf("finish registration: status %d to %q: %s", status, loc, errorSummary(body))
	}
	return key
}

var summaryPattern = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`)

func errorSummary(body string) string { return summaryPattern.FindString(body) }

// beginSignIn starts the key step of a partial session and returns the options.
func beginSignIn(t *testing.T, s site, cookie string) []byte {
	t.Helper()
	status, _, _, opts := s.post(t, "/login/passkey/begin", cookie, nil)
	if status != http.StatusOK {
		t.Fatalf("begin sign-in: status %d: %s", status, opts)
	}
	return []byte(opts)
}

func TestPasskeyCeremonies(t *testing.T) {
	eachEngine(t, func(t *testing.T, f fixture) {
		s := newSite(t, f.env)
		org := f.env.Org("Safe Harbour", accounts.NGO)
		kim, cookie := enrolledUser(t, s, "kim", org)

		t.Run("registration needs a step-up", func(t *testing.T) {
			u := f.env.User("lee", access.CaseWorker, org) // complete, not stepped up
			status, _, _, body := s.post(t, "/account/passkeys/begin", u.Cookie, nil)
			if status != http.StatusForbidden || !strings.Contains(body, `"step_up"`) {
				t.Errorf("begin without step-up: status %d: %s", status, body)
			}
		})

		key := registerKey(t, s, cookie, "Blue key")
		t.Run("registered", func(t *testing.T) {
			status, _, _, body := s.do(t, http.MethodGet, "/account", cookie, nil)
			if status != http.StatusOK || !strings.Contains(body, "Blue key") || !strings.Contains(body, `id="passkey-add"`) {
				t.Errorf("account page: status %d, key or form missing", status)
			}
			var name []byte
			err := f.env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT name FROM passkeys WHERE user_id = $1`, kim.ID).Scan(&name)
			})
			if err != nil || bytes.Contains(name, []byte("Blue key")) {
				t.Errorf("key name stored in plain text (%v)", err)
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.passkey_add"}), "account.passkey_add", audit.Done) {
				t.Error("registration not audited")
			}
			// The same key cannot be added twice: the finish refuses it.
			status, _, _, opts := s.post(t, "/account/passkeys/begin", cookie, nil)
			if status != http.StatusOK || !strings.Contains(opts, b64.EncodeToString(key.id)) {
				t.Errorf("creation options do not exclude the registered key: %s", opts)
			}
			status, _, _, body = s.post(t, "/account/passkeys/finish", cookie, url.Values{"credential": {key.create(t, []byte(opts))}})
			if status != http.StatusConflict {
				t.Errorf("second registration of the same key: status %d", status)
			}
		})

		t.Run("sign in with the key", func(t *testing.T) {
			partial := s.signIn(t, "kim")
			_, _, _, page := s.do(t, http.MethodGet, "/login/code", partial, nil)
			if !strings.Contains(page, `id="passkey-signin"`) || !strings.Contains(page, "/static/passkey.js") {
				t.Error("the code page does not offer the key")
			}
			key.count++
			status, loc, next, body := s.post(t, "/login/passkey/finish", partial, url.Values{"credential": {key.get(t, beginSignIn(t, s, partial))}})
			if status != http.StatusSeeOther || loc != "/" || next == "" || next == partial {
				t.Fatalf("finish sign-in: status %d to %q (new session %t): %s", status, loc, next != "", errorSummary(body))
			}
			if status, _, _, _ := s.do(t, http.MethodGet, "/", next, nil); status != http.StatusOK {
				t.Errorf("new session: status %d", status)
			}
			if status, loc, _, _ := s.do(t, http.MethodGet, "/", partial, nil); status != http.StatusSeeOther || loc == "/login/code" {
				t.Errorf("old token still works: status %d to %q", status, loc)
			}
			entries := f.auditEntries(t, audit.Filter{Action: "auth.second_factor", Outcome: audit.Done})
			if len(entries) == 0 || entries[0].Detail != "passkey" {
				t.Errorf("second factor by key not audited with detail passkey: %+v", entries)
			}
		})

		t.Run("a replayed assertion is refused", func(t *testing.T) {
			key.count++
			p1 := s.signIn(t, "kim")
			first := key.get(t, beginSignIn(t, s, p1))
			if status, _, _, body := s.post(t, "/login/passkey/finish", p1, url.Values{"credential": {first}}); status != http.StatusSeeOther {
				t.Fatalf("sign-in with count %d: status %d: %s", key.count, status, errorSummary(body))
			}
			// The same answer again, to a new challenge.
			p2 := s.signIn(t, "kim")
			beginSignIn(t, s, p2)
			if status, _, next, _ := s.post(t, "/login/passkey/finish", p2, url.Values{"credential": {first}}); status != http.StatusUnprocessableEntity || next != "" {
				t.Errorf("replayed answer: status %d (new session %t), want 422", status, next != "")
			}
			// A correct signature to the right challenge, but the counter did
			// not advance: a cloned key or a replaying one.
			p3 := s.signIn(t, "kim")
			if status, _, next, _ := s.post(t, "/login/passkey/finish", p3, url.Values{"credential": {key.get(t, beginSignIn(t, s, p3))}}); status != http.StatusUnprocessableEntity || next != "" {
				t.Errorf("same sign count: status %d (new session %t), want 422", status, next != "")
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "auth.second_factor", Outcome: audit.Failed}), "auth.second_factor", audit.Failed) {
				t.Error("refused answers not audited")
			}
			var found bool
			for _, e := range f.auditEntries(t, audit.Filter{Action: "auth.second_factor", Outcome: audit.Failed}) {
				found = found || e.Detail == "passkey_sign_count"
			}
			if !found {
				t.Error("sign-count regression not audited as passkey_sign_count")
			}
			key.count++
			p4 := s.signIn(t, "kim")
			if status, _, _, body := s.post(t, "/login/passkey/finish", p4, url.Values{"credential": {key.get(t, beginSignIn(t, s, p4))}}); status != http.StatusSeeOther {
				t.Errorf("advanced counter: status %d: %s", status, errorSummary(body))
			}
		})

		t.Run("a challenge from another session is refused", func(t *testing.T) {
			a, b := s.signIn(t, "kim"), s.signIn(t, "kim")
			key.count++
			answerA := key.get(t, beginSignIn(t, s, a))
			// B has begun nothing: there is no challenge to answer.
			if status, _, next, body := s.post(t, "/login/passkey/finish", b, url.Values{"credential": {answerA}}); status != http.StatusConflict || next != "" {
				t.Errorf("A's answer in B without a ceremony: status %d (new session %t): %s", status, next != "", errorSummary(body))
			}
			// B has its own challenge: A's answer does not fit it.
			beginSignIn(t, s, b)
			if status, _, next, _ := s.post(t, "/login/passkey/finish", b, url.Values{"credential": {answerA}}); status != http.StatusUnprocessableEntity || next != "" {
				t.Errorf("A's answer in B: status %d (new session %t), want 422", status, next != "")
			}
			// In A, where it was asked for, the same answer works.
			if status, _, next, body := s.post(t, "/login/passkey/finish", a, url.Values{"credential": {answerA}}); status != http.StatusSeeOther || next == "" {
				t.Errorf("A's answer in A: status %d: %s", status, errorSummary(body))
			}
		})

		t.Run("failures are throttled like codes", func(t *testing.T) {
			p := s.signIn(t, "kim")
			var status int
			for range 6 {
				if status, _, _, _ = s.post(t, "/login/passkey/finish", p, url.Values{"credential": {"{}"}}); status == http.StatusTooManyRequests {
					break
				}
			}
			if status != http.StatusTooManyRequests {
				t.Errorf("after repeated failures: status %d, want 429", status)
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "auth.second_factor", Outcome: audit.Denied}), "auth.second_factor", audit.Denied) {
				t.Error("throttled attempt not audited")
			}
		})

		t.Run("remove", func(t *testing.T) {
			lee := f.env.User("lee-b", access.CaseWorker, org)
			var id string
			err := f.env.App.DB.Read(context.Background(), func(tx *storage.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT id FROM passkeys WHERE user_id = $1`, kim.ID).Scan(&id)
			})
			if err != nil {
				t.Fatal(err)
			}
			// Someone else's session removes nothing.
			stepUp(t, f.env, lee.Cookie)
			if status, loc, _, _ := s.post(t, "/account/passkeys/"+id+"/remove", lee.Cookie, url.Values{}); status != http.StatusSeeOther || loc != "/account" {
				t.Errorf("removing another user's key: status %d to %q", status, loc)
			}
			if !hasAudit(f.auditEntries(t, audit.Filter{Action: "account.passkey_remove", Outcome: audit.Denied}), "account.passkey_remove", audit.Denied) {
				t.Error("attempt on another user's key not audited")
			}
			if status, loc, _, _ := s.post(t, "/account/passkeys/"+id+"/remove", cookie, url.Values{}); status != http.StatusSeeOther || loc != "/account?done=passkey_removed" {
				t.Errorf("remove: status %d to %q", status, loc)
			}
			has, err := f.env.App.Accounts.HasPasskeys(context.Background(), kim.ID, "localhost")
			if err != nil || has {
				t.Errorf("key still there after removal (%v)", err)
			}
			p := s.signIn(t, "kim")
			_, _, _, page := s.do(t, http.MethodGet, "/login/code", p, nil)
			if strings.Contains(page, `id="passkey-signin"`) {
				t.Error("the code page offers a removed key")
			}
		})
	})
}

// stepUp marks the session of cookie as re-authenticated just now.
func stepUp(t *testing.T, env *apptest.Env, cookie string) {
	t.Helper()
	ctx := context.Background()
	err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		return auth.MarkStepUp(ctx, tx, auth.TokenHash(token(cookie)), storage.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRelyingParty(t *testing.T) {
	for _, tc := range []struct {
		rp   accounts.RelyingParty
		want bool
	}{
		{accounts.RelyingParty{ID: "waymark.city.example", Origin: "https://waymark.city.example"}, true},
		{accounts.RelyingParty{ID: "localhost", Origin: "http://localhost:8080"}, true},
		{accounts.RelyingParty{ID: "127.0.0.1", Origin: "http://127.0.0.1:8080"}, false},
		{accounts.RelyingParty{ID: "other.example", Origin: "https://waymark.city.example"}, false},
		{accounts.RelyingParty{}, false},
	} {
		if got := tc.rp.Valid(); got != tc.want {
			t.Errorf("%+v.Valid() = %t, want %t", tc.rp, got, tc.want)
		}
	}
}
