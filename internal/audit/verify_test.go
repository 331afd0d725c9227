package audit

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// exec runs tampering statements as an attacker with database access would.
func exec(t *testing.T, db *storage.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := db.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rehash recomputes audit_hashes from the rows, as an attacker who edited
// rows would to hide the edit.
func rehash(t *testing.T, db *storage.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, actor_user_id, actor_org_id, action, outcome,
			subject_type, subject_id, subject_org_id, detail FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		var entries []Entry
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_hashes`); err != nil {
			return err
		}
		for _, e := range entries {
			hashes, err := tlog.StoredHashes(e.Seq, leafData(e), txHashReader(ctx, tx))
			if err != nil {
				return err
			}
			if err := insertHashes(ctx, tx, tlog.StoredHashIndex(0, e.Seq), hashes); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// resign replaces the latest checkpoint with one for the current hashes,
// signed by signer.
func resign(t *testing.T, db *storage.DB, signer note.Signer) {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *storage.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head`).Scan(&n); err != nil {
			return err
		}
		root, err := tlog.TreeHash(n, txHashReader(ctx, tx))
		if err != nil {
			return err
		}
		signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: n, Hash: root}))}, signer)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE audit_checkpoints SET root_hash = $1, signed = $2 WHERE tree_size = $3`, root[:], string(signed), n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name      string
		entries   int
		keepEvery int64
		tamper    func(t *testing.T, db *storage.DB)
		firstBad  int64 // -1 and ok true for a clean log
		problem   string
	}{
		{name: "empty log", entries: 0, firstBad: -1},
		{name: "clean log", entries: 20, firstBad: -1},
		{name: "clean log with kept checkpoints", entries: 20, keepEvery: 4, firstBad: -1},
		{
			name: "row edited", entries: 20, firstBad: 5, problem: "entry 5 does not match",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`) },
		},
		{
			name: "first row edited", entries: 20, firstBad: 0,
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_log SET outcome = 'denied' WHERE seq = 0`)
			},
		},
		{
			name: "row deleted", entries: 20, firstBad: 7, problem: "entry 7 is missing",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `DELETE FROM audit_log WHERE seq = 7`) },
		},
		{
			name: "rows deleted", entries: 20, firstBad: 7, problem: "entries 7 to 9 are missing",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `DELETE FROM audit_log WHERE seq BETWEEN 7 AND 9`) },
		},
		{
			name: "row edited and hashes recomputed", entries: 20, firstBad: 0, problem: "entries 0 to 19 differ from the signed checkpoint for 20",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`)
				rehash(t, db)
			},
		},
		{
			name: "row edited and hashes recomputed, narrowed by kept checkpoints", entries: 20, keepEvery: 4, firstBad: 4,
			problem: "entries 4 to 7 differ from the signed checkpoint for 8",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`)
				rehash(t, db)
			},
		},
		{
			name: "rewrite re-signed with another key of the same name", entries: 20, firstBad: 0, problem: "no valid signature",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`)
				rehash(t, db)
				forger, _ := newKeys(t, keyName)
				resign(t, db, forger)
			},
		},
		{
			name: "forged signature bytes", entries: 20, keepEvery: 8, firstBad: 16, problem: "checkpoint for 20 entries has no valid signature",
			tamper: func(t *testing.T, db *storage.DB) {
				var signed string
				err := db.Read(context.Background(), func(tx *storage.Tx) error {
					return tx.QueryRowContext(context.Background(), `SELECT signed FROM audit_checkpoints WHERE tree_size = 20`).Scan(&signed)
				})
				if err != nil {
					t.Fatal(err)
				}
				// Flip one character of the base64 signature.
				i := strings.LastIndex(signed, " ") + 10
				forged := signed[:i] + string(rune('A'+(signed[i]-'A'+1)%26)) + signed[i+1:]
				if forged == signed {
					t.Fatal("signature unchanged")
				}
				exec(t, db, `UPDATE audit_checkpoints SET signed = '`+forged+`' WHERE tree_size = 20`)
			},
		},
		{
			name: "stored root column altered", entries: 20, firstBad: -1, problem: "stored root",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_checkpoints SET root_hash = zeroblob(32) WHERE tree_size = 20`)
			},
		},
		{
			name: "leaf hash altered", entries: 20, firstBad: 6, problem: "entry 6 does not match",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_hashes SET hash = zeroblob(32) WHERE idx = `+itoa(tlog.StoredHashIndex(0, 6)))
			},
		},
		{
			name: "interior hash altered", entries: 20, firstBad: 7, problem: "tree hash written with entry 7",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `UPDATE audit_hashes SET hash = zeroblob(32) WHERE idx = `+itoa(tlog.StoredHashIndex(3, 0)))
			},
		},
		{
			name: "stored hash deleted", entries: 20, firstBad: 3,
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `DELETE FROM audit_hashes WHERE idx = `+itoa(tlog.StoredHashIndex(0, 3)))
			},
		},
		{
			name: "latest checkpoint deleted", entries: 20, keepEvery: 8, firstBad: 16, problem: "entries 16 to 19 match their stored hashes, but no signed checkpoint",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `DELETE FROM audit_checkpoints WHERE tree_size = 20`) },
		},
		{
			name: "tail rows deleted", entries: 20, firstBad: 15, problem: "covers 20 entries but only 15 exist",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `DELETE FROM audit_log WHERE seq >= 15`) },
		},
		{
			name: "tail rows and latest checkpoint deleted", entries: 20, keepEvery: 8, firstBad: 17, problem: "head records 20 entries",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `DELETE FROM audit_log WHERE seq >= 17`, `DELETE FROM audit_checkpoints WHERE tree_size = 20`)
			},
		},
		{
			name: "tail deleted with head moved back", entries: 20, keepEvery: 8, firstBad: 17, problem: "stored hashes exist beyond",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `DELETE FROM audit_log WHERE seq >= 17`, `DELETE FROM audit_checkpoints WHERE tree_size = 20`,
					`UPDATE audit_head SET size = 17`)
			},
		},
		{
			name: "row added behind the log's back", entries: 20, firstBad: 20, problem: "entry 20 does not match",
			tamper: func(t *testing.T, db *storage.DB) {
				exec(t, db, `INSERT INTO audit_log (seq, at, action, outcome) VALUES (20, '2026-01-01 00:00:00+00:00', 'x', 'done')`)
			},
		},
		{
			name: "head moved back", entries: 21, firstBad: 20, problem: "entries from 20 on were added without advancing the log head",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `UPDATE audit_head SET size = 20`) },
		},
		{
			name: "head row deleted", entries: 3, firstBad: -1, problem: "head row is missing",
			tamper: func(t *testing.T, db *storage.DB) { exec(t, db, `DELETE FROM audit_head`) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := openDB(t)
			l, _, v := newLog(t)
			if tt.keepEvery > 0 {
				l.keepEvery = tt.keepEvery
			}
			appendN(t, db, l, tt.entries, 3)
			if tt.tamper != nil {
				tt.tamper(t, db)
			}
			r, err := Verify(ctx, db, v)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK != (tt.firstBad == -1 && tt.problem == "") || r.FirstBad != tt.firstBad || !strings.Contains(r.Problem, tt.problem) {
				t.Errorf("report = %+v, want first bad %d, problem %q", r, tt.firstBad, tt.problem)
			}
			if r.OK && r.Problem != "" {
				t.Errorf("OK report with problem %q", r.Problem)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestVerifyWrongKey(t *testing.T) {
	db := openDB(t)
	l, _, _ := newLog(t)
	appendN(t, db, l, 5, 5)
	_, other := newKeys(t, "another-key")
	r, err := Verify(context.Background(), db, other)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || r.FirstBad != 0 {
		t.Errorf("report = %+v, want failure", r)
	}
}

// A cut that removes the tail together with its checkpoints is invisible to
// Verify alone, but not to an exported checkpoint.
func TestVerifyExternalCatchesTruncation(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, s, v := newLog(t)
	l.keepEvery = 8
	appendN(t, db, l, 20, 4)
	exported, err := l.Latest(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if exported.Size != 20 {
		t.Fatalf("latest checkpoint covers %d", exported.Size)
	}
	if r, err := VerifyExternal(ctx, db, v, []byte(exported.Signed)); err != nil || !r.OK || r.Checkpoints != 3 {
		t.Fatalf("untouched log: %+v, %v", r, err)
	}

	exec(t, db,
		`DELETE FROM audit_log WHERE seq >= 16`,
		`DELETE FROM audit_hashes WHERE idx >= `+itoa(tlog.StoredHashIndex(0, 16)),
		`DELETE FROM audit_checkpoints WHERE tree_size > 16`,
		`UPDATE audit_head SET size = 16`)
	if r, err := Verify(ctx, db, v); err != nil || !r.OK {
		t.Fatalf("the documented blind spot changed: %+v, %v", r, err)
	}
	r, err := VerifyExternal(ctx, db, v, []byte(exported.Signed))
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || r.FirstBad != 16 || !strings.Contains(r.Problem, "entries from 16 on were removed") {
		t.Errorf("report = %+v", r)
	}

	// A rewrite of the kept part is caught by the exported checkpoint too.
	db2 := openDB(t)
	l2 := New(s, v)
	appendN(t, db2, l2, 10, 10)
	cp, err := l2.Latest(ctx, db2)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db2, `UPDATE audit_log SET detail = 'x' WHERE seq = 2`)
	rehash(t, db2)
	if r, err := VerifyExternal(ctx, db2, v, []byte(cp.Signed)); err != nil || r.OK || r.FirstBad != 0 {
		t.Errorf("rewritten log: %+v, %v", r, err)
	}

	_, other := newKeys(t, keyName)
	if _, err := VerifyExternal(ctx, db, other, []byte(exported.Signed)); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("checkpoint by an unknown key: err = %v, want invalid", err)
	}
}
