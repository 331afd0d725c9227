package audit

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

const keyName = "waymark-audit-test"

func openDB(tb testing.TB) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

func newKeys(tb testing.TB, name string) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v
}

func newLog(tb testing.TB) (*Log, note.Signer, note.Verifier) {
	tb.Helper()
	s, v := newKeys(tb, keyName)
	return New(s, v), s, v
}

// sample is the i-th test entry: two organisations, a few actions.
func sample(i int) Entry {
	orgs := []string{"org-a", "org-b"}
	actions := []string{"users.manage", "users.view", "auth.login"}
	return Entry{
		ActorUserID:  fmt.Sprintf("user-%d", i%3),
		ActorOrgID:   orgs[i%2],
		Action:       actions[i%3],
		Outcome:      []string{Allowed, Denied, Failed, Done}[i%4],
		SubjectType:  "user",
		SubjectID:    fmt.Sprintf("subject-%d", i),
		SubjectOrgID: orgs[(i/2)%2],
		Detail:       "code=" + fmt.Sprint(i),
	}
}

// appendN appends n sample entries, perTx to a transaction.
func appendN(tb testing.TB, db *storage.DB, l *Log, n, perTx int) {
	tb.Helper()
	ctx := context.Background()
	for done := 0; done < n; {
		err := db.Write(ctx, func(tx *storage.Tx) error {
			for i := 0; i < perTx && done+i < n; i++ {
				if _, err := l.Append(ctx, tx, sample(done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += perTx
	}
}

func count(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFrontierMatchesTlog(t *testing.T) {
	stored := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	var f frontier
	var buf []tlog.Hash
	if got, want := f.root(), tlog.RecordHash(nil); got == want {
		t.Fatal("empty root must not be a leaf hash")
	}
	for n := int64(0); n < 600; n++ {
		data := fmt.Appendf(nil, "record %d", n)
		hashes, err := tlog.StoredHashes(n, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		if got := tlog.StoredHashIndex(0, n); got != tlog.StoredHashCount(n) {
			t.Fatalf("n=%d: StoredHashIndex(0,n)=%d, StoredHashCount(n)=%d", n, got, tlog.StoredHashCount(n))
		}
		for i, h := range hashes {
			stored[tlog.StoredHashIndex(0, n)+int64(i)] = h
		}
		buf = f.push(tlog.RecordHash(data), buf)
		if fmt.Sprint(buf) != fmt.Sprint(hashes) {
			t.Fatalf("n=%d: stored hashes differ", n)
		}
		want, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.root(); got != want {
			t.Fatalf("n=%d: root %v, want %v", n, got, want)
		}
	}
}

func TestLeafDataUnambiguous(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := Entry{At: at, Action: "a", Outcome: Done, SubjectType: "x", SubjectID: "y"}
	b := Entry{At: at, Action: "a", Outcome: Done, SubjectType: "x:", SubjectID: "y"}
	c := Entry{At: at, Action: "a", Outcome: Done, SubjectType: "", SubjectID: "xy"}
	d := Entry{At: at, Action: "a", Outcome: Done, SubjectType: "xy"}
	seen := map[tlog.Hash]string{}
	for name, e := range map[string]Entry{"a": a, "b": b, "c": c, "d": d} {
		h := LeafHash(e)
		if other, ok := seen[h]; ok {
			t.Errorf("entries %s and %s have the same leaf hash", name, other)
		}
		seen[h] = name
	}
	want := "waymark audit v1\n1:0\n20:2026-03-01T12:00:00Z\n0:\n0:\n1:a\n4:done\n1:x\n1:y\n0:\n0:\n"
	if got := string(leafData(a)); got != want {
		t.Errorf("leaf data = %q, want %q", got, want)
	}
}

func TestAppend(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, v := newLog(t)

	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	var seqs []int64
	err := db.Write(ctx, func(tx *storage.Tx) error {
		for i := range 3 {
			e := sample(i)
			if i == 0 {
				e.At = at
			}
			seq, err := l.Append(ctx, tx, e)
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seqs) != "[0 1 2]" {
		t.Errorf("seqs = %v", seqs)
	}
	entries, total, err := l.List(ctx, db, access.SystemScope(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(entries) != 3 || entries[0].Seq != 2 {
		t.Fatalf("list = %d entries of %d, first %+v", len(entries), total, entries)
	}
	if want := at.UTC().Truncate(time.Microsecond); !entries[2].At.Equal(want) || entries[2].At.Location() != time.UTC {
		t.Errorf("at = %v, want %v", entries[2].At, want)
	}
	if entries[1].At.IsZero() {
		t.Error("zero At was not filled in")
	}
	size, root, err := l.Head(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := l.Latest(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if size != 3 || latest.Size != 3 || latest.Root != root {
		t.Errorf("head %d %v, latest %d %v", size, root, latest.Size, latest.Root)
	}
	if _, err := note.Open([]byte(latest.Signed), note.VerifierList(v)); err != nil {
		t.Errorf("latest checkpoint does not verify: %v", err)
	}
	// An inclusion proof ties an entry to the exported checkpoint.
	proof, err := l.ProveEntry(ctx, db, 1, latest.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckRecord(proof, latest.Size, latest.Root, 1, LeafHash(entries[1])); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	if r, err := Verify(ctx, db, v); err != nil || !r.OK || r.Entries != 3 {
		t.Errorf("verify = %+v, %v", r, err)
	}
}

func TestAppendRejects(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, s, _ := newLog(t)
	_, otherV := newKeys(t, keyName)
	tests := []struct {
		name string
		log  *Log
		e    Entry
	}{
		{"empty action", l, Entry{Outcome: Done}},
		{"unknown outcome", l, Entry{Action: "x", Outcome: "maybe"}},
		{"invalid utf-8", l, Entry{Action: "x", Outcome: Done, Detail: "\xff"}},
		{"nul byte", l, Entry{Action: "x", Outcome: Done, SubjectID: "a\x00b"}},
		{"too long", l, Entry{Action: "x", Outcome: Done, Detail: strings.Repeat("a", maxField+1)}},
		{"mismatched keys", New(s, otherV), Entry{Action: "x", Outcome: Done}},
		{"no keys", New(nil, nil), Entry{Action: "x", Outcome: Done}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Write(ctx, func(tx *storage.Tx) error {
				_, err := tt.log.Append(ctx, tx, tt.e)
				return err
			})
			if err == nil {
				t.Fatal("append succeeded")
			}
		})
	}
	if n := count(t, db, "audit_log"); n != 0 {
		t.Errorf("%d entries stored", n)
	}
}

func TestAppendRollsBackWithTransaction(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, v := newLog(t)
	appendN(t, db, l, 2, 1)

	errBoom := fmt.Errorf("the change failed")
	err := db.Write(ctx, func(tx *storage.Tx) error {
		for i := range 5 {
			if _, err := l.Append(ctx, tx, sample(i)); err != nil {
				return err
			}
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("write = %v", err)
	}
	for table, want := range map[string]int{"audit_log": 2, "audit_hashes": int(tlog.StoredHashCount(2)), "audit_checkpoints": 1} {
		if n := count(t, db, table); n != want {
			t.Errorf("%s has %d rows, want %d", table, n, want)
		}
	}
	appendN(t, db, l, 1, 1)
	if r, err := Verify(ctx, db, v); err != nil || !r.OK || r.Entries != 3 {
		t.Errorf("verify = %+v, %v", r, err)
	}
}

func TestAppendConcurrent(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, v := newLog(t)
	l.keepEvery = 16

	const workers, each = 8, 25
	var wg sync.WaitGroup
	seqs := make(chan int64, workers*each)
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := db.Write(ctx, func(tx *storage.Tx) error {
					seq, err := l.Append(ctx, tx, sample(w*each+i))
					seqs <- seq
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(seqs)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for s := range seqs {
		if seen[s] {
			t.Errorf("seq %d handed out twice", s)
		}
		seen[s] = true
	}
	r, err := Verify(ctx, db, v)
	if err != nil || !r.OK || r.Entries != workers*each || r.FirstBad != -1 {
		t.Fatalf("verify = %+v, %v", r, err)
	}
	// Checkpoints at 16, 32, … 192 and the latest, 200.
	if r.Checkpoints != 13 {
		t.Errorf("verified %d checkpoints, want 13", r.Checkpoints)
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, _ := newLog(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.Write(ctx, func(tx *storage.Tx) error {
		for i := range 12 {
			e := sample(i)
			e.At = base.Add(time.Duration(i) * time.Hour)
			if _, err := l.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		// Entries that belong to no organisation are visible to "*" only.
		_, err := l.Append(ctx, tx, Entry{At: base.Add(12 * time.Hour), Action: "system.backup", Outcome: Done})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	orgA, err := access.Authorize(access.Actor{UserID: "u", OrgID: "org-a", Role: access.CaseWorker}, access.ViewUsers)
	if err != nil {
		t.Fatal(err)
	}
	// sample(i): actor org a for even i; subject org a for i%4 in {0,1}.
	tests := []struct {
		name  string
		scope access.Scope
		f     Filter
		seqs  string
		total int
	}{
		{"all, newest first", access.SystemScope(), Filter{}, "[12 11 10 9 8 7 6 5 4 3 2 1 0]", 13},
		{"own organisation as actor or subject", orgA, Filter{}, "[10 9 8 6 5 4 2 1 0]", 9},
		{"limit and offset", access.SystemScope(), Filter{Limit: 3, Offset: 2}, "[10 9 8]", 13},
		{"actor", access.SystemScope(), Filter{ActorUserID: "user-1"}, "[10 7 4 1]", 4},
		{"action exact", access.SystemScope(), Filter{Action: "users.view"}, "[10 7 4 1]", 4},
		{"action prefix", access.SystemScope(), Filter{Action: "users.*"}, "[10 9 7 6 4 3 1 0]", 8},
		{"prefix wildcards are literal", access.SystemScope(), Filter{Action: "users_*"}, "[]", 0},
		{"outcome in scope", orgA, Filter{Outcome: Denied}, "[9 5 1]", 3},
		{"subject", access.SystemScope(), Filter{SubjectType: "user", SubjectID: "subject-3"}, "[3]", 1},
		{"time window", access.SystemScope(), Filter{From: base.Add(2 * time.Hour), To: base.Add(5 * time.Hour)}, "[4 3 2]", 3},
		{"from only", access.SystemScope(), Filter{From: base.Add(11*time.Hour + time.Microsecond)}, "[12]", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, total, err := l.List(ctx, db, tt.scope, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			seqs := make([]int64, len(entries))
			for i, e := range entries {
				seqs[i] = e.Seq
			}
			if got := fmt.Sprint(seqs); got != tt.seqs || total != tt.total {
				t.Errorf("seqs %s total %d, want %s total %d", got, total, tt.seqs, tt.total)
			}
		})
	}

	entries, _, err := l.List(ctx, db, access.SystemScope(), Filter{SubjectID: "subject-3"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("list = %v, %v", entries, err)
	}
	want := sample(3)
	want.Seq, want.At = 3, base.Add(3*time.Hour)
	if entries[0] != want {
		t.Errorf("entry = %+v, want %+v", entries[0], want)
	}

	for _, f := range []Filter{{Outcome: "maybe"}, {From: base.Add(time.Hour), To: base}} {
		if _, _, err := l.List(ctx, db, access.SystemScope(), f); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("filter %+v: err = %v, want invalid", f, err)
		}
	}
}

func TestListLimits(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, _ := newLog(t)
	appendN(t, db, l, 520, 520)
	for _, tt := range []struct{ limit, want int }{{0, DefaultLimit}, {-1, DefaultLimit}, {10, 10}, {1000, MaxLimit}} {
		entries, total, err := l.List(ctx, db, access.SystemScope(), Filter{Limit: tt.limit})
		if err != nil || len(entries) != tt.want || total != 520 {
			t.Errorf("limit %d: %d entries of %d, %v; want %d", tt.limit, len(entries), total, err, tt.want)
		}
	}
}
