package vault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestRotateUnderWriteLoad rotates while several "servers" (Vaults that
// loaded the key file before the rotation) keep creating records in
// transactions that run on after the data key is written, as a request's
// transaction does. Afterwards no data key may be left under the retired
// master key. Repeated, because the race it guards against does not show in
// every run.
func TestRotateUnderWriteLoad(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			for round := range 4 {
				t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
					rotateUnderWriteLoad(t, storagetest.Open(t, engine))
				})
			}
		})
	}
}

func rotateUnderWriteLoad(t *testing.T, db *storage.DB) {
	ctx := context.Background()
	keysPath := filepath.Join(t.TempDir(), "waymark.keys")
	first, err := CreateKeyring(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	var servers []*Vault
	for range 3 {
		k, err := LoadKeyring(keysPath)
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, New(k, keysPath))
	}
	sealMany(t, db, servers[0], 60)

	var (
		stop    atomic.Bool
		next    atomic.Int64
		written atomic.Int64
		wg      sync.WaitGroup
	)
	next.Store(1000)
	// How long a request's transaction runs on after it created its data
	// key. SQLite runs one writer at a time, so long ones only slow the test.
	tail := 100 * time.Millisecond
	if db.Engine == storage.SQLite {
		tail = 10 * time.Millisecond
	}
	errs := make(chan error, 16)
	for w := range 12 {
		v := servers[w%len(servers)]
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for !stop.Load() {
				err := db.Write(ctx, func(tx *storage.Tx) error {
					if _, err := v.Seal(ctx, tx, record(int(next.Add(1))), "name", []byte("x")); err != nil {
						return err
					}
					// The rest of the request's transaction, which on a busy
					// server may wait for locks (the audit head) a while.
					time.Sleep(time.Duration(rng.Int64N(int64(tail))))
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				written.Add(1)
			}
		})
	}
	for written.Load() < 20 && len(errs) == 0 {
		time.Sleep(time.Millisecond)
	}
	began := time.Now()
	res, err := rotate(ctx, db, keysPath, nil, 25)
	t.Logf("rotation took %v", time.Since(began))
	// Writers go on a little after the rotation returned.
	time.Sleep(20 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("writer: %v", err)
	}
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	counts := keyCounts(t, db)
	if left := counts[first.ActiveKeyID()]; left != 0 {
		t.Errorf("%d data keys left under the retired master key %s (all: %v); %d records written",
			left, first.ActiveKeyID(), counts, written.Load())
	}
	if counts[res.NewKeyID] == 0 {
		t.Errorf("no data key under the new master key: %v", counts)
	}
}
