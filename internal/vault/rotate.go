package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/storage"
)

// rewrapBatch is how many data keys one rewrap transaction moves: small
// enough that serving requests wait only briefly for the writer.
const rewrapBatch = 500

// RotateResult reports a rotation.
type RotateResult struct {
	// NewKeyID is the master key that is active now.
	NewKeyID string
	// Rewrapped counts the data keys moved to it.
	Rewrapped int
}

// Rotate adds a new master key to the key file at keysPath, makes it the
// active one, retires the others and rewraps every data key still wrapped by
// a retired key. Servers keep running: the file is saved before any data key
// moves, and a Vault that meets the new key id reloads the file. If Rotate
// is interrupted, running it (or Rewrap) again finishes the job.
func Rotate(ctx context.Context, db *storage.DB, keysPath string, log *slog.Logger) (RotateResult, error) {
	return rotate(ctx, db, keysPath, log, rewrapBatch)
}

func rotate(ctx context.Context, db *storage.DB, keysPath string, log *slog.Logger, batch int) (RotateResult, error) {
	log = orDiscard(log)
	keys, err := addMasterKey(keysPath)
	if err != nil {
		return RotateResult{}, err
	}
	res := RotateResult{NewKeyID: keys.ActiveKeyID()}
	log.Info("vault: new master key saved", "key_id", res.NewKeyID)
	res.Rewrapped, err = rewrap(ctx, db, keys, log, batch, 0)
	return res, err
}

// Rewrap moves every data key still wrapped by a retired master key of keys
// to its active one, without adding a key, repeating until none is left; it
// finishes an interrupted Rotate.
func Rewrap(ctx context.Context, db *storage.DB, keys *Keyring, log *slog.Logger) (int, error) {
	return rewrap(ctx, db, keys, orDiscard(log), rewrapBatch, 0)
}

// addMasterKey saves the key file with a new active master key and returns
// the new keyring. A lock file keeps two rotations from both reading the old
// file and one dropping the other's new key.
func addMasterKey(keysPath string) (*Keyring, error) {
	unlock, err := lockKeyFile(keysPath)
	if err != nil {
		return nil, err
	}
	defer unlock()
	keys, err := LoadKeyring(keysPath)
	if err != nil {
		return nil, err
	}
	next, _, err := keys.withNewMaster()
	if err != nil {
		return nil, err
	}
	if err := next.Save(keysPath); err != nil {
		return nil, err
	}
	return next, nil
}

// lockKeyFile takes keysPath+".lock". Changing the file takes milliseconds,
// so a lock older than staleLock is left over from a crash and broken.
func lockKeyFile(keysPath string) (unlock func(), err error) {
	const staleLock = time.Minute
	path := keysPath + ".lock"
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock key file: %w", err)
		}
		if fi, serr := os.Stat(path); serr == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock key file: %s is held by another rotation", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rewrap moves data keys from the retired master keys of keys to its active
// key, batch rows per transaction, until none are left (or maxBatches
// batches ran, when not 0 — tests use it to simulate an interruption). Rows
// on keys this keyring does not know (a newer rotation) are left alone, so
// two rotations never hand rows back and forth.
func rewrap(ctx context.Context, db *storage.DB, keys *Keyring, log *slog.Logger, batch, maxBatches int) (int, error) {
	target := keys.active
	if err := markActive(ctx, db, target.id); err != nil {
		return 0, err
	}
	var retired []any
	var marks []string
	for _, m := range keys.masters {
		if m.id != target.id {
			retired = append(retired, m.id)
			marks = append(marks, "$"+strconv.Itoa(len(retired)+1))
		}
	}
	if len(retired) == 0 {
		return 0, nil
	}
	query := `SELECT record, master_key_id, wrapped FROM data_keys WHERE master_key_id IN (` +
		strings.Join(marks, ", ") + `) ORDER BY record LIMIT $1`
	args := append([]any{batch}, retired...)

	total := 0
	for n := 0; maxBatches == 0 || n < maxBatches; n++ {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("rewrap data keys: %w", err)
		}
		moved := 0
		err := db.Write(ctx, func(tx *storage.Tx) error {
			moved = 0
			type row struct {
				record, masterID string
				wrapped          []byte
			}
			rows, err := tx.QueryContext(ctx, query+tx.ForUpdate(), args...)
			if err != nil {
				return fmt.Errorf("select data keys: %w", err)
			}
			var todo []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.record, &r.masterID, &r.wrapped); err != nil {
					rows.Close()
					return fmt.Errorf("scan data key: %w", err)
				}
				todo = append(todo, r)
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("select data keys: %w", err)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("select data keys: %w", err)
			}
			for _, r := range todo {
				dek, err := unwrapWith(keys, r.record, r.masterID, r.wrapped)
				if err != nil {
					return err
				}
				wrapped := wrap(target, r.record, dek)
				clear(dek)
				if _, err := tx.ExecContext(ctx,
					`UPDATE data_keys SET master_key_id = $1, wrapped = $2 WHERE record = $3 AND master_key_id = $4`,
					target.id, wrapped, r.record, r.masterID); err != nil {
					return fmt.Errorf("update data key of %s: %w", r.record, err)
				}
			}
			moved = len(todo)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("rewrap data keys to %s: %w", target.id, err)
		}
		if moved == 0 {
			break
		}
		total += moved
		log.Info("vault: rewrapped data keys", "key_id", target.id, "batch", moved, "total", total)
	}
	return total, nil
}

// lockRotation takes the rotation table in ROW SHARE mode for the rest of
// tx: request transactions do not block each other, but a rotation's
// EXCLUSIVE lock waits for all of them, and — unlike a row lock — later ones
// queue behind it, so a busy server cannot starve the rotation. SQLite has
// one writer, which orders the rotation's update anyway.
func lockRotation(ctx context.Context, tx *storage.Tx) error {
	if tx.Engine != storage.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE vault_rotation IN ROW SHARE MODE`); err != nil {
		return fmt.Errorf("lock vault rotation: %w", err)
	}
	return nil
}

// rotationLockWait bounds how long one attempt of markActive waits for the
// rotation table on PostgreSQL. Below the server's deadlock_timeout (1 s by
// default), so when a request transaction holding it also waits for one
// queued behind the rotation, the rotation gives way and tries again instead
// of the deadlock detector failing the request.
const rotationLockWait = "200ms"

// markActive records activeID as the master key the installation now wraps
// new data keys with. The update waits for every transaction that locked
// the table to choose a master key (see Vault.dataKey), so once it returns
// every data key wrapped by a key retired before the call is committed and
// visible to the rewrap.
func markActive(ctx context.Context, db *storage.DB, activeID string) error {
	for {
		err := db.Write(ctx, func(tx *storage.Tx) error {
			if tx.Engine == storage.Postgres {
				if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '`+rotationLockWait+`'`); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `LOCK TABLE vault_rotation IN EXCLUSIVE MODE`); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO vault_rotation (id, active_key_id, rotated_at) VALUES (1, $1, $2)
				ON CONFLICT (id) DO UPDATE SET active_key_id = excluded.active_key_id, rotated_at = excluded.rotated_at`,
				activeID, storage.Now())
			return err
		})
		if err == nil {
			return nil
		}
		// 55P03: lock_not_available, the lock_timeout above.
		if !strings.Contains(err.Error(), "SQLSTATE 55P03") || ctx.Err() != nil {
			return fmt.Errorf("mark master key %s active: %w", activeID, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func orDiscard(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return log
}
