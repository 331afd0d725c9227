package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// openDB opens and migrates a fresh SQLite database in dir.
func openDB(t testing.TB, dir string) *storage.DB {
	t.Helper()
	db, err := storage.OpenDataDir(context.Background(), dir)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	if err := db.Migrate(context.Background()); err != nil {
		db.Close()
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// setup returns a migrated database, a key file and a Vault on it.
func setup(t testing.TB) (*storage.DB, *Vault, string) {
	t.Helper()
	db := openDB(t, t.TempDir())
	t.Cleanup(func() { db.Close() })
	keysPath := filepath.Join(t.TempDir(), "waymark.keys")
	keys, err := CreateKeyring(keysPath)
	if err != nil {
		t.Fatalf("CreateKeyring: %v", err)
	}
	return db, New(keys, keysPath), keysPath
}

func record(i int) string { return fmt.Sprintf("people/0190abcd-0000-7000-8000-%012d", i) }

func seal(t testing.TB, db *storage.DB, v *Vault, rec, field string, plaintext []byte) []byte {
	t.Helper()
	var ct []byte
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		var err error
		ct, err = v.Seal(context.Background(), tx, rec, field, plaintext)
		return err
	})
	if err != nil {
		t.Fatalf("seal %s %s: %v", rec, field, err)
	}
	return ct
}

func open(db *storage.DB, v *Vault, rec, field string, ct []byte) ([]byte, error) {
	var pt []byte
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		var err error
		pt, err = v.Open(context.Background(), tx, rec, field, ct)
		return err
	})
	return pt, err
}

func TestRoundTrip(t *testing.T) {
	db, v, _ := setup(t)
	tests := []struct {
		name      string
		field     string
		plaintext []byte
	}{
		{"one byte", "initials", []byte("Z")},
		{"name", "name", []byte("Zorana Plaintextova")},
		{"unicode", "notes", []byte("Schutzunterkunft in der Nähe, Kontakt über Dolmetscherin — пароль")},
		{"binary attachment", "attachment", bytes.Repeat([]byte{0, 1, 2, 255}, 1<<18)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record(i)
			ct := seal(t, db, v, rec, tt.field, tt.plaintext)
			if len(ct) == 0 || ct[0] != ciphertextVersion {
				t.Fatalf("ciphertext does not start with version byte %d", ciphertextVersion)
			}
			if len(tt.plaintext) >= 8 && bytes.Contains(ct, tt.plaintext) { // short ones occur in random bytes
				t.Errorf("ciphertext contains the plaintext")
			}
			if again := seal(t, db, v, rec, tt.field, tt.plaintext); bytes.Equal(again, ct) {
				t.Errorf("sealing twice gave equal ciphertexts; nonces must be random")
			}
			got, err := open(db, v, rec, tt.field, ct)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q…, want %q…", trim(got), trim(tt.plaintext))
			}
		})
	}
}

func trim(b []byte) []byte { return b[:min(len(b), 20)] }

func TestEmptyValues(t *testing.T) {
	db, v, _ := setup(t)
	for _, pt := range [][]byte{nil, {}} {
		if ct := seal(t, db, v, record(1), "name", pt); ct != nil {
			t.Errorf("Seal(%q) = %x, want nil", pt, ct)
		}
	}
	var n int
	if err := db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM data_keys`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("sealing nothing created %d data keys", n)
	}
	for _, ct := range [][]byte{nil, {}} {
		if pt, err := open(db, v, record(1), "name", ct); pt != nil || err != nil {
			t.Errorf("Open(%q) = %q, %v; want nil, nil", ct, pt, err)
		}
	}
}

func TestBadNames(t *testing.T) {
	db, v, _ := setup(t)
	for _, tt := range []struct{ record, field string }{
		{"people", "name"}, {"/x", "name"}, {"people/", "name"}, {"people/1|name", "x"}, {"people/1", ""}, {"people/1", "a|b"},
	} {
		err := db.Write(context.Background(), func(tx *storage.Tx) error {
			_, err := v.Seal(context.Background(), tx, tt.record, tt.field, []byte("x"))
			return err
		})
		if !apperr.Is(err, apperr.Internal) {
			t.Errorf("Seal(%q, %q): err = %v, want Internal", tt.record, tt.field, err)
		}
	}
}

func TestMovedCiphertextFails(t *testing.T) {
	db, v, _ := setup(t)
	a, b, nokey := record(1), record(2), record(3)
	ct := seal(t, db, v, a, "name", []byte("Zorana Plaintextova"))
	seal(t, db, v, b, "name", []byte("someone else"))
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name     string
		record   string
		field    string
		ct       []byte
		wantCode apperr.Code
	}{
		{"other field of same record", a, "notes", ct, apperr.Internal},
		{"same field of other record", b, "name", ct, apperr.Internal},
		{"record without data key", nokey, "name", ct, apperr.NotFound},
		{"flipped bit in nonce", a, "name", flip(1), apperr.Internal},
		{"flipped bit in body", a, "name", flip(len(ct) / 2), apperr.Internal},
		{"flipped bit in tag", a, "name", flip(len(ct) - 1), apperr.Internal},
		{"unknown version", a, "name", flip(0), apperr.Internal},
		{"truncated", a, "name", ct[:10], apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := open(db, v, tt.record, tt.field, tt.ct)
			if err == nil {
				t.Fatalf("Open succeeded with %q", pt)
			}
			if got := apperr.CodeOf(err); got != tt.wantCode {
				t.Errorf("code = %s (%v), want %s", got, err, tt.wantCode)
			}
			if strings.Contains(err.Error(), "Zorana") {
				t.Errorf("error contains the plaintext: %v", err)
			}
		})
	}
	if _, err := open(db, v, a, "name", ct); err != nil {
		t.Errorf("the original still must open: %v", err)
	}
}

func TestMovedWrappedKeyFails(t *testing.T) {
	db, v, _ := setup(t)
	a, b := record(1), record(2)
	seal(t, db, v, a, "name", []byte("first"))
	ctB := seal(t, db, v, b, "name", []byte("second"))
	// Give b the wrapped data key of a: it must not unwrap under b's name.
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.ExecContext(context.Background(),
			`UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE record = $1) WHERE record = $2`, a, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = open(db, v, b, "name", ctB)
	if !apperr.Is(err, apperr.Internal) {
		t.Errorf("Open with a moved wrapped key: err = %v, want Internal", err)
	}
	// Sealing must not silently replace the data key either.
	err = db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := v.Seal(context.Background(), tx, b, "notes", []byte("x"))
		return err
	})
	if !apperr.Is(err, apperr.Internal) {
		t.Errorf("Seal with a moved wrapped key: err = %v, want Internal", err)
	}
}

func TestForget(t *testing.T) {
	db, v, _ := setup(t)
	gone, kept := record(1), record(2)
	name := seal(t, db, v, gone, "name", []byte("Zorana Plaintextova"))
	phone := seal(t, db, v, gone, "phone", []byte("+43 1 234 5678"))
	keptCT := seal(t, db, v, kept, "name", []byte("kept"))

	for range 2 { // forgetting twice is no error
		if err := db.Write(context.Background(), func(tx *storage.Tx) error {
			return v.Forget(context.Background(), tx, gone)
		}); err != nil {
			t.Fatalf("Forget: %v", err)
		}
	}
	for field, ct := range map[string][]byte{"name": name, "phone": phone} {
		_, err := open(db, v, gone, field, ct)
		if !errors.Is(err, ErrErased) || !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Open %s after Forget: err = %v, want NotFound wrapping ErrErased", field, err)
		}
	}
	if pt, err := open(db, v, kept, "name", keptCT); err != nil || string(pt) != "kept" {
		t.Errorf("other record after Forget: %q, %v", pt, err)
	}
	// A new value gets a new data key; the old ciphertexts stay dead.
	fresh := seal(t, db, v, gone, "name", []byte("new"))
	if pt, err := open(db, v, gone, "name", fresh); err != nil || string(pt) != "new" {
		t.Errorf("Open of a value sealed after Forget: %q, %v", pt, err)
	}
	if _, err := open(db, v, gone, "name", name); !apperr.Is(err, apperr.Internal) {
		t.Errorf("Open of a forgotten ciphertext under the new data key: err = %v, want Internal", err)
	}
}

func TestBlindIndex(t *testing.T) {
	_, v, keysPath := setup(t)
	same, err := LoadKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	base := v.BlindIndex("users.email", []byte("a@example.org"))
	if len(base) != 32 {
		t.Fatalf("len = %d, want 32", len(base))
	}
	tests := []struct {
		name  string
		got   []byte
		equal bool
	}{
		{"same input", v.BlindIndex("users.email", []byte("a@example.org")), true},
		{"other Vault on same keyring", New(same, "").BlindIndex("users.email", []byte("a@example.org")), true},
		{"other value", v.BlindIndex("users.email", []byte("b@example.org")), false},
		{"other purpose", v.BlindIndex("people.phone", []byte("a@example.org")), false},
		{"other keyring", New(other, "").BlindIndex("users.email", []byte("a@example.org")), false},
	}
	for _, tt := range tests {
		if bytes.Equal(tt.got, base) != tt.equal {
			t.Errorf("%s: equal = %v, want %v", tt.name, !tt.equal, tt.equal)
		}
	}
}

// TestNoPlaintextInDatabaseFile looks at the raw bytes SQLite wrote: a
// sealed name must appear nowhere, while a control value stored in clear
// shows that the scan would find it.
func TestNoPlaintextInDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	keys, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	v := New(keys, "")
	ctx := context.Background()
	if err := db.Exec(ctx, `CREATE TABLE vault_test_people (id TEXT PRIMARY KEY, name BLOB, note TEXT)`); err != nil {
		t.Fatal(err)
	}
	secret := []byte("Zorana Plaintextova")
	control := []byte("Kontrollwert im Klartext")
	for i := range 100 {
		err := db.Write(ctx, func(tx *storage.Tx) error {
			ct, err := v.Seal(ctx, tx, "vault_test_people/"+fmt.Sprint(i), "name", secret)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO vault_test_people (id, name, note) VALUES ($1, $2, $3)`, fmt.Sprint(i), ct, string(control))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	scan := func(when string) {
		var all []byte
		for _, name := range []string{storage.SQLiteFile, storage.SQLiteFile + "-wal"} {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, data...)
		}
		if len(all) == 0 {
			t.Fatalf("%s: no database bytes read", when)
		}
		if !bytes.Contains(all, control) {
			t.Fatalf("%s: control value not found; the scan does not work", when)
		}
		if bytes.Contains(all, secret) {
			t.Errorf("%s: database files contain the sealed plaintext", when)
		}
	}
	scan("while open")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	scan("after close")
}

// TestForgetLeavesNoWrappedKey checks that the deleted wrapped key does not
// linger in the file's free space, where a later master key leak would
// revive it.
func TestForgetLeavesNoWrappedKey(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	keys, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	v := New(keys, "")
	ctx := context.Background()
	seal(t, db, v, record(1), "name", []byte("x"))
	var wrapped []byte
	err = db.Write(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT wrapped FROM data_keys WHERE record = $1`, record(1)).Scan(&wrapped); err != nil {
			return err
		}
		return v.Forget(ctx, tx, record(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, storage.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, wrapped[1:]) {
		t.Errorf("the database file still holds the forgotten wrapped key")
	}
}

// TestReloadRefusesForeignKeyFile: if the key file is replaced by an
// unrelated keyring, the Vault keeps its keys and says so, instead of
// switching to keys that cannot read the existing data.
func TestReloadRefusesForeignKeyFile(t *testing.T) {
	db, v, keysPath := setup(t)
	ct := seal(t, db, v, record(1), "name", []byte("x"))
	foreign, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if err := foreign.Save(keysPath); err != nil {
		t.Fatal(err)
	}
	err = db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := v.Seal(context.Background(), tx, record(2), "name", []byte("y"))
		return err
	})
	if !apperr.Is(err, apperr.Internal) || !strings.Contains(err.Error(), "reload key file") {
		t.Errorf("Seal after the key file was replaced: err = %v, want Internal about the reload", err)
	}
	if pt, err := open(db, v, record(1), "name", ct); err != nil || string(pt) != "x" {
		t.Errorf("Open with the keys still in memory: %q, %v", pt, err)
	}
}

// TestMissingKeyFile: a Vault whose key file is absent (keys from
// WAYMARK_KEYS with a default path) keeps working with the keys it has.
func TestMissingKeyFile(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	keys, err := NewKeyring()
	if err != nil {
		t.Fatal(err)
	}
	v := New(keys, filepath.Join(t.TempDir(), "absent.keys"))
	ct := seal(t, db, v, record(1), "name", []byte("x"))
	if pt, err := open(db, v, record(1), "name", ct); err != nil || string(pt) != "x" {
		t.Errorf("Open = %q, %v", pt, err)
	}
}
