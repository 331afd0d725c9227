package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func testKey(t testing.TB, id string) BackupKey {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return BackupKey{ID: id, Key: k}
}

func lookup(keys ...BackupKey) KeyLookup {
	return func(id string) ([]byte, error) {
		for _, k := range keys {
			if k.ID == id {
				return k.Key, nil
			}
		}
		return nil, errors.New("no such key")
	}
}

// treeTable is a test-only table with a self-reference and a cycle, so rows
// can only be inserted with foreign keys suspended, and a float column.
func createTreeTable(t *testing.T, db *storage.DB) {
	t.Helper()
	ddl := `CREATE TABLE zz_tree (id TEXT PRIMARY KEY, parent TEXT REFERENCES zz_tree (id), weight REAL)`
	if db.Engine == storage.Postgres {
		ddl = `CREATE TABLE zz_tree (id TEXT PRIMARY KEY, parent TEXT REFERENCES zz_tree (id), weight DOUBLE PRECISION)`
	}
	if err := db.Exec(t.Context(), ddl); err != nil {
		t.Fatalf("create zz_tree: %v", err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// fill puts rows with every kind of value into the platform tables: BLOBs
// (empty, binary, large), NULLs, timestamps with microseconds, unicode.
func fill(t *testing.T, db *storage.DB, auditRows int) {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2025, 3, 30, 1, 59, 59, 999999000, time.UTC)
	now := storage.Now()
	err := db.Write(ctx, func(tx *storage.Tx) error {
		exec := func(q string, args ...any) error {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%.40s: %w", q, err)
			}
			return nil
		}
		steps := []func() error{
			func() error {
				return exec(`INSERT INTO organisations (id, name, kind, created_at, disabled_at) VALUES
					('o1', 'Stadt Wien – Büro für Menschenrechte', 'city', $1, NULL),
					('o2', 'Ljubljana 🛟 Ključ „NGO“ 東京', 'ngo', $2, $1)`, at, now)
			},
			func() error {
				return exec(`INSERT INTO users (id, org_id, username, role, language, profile, password_hash,
					password_changed_at, totp_secret, totp_enabled_at, created_at, updated_at, disabled_at)
					VALUES ('u1', 'o1', 'ана', 'admin', 'de', $1, 'hash-ü', $2, $3, $2, $2, $2, NULL),
					       ('u2', 'o2', 'zoë', 'worker', '', $4, 'h', $2, NULL, NULL, $2, $5, $5)`,
					randomBytes(200<<10), at, []byte{}, []byte{0, 0xff, 0, '\n', '"'}, now)
			},
			func() error {
				return exec(`INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ('u1', 'c1', NULL), ('u1', 'c2', $1)`, at)
			},
			func() error {
				return exec(`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, mfa_at, step_up_at)
					VALUES ($1, 'u1', $2, $2, $2, NULL)`, randomBytes(32), at)
			},
			func() error {
				return exec(`INSERT INTO login_throttle VALUES ($1, 3, $2, $2)`, randomBytes(32), at)
			},
			func() error { return exec(`INSERT INTO rate_limits VALUES ('report:ip', $1, 7)`, at) },
			func() error {
				return exec(`INSERT INTO jobs (id, kind, run_at, payload, locked_until) VALUES
					('j1', 'mail', $1, '{"text":"Grüße \u00e9 \\u0000 \"quoted\""}', NULL)`, at)
			},
			func() error {
				return exec(`INSERT INTO data_keys VALUES ('case/1', 'master-1', $1, $2)`, randomBytes(60), at)
			},
			func() error {
				for i := range auditRows {
					if err := exec(`INSERT INTO audit_log (seq, at, actor_user_id, action, outcome, detail)
						VALUES ($1, $2, 'u1', 'case.read', 'ok', $3)`, int64(i+1), at.Add(time.Duration(i)*time.Microsecond), fmt.Sprintf("détail %d", i)); err != nil {
						return err
					}
					if err := exec(`INSERT INTO audit_hashes VALUES ($1, $2)`, int64(i), randomBytes(32)); err != nil {
						return err
					}
				}
				return exec(`UPDATE audit_head SET size = $1`, int64(auditRows))
			},
			func() error {
				return exec(`INSERT INTO audit_checkpoints VALUES ($1, $2, $3, $4)`, int64(auditRows), randomBytes(32), "note\n— sig", at)
			},
			func() error {
				return exec(`INSERT INTO zz_tree VALUES ('a', NULL, 0.1), ('b', 'a', -2.5e-300), ('c', 'c', NULL)`)
			},
			// A cycle: a → b → a.
			func() error { return exec(`UPDATE zz_tree SET parent = 'b' WHERE id = 'a'`) },
		}
		for _, s := range steps {
			if err := s(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fill %s: %v", db.Engine, err)
	}
}

// dump returns every table's rows in the backup encoding, sorted, so two
// databases of either engine compare equal when they hold the same values.
func dump(t *testing.T, db *storage.DB) map[string][]string {
	t.Helper()
	ctx := t.Context()
	out := map[string][]string{}
	err := db.Read(ctx, func(tx *storage.Tx) error {
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		for _, tb := range tables {
			var lines []string
			_, err := backupTable(ctx, tx, tb, func(b []byte) error {
				lines = append(lines, string(b))
				return nil
			})
			if err != nil {
				return err
			}
			slices.Sort(lines[1:])
			out[tb.Name] = lines
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump %s: %v", db.Engine, err)
	}
	return out
}

func newPair(t *testing.T, src, dst storage.Engine, auditRows int) (*storage.DB, *storage.DB) {
	t.Helper()
	from, to := storagetest.Open(t, src), storagetest.Open(t, dst)
	createTreeTable(t, from)
	createTreeTable(t, to)
	fill(t, from, auditRows)
	return from, to
}

func TestRoundTrip(t *testing.T) {
	for _, src := range storagetest.Engines() {
		for _, dst := range storagetest.Engines() {
			t.Run(fmt.Sprintf("%s to %s", src, dst), func(t *testing.T) {
				ctx := t.Context()
				from, to := newPair(t, src, dst, 500)
				before := dump(t, from)
				key := testKey(t, "k1")
				var file bytes.Buffer
				made, err := Backup(ctx, from, key, &file)
				if err != nil {
					t.Fatalf("Backup: %v", err)
				}
				if file.Len() < 2*chunkSize {
					t.Errorf("backup is %d bytes; the test wants several chunks", file.Len())
				}
				got, err := Restore(ctx, bytes.NewReader(file.Bytes()), lookup(testKey(t, "other"), key), to)
				if err != nil {
					t.Fatalf("Restore: %v", err)
				}
				if !made.Created.Equal(got.Created) || made.SHA256 != got.SHA256 || made.KeyID != got.KeyID ||
					made.Engine != src || !maps.Equal(made.Rows, got.Rows) || !slices.Equal(made.Migrations, got.Migrations) {
					t.Errorf("manifests differ:\nbackup:  %+v\nrestore: %+v", made, got)
				}
				if made.Rows["audit_log"] != 500 || made.Rows["users"] != 2 || made.Rows["zz_tree"] != 3 {
					t.Errorf("manifest rows = %v", made.Rows)
				}
				if _, ok := made.Rows["schema_migrations"]; ok {
					t.Error("schema_migrations copied as data")
				}
				after := dump(t, to)
				for name, rows := range before {
					if !slices.Equal(rows, after[name]) {
						t.Errorf("table %s differs after restore:\nbefore: %.300q\nafter:  %.300q", name, rows, after[name])
					}
				}
				if len(after) != len(before) {
					t.Errorf("restored %d tables, source has %d", len(after), len(before))
				}
				if again := dump(t, from); !maps.EqualFunc(before, again, slices.Equal) {
					t.Error("backup changed the source")
				}
				checkValues(t, to)
			})
		}
	}
}

// checkValues reads a few restored values back natively, not through the
// backup encoding.
func checkValues(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := t.Context()
	err := db.Read(ctx, func(tx *storage.Tx) error {
		var name string
		var disabled *time.Time
		if err := tx.QueryRowContext(ctx, `SELECT name, disabled_at FROM organisations WHERE id = 'o2'`).Scan(&name, &disabled); err != nil {
			return err
		}
		if name != "Ljubljana 🛟 Ključ „NGO“ 東京" {
			t.Errorf("name = %q", name)
		}
		want := time.Date(2025, 3, 30, 1, 59, 59, 999999000, time.UTC)
		if disabled == nil || !disabled.Equal(want) {
			t.Errorf("disabled_at = %v, want %v", disabled, want)
		}
		var binProfile, nullSecret []byte
		var nullDisabled *time.Time
		// SQLite's driver reads an empty BLOB as a nil slice; ask the database.
		var secretIsNull bool
		var secretLen int
		if err := tx.QueryRowContext(ctx, `SELECT totp_secret IS NULL, length(totp_secret) FROM users WHERE id = 'u1'`).Scan(&secretIsNull, &secretLen); err != nil {
			return err
		}
		if secretIsNull || secretLen != 0 {
			t.Errorf("empty BLOB came back as NULL=%v length %d", secretIsNull, secretLen)
		}
		if err := tx.QueryRowContext(ctx, `SELECT profile, totp_secret, disabled_at FROM users WHERE id = 'u2'`).Scan(&binProfile, &nullSecret, &nullDisabled); err != nil {
			return err
		}
		if !bytes.Equal(binProfile, []byte{0, 0xff, 0, '\n', '"'}) || nullSecret != nil || nullDisabled == nil {
			t.Errorf("u2: profile %v, totp_secret %v, disabled_at %v", binProfile, nullSecret, nullDisabled)
		}
		var w float64
		if err := tx.QueryRowContext(ctx, `SELECT weight FROM zz_tree WHERE id = 'b'`).Scan(&w); err != nil {
			return err
		}
		if w != -2.5e-300 {
			t.Errorf("weight = %v", w)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read restored values: %v", err)
	}
}

// chunkOffsets returns where each chunk of a backup file starts.
func chunkOffsets(t *testing.T, file []byte) []int {
	t.Helper()
	pos := len(magic) + 2 + int(file[len(magic)+1]) + fileIDSize + 4
	var offs []int
	for pos < len(file) {
		offs = append(offs, pos)
		n := int(binary.BigEndian.Uint32(file[pos+1+nonceSize:]))
		pos += 1 + nonceSize + 4 + n
	}
	if pos != len(file) {
		t.Fatalf("chunk framing does not add up: %d != %d", pos, len(file))
	}
	return offs
}

func TestRestoreRejectsDamage(t *testing.T) {
	ctx := t.Context()
	from := storagetest.Open(t, storage.SQLite)
	createTreeTable(t, from)
	fill(t, from, 3000)
	key := testKey(t, "k1")
	var buf bytes.Buffer
	if _, err := Backup(ctx, from, key, &buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	offs := chunkOffsets(t, file)
	if len(offs) < 3 {
		t.Fatalf("want at least 3 chunks, have %d", len(offs))
	}
	last := offs[len(offs)-1]
	flip := func(i int) []byte {
		b := bytes.Clone(file)
		b[i] ^= 0x01
		return b
	}
	// swap exchanges chunks 0 and 1, which have the same length.
	swap := func() []byte {
		b := bytes.Clone(file[:offs[0]])
		b = append(b, file[offs[1]:offs[2]]...)
		b = append(b, file[offs[0]:offs[1]]...)
		return append(b, file[offs[2]:]...)
	}
	// markFinal sets the final flag on chunk 1 and cuts off the rest.
	markFinal := func() []byte {
		b := bytes.Clone(file[:offs[2]])
		b[offs[1]] = flagFinal
		return b
	}
	other := testKey(t, "k1") // same id, different bytes
	tests := []struct {
		name string
		file []byte
		keys KeyLookup
		key  string
	}{
		{"flipped magic", flip(0), lookup(key), "error.backup_unreadable"},
		{"flipped key id", flip(len(magic) + 2), lookup(key, testKey(t, "j1")), "error.backup_unreadable"},
		{"flipped file id", flip(len(magic) + 5), lookup(key), "error.backup_unreadable"},
		{"flipped final flag", flip(offs[0]), lookup(key), "error.backup_unreadable"},
		{"flipped nonce", flip(offs[1] + 3), lookup(key), "error.backup_unreadable"},
		{"flipped ciphertext", flip(offs[1] + 100), lookup(key), "error.backup_unreadable"},
		{"flipped last byte", flip(len(file) - 1), lookup(key), "error.backup_unreadable"},
		{"flipped length", flip(offs[1] + 1 + nonceSize + 3), lookup(key), "error.backup_unreadable"},
		{"reordered chunks", swap(), lookup(key), "error.backup_unreadable"},
		{"forged final chunk", markFinal(), lookup(key), "error.backup_unreadable"},
		{"truncated in header", file[:10], lookup(key), "error.backup_unreadable"},
		{"truncated in chunk", file[:offs[1]+500], lookup(key), "error.backup_unreadable"},
		{"truncated at chunk boundary", file[:last], lookup(key), "error.backup_unreadable"},
		{"last byte missing", file[:len(file)-1], lookup(key), "error.backup_unreadable"},
		{"trailing data", append(bytes.Clone(file), 0), lookup(key), "error.backup_unreadable"},
		{"appended chunk", append(bytes.Clone(file), file[offs[1]:offs[2]]...), lookup(key), "error.backup_unreadable"},
		{"wrong key", file, lookup(other), "error.backup_unreadable"},
		{"unknown key", file, lookup(testKey(t, "k2")), "error.backup_key_unknown"},
		{"empty file", nil, lookup(key), "error.backup_unreadable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			to := storagetest.Open(t, storage.SQLite)
			createTreeTable(t, to)
			before := dump(t, to)
			_, err := Restore(ctx, bytes.NewReader(tc.file), tc.keys, to)
			if err == nil {
				t.Fatal("Restore succeeded")
			}
			if e, ok := errors.AsType[*apperr.Error](err); !ok || e.Key != tc.key {
				t.Errorf("error = %v, want key %s", err, tc.key)
			}
			if after := dump(t, to); !maps.EqualFunc(before, after, slices.Equal) {
				t.Error("failed restore changed the target")
			}
		})
	}
}

func TestRestoreRefuses(t *testing.T) {
	ctx := t.Context()
	from := storagetest.Open(t, storage.SQLite)
	createTreeTable(t, from)
	fill(t, from, 10)
	key := testKey(t, "k1")
	var file bytes.Buffer
	if _, err := Backup(ctx, from, key, &file); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, db *storage.DB)
		key     string
	}{
		{"target has data", func(t *testing.T, db *storage.DB) {
			exec(t, db, `INSERT INTO organisations (id, name, kind, created_at) VALUES ('x', 'X', 'ngo', $1)`, storage.Now())
		}, "error.backup_target_not_empty"},
		{"target seed row changed in number", func(t *testing.T, db *storage.DB) {
			exec(t, db, `DELETE FROM audit_head`)
			exec(t, db, `INSERT INTO jobs (id, kind, run_at) VALUES ('j', 'k', $1)`, storage.Now())
		}, "error.backup_target_not_empty"},
		{"target on other migrations", func(t *testing.T, db *storage.DB) {
			exec(t, db, `INSERT INTO schema_migrations (name) VALUES ('9999_future.sql')`)
		}, "error.backup_schema_mismatch"},
		{"target lacks a table", func(t *testing.T, db *storage.DB) {
			exec(t, db, `DROP TABLE zz_tree`)
		}, "error.backup_schema_mismatch"},
		{"target has an extra table", func(t *testing.T, db *storage.DB) {
			exec(t, db, `CREATE TABLE zz_extra (id TEXT PRIMARY KEY)`)
		}, "error.backup_schema_mismatch"},
	}
	for _, engine := range storagetest.Engines() {
		for _, tc := range tests {
			t.Run(string(engine)+"/"+tc.name, func(t *testing.T) {
				to := storagetest.Open(t, engine)
				createTreeTable(t, to)
				tc.prepare(t, to)
				before := dump(t, to)
				_, err := Restore(ctx, bytes.NewReader(file.Bytes()), lookup(key), to)
				if e, ok := errors.AsType[*apperr.Error](err); !ok || e.Key != tc.key {
					t.Errorf("error = %v, want key %s", err, tc.key)
				}
				if after := dump(t, to); !maps.EqualFunc(before, after, slices.Equal) {
					t.Error("refused restore changed the target")
				}
			})
		}
	}
}

func exec(t *testing.T, db *storage.DB, q string, args ...any) {
	t.Helper()
	if err := db.Exec(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// hookWriter runs fn before the n-th write.
type hookWriter struct {
	w  io.Writer
	n  int
	fn func() error
}

func (h *hookWriter) Write(p []byte) (int, error) {
	h.n--
	if h.n == 0 {
		if err := h.fn(); err != nil {
			return 0, err
		}
	}
	return h.w.Write(p)
}

// TestBackupIsASnapshot writes to the source while a backup is being
// written; the backup must not see the change.
func TestBackupIsASnapshot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, from *storage.DB) {
		ctx := t.Context()
		createTreeTable(t, from)
		fill(t, from, 3000)
		key := testKey(t, "k1")
		var buf bytes.Buffer
		hooked := false
		w := &hookWriter{w: &buf, n: 2, fn: func() error {
			// The second write is the first chunk: the snapshot is open and
			// the audit tables (late in the order) are not read yet.
			hooked = true
			return from.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, action, outcome) VALUES (100000, $1, 'x', 'ok')`, storage.Now())
				return err
			})
		}}
		m, err := Backup(ctx, from, key, w)
		if err != nil {
			t.Fatalf("Backup: %v", err)
		}
		if !hooked {
			t.Fatal("hook did not run during the backup")
		}
		if m.Rows["audit_log"] != 3000 {
			t.Errorf("backup saw %d audit rows, want the 3000 of its snapshot", m.Rows["audit_log"])
		}
		to := storagetest.Open(t, from.Engine)
		createTreeTable(t, to)
		if _, err := Restore(ctx, &buf, lookup(key), to); err != nil {
			t.Fatalf("Restore: %v", err)
		}
	})
}

func TestBackupRejectsBadKeys(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	tests := []struct {
		name string
		key  BackupKey
	}{
		{"short key", BackupKey{ID: "k", Key: make([]byte, 16)}},
		{"no id", BackupKey{Key: make([]byte, 32)}},
		{"long id", BackupKey{ID: strings.Repeat("k", 256), Key: make([]byte, 32)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Backup(t.Context(), db, tc.key, io.Discard); err == nil {
				t.Error("Backup accepted the key")
			}
		})
	}
}

func TestBackupStopsWhenCancelled(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Backup(ctx, db, testKey(t, "k"), io.Discard); err == nil {
		t.Error("Backup ran with a cancelled context")
	}
}

func BenchmarkBackupRestore(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			from := storagetest.Open(b, engine)
			ctx := b.Context()
			for i := range 20000 {
				if err := from.Exec(ctx, `INSERT INTO audit_log (seq, at, action, outcome, detail) VALUES ($1, $2, 'case.read', 'ok', 'some detail text')`, int64(i), storage.Now()); err != nil {
					b.Fatal(err)
				}
			}
			key := testKey(b, "k")
			for b.Loop() {
				var buf bytes.Buffer
				if _, err := Backup(ctx, from, key, &buf); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				to := storagetest.Open(b, engine)
				b.StartTimer()
				if _, err := Restore(ctx, &buf, lookup(key), to); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
