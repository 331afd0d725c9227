package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/vault"
)

// TestKeysRotateWhileServing rotates the master key with the command line
// while a server on the same installation keeps revealing contact details:
// nothing is lost, and the server picks up the new key by itself.
func TestKeysRotateWhileServing(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			in := newInstallation(t, engine)
			cfg := in.cfg
			cfg.Addr = "127.0.0.1:0"
			env := apptest.StartWith(t, cfg)
			org := env.Org("Safe Harbour", accounts.NGO)
			coord := env.User("coord", access.Coordinator, org)
			actor := coord.Actor
			actor.SteppedUp = true
			var ids []string
			for i := range 20 {
				ids = append(ids, env.User(fmt.Sprintf("worker%02d", i), access.CaseWorker, org).ID)
			}
			reveal := func(id string) (string, error) {
				p, err := env.App.Accounts.RevealProfile(ctx, actor, id)
				return p.DisplayName, err
			}
			before := map[string]string{}
			for _, id := range ids {
				name, err := reveal(id)
				if err != nil {
					t.Fatalf("reveal before rotation: %v", err)
				}
				before[id] = name
			}
			oldKey := env.App.Vault.Keyring().ActiveKeyID()

			// Serve requests while the rotation runs.
			stop := make(chan struct{})
			failures := make(chan error, 100)
			var served int
			var wg sync.WaitGroup
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := ids[i%len(ids)]
					if name, err := reveal(id); err != nil || name != before[id] {
						failures <- fmt.Errorf("reveal during rotation: %q, %v", name, err)
						return
					}
					res, err := http.Get(env.Server.URL + "/healthz")
					if err != nil {
						failures <- err
						return
					}
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						failures <- fmt.Errorf("healthz during rotation: %s", res.Status)
						return
					}
					served++
				}
			})
			r := run(t, nil, "", append([]string{"keys", "rotate"}, in.flags()...)...)
			close(stop)
			wg.Wait()
			close(failures)
			for err := range failures {
				t.Error(err)
			}
			if r.code != 0 {
				t.Fatalf("keys rotate: %s", r)
			}
			m := regexp.MustCompile(`master key rotated: new key (\S+), (\d+) data keys rewrapped`).FindStringSubmatch(r.stdout)
			if m == nil {
				t.Fatalf("keys rotate output: %s", r)
			}
			newKey := m[1]
			if newKey == oldKey {
				t.Fatalf("the active key did not change")
			}
			if m[2] != fmt.Sprint(len(ids)+1) {
				t.Errorf("%s data keys rewrapped, want %d (one per user)", m[2], len(ids)+1)
			}
			t.Logf("%d requests served during the rotation", served)

			for _, id := range ids {
				if name, err := reveal(id); err != nil || name != before[id] {
					t.Errorf("reveal after rotation = %q, %v; want %q", name, err, before[id])
				}
			}
			// A record created now gets a data key under the new master key.
			late := env.User("late", access.CaseWorker, org)
			if name, err := reveal(late.ID); err != nil || name != "Test late" {
				t.Errorf("reveal of a user created after rotation = %q, %v", name, err)
			}
			var masters []string
			err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT DISTINCT master_key_id FROM data_keys`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						return err
					}
					masters = append(masters, id)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(masters, []string{newKey}) {
				t.Errorf("data keys are wrapped by %v, want only %s", masters, newKey)
			}

			raw, err := os.ReadFile(in.cfg.KeysFile)
			if err != nil {
				t.Fatal(err)
			}
			var file struct {
				MasterKeys []struct {
					ID      string `json:"id"`
					Retired bool   `json:"retired"`
				} `json:"master_keys"`
			}
			if err := json.Unmarshal(raw, &file); err != nil {
				t.Fatal(err)
			}
			if len(file.MasterKeys) != 2 {
				t.Fatalf("key file has %d master keys, want 2", len(file.MasterKeys))
			}
			for _, k := range file.MasterKeys {
				if want := k.ID == oldKey; k.Retired != want {
					t.Errorf("master key %s retired = %v, want %v", k.ID, k.Retired, want)
				}
			}

			// A new process reads everything with the rotated key file.
			r = mustRun(t, nil, "", append([]string{"audit", "verify"}, in.flags()...)...)
			fresh := in.open(t)
			for _, id := range ids {
				p, err := fresh.Accounts.RevealProfile(ctx, accounts.System, id)
				if err != nil || p.DisplayName != before[id] {
					t.Errorf("reveal in a new process = %+v, %v", p, err)
				}
			}
		})
	}
}

func TestKeysRotateRefusesEnvironmentKeys(t *testing.T) {
	in := newInstallation(t, storage.SQLite)
	in.open(t)
	keys, err := os.ReadFile(in.cfg.KeysFile)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, map[string]string{"WAYMARK_KEYS": string(keys)}, "", "keys", "rotate", "--data", in.cfg.DataDir)
	if r.code != 1 || !regexp.MustCompile(`WAYMARK_KEYS cannot be rotated`).MatchString(r.stderr) {
		t.Errorf("%s", r)
	}
}

// TestKeysRewrap: a data key left under a retired master key (a server with
// keys that never reload wrote it) is moved by `keys rewrap`, and rotation
// and rewrap each leave an audit entry.
func TestKeysRewrap(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			in := newInstallation(t, engine)
			in.seedDemo(t)
			stale := in.open(t)
			oldKey := stale.Keys.ActiveKeyID()
			r := mustRun(t, nil, "", append([]string{"keys", "rotate"}, in.flags()...)...)
			newKey := regexp.MustCompile(`new key (\S+),`).FindStringSubmatch(r.stdout)[1]

			// A vault that never rereads the key file still wraps with the old key.
			old := vault.New(stale.Keys, "")
			err := stale.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := old.Seal(ctx, tx, "people/0190abcd-0000-7000-8000-000000000001", "name", []byte("late"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := keysUnder(t, stale.DB, oldKey); n != 1 {
				t.Fatalf("%d data keys under the retired key before rewrap, want 1", n)
			}

			r = mustRun(t, nil, "", append([]string{"keys", "rewrap"}, in.flags()...)...)
			if !strings.Contains(r.stdout, "1 data keys rewrapped to "+newKey) {
				t.Errorf("keys rewrap output: %s", r)
			}
			if n := keysUnder(t, stale.DB, oldKey); n != 0 {
				t.Errorf("%d data keys under the retired key after rewrap", n)
			}
			r = mustRun(t, nil, "", append([]string{"keys", "rewrap"}, in.flags()...)...)
			if !strings.Contains(r.stdout, "0 data keys rewrapped") {
				t.Errorf("second keys rewrap: %s", r)
			}

			entries := auditEntries(t, stale, "keys.")
			want := []string{"keys.rotate master_key " + newKey, "keys.rewrap master_key " + newKey, "keys.rewrap master_key " + newKey}
			if !slices.Equal(entries, want) {
				t.Errorf("audit entries %q, want %q", entries, want)
			}
			mustRun(t, nil, "", append([]string{"audit", "verify"}, in.flags()...)...)
		})
	}
}

// keysUnder counts the data keys wrapped by master key id.
func keysUnder(t *testing.T, db *storage.DB, id string) int {
	t.Helper()
	var n int
	err := db.Read(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM data_keys WHERE master_key_id = $1`, id).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// auditEntries lists "action subject_type subject_id" of the audit entries
// whose action starts with prefix, in order.
func auditEntries(t *testing.T, a *app.App, prefix string) []string {
	t.Helper()
	var out []string
	err := a.DB.Read(context.Background(), func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT action, subject_type, subject_id FROM audit_log WHERE action LIKE $1 ORDER BY seq`, prefix+"%")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var action, typ, id string
			if err := rows.Scan(&action, &typ, &id); err != nil {
				return err
			}
			out = append(out, action+" "+typ+" "+id)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
