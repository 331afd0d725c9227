package audit

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/storage"
)

// TestVerifyLarge checks that Verify streams a big log in bounded memory.
// It writes the rows directly (appending them one by one would take
// minutes), so it runs only with WAYMARK_AUDIT_LARGE set to the number of
// entries, e.g. WAYMARK_AUDIT_LARGE=1000000.
func TestVerifyLarge(t *testing.T) {
	n, _ := strconv.ParseInt(os.Getenv("WAYMARK_AUDIT_LARGE"), 10, 64)
	if n <= 0 {
		t.Skip("set WAYMARK_AUDIT_LARGE=<entries> to run")
	}
	ctx := context.Background()
	db := openDB(t)
	l, s, v := newLog(t)
	start := time.Now()
	fill(t, db, l.keepEvery, s, n)
	t.Logf("wrote %d entries in %v", n, time.Since(start))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start = time.Now()
	r, err := Verify(ctx, db, v)
	if err != nil || !r.OK || r.Entries != n {
		t.Fatalf("verify = %+v, %v", r, err)
	}
	runtime.ReadMemStats(&after)
	t.Logf("verified %d entries and %d checkpoints in %v; %d MiB allocated in total, heap now %d MiB",
		r.Entries, r.Checkpoints, time.Since(start), (after.TotalAlloc-before.TotalAlloc)>>20, after.HeapAlloc>>20)

	exec(t, db, fmt.Sprintf(`UPDATE audit_log SET detail = 'x' WHERE seq = %d`, n-2))
	if r, err := Verify(ctx, db, v); err != nil || r.FirstBad != n-2 {
		t.Fatalf("verify after edit = %+v, %v", r, err)
	}
}

// fill writes n sample entries with their hashes and the checkpoints Append
// would keep, in large batches.
func fill(t *testing.T, db *storage.DB, keep int64, signer note.Signer, n int64) {
	t.Helper()
	ctx := context.Background()
	var (
		f   frontier
		buf []tlog.Hash
	)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for lo := int64(0); lo < n; lo += 5000 {
		hi := min(lo+5000, n)
		err := db.Write(ctx, func(tx *storage.Tx) error {
			insRow, err := tx.PrepareContext(ctx, `INSERT INTO audit_log (seq, at, actor_user_id, actor_org_id, action, outcome,
				subject_type, subject_id, subject_org_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
			if err != nil {
				return err
			}
			defer insRow.Close()
			insHash, err := tx.PrepareContext(ctx, `INSERT INTO audit_hashes (idx, hash) VALUES ($1, $2)`)
			if err != nil {
				return err
			}
			defer insHash.Close()
			for seq := lo; seq < hi; seq++ {
				e := sample(int(seq))
				e.Seq, e.At = seq, at.Add(time.Duration(seq)*time.Millisecond)
				if _, err := insRow.ExecContext(ctx, e.Seq, e.At, e.ActorUserID, e.ActorOrgID, e.Action, e.Outcome,
					e.SubjectType, e.SubjectID, e.SubjectOrgID, e.Detail); err != nil {
					return err
				}
				buf = f.push(LeafHash(e), buf)
				for j, h := range buf {
					if _, err := insHash.ExecContext(ctx, tlog.StoredHashIndex(0, seq)+int64(j), h[:]); err != nil {
						return err
					}
				}
				if size := seq + 1; size%keep == 0 || size == n {
					root := f.root()
					signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))}, signer)
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root_hash, signed, created_at) VALUES ($1, $2, $3, $4)`,
						size, root[:], string(signed), storage.Now()); err != nil {
						return err
					}
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE audit_head SET size = $1`, hi)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
