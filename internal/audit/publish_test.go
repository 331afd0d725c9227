package audit

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestPublisher: checkpoints go to the file (only new ones) and the witness;
// a log rewritten below a published checkpoint, or cut back, fails both the
// start check and VerifyAgainst; a torn last line is skipped, a forged one is
// an error.
func TestPublisher(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	l, _, v := newLog(t)
	var mu sync.Mutex
	var witnessed []string
	witness := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		witnessed = append(witnessed, string(body))
		mu.Unlock()
	}))
	defer witness.Close()
	path := filepath.Join(t.TempDir(), "audit-checkpoints.log")
	p := NewPublisher(l, db, path, witness.URL, slog.New(slog.DiscardHandler))
	if err := p.Check(ctx); err != nil {
		t.Fatalf("check without a file: %v", err)
	}
	appendN(t, db, l, 10, 5)
	for range 2 { // the second has nothing new
		if err := p.Publish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	appendN(t, db, l, 5, 5)
	if err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	published, err := ReadPublished(path, v)
	if err != nil || len(published) != 2 || published[0].Size != 10 || published[1].Size != 15 {
		t.Fatalf("published %+v, %v; want checkpoints for 10 and 15 entries", published, err)
	}
	if len(witnessed) != 2 || witnessed[1] != published[1].Signed {
		t.Errorf("witness got %d notes, want the same 2", len(witnessed))
	}
	if r, err := VerifyAgainst(ctx, db, v, published); err != nil || !r.OK {
		t.Fatalf("untouched log: %+v, %v", r, err)
	}

	// A crash mid-line leaves a torn line: skipped, and dropped when the
	// next checkpoint is published.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("2026-01-01T00:00:00Z 16 d2F5")
	f.Close()
	if got, err := ReadPublished(path, v); err != nil || len(got) != 2 {
		t.Errorf("with a torn last line: %d checkpoints, %v", len(got), err)
	}
	appendN(t, db, l, 1, 1)
	if err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadPublished(path, v); err != nil || len(got) != 3 || got[2].Size != 16 {
		t.Errorf("after a torn line: %+v, %v; want it replaced by the checkpoint for 16", got, err)
	}

	// A line signed by another key is refused.
	other := filepath.Join(t.TempDir(), "forged.log")
	forged, _, _ := newLog(t)
	db2 := openDB(t)
	appendN(t, db2, forged, 3, 3)
	if err := NewPublisher(forged, db2, other, "", nil).Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPublished(other, v); err == nil || !strings.Contains(err.Error(), "no valid signature") {
		t.Errorf("a checkpoint by another key: %v", err)
	}

	// Rewritten: same length, different entry, consistently rehashed.
	exec(t, db, `UPDATE audit_log SET detail = 'x' WHERE seq = 2`)
	rehash(t, db)
	if err := p.Check(ctx); err == nil || !strings.Contains(err.Error(), "differ from the published checkpoint") {
		t.Errorf("check of a rewritten log: %v", err)
	}
	if r, err := VerifyAgainst(ctx, db, v, published); err != nil || r.OK || !strings.Contains(r.Problem, "published checkpoint") {
		t.Errorf("VerifyAgainst a rewritten log: %+v, %v", r, err)
	}
}
