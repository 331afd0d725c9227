package vault

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Format versions: the first byte of every field ciphertext and wrapped
// data key, so the scheme can change without guessing what old bytes are.
const (
	ciphertextVersion byte = 1
	wrapVersion       byte = 1
)

// dekAADPrefix binds a wrapped data key to its record.
const dekAADPrefix = "waymark/dek/v1|"

// blindIndexInfo separates blind-index keys from any other use of the index key.
const blindIndexInfo = "waymark/blind-index/v1|"

// ErrErased reports that a record has no data key — it was forgotten
// (Forget), or nothing was ever sealed for it — so its fields cannot be read. Open wraps it in an apperr.NotFound error.
var ErrErased = errors.New("data key erased")

// Vault seals and opens the fields of records. It is safe for concurrent
// use. Its keyring is reloaded from the key file when another process has
// rotated the master keys.
type Vault struct {
	keysPath string

	mu    sync.RWMutex
	keys  *Keyring
	stamp os.FileInfo // the key file as last read; nil until read by the Vault itself
}

// New returns a Vault using keys. keysPath is the key file keys came from;
// the Vault rereads it after a rotation. Pass "" when the keys came from
// WAYMARK_KEYS: such a Vault never reloads, so rotate by changing the
// variable and restarting.
func New(keys *Keyring, keysPath string) *Vault {
	return &Vault{keys: keys, keysPath: keysPath}
}

// Seal encrypts plaintext as field of record ("table/id"), creating the
// record's data key on first use, so tx must be a write transaction. Empty
// plaintext gives nil: store NULL.
func (v *Vault) Seal(ctx context.Context, tx *storage.Tx, record, field string, plaintext []byte) ([]byte, error) {
	if len(plaintext) == 0 {
		return nil, nil
	}
	if err := checkNames(record, field); err != nil {
		return nil, err
	}
	dek, err := v.dataKey(ctx, tx, record, true)
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	aead, err := newAEAD(dek)
	if err != nil {
		return nil, internal(fmt.Errorf("seal %s: %w", record, err))
	}
	out := make([]byte, 1, 1+aead.Overhead()+len(plaintext))
	out[0] = ciphertextVersion
	return aead.Seal(out, nil, plaintext, fieldAAD(record, field)), nil
}

// Open decrypts a ciphertext Seal made for the same record and field. Nil
// or empty ciphertext gives nil. A ciphertext that was altered or belongs
// elsewhere is an apperr.Internal error; one whose record was forgotten is
// an apperr.NotFound error wrapping ErrErased.
func (v *Vault) Open(ctx context.Context, tx *storage.Tx, record, field string, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) == 0 {
		return nil, nil
	}
	if err := checkNames(record, field); err != nil {
		return nil, err
	}
	if ciphertext[0] != ciphertextVersion {
		return nil, internal(fmt.Errorf("open %s %s: unknown ciphertext version %d", record, field, ciphertext[0]))
	}
	dek, err := v.dataKey(ctx, tx, record, false)
	if err != nil {
		return nil, err
	}
	defer clear(dek)
	aead, err := newAEAD(dek)
	if err != nil {
		return nil, internal(fmt.Errorf("open %s %s: %w", record, field, err))
	}
	plaintext, err := aead.Open(nil, nil, ciphertext[1:], fieldAAD(record, field))
	if err != nil {
		return nil, internal(fmt.Errorf("open %s %s: ciphertext does not authenticate: %w", record, field, err))
	}
	return plaintext, nil
}

// Forget deletes the data key of record, making every field sealed for it
// unreadable (crypto-erasure). Forgetting an unknown record is no error.
func (v *Vault) Forget(ctx context.Context, tx *storage.Tx, record string) error {
	if err := checkNames(record, "-"); err != nil {
		return err
	}
	if tx.Engine == storage.SQLite {
		// Without secure_delete SQLite leaves deleted rows in free pages of
		// the file, where a wrapped key would outlive its erasure. The
		// setting belongs to the connection and only ever adds safety.
		if _, err := tx.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return fmt.Errorf("forget %s: enable secure_delete: %w", record, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM data_keys WHERE record = $1`, record); err != nil {
		return fmt.Errorf("forget %s: %w", record, err)
	}
	return nil
}

// BlindIndex returns a keyed hash of value for exact-match lookups of an
// encrypted field, e.g. an email address. purpose names what is indexed
// ("users.email") so equal values of different kinds do not match.
// Normalise value (case, spaces) before calling. The key is the keyring's
// index key, which rotation does not change.
func (v *Vault) BlindIndex(purpose string, value []byte) []byte {
	key, err := hkdf.Key(sha256.New, v.keyring().indexKey, nil, blindIndexInfo+purpose, sha256.Size)
	if err != nil {
		// hkdf.Key fails only for lengths over 255 hash sizes.
		panic(fmt.Sprintf("vault: derive index key: %v", err))
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(value)
	return mac.Sum(nil)
}

// Keyring returns the keyring the Vault currently uses.
func (v *Vault) Keyring() *Keyring { return v.keyring() }

func (v *Vault) keyring() *Keyring {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys
}

// refresh rereads the key file if it changed since the Vault last read it,
// and returns the keyring to use. Save replaces the file by rename, so a new
// inode reliably signals a change.
func (v *Vault) refresh() (*Keyring, error) {
	if v.keysPath == "" {
		return v.keyring(), nil
	}
	fi, err := os.Stat(v.keysPath)
	if errors.Is(err, fs.ErrNotExist) {
		// Nothing to reload from (keys came from elsewhere, or the file was
		// removed): keep serving with the keys in memory.
		return v.keyring(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reload key file: %w", err)
	}
	v.mu.RLock()
	keys, unchanged := v.keys, sameStamp(v.stamp, fi)
	v.mu.RUnlock()
	if unchanged {
		return keys, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if sameStamp(v.stamp, fi) { // another goroutine reloaded meanwhile
		return v.keys, nil
	}
	k, err := LoadKeyring(v.keysPath)
	if err != nil {
		return nil, fmt.Errorf("reload key file: %w", err)
	}
	if err := extends(v.keys, k); err != nil {
		return nil, fmt.Errorf("reload key file %s: %w", v.keysPath, err)
	}
	v.keys, v.stamp = k, fi
	return k, nil
}

func sameStamp(old, now os.FileInfo) bool {
	return old != nil && os.SameFile(old, now) && old.ModTime().Equal(now.ModTime()) && old.Size() == now.Size()
}

// extends checks that next may replace prev: it must keep every master key
// and the index key, or data readable now would become unreadable.
func extends(prev, next *Keyring) error {
	if !bytes.Equal(prev.indexKey, next.indexKey) {
		return errors.New("the index key changed")
	}
	for _, m := range prev.masters {
		n, ok := next.byID[m.id]
		if !ok {
			return fmt.Errorf("master key %s is missing", m.id)
		}
		if !bytes.Equal(n.key, m.key) {
			return fmt.Errorf("master key %s changed", m.id)
		}
	}
	return nil
}

// dataKey returns the record's unwrapped data key, creating it if create is
// set and it does not exist yet. The caller clears it after use.
func (v *Vault) dataKey(ctx context.Context, tx *storage.Tx, record string, create bool) ([]byte, error) {
	var masterID string
	var wrapped []byte
	err := tx.QueryRowContext(ctx, `SELECT master_key_id, wrapped FROM data_keys WHERE record = $1`, record).Scan(&masterID, &wrapped)
	switch {
	case err == nil:
		return v.unwrap(record, masterID, wrapped)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("load data key of %s: %w", record, err)
	case !create:
		return nil, apperr.Wrap(apperr.NotFound, "error.erased", fmt.Errorf("record %s: %w", record, ErrErased))
	}

	// Pick up a rotation done by another process, so new data keys are
	// not wrapped by a key that has just been retired. The rotation table
	// is locked first: a rotation saves the key file, then updates that
	// table, which waits for this transaction, so a key chosen before the file
	// changed is committed before the rewrap looks for it.
	if err := lockRotation(ctx, tx); err != nil {
		return nil, fmt.Errorf("create data key of %s: %w", record, err)
	}
	keys, err := v.refresh()
	if err != nil {
		return nil, internal(fmt.Errorf("create data key of %s: %w", record, err))
	}
	dek := randomKey()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO data_keys (record, master_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (record) DO NOTHING`,
		record, keys.active.id, wrap(keys.active, record, dek), storage.Now())
	if err != nil {
		clear(dek)
		return nil, fmt.Errorf("store data key of %s: %w", record, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		clear(dek)
		return nil, fmt.Errorf("store data key of %s: %w", record, err)
	}
	if n == 0 {
		// A concurrent transaction (PostgreSQL) created it first: use theirs.
		clear(dek)
		return v.dataKey(ctx, tx, record, false)
	}
	return dek, nil
}

// unwrap decrypts a wrapped data key, reloading the key file once if the
// master key is one this Vault does not know yet.
func (v *Vault) unwrap(record, masterID string, wrapped []byte) ([]byte, error) {
	keys := v.keyring()
	if _, ok := keys.byID[masterID]; !ok {
		var err error
		if keys, err = v.refresh(); err != nil {
			return nil, internal(fmt.Errorf("data key of %s: master key %s unknown: %w", record, masterID, err))
		}
	}
	dek, err := unwrapWith(keys, record, masterID, wrapped)
	if err != nil {
		return nil, internal(err)
	}
	return dek, nil
}

func wrap(m *masterKey, record string, dek []byte) []byte {
	out := make([]byte, 1, 1+m.aead.Overhead()+len(dek))
	out[0] = wrapVersion
	return m.aead.Seal(out, nil, dek, []byte(dekAADPrefix+record))
}

func unwrapWith(keys *Keyring, record, masterID string, wrapped []byte) ([]byte, error) {
	m, ok := keys.byID[masterID]
	if !ok {
		return nil, fmt.Errorf("data key of %s: master key %s unknown", record, masterID)
	}
	if len(wrapped) == 0 || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("data key of %s: unknown wrapping version", record)
	}
	dek, err := m.aead.Open(nil, nil, wrapped[1:], []byte(dekAADPrefix+record))
	if err != nil {
		return nil, fmt.Errorf("data key of %s: does not authenticate under master key %s: %w", record, masterID, err)
	}
	if len(dek) != keySize {
		clear(dek)
		return nil, fmt.Errorf("data key of %s: wrong length", record)
	}
	return dek, nil
}

func fieldAAD(record, field string) []byte { return []byte(record + "|" + field) }

// checkNames rejects record and field names that would make the associated
// data ambiguous. Bad names are a programming error, hence Internal.
func checkNames(record, field string) error {
	table, id, ok := strings.Cut(record, "/")
	if !ok || table == "" || id == "" || strings.Contains(record, "|") || field == "" || strings.Contains(field, "|") {
		return internal(fmt.Errorf("vault: invalid record %q or field %q", record, field))
	}
	return nil
}

// internal marks err as corruption or a bug: the user sees a generic
// message, the log gets the detail.
func internal(err error) error { return apperr.Wrap(apperr.Internal, "error.internal", err) }
