// Package audit is Waymark's tamper-evident audit log: who did what to which
// record, when, and whether it was allowed.
//
// # Design
//
// Entries live in audit_log with gap-free sequence numbers 0, 1, 2, … . Each
// entry's fields are encoded canonically (see leafData) and become a leaf of
// a Merkle hash tree, the same append-only tree the Go checksum database uses
// (golang.org/x/mod/sumdb/tlog, RFC 6962 hashing). The tree's stored hashes —
// every leaf hash and every completed subtree hash — are kept in
// audit_hashes, so the root of any tree size can be computed from at most
// log₂ n stored hashes without reading the rows.
//
// Append runs inside the caller's transaction: the audit entry commits or
// rolls back together with the change it describes, so there is never a
// change without its entry, nor an entry for a change that did not happen.
// Writers are serialised by locking the single audit_head row (SELECT … FOR
// UPDATE on PostgreSQL; SQLite has one writer anyway), which also hands out
// the next sequence number.
//
// After each append the new tree head (size and root hash) is signed as a
// sumdb/note checkpoint and stored in audit_checkpoints. To bound growth only
// checkpoints whose size is a multiple of 256 are kept, plus the latest one:
// each append deletes the previous latest checkpoint unless its size is such
// a multiple. A million entries thus keep about 3,900 checkpoints, and a
// rewrite is pinned down to a window of at most 256 entries.
//
// # What Verify proves, and what it does not
//
// Verify streams the rows in order, recomputes every leaf and subtree hash and
// checks that
//   - sequence numbers run from 0 without gaps (a deleted row is reported by
//     its missing number);
//   - each row's hashes equal the stored ones in audit_hashes (an edited row is
//     reported by its number);
//   - the tree recomputed from the rows has the root of every stored
//     checkpoint, and every checkpoint carries a valid signature by the log's
//     key. Someone who edits rows and consistently recomputes audit_hashes is
//     caught here, because they cannot sign a new checkpoint without the
//     private key;
//   - the latest checkpoint covers every row and no checkpoint covers more
//     rows than exist.
//
// Verify cannot see a truncation that removes the tail of the log together
// with every checkpoint that mentions it, leaving a consistent shorter log
// whose latest checkpoint is an old, genuinely signed one. Nor can it see a
// rewrite by someone holding the signing key. Both need a copy of a
// checkpoint kept outside the database: a server's Publisher appends the
// latest one to a file (and posts it to a witness) every few seconds, the
// server refuses to start on a log older than that file's newest checkpoint
// (Publisher.Check), and VerifyAgainst checks a log against all of them;
// ship the file to partner organisations or to write-once storage. Keep the
// signing key away from the database (and its backups) for the same reason.
//
// Events that come in bursts (throttled sign-ins) go through Count, which
// appends the first per subject and window and one entry with the count
// later, so an attacker cannot make the log grow by one entry per request.
//
// # Personal data
//
// Entries must never hold personal data. Callers put only opaque ids (user,
// organisation, record), action names and short codes into the fields —
// never names, contact details or free text — because the log cannot be
// edited or erased without breaking its hash chain.
package audit

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/storage"
)

// Outcome values for Entry.Outcome.
const (
	Allowed = "allowed" // an access-controlled action was permitted
	Denied  = "denied"  // an access-controlled action was refused
	Failed  = "failed"  // the action was attempted and failed
	Done    = "done"    // a system or maintenance action completed
)

// validOutcome reports whether o is one of the Outcome constants.
func validOutcome(o string) bool {
	switch o {
	case Allowed, Denied, Failed, Done:
		return true
	}
	return false
}

// Entry is one audit record. Every field holds ids and codes only — never
// personal data such as names, contact details or free text, because audit
// entries can never be changed or erased (see the package documentation).
type Entry struct {
	Seq          int64     `json:"seq"`            // position in the log, set by Append
	At           time.Time `json:"at"`             // UTC, microseconds; Append sets it when zero
	ActorUserID  string    `json:"actor_user_id"`  // the acting user's id; empty for the system
	ActorOrgID   string    `json:"actor_org_id"`   // the acting user's organisation id
	Action       string    `json:"action"`         // what was done, e.g. "users.manage" or "auth.login"
	Outcome      string    `json:"outcome"`        // Allowed, Denied, Failed or Done
	SubjectType  string    `json:"subject_type"`   // kind of record acted on, e.g. "user"
	SubjectID    string    `json:"subject_id"`     // id of the record acted on
	SubjectOrgID string    `json:"subject_org_id"` // organisation owning the record acted on
	Detail       string    `json:"detail"`         // a short code or ids; never personal data
}

// maxField bounds each text field, so a careless caller cannot bloat the
// log that nobody may ever shrink.
const maxField = 2048

// keepEvery is the spacing of the checkpoints kept besides the latest one.
const keepEvery = 256

// Log appends to and reads Waymark's audit log. It holds no state besides
// its keys, so one Log may be shared by all requests.
type Log struct {
	signer   note.Signer
	verifier note.Verifier
	// keepEvery is the checkpoint spacing; a field so tests can narrow it.
	keepEvery int64
}

// New returns a Log that signs checkpoints with signer. verifier must be
// signer's public half; Append refuses to run with a mismatched pair, which
// would write checkpoints that Verify later rejects.
func New(signer note.Signer, verifier note.Verifier) *Log {
	return &Log{signer: signer, verifier: verifier, keepEvery: keepEvery}
}

// Append adds e to the log inside tx, the caller's transaction, and returns
// its sequence number. The entry (and its signed checkpoint) commits or rolls
// back with tx. Concurrent appenders wait for each other on the head row,
// which stays locked until tx ends: call Append as the last step of the
// transaction, so audit writers queue briefly and always take the head lock
// after their other locks (no lock-order deadlocks). Append changes nothing
// else in e's fields than Seq and At; keep personal data out of them.
func (l *Log) Append(ctx context.Context, tx *storage.Tx, e Entry) (int64, error) {
	if l.signer == nil || l.verifier == nil {
		return 0, fmt.Errorf("append audit entry: log has no signing key")
	}
	if l.signer.Name() != l.verifier.Name() || l.signer.KeyHash() != l.verifier.KeyHash() {
		return 0, fmt.Errorf("append audit entry: signer and verifier keys differ")
	}
	if e.At.IsZero() {
		e.At = storage.Now()
	}
	// PostgreSQL keeps microseconds; the hashed value must equal the stored one.
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if err := check(e); err != nil {
		return 0, fmt.Errorf("append audit entry %s: %w", e.Action, err)
	}

	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`+tx.ForUpdate()).Scan(&n); err != nil {
		return 0, fmt.Errorf("lock audit head: %w", err)
	}
	e.Seq = n

	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, at, actor_user_id, actor_org_id, action, outcome, subject_type, subject_id, subject_org_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.Seq, e.At, e.ActorUserID, e.ActorOrgID, e.Action, e.Outcome, e.SubjectType, e.SubjectID, e.SubjectOrgID, e.Detail); err != nil {
		return 0, fmt.Errorf("insert audit entry %d: %w", n, err)
	}

	reader := txHashReader(ctx, tx)
	hashes, err := tlog.StoredHashes(n, leafData(e), reader)
	if err != nil {
		return 0, fmt.Errorf("hash audit entry %d: %w", n, err)
	}
	if err := insertHashes(ctx, tx, tlog.StoredHashIndex(0, n), hashes); err != nil {
		return 0, fmt.Errorf("store hashes of audit entry %d: %w", n, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET size = $1 WHERE id = 1`, n+1); err != nil {
		return 0, fmt.Errorf("advance audit head to %d: %w", n+1, err)
	}

	root, err := tlog.TreeHash(n+1, reader)
	if err != nil {
		return 0, fmt.Errorf("tree hash at %d: %w", n+1, err)
	}
	if err := l.checkpoint(ctx, tx, tlog.Tree{N: n + 1, Hash: root}); err != nil {
		return 0, err
	}
	return n, nil
}

// checkpoint stores a signed note for tree and drops the previous latest
// checkpoint unless it is one of the kept multiples of keepEvery.
func (l *Log) checkpoint(ctx context.Context, tx *storage.Tx, tree tlog.Tree) error {
	signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tree))}, l.signer)
	if err != nil {
		return fmt.Errorf("sign audit checkpoint %d: %w", tree.N, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root_hash, signed, created_at)
		VALUES ($1, $2, $3, $4)`, tree.N, tree.Hash[:], string(signed), storage.Now()); err != nil {
		return fmt.Errorf("store audit checkpoint %d: %w", tree.N, err)
	}
	if prev := tree.N - 1; prev > 0 && prev%l.keepEvery != 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_checkpoints WHERE tree_size = $1`, prev); err != nil {
			return fmt.Errorf("drop audit checkpoint %d: %w", prev, err)
		}
	}
	return nil
}

// check rejects entries the log must not hold. The errors name no values,
// since a rejected field might be exactly the personal data that must not
// reach the log.
func check(e Entry) error {
	if e.Action == "" {
		return fmt.Errorf("action is empty")
	}
	if !validOutcome(e.Outcome) {
		return fmt.Errorf("unknown outcome")
	}
	all := fields(e)
	for i, f := range all[2:] {
		if len(f) > maxField {
			return fmt.Errorf("field %s is longer than %d bytes", fieldNames[i+2], maxField)
		}
		// PostgreSQL rejects both in TEXT; refusing them here keeps the two
		// engines' logs identical.
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return fmt.Errorf("field %s is not valid text", fieldNames[i+2])
		}
	}
	return nil
}

// fieldNames names the values of fields, for error messages.
var fieldNames = [10]string{"seq", "at", "actor_user_id", "actor_org_id", "action", "outcome",
	"subject_type", "subject_id", "subject_org_id", "detail"}

// fields lists an entry's values in their canonical order.
func fields(e Entry) [10]string {
	return [10]string{
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format(time.RFC3339Nano),
		e.ActorUserID, e.ActorOrgID, e.Action, e.Outcome,
		e.SubjectType, e.SubjectID, e.SubjectOrgID, e.Detail,
	}
}

// leafData is the canonical encoding of an entry that is hashed into the
// tree: a version line, then each field of fields(e) as
// "<byte length>:<bytes>\n". Length prefixes make it unambiguous whatever the
// fields contain, and it is simple to recompute outside Waymark.
func leafData(e Entry) []byte {
	var b bytes.Buffer
	b.WriteString("waymark audit v1\n")
	for _, f := range fields(e) {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// LeafHash is the tree's leaf hash of e, for checking an entry against an
// inclusion proof or an exported copy.
func LeafHash(e Entry) tlog.Hash { return tlog.RecordHash(leafData(e)) }

// txHashReader reads stored tree hashes inside tx, including those written
// earlier in the same transaction.
func txHashReader(ctx context.Context, tx *storage.Tx) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return readHashes(ctx, tx, indexes)
	})
}

// readHashes loads the stored hashes at indexes, in the same order.
func readHashes(ctx context.Context, tx *storage.Tx, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT idx, hash FROM audit_hashes WHERE idx IN (`)
	args := make([]any, len(indexes))
	for i, idx := range indexes {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("$" + strconv.Itoa(i+1))
		args[i] = idx
	}
	q.WriteByte(')')
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var idx int64
		var raw []byte
		if err := rows.Scan(&idx, &raw); err != nil {
			return nil, fmt.Errorf("read audit hashes: %w", err)
		}
		if len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("audit hash %d has %d bytes", idx, len(raw))
		}
		found[idx] = tlog.Hash(raw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := found[idx]
		if !ok {
			return nil, fmt.Errorf("audit hash %d is missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

// insertHashes stores hashes at consecutive indexes from start in one statement.
func insertHashes(ctx context.Context, tx *storage.Tx, start int64, hashes []tlog.Hash) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO audit_hashes (idx, hash) VALUES `)
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		if i > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, start+int64(i), h[:])
	}
	_, err := tx.ExecContext(ctx, q.String(), args...)
	return err
}

// Checkpoint is a signed tree head of the log.
type Checkpoint struct {
	Size   int64     // number of entries covered
	Root   tlog.Hash // root hash of the tree of those entries
	Signed string    // the sumdb/note signed note, for export
}

// Latest returns the most recent signed checkpoint, the one to export to
// partners. An empty log has a zero Checkpoint.
func (l *Log) Latest(ctx context.Context, db *storage.DB) (Checkpoint, error) {
	var c Checkpoint
	err := db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT tree_size, root_hash, signed FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			var raw []byte
			if err := rows.Scan(&c.Size, &raw, &c.Signed); err != nil {
				return err
			}
			if len(raw) != tlog.HashSize {
				return fmt.Errorf("checkpoint %d root has %d bytes", c.Size, len(raw))
			}
			c.Root = tlog.Hash(raw)
		}
		return rows.Err()
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("load latest audit checkpoint: %w", err)
	}
	return c, nil
}

// Head returns the number of entries and the current tree root, computed
// from the stored hashes (not checked against the rows; use Verify for that).
func (l *Log) Head(ctx context.Context, db *storage.DB) (int64, tlog.Hash, error) {
	var size int64
	var root tlog.Hash
	err := db.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&size); err != nil {
			return err
		}
		var err error
		root, err = tlog.TreeHash(size, txHashReader(ctx, tx))
		return err
	})
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("load audit head: %w", err)
	}
	return size, root, nil
}

// ProveEntry returns a proof that entry seq is in the tree of the given size,
// to be checked with tlog.CheckRecord against a checkpoint's root and
// LeafHash of the entry.
func (l *Log) ProveEntry(ctx context.Context, db *storage.DB, seq, size int64) (tlog.RecordProof, error) {
	var proof tlog.RecordProof
	err := db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		proof, err = tlog.ProveRecord(size, seq, txHashReader(ctx, tx))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("prove audit entry %d in tree %d: %w", seq, size, err)
	}
	return proof, nil
}

// Refused appends e as a denied entry in a transaction of its own (the
// refused action never ran, so there is none to join) and returns cause,
// or the failure to audit it.
func (l *Log) Refused(ctx context.Context, db *storage.DB, e Entry, cause error) error {
	e.Outcome = Denied
	err := db.Write(ctx, func(tx *storage.Tx) error {
		_, err := l.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit refused %s: %w", e.Action, err)
	}
	return cause
}
