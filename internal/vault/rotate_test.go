package vault

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"waymark.city/waymark/internal/storage"
)

// sealMany seals value i of field "name" for records 0..n-1 in one transaction.
func sealMany(t testing.TB, db *storage.DB, v *Vault, n int) [][]byte {
	t.Helper()
	cts := make([][]byte, n)
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		for i := range n {
			var err error
			if cts[i], err = v.Seal(context.Background(), tx, record(i), "name", value(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seal %d records: %v", n, err)
	}
	return cts
}

func value(i int) []byte { return fmt.Appendf(nil, "person %d", i) }

// checkAll opens every ciphertext with v.
func checkAll(t *testing.T, db *storage.DB, v *Vault, cts [][]byte) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		for i, ct := range cts {
			pt, err := v.Open(context.Background(), tx, record(i), "name", ct)
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
			if !bytes.Equal(pt, value(i)) {
				return fmt.Errorf("record %d: got %q", i, pt)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("open all: %v", err)
	}
}

// keyCounts counts data keys per master key id.
func keyCounts(t *testing.T, db *storage.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT master_key_id, count(*) FROM data_keys GROUP BY master_key_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			counts[id] = n
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

func TestRotate(t *testing.T) {
	db, v, keysPath := setup(t)
	const n = 1234 // more than two batches
	cts := sealMany(t, db, v, n)
	oldID := v.Keyring().ActiveKeyID()
	index := v.BlindIndex("users.email", []byte("a@example.org"))
	// stale loaded the file before the rotation, like another server.
	staleKeys, err := LoadKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	stale := New(staleKeys, keysPath)

	res, err := Rotate(context.Background(), db, keysPath, nil)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if res.Rewrapped != n || res.NewKeyID == "" || res.NewKeyID == oldID {
		t.Fatalf("Rotate = %+v, want %d rewrapped to a new key", res, n)
	}
	if got := keyCounts(t, db); len(got) != 1 || got[res.NewKeyID] != n {
		t.Errorf("data keys per master key = %v, want all %d on %s", got, n, res.NewKeyID)
	}
	keys, err := LoadKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	if keys.ActiveKeyID() != res.NewKeyID || !keys.byID[oldID].retired {
		t.Errorf("key file: active %s, old key retired %v; want %s active and the old one kept, retired",
			keys.ActiveKeyID(), keys.byID[oldID].retired, res.NewKeyID)
	}
	if keys.AuditVerifierKey() != staleKeys.AuditVerifierKey() {
		t.Errorf("rotation changed the audit key")
	}

	t.Run("same vault", func(t *testing.T) { checkAll(t, db, v, cts) })
	t.Run("vault loaded before rotation", func(t *testing.T) {
		checkAll(t, db, stale, cts)
		if stale.Keyring().ActiveKeyID() != res.NewKeyID {
			t.Errorf("stale vault did not reload the key file")
		}
	})
	t.Run("fresh vault", func(t *testing.T) { checkAll(t, db, New(keys, keysPath), cts) })
	t.Run("blind index unchanged", func(t *testing.T) {
		if !bytes.Equal(New(keys, "").BlindIndex("users.email", []byte("a@example.org")), index) {
			t.Errorf("rotation changed the blind index")
		}
	})

	again, err := Rotate(context.Background(), db, keysPath, nil)
	if err != nil || again.Rewrapped != n {
		t.Fatalf("second Rotate = %+v, %v", again, err)
	}
	checkAll(t, db, stale, cts)
}

// TestStaleVaultSealsWithNewKey: a Vault that loaded the file before a
// rotation in another process wraps new data keys with the new key.
func TestStaleVaultSealsWithNewKey(t *testing.T) {
	db, _, keysPath := setup(t)
	staleKeys, err := LoadKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	stale := New(staleKeys, keysPath)
	res, err := Rotate(context.Background(), db, keysPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	seal(t, db, stale, record(1), "name", []byte("x"))
	if got := keyCounts(t, db); got[res.NewKeyID] != 1 {
		t.Errorf("data keys per master key = %v, want the new one on %s", got, res.NewKeyID)
	}
}

func TestInterruptedRotation(t *testing.T) {
	db, v, keysPath := setup(t)
	const n = 300
	cts := sealMany(t, db, v, n)
	firstID := v.Keyring().ActiveKeyID()

	// A rotation that dies after one batch of 100.
	keys, err := addMasterKey(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := rewrap(context.Background(), db, keys, orDiscard(nil), 100, 1)
	if err != nil || moved != 100 {
		t.Fatalf("partial rewrap = %d, %v; want 100", moved, err)
	}
	if got := keyCounts(t, db); got[firstID] != 200 || got[keys.ActiveKeyID()] != 100 {
		t.Fatalf("after interruption: %v", got)
	}
	checkAll(t, db, New(keys, keysPath), cts)

	res, err := Rotate(context.Background(), db, keysPath, nil)
	if err != nil {
		t.Fatalf("Rotate after interruption: %v", err)
	}
	if res.Rewrapped != n {
		t.Errorf("Rewrapped = %d, want %d (rows on both older keys)", res.Rewrapped, n)
	}
	if got := keyCounts(t, db); got[res.NewKeyID] != n {
		t.Errorf("after re-run: %v, want all on %s", got, res.NewKeyID)
	}
	if ids := v.Keyring().KeyIDs(); len(ids) != 1 {
		t.Fatalf("test setup: v should still hold the original keyring, has %v", ids)
	}
	checkAll(t, db, v, cts)
	if ids := v.Keyring().KeyIDs(); len(ids) != 3 {
		t.Errorf("after reload the vault knows %v, want 3 keys", ids)
	}

	// Rewrap with nothing left to do is a no-op.
	latest, err := LoadKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := Rewrap(context.Background(), db, latest, nil); err != nil || n != 0 {
		t.Errorf("Rewrap = %d, %v; want 0", n, err)
	}
}

// TestServingDuringRotation runs two Vaults, as two servers that each loaded
// the key file, reading and writing while a rotation with small batches runs.
func TestServingDuringRotation(t *testing.T) {
	db, _, keysPath := setup(t)
	var vaults []*Vault
	for range 2 {
		k, err := LoadKeyring(keysPath)
		if err != nil {
			t.Fatal(err)
		}
		vaults = append(vaults, New(k, keysPath))
	}
	const existing = 600
	cts := sealMany(t, db, vaults[0], existing)

	ctx := context.Background()
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		mu      sync.Mutex
		created = map[string][]byte{} // record → ciphertext of "name"
		next    atomic.Int64
		ops     atomic.Int64
	)
	next.Store(existing)
	errs := make(chan error, 16)
	for w := range 4 {
		v := vaults[w%2]
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for !stop.Load() {
				i := rng.IntN(existing)
				err := db.Read(ctx, func(tx *storage.Tx) error {
					pt, err := v.Open(ctx, tx, record(i), "name", cts[i])
					if err == nil && !bytes.Equal(pt, value(i)) {
						err = fmt.Errorf("record %d: wrong plaintext", i)
					}
					return err
				})
				if err == nil {
					j := int(next.Add(1))
					var ct []byte
					err = db.Write(ctx, func(tx *storage.Tx) error {
						var err error
						// Seal a field of an existing record and a new record.
						if _, err = v.Seal(ctx, tx, record(i), "phone", []byte("1")); err != nil {
							return err
						}
						ct, err = v.Seal(ctx, tx, record(j), "name", value(j))
						return err
					})
					if err == nil {
						mu.Lock()
						created[record(j)] = ct
						mu.Unlock()
					}
				}
				if err != nil {
					errs <- err
					return
				}
				ops.Add(1)
			}
		})
	}

	for ops.Load() < 8 && len(errs) == 0 { // let serving get going first
		runtime.Gosched()
	}
	before := ops.Load()
	res, err := rotate(ctx, db, keysPath, nil, 25)
	during := ops.Load() - before
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("serving during rotation: %v", err)
	}
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	t.Logf("rotation rewrapped %d data keys while serving %d operations", res.Rewrapped, during)
	if during == 0 {
		t.Errorf("no operation completed during the rotation; the test shows nothing")
	}
	if res.Rewrapped < existing {
		t.Errorf("Rewrapped = %d, want at least %d", res.Rewrapped, existing)
	}
	if got := keyCounts(t, db); len(got) != 1 || got[res.NewKeyID] == 0 {
		t.Errorf("data keys per master key after rotation = %v, want all on %s", got, res.NewKeyID)
	}
	for _, v := range vaults {
		checkAll(t, db, v, cts)
		err := db.Read(ctx, func(tx *storage.Tx) error {
			for rec, ct := range created {
				if _, err := v.Open(ctx, tx, rec, "name", ct); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("open records written during rotation: %v", err)
		}
		if v.Keyring().ActiveKeyID() != res.NewKeyID {
			t.Errorf("a vault still wraps with %s", v.Keyring().ActiveKeyID())
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	db, v, _ := setup(b)
	ctx := context.Background()
	plaintext := bytes.Repeat([]byte("x"), 200)
	err := db.Write(ctx, func(tx *storage.Tx) error {
		i := 0
		for b.Loop() {
			// A new record each time: includes creating and wrapping its data key.
			if _, err := v.Seal(ctx, tx, record(i), "notes", plaintext); err != nil {
				return err
			}
			i++
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkOpen(b *testing.B) {
	db, v, _ := setup(b)
	ctx := context.Background()
	const records = 1000
	plaintext := bytes.Repeat([]byte("x"), 200)
	cts := make([][]byte, records)
	err := db.Write(ctx, func(tx *storage.Tx) error {
		for i := range records {
			var err error
			if cts[i], err = v.Seal(ctx, tx, record(i), "notes", plaintext); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	err = db.Read(ctx, func(tx *storage.Tx) error {
		i := 0
		for b.Loop() {
			if _, err := v.Open(ctx, tx, record(i%records), "notes", cts[i%records]); err != nil {
				return err
			}
			i++
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
