package cli_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/cli"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestAuditRollbackDetected rolls the audit log back to an earlier signed
// checkpoint in the two ways an intruder or a careless restore would — cut
// the newest entries together with their checkpoints, restore an older
// backup — after a server published its checkpoints. Plain `audit verify`
// cannot see the first; `audit verify --against` sees both, and the server
// refuses to start on either.
func TestAuditRollbackDetected(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			in := newInstallation(t, engine)
			in.seedDemo(t)
			earlier := filepath.Join(t.TempDir(), "earlier.backup")
			mustRun(t, nil, "", append([]string{"backup", earlier}, in.flags()...)...)

			a := in.open(t)
			var before int64
			err := a.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT size FROM audit_head`).Scan(&before)
			})
			if err != nil {
				t.Fatal(err)
			}
			// The intruder keeps a copy of the checkpoint they will roll back to.
			earlierCheckpoint, err := a.Audit.Latest(ctx, a.DB)
			if err != nil || earlierCheckpoint.Size != before {
				t.Fatalf("latest checkpoint %d, %v; want %d", earlierCheckpoint.Size, err, before)
			}
			for i := range 303 {
				err := a.DB.Write(ctx, func(tx *storage.Tx) error {
					_, err := a.Audit.Append(ctx, tx, audit.Entry{Action: "cases.view", Outcome: audit.Allowed,
						SubjectType: "case", SubjectID: fmt.Sprint("case-", i)})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			a.Close()

			// The server publishes the latest checkpoint when it starts and stops.
			if r := serveBriefly(t, in.flags()...); r.code != 0 {
				t.Fatalf("serve: %s", r)
			}
			published := filepath.Join(in.cfg.DataDir, "audit-checkpoints.log")
			verifyAgainst := append([]string{"audit", "verify", "--against", published}, in.flags()...)
			if r := mustRun(t, nil, "", verifyAgainst...); !strings.Contains(r.stdout, "audit log OK") {
				t.Fatalf("verify --against before the rollback: %s", r)
			}

			t.Run("restored older backup", func(t *testing.T) {
				old := newInstallation(t, engine)
				old.cfg.KeysFile = in.cfg.KeysFile
				mustRun(t, nil, "", append([]string{"restore", earlier}, old.flags()...)...)
				r := run(t, nil, "", append([]string{"audit", "verify", "--against", published}, old.flags()...)...)
				wantRollback(t, r, "verify --against")
				r = serveBriefly(t, append(old.flags(), "--audit-checkpoints", published)...)
				wantRollback(t, r, "serve")
			})

			// Cut the 303 newest entries with their hashes and checkpoints and
			// put the earlier checkpoint back: what is left is a consistent,
			// signed, shorter log.
			b := in.open(t)
			err = b.DB.Write(ctx, func(tx *storage.Tx) error {
				for _, q := range []string{
					`DELETE FROM audit_log WHERE seq >= $1`,
					`DELETE FROM audit_checkpoints WHERE tree_size >= $1`,
					`UPDATE audit_head SET size = $1`,
				} {
					if _, err := tx.ExecContext(ctx, q, before); err != nil {
						return err
					}
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM audit_hashes WHERE idx >= $1`, tlog.StoredHashIndex(0, before)); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (tree_size, root_hash, signed, created_at) VALUES ($1, $2, $3, $4)`,
					before, earlierCheckpoint.Root[:], earlierCheckpoint.Signed, storage.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			b.Close()
			mustRun(t, nil, "", append([]string{"audit", "verify"}, in.flags()...)...)
			wantRollback(t, run(t, nil, "", verifyAgainst...), "verify --against")
			wantRollback(t, serveBriefly(t, in.flags()...), "serve")
		})
	}
}

// wantRollback checks that a command failed and said why.
func wantRollback(t *testing.T, r result, what string) {
	t.Helper()
	t.Logf("%s on a rolled-back log: %s", what, r.stderr)
	if r.code != 1 {
		t.Errorf("%s on a rolled-back log: exit %d, want 1: %s", what, r.code, r)
	}
	if !strings.Contains(r.stderr, "published checkpoint") || !strings.Contains(r.stderr, "rolled back") {
		t.Errorf("%s does not explain the rollback: %s", what, r)
	}
}

// serveBriefly starts `waymark serve` with args on a free port and stops it
// once it runs; a server that refuses to start returns at once.
func serveBriefly(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...),
			cli.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	}()
	deadline := time.After(time.Minute)
	for !strings.Contains(stdout.String(), "Waymark is running at") {
		select {
		case code := <-done:
			return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
		case <-deadline:
			t.Fatalf("serve did not start:\n%s\n%s", stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	code := <-done
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// TestAuditWitness: a server sends each new checkpoint to the witness URL.
func TestAuditWitness(t *testing.T) {
	var mu sync.Mutex
	var got []string
	witness := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 4096)
		n, _ := r.Body.Read(body)
		mu.Lock()
		got = append(got, r.Method+" "+string(body[:n]))
		mu.Unlock()
	}))
	defer witness.Close()
	in := newInstallation(t, storage.SQLite)
	in.seedDemo(t)
	if r := serveBriefly(t, append(in.flags(), "--audit-witness", witness.URL)...); r.code != 0 {
		t.Fatalf("serve: %s", r)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.HasPrefix(got[0], "POST ") || !strings.Contains(got[0], "— waymark-audit ") {
		t.Fatalf("witness received %q, want one signed checkpoint", got)
	}
	line, err := os.ReadFile(filepath.Join(in.cfg.DataDir, "audit-checkpoints.log"))
	if err != nil || len(strings.Split(strings.TrimSpace(string(line)), "\n")) != 1 {
		t.Errorf("checkpoint file: %q, %v; want one line", line, err)
	}
}
