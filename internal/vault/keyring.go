package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// keyringVersion is the key file format this package writes and reads.
const keyringVersion = 1

// keySize is the length of every symmetric key: master, data and index keys.
const keySize = 32

// auditKeyName is the name inside the audit-log signer and verifier keys.
const auditKeyName = "waymark-audit"

// Keyring is the content of the key file: the master keys that wrap data
// keys (exactly one active), the blind-index key and the audit-log signing
// key. A Keyring is immutable once parsed, so it may be shared between
// goroutines; rotation builds a new one.
type Keyring struct {
	masters       []masterKey // in file order
	byID          map[string]*masterKey
	active        *masterKey
	indexKey      []byte
	auditSigner   string
	auditVerifier string
}

type masterKey struct {
	id      string
	key     []byte
	created time.Time
	retired bool
	aead    cipher.AEAD
}

// keyFile is the JSON form of the key file.
type keyFile struct {
	Version       int             `json:"version"`
	MasterKeys    []masterKeyJSON `json:"master_keys"`
	IndexKey      string          `json:"index_key"`
	AuditSigner   string          `json:"audit_signer"`
	AuditVerifier string          `json:"audit_verifier"`
}

type masterKeyJSON struct {
	ID      string    `json:"id"`
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
	Retired bool      `json:"retired"`
}

// LoadKeyring reads and checks the key file at path.
func LoadKeyring(path string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	k, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// ParseKeyring checks and decodes key file content, for example the value
// of WAYMARK_KEYS. Errors name fields and key ids, never key material.
func ParseKeyring(data []byte) (*Keyring, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt "retired" must not pass silently
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		// A syntax error quotes the offending character, which could be
		// part of a key; report only where it is.
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			return nil, fmt.Errorf("parse keyring: invalid JSON at byte %d", se.Offset)
		}
		return nil, fmt.Errorf("parse keyring: %w", err)
	}
	if dec.More() {
		return nil, errors.New("parse keyring: trailing data after the JSON object")
	}
	if f.Version != keyringVersion {
		return nil, fmt.Errorf("parse keyring: unsupported version %d", f.Version)
	}
	k := &Keyring{byID: make(map[string]*masterKey, len(f.MasterKeys))}
	k.masters = make([]masterKey, 0, len(f.MasterKeys))
	for i, m := range f.MasterKeys {
		if m.ID == "" {
			return nil, fmt.Errorf("parse keyring: master key %d has no id", i)
		}
		key, err := decodeKey(m.Key)
		if err != nil {
			return nil, fmt.Errorf("parse keyring: master key %s: %w", m.ID, err)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("parse keyring: master key %s: %w", m.ID, err)
		}
		k.masters = append(k.masters, masterKey{id: m.ID, key: key, created: m.Created, retired: m.Retired, aead: aead})
	}
	for i := range k.masters {
		m := &k.masters[i]
		if _, dup := k.byID[m.id]; dup {
			return nil, fmt.Errorf("parse keyring: master key id %s appears twice", m.id)
		}
		k.byID[m.id] = m
		if m.retired {
			continue
		}
		if k.active != nil {
			return nil, fmt.Errorf("parse keyring: master keys %s and %s are both active; exactly one may be", k.active.id, m.id)
		}
		k.active = m
	}
	if k.active == nil {
		return nil, errors.New("parse keyring: no active master key")
	}
	idx, err := decodeKey(f.IndexKey)
	if err != nil {
		return nil, fmt.Errorf("parse keyring: index key: %w", err)
	}
	k.indexKey = idx
	k.auditSigner, k.auditVerifier = f.AuditSigner, f.AuditVerifier
	if err := k.checkAudit(); err != nil {
		return nil, fmt.Errorf("parse keyring: %w", err)
	}
	return k, nil
}

// checkAudit makes sure the audit signer parses and matches its verifier.
func (k *Keyring) checkAudit() error {
	s, err := note.NewSigner(k.auditSigner)
	if err != nil {
		// note's errors are fixed strings; they do not echo the key.
		return fmt.Errorf("audit signer key: %w", err)
	}
	v, err := note.NewVerifier(k.auditVerifier)
	if err != nil {
		return fmt.Errorf("audit verifier key: %w", err)
	}
	if s.Name() != v.Name() || s.KeyHash() != v.KeyHash() {
		return errors.New("audit signer and verifier keys do not belong together")
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("missing")
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// The decoder's error holds only an offset, but say less anyway.
		return nil, errors.New("not valid base64")
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("is %d bytes, want %d", len(key), keySize)
	}
	return key, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

// NewKeyring generates a keyring with fresh keys: one active master key,
// an index key and an audit signing key. It is not saved.
func NewKeyring() (*Keyring, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, auditKeyName)
	if err != nil {
		return nil, fmt.Errorf("generate audit key: %w", err)
	}
	f := keyFile{
		Version:       keyringVersion,
		IndexKey:      base64.StdEncoding.EncodeToString(randomKey()),
		AuditSigner:   skey,
		AuditVerifier: vkey,
	}
	f.MasterKeys = append(f.MasterKeys, newMasterKeyJSON(nil))
	return fromFile(f)
}

// fromFile round-trips f through ParseKeyring so that every keyring in
// memory has passed the same checks as one read from disk.
func fromFile(f keyFile) (*Keyring, error) {
	data, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode keyring: %w", err)
	}
	return ParseKeyring(data)
}

func newMasterKeyJSON(existing map[string]*masterKey) masterKeyJSON {
	now := time.Now().UTC().Truncate(time.Second)
	for {
		var b [4]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		id := "mk-" + now.Format("20060102") + "-" + hex.EncodeToString(b[:])
		if _, taken := existing[id]; taken {
			continue
		}
		return masterKeyJSON{ID: id, Key: base64.StdEncoding.EncodeToString(randomKey()), Created: now}
	}
}

func randomKey() []byte {
	key := make([]byte, keySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return key
}

// withNewMaster returns a copy of k with a fresh active master key and
// every other key retired.
func (k *Keyring) withNewMaster() (*Keyring, string, error) {
	f := k.file()
	for i := range f.MasterKeys {
		f.MasterKeys[i].Retired = true
	}
	m := newMasterKeyJSON(k.byID)
	f.MasterKeys = append(f.MasterKeys, m)
	nk, err := fromFile(f)
	if err != nil {
		return nil, "", err
	}
	return nk, m.ID, nil
}

func (k *Keyring) file() keyFile {
	f := keyFile{
		Version:       keyringVersion,
		IndexKey:      base64.StdEncoding.EncodeToString(k.indexKey),
		AuditSigner:   k.auditSigner,
		AuditVerifier: k.auditVerifier,
	}
	for _, m := range k.masters {
		f.MasterKeys = append(f.MasterKeys, masterKeyJSON{
			ID: m.id, Key: base64.StdEncoding.EncodeToString(m.key), Created: m.created, Retired: m.retired,
		})
	}
	return f
}

// Encode returns the key file content (JSON), for Save or for putting into
// WAYMARK_KEYS. It holds secrets: never log it.
func (k *Keyring) Encode() ([]byte, error) {
	data, err := json.MarshalIndent(k.file(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode keyring: %w", err)
	}
	return append(data, '\n'), nil
}

// Save writes the keyring to path with mode 0600, atomically: a reader
// (another server reloading) sees either the old or the new file, never a
// half-written one.
func (k *Keyring) Save(path string) error {
	data, err := k.Encode()
	if err != nil {
		return err
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save key file %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// CreateKeyring generates a new keyring and writes it to path; it fails if
// the file exists, so an existing keyring is never overwritten.
func CreateKeyring(path string) (*Keyring, error) {
	k, err := NewKeyring()
	if err != nil {
		return nil, err
	}
	data, err := k.Encode()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key file directory: %w", err)
	}
	tmp, err := writeTemp(path, data)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	// A hard link publishes the complete file and fails if path exists, so
	// two processes starting at once cannot both create a keyring.
	if err := os.Link(tmp, path); err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadOrCreateKeyring loads the key file at path, creating it first if it
// does not exist; created reports whether it did.
func LoadOrCreateKeyring(path string) (k *Keyring, created bool, err error) {
	k, err = LoadKeyring(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	k, err = CreateKeyring(path)
	if err == nil {
		return k, true, nil
	}
	if errors.Is(err, fs.ErrExist) {
		// Another process created it in the meantime.
		k, err = LoadKeyring(path)
		return k, false, err
	}
	return nil, false, err
}

// writeTemp writes data to a new 0600 file beside path and syncs it.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write key file %s: %w", path, err)
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("write key file %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write key file %s: %w", path, err)
	}
	return name, nil
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// ActiveKeyID is the id of the master key that wraps new data keys.
func (k *Keyring) ActiveKeyID() string { return k.active.id }

// KeyIDs lists the ids of all master keys, active and retired, in file order.
func (k *Keyring) KeyIDs() []string {
	ids := make([]string, len(k.masters))
	for i, m := range k.masters {
		ids[i] = m.id
	}
	return ids
}

// AuditSigner returns the signer for audit-log checkpoints.
func (k *Keyring) AuditSigner() (note.Signer, error) {
	s, err := note.NewSigner(k.auditSigner)
	if err != nil {
		return nil, fmt.Errorf("audit signer: %w", err)
	}
	return s, nil
}

// AuditVerifier returns the verifier for audit-log checkpoints.
func (k *Keyring) AuditVerifier() (note.Verifier, error) {
	v, err := note.NewVerifier(k.auditVerifier)
	if err != nil {
		return nil, fmt.Errorf("audit verifier: %w", err)
	}
	return v, nil
}

// AuditVerifierKey is the public verifier key string, safe to publish so
// others can check signed audit checkpoints.
func (k *Keyring) AuditVerifierKey() string { return k.auditVerifier }

// String describes the keyring without key material, so printing one by
// mistake leaks nothing.
func (k *Keyring) String() string {
	if k == nil || k.active == nil {
		return "vault.Keyring{}"
	}
	return fmt.Sprintf("vault.Keyring{active: %s, master keys: %d}", k.active.id, len(k.masters))
}

// GoString keeps %#v from printing key material.
func (k *Keyring) GoString() string { return k.String() }
