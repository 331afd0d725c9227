package audit

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Report is the outcome of Verify.
type Report struct {
	Entries     int64 // rows in audit_log
	Checkpoints int   // stored checkpoints whose signature and root were verified
	OK          bool
	// FirstBad is the first entry that is missing, altered or not proven by
	// a valid checkpoint; -1 when there is none, or when the problem is not
	// with any entry.
	FirstBad int64
	// Problem explains the first problem found, in English for the command
	// line. It holds sequence numbers and sizes only, never entry contents.
	Problem string
}

// verifyBatch is how many rows Verify holds in memory at once.
const verifyBatch = 2000

// Verify checks the whole audit log against its stored hashes and its signed
// checkpoints (see the package documentation for what that proves). It reads
// one consistent snapshot, streams the rows in batches and stops at the first
// problem. An error means the check could not run, not that the log is bad.
func Verify(ctx context.Context, db *storage.DB, verifier note.Verifier) (Report, error) {
	return verify(ctx, db, verifier, nil)
}

// Verify checks the log with the log's own verifier; see the package-level
// Verify.
func (l *Log) Verify(ctx context.Context, db *storage.DB) (Report, error) {
	return verify(ctx, db, l.verifier, nil)
}

// VerifyAgainst is Verify with the checkpoints published outside the
// database (ReadPublished has checked their signatures): the log must hold
// every one of them, so a log cut back or restored from an older backup
// fails even where its own checkpoints agree with it.
func VerifyAgainst(ctx context.Context, db *storage.DB, verifier note.Verifier, published []Checkpoint) (Report, error) {
	external := make([]checkpointRow, len(published))
	for i, c := range published {
		external[i] = checkpointRow{size: c.Size, root: c.Root[:], signed: c.Signed, external: true}
	}
	return verify(ctx, db, verifier, external)
}

// VerifyExternal is Verify with one more checkpoint, a signed note exported
// earlier (Log.Latest) and kept outside the database. It catches what Verify
// alone cannot: a log cut back together with its checkpoints. A note that is
// not a checkpoint signed by verifier is an Invalid error.
func VerifyExternal(ctx context.Context, db *storage.DB, verifier note.Verifier, signed []byte) (Report, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Report{}, apperr.Wrap(apperr.Invalid, "error.audit.checkpoint", fmt.Errorf("open exported checkpoint: %w", err))
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return Report{}, apperr.Wrap(apperr.Invalid, "error.audit.checkpoint", fmt.Errorf("parse exported checkpoint: %w", err))
	}
	return verify(ctx, db, verifier, []checkpointRow{{size: tree.N, root: tree.Hash[:], signed: string(signed), external: true}})
}

// checkpointRow is a checkpoint as stored, or an exported one under test.
type checkpointRow struct {
	size     int64
	root     []byte
	signed   string
	external bool
}

// errStop ends the scan once a problem is recorded in the report.
var errStop = errors.New("audit verification found a problem")

// verifyRun is the state of one verification.
type verifyRun struct {
	ctx      context.Context
	tx       *storage.Tx
	verifier note.Verifier
	report   Report
	cps      []checkpointRow // ascending by size
	next     int             // first checkpoint not yet reached
	n        int64           // rows verified so far
	lastGood int64           // size of the last checkpoint that verified
	tree     frontier
}

func verify(ctx context.Context, db *storage.DB, verifier note.Verifier, external []checkpointRow) (Report, error) {
	if verifier == nil {
		return Report{}, fmt.Errorf("verify audit log: no verifier")
	}
	var report Report
	err := db.Read(ctx, func(tx *storage.Tx) error {
		if tx.Engine == storage.Postgres {
			// One snapshot for every query, so concurrent appends (which
			// delete the previous latest checkpoint) cannot confuse the check.
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
				return fmt.Errorf("set snapshot isolation: %w", err)
			}
		}
		v := &verifyRun{ctx: ctx, tx: tx, verifier: verifier, report: Report{FirstBad: -1}}
		err := v.run(external)
		report = v.report
		if errors.Is(err, errStop) {
			return nil
		}
		return err
	})
	if err != nil {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	return report, nil
}

// fail records the first problem and stops the scan.
func (v *verifyRun) fail(firstBad int64, format string, args ...any) error {
	v.report.OK = false
	v.report.FirstBad = firstBad
	v.report.Problem = fmt.Sprintf(format, args...)
	return errStop
}

func (v *verifyRun) run(external []checkpointRow) error {
	ctx, tx := v.ctx, v.tx
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&v.report.Entries); err != nil {
		return fmt.Errorf("count entries: %w", err)
	}
	var head int64
	switch err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&head); {
	case errors.Is(err, sql.ErrNoRows):
		head = -1
	case err != nil:
		return fmt.Errorf("read head: %w", err)
	}
	if err := v.loadCheckpoints(external); err != nil {
		return err
	}
	if err := v.reach(); err != nil {
		return err
	}
	if err := v.scan(); err != nil {
		return err
	}

	// Checkpoints beyond the last row: the tail was cut off.
	for _, c := range v.cps[v.next:] {
		if err := v.open(c); err != nil {
			return err
		}
		if c.external {
			return v.fail(v.n, "a published checkpoint covers %d entries but only %d exist: entries from %d on were removed, or the database was rolled back or restored from an older backup", c.size, v.n, v.n)
		}
		return v.fail(v.n, "a signed checkpoint covers %d entries but only %d exist: entries from %d on were removed", c.size, v.n, v.n)
	}
	switch {
	case head < 0:
		return v.fail(-1, "the log head row is missing")
	case head > v.n:
		return v.fail(v.n, "the log head records %d entries but only %d exist: entries from %d on were removed", head, v.n, v.n)
	case head < v.n:
		return v.fail(head, "entries from %d on were added without advancing the log head", head)
	}
	var extra int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_hashes WHERE idx >= $1`, tlog.StoredHashIndex(0, v.n)).Scan(&extra); err != nil {
		return fmt.Errorf("count stored hashes: %w", err)
	}
	if extra > 0 {
		return v.fail(v.n, "stored hashes exist beyond the last entry %d: entries were removed", v.n-1)
	}
	if v.lastGood < v.n {
		// Append signs every new head in the same transaction, so an
		// unsigned tail means the latest checkpoint was deleted.
		return v.fail(v.lastGood, "entries %d to %d match their stored hashes, but no signed checkpoint covers them: the latest checkpoint is missing", v.lastGood, v.n-1)
	}
	v.report.OK = true
	return nil
}

// loadCheckpoints reads every stored checkpoint; there are about n/256 of
// them, small enough to hold (and so are published ones: one per few
// seconds of activity).
func (v *verifyRun) loadCheckpoints(external []checkpointRow) error {
	rows, err := v.tx.QueryContext(v.ctx, `SELECT tree_size, root_hash, signed FROM audit_checkpoints ORDER BY tree_size`)
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c checkpointRow
		if err := rows.Scan(&c.size, &c.root, &c.signed); err != nil {
			return fmt.Errorf("read checkpoints: %w", err)
		}
		v.cps = append(v.cps, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	v.cps = append(v.cps, external...)
	slices.SortStableFunc(v.cps, func(a, b checkpointRow) int { return cmp.Compare(a.size, b.size) })
	return nil
}

// scan streams the rows and their stored hashes in batches.
func (v *verifyRun) scan() error {
	var (
		batch  []Entry
		stored []tlog.Hash
	)
	for {
		batch = batch[:0]
		rows, err := v.tx.QueryContext(v.ctx, `SELECT seq, at, actor_user_id, actor_org_id, action, outcome,
			subject_type, subject_id, subject_org_id, detail
			FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`, v.n, verifyBatch)
		if err != nil {
			return fmt.Errorf("read entries from %d: %w", v.n, err)
		}
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, e)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return fmt.Errorf("read entries from %d: %w", v.n, err)
		}
		rows.Close()
		if len(batch) == 0 {
			return nil
		}

		// Only the run of consecutive numbers can be checked; a gap ends it.
		k := 0
		for k < len(batch) && batch[k].Seq == v.n+int64(k) {
			k++
		}
		lo, hi := tlog.StoredHashIndex(0, v.n), tlog.StoredHashIndex(0, v.n+int64(k))
		want, err := v.storedHashes(lo, hi)
		if err != nil {
			return err
		}
		for _, e := range batch[:k] {
			stored = v.tree.push(LeafHash(e), stored)
			base := tlog.StoredHashIndex(0, e.Seq) - lo
			for j, h := range stored {
				w := want[base+int64(j)]
				if w == nil || !bytes.Equal(w, h[:]) {
					if j == 0 {
						return v.fail(e.Seq, "entry %d does not match its stored hash: the entry or its hash was changed", e.Seq)
					}
					return v.fail(e.Seq, "a stored tree hash written with entry %d was changed", e.Seq)
				}
			}
			v.n++
			if err := v.reach(); err != nil {
				return err
			}
		}
		if k < len(batch) {
			if batch[k].Seq-1 == v.n {
				return v.fail(v.n, "entry %d is missing", v.n)
			}
			return v.fail(v.n, "entries %d to %d are missing", v.n, batch[k].Seq-1)
		}
	}
}

// storedHashes returns the stored hashes with indexes lo ≤ idx < hi, nil
// where one is missing.
func (v *verifyRun) storedHashes(lo, hi int64) ([][]byte, error) {
	out := make([][]byte, hi-lo)
	rows, err := v.tx.QueryContext(v.ctx, `SELECT idx, hash FROM audit_hashes WHERE idx >= $1 AND idx < $2 ORDER BY idx`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read stored hashes %d to %d: %w", lo, hi, err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var h []byte
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, fmt.Errorf("read stored hashes %d to %d: %w", lo, hi, err)
		}
		out[idx-lo] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stored hashes %d to %d: %w", lo, hi, err)
	}
	return out, nil
}

// reach checks every checkpoint whose size equals the rows verified so far.
func (v *verifyRun) reach() error {
	for v.next < len(v.cps) && v.cps[v.next].size <= v.n {
		c := v.cps[v.next]
		v.next++
		tree, err := v.openTree(c)
		if err != nil {
			return err
		}
		if root := v.tree.root(); tree.Hash != root {
			if c.external {
				return v.fail(v.lastGood, "entries %d to %d differ from the published checkpoint for %d entries: the log was rewritten, or rolled back and written again", v.lastGood, c.size-1, c.size)
			}
			return v.fail(v.lastGood, "entries %d to %d differ from the signed checkpoint for %d entries: entries and stored hashes were rewritten", v.lastGood, c.size-1, c.size)
		}
		if !c.external && !bytes.Equal(c.root, tree.Hash[:]) {
			return v.fail(-1, "the stored root of the checkpoint for %d entries differs from its signed note", c.size)
		}
		v.lastGood = c.size
		if !c.external {
			v.report.Checkpoints++
		}
	}
	return nil
}

// open checks a checkpoint's signature and size label.
func (v *verifyRun) open(c checkpointRow) error {
	_, err := v.openTree(c)
	return err
}

func (v *verifyRun) openTree(c checkpointRow) (tlog.Tree, error) {
	n, err := note.Open([]byte(c.signed), note.VerifierList(v.verifier))
	if err != nil {
		return tlog.Tree{}, v.fail(v.lastGood, "the checkpoint for %d entries has no valid signature by the audit key", c.size)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil || tree.N != c.size {
		return tlog.Tree{}, v.fail(v.lastGood, "the checkpoint for %d entries is malformed or labelled with the wrong size", c.size)
	}
	return tree, nil
}

// frontier holds the roots of the complete subtrees of the tree built so
// far — at most log₂ n hashes — which is all Verify needs to recompute both
// the stored hashes and the tree root without keeping the tree in memory.
type frontier struct {
	hashes []tlog.Hash
	levels []int
}

// push adds the next leaf and returns the hashes tlog.StoredHashes stores for
// it, in the same order, reusing buf.
func (f *frontier) push(leaf tlog.Hash, buf []tlog.Hash) []tlog.Hash {
	buf = append(buf[:0], leaf)
	h, level := leaf, 0
	for len(f.levels) > 0 && f.levels[len(f.levels)-1] == level {
		last := len(f.hashes) - 1
		h = tlog.NodeHash(f.hashes[last], h)
		f.hashes, f.levels = f.hashes[:last], f.levels[:last]
		level++
		buf = append(buf, h)
	}
	f.hashes = append(f.hashes, h)
	f.levels = append(f.levels, level)
	return buf
}

// root is the tree hash of the leaves pushed so far (RFC 6962: the
// complete subtrees folded from the right).
func (f *frontier) root() tlog.Hash {
	if len(f.hashes) == 0 {
		h, _ := tlog.TreeHash(0, nil) // the empty tree reads nothing
		return h
	}
	h := f.hashes[len(f.hashes)-1]
	for i := len(f.hashes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(f.hashes[i], h)
	}
	return h
}
