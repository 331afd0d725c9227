package vault

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestCreateLoadSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "waymark.keys")
	k, err := CreateKeyring(path)
	if err != nil {
		t.Fatalf("CreateKeyring: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	if _, err := CreateKeyring(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second CreateKeyring: err = %v, want fs.ErrExist", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	loaded, err := LoadKeyring(path)
	if err != nil {
		t.Fatalf("LoadKeyring: %v", err)
	}
	if loaded.ActiveKeyID() != k.ActiveKeyID() || loaded.AuditVerifierKey() != k.AuditVerifierKey() {
		t.Errorf("loaded keyring differs from created one")
	}

	next, id, err := loaded.withNewMaster()
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Save(path); err != nil {
		t.Fatalf("Save: %v", err)
	}
	again, err := LoadKeyring(path)
	if err != nil {
		t.Fatalf("LoadKeyring after Save: %v", err)
	}
	if got := again.KeyIDs(); len(got) != 2 || got[0] != k.ActiveKeyID() || got[1] != id {
		t.Errorf("KeyIDs = %v, want [%s %s]", got, k.ActiveKeyID(), id)
	}
	if again.ActiveKeyID() != id || !again.byID[k.ActiveKeyID()].retired {
		t.Errorf("after adding a key: active = %s, want %s with the old one retired", again.ActiveKeyID(), id)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("saved key file mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestLoadOrCreateKeyring(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waymark.keys")
	k1, created, err := LoadOrCreateKeyring(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreateKeyring: created=%v err=%v", created, err)
	}
	k2, created, err := LoadOrCreateKeyring(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreateKeyring: created=%v err=%v", created, err)
	}
	if k1.ActiveKeyID() != k2.ActiveKeyID() {
		t.Errorf("second call returned another keyring")
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyring(path); err == nil {
		t.Errorf("LoadOrCreateKeyring of a broken file succeeded; it must not replace it")
	}
}

func TestAuditKeys(t *testing.T) {
	k, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := k.AuditSigner()
	if err != nil {
		t.Fatalf("AuditSigner: %v", err)
	}
	verifier, err := k.AuditVerifier()
	if err != nil {
		t.Fatalf("AuditVerifier: %v", err)
	}
	if signer.Name() != "waymark-audit" {
		t.Errorf("signer name = %q", signer.Name())
	}
	msg, err := note.Sign(&note.Note{Text: "waymark audit\n42\n"}, signer)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if _, err := note.Open(msg, note.VerifierList(verifier)); err != nil {
		t.Errorf("verify own signature: %v", err)
	}
}

// validKeyFile returns a parseable key file as a generic map to break.
func validKeyFile(t *testing.T) map[string]any {
	t.Helper()
	k, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	data, err := k.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseKeyringErrors(t *testing.T) {
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	master := func(m map[string]any) map[string]any { return m["master_keys"].([]any)[0].(map[string]any) }
	secret := "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw" // never valid, must never be echoed
	tests := []struct {
		name   string
		raw    string // used instead of the edited file when set
		edit   func(m map[string]any)
		wantIn string
	}{
		{name: "bad json", raw: `{"version": 1, "master_keys": [`, wantIn: "parse keyring"},
		{name: "syntax error inside a key", raw: `{"version": 1, "index_key": ` + secret + `}`, wantIn: "invalid JSON at byte"},
		{name: "not an object", raw: `[]`, wantIn: "parse keyring"},
		{name: "trailing data", raw: `{"version": 1} {}`, wantIn: "trailing data"},
		{name: "unknown field", edit: func(m map[string]any) { master(m)["retierd"] = true }, wantIn: "unknown field"},
		{name: "wrong version", edit: func(m map[string]any) { m["version"] = 2 }, wantIn: "unsupported version 2"},
		{name: "no master keys", edit: func(m map[string]any) { m["master_keys"] = []any{} }, wantIn: "no active master key"},
		{name: "no active key", edit: func(m map[string]any) { master(m)["retired"] = true }, wantIn: "no active master key"},
		{name: "two active keys", edit: func(m map[string]any) {
			second := map[string]any{"id": "mk-2", "key": b64(32), "created": "2026-01-01T00:00:00Z"}
			m["master_keys"] = append(m["master_keys"].([]any), second)
		}, wantIn: "both active"},
		{name: "duplicate id", edit: func(m map[string]any) {
			dup := map[string]any{"id": master(m)["id"], "key": b64(32), "created": "2026-01-01T00:00:00Z", "retired": true}
			m["master_keys"] = append(m["master_keys"].([]any), dup)
		}, wantIn: "appears twice"},
		{name: "missing id", edit: func(m map[string]any) { master(m)["id"] = "" }, wantIn: "has no id"},
		{name: "short master key", edit: func(m map[string]any) { master(m)["key"] = b64(16) }, wantIn: "is 16 bytes, want 32"},
		{name: "long master key", edit: func(m map[string]any) { master(m)["key"] = b64(33) }, wantIn: "is 33 bytes, want 32"},
		{name: "master key not base64", edit: func(m map[string]any) { master(m)["key"] = secret + "!!" }, wantIn: "not valid base64"},
		{name: "missing master key", edit: func(m map[string]any) { delete(master(m), "key") }, wantIn: "missing"},
		{name: "missing index key", edit: func(m map[string]any) { delete(m, "index_key") }, wantIn: "index key: missing"},
		{name: "short index key", edit: func(m map[string]any) { m["index_key"] = b64(31) }, wantIn: "index key: is 31 bytes"},
		{name: "bad audit signer", edit: func(m map[string]any) { m["audit_signer"] = "PRIVATE+KEY+" + secret }, wantIn: "audit signer key"},
		{name: "missing audit verifier", edit: func(m map[string]any) { delete(m, "audit_verifier") }, wantIn: "audit verifier key"},
		{name: "verifier of another signer", edit: func(m map[string]any) {
			_, other, err := note.GenerateKey(rand.Reader, "waymark-audit")
			if err != nil {
				panic(err)
			}
			m["audit_verifier"] = other
		}, wantIn: "do not belong together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			var secrets []string
			if tt.edit != nil {
				m := validKeyFile(t)
				secrets = append(secrets, m["index_key"].(string), m["audit_signer"].(string), master(m)["key"].(string))
				tt.edit(m)
				var err error
				if data, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			}
			_, err := ParseKeyring(data)
			if err == nil {
				t.Fatalf("ParseKeyring succeeded, want error containing %q", tt.wantIn)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantIn)
			}
			for _, s := range append(secrets, secret, strings.TrimPrefix(secret, "c2")) {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains key material", err)
				}
			}
		})
	}
}

func TestKeyringPrintsNoSecrets(t *testing.T) {
	k, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{
		base64.StdEncoding.EncodeToString(k.active.key),
		base64.StdEncoding.EncodeToString(k.indexKey),
		k.auditSigner,
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("Sprintf(%q, keyring) prints key material", format)
			}
		}
	}
}
