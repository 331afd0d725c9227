package cli_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// usernames lists the installation's accounts, sorted.
func usernames(t *testing.T, a *app.App) []string {
	t.Helper()
	users, err := a.Accounts.ListUsers(t.Context(), accounts.System, accounts.UserFilter{IncludeDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	slices.Sort(names)
	return names
}

// checkRestored compares the restored installation with the demo seed: the
// same accounts, contact details that still decrypt, passwords that still
// sign in.
func checkRestored(t *testing.T, restored installation, logins []demo.Login, want []string) {
	t.Helper()
	a := restored.open(t)
	if got := usernames(t, a); !slices.Equal(got, want) {
		t.Errorf("restored users = %v, want %v", got, want)
	}
	users, err := a.Accounts.ListUsers(t.Context(), accounts.System, accounts.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username != "admin" {
			continue
		}
		p, err := a.Accounts.RevealProfile(t.Context(), accounts.System, u.ID)
		if err != nil || p.DisplayName != "Ada Admin" {
			t.Errorf("restored profile = %+v, %v", p, err)
		}
	}
	if _, err := a.Accounts.SignIn(t.Context(), logins[0].Username, logins[0].Password, "test"); err != nil {
		t.Errorf("sign in on the restored installation: %v", err)
	}
}

func TestBackupRestore(t *testing.T) {
	src := newInstallation(t, storage.SQLite)
	logins := src.seedDemo(t)
	want := usernames(t, src.open(t))
	file := filepath.Join(t.TempDir(), "waymark.backup")
	r := mustRun(t, nil, "", append([]string{"backup", file}, src.flags()...)...)
	if !strings.Contains(r.stdout, "backup written to "+file) {
		t.Errorf("backup: %s", r)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".waymark-backup-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}

	t.Run("into a new data directory", func(t *testing.T) {
		dst := newInstallation(t, storage.SQLite)
		dst.cfg.KeysFile = src.cfg.KeysFile
		r := mustRun(t, nil, "", "restore", file, "--data", dst.cfg.DataDir, "--keys", src.cfg.KeysFile)
		if !strings.Contains(r.stdout, "restored backup of sqlite") || !strings.Contains(r.stdout, "audit log OK") {
			t.Errorf("restore: %s", r)
		}
		r = mustRun(t, nil, "", append([]string{"audit", "verify"}, dst.flags()...)...)
		if !strings.HasPrefix(r.stdout, "audit log OK") {
			t.Errorf("audit verify after restore: %s", r)
		}
		// The key file travels into the restored data directory, so commands
		// on it work without --keys.
		r = mustRun(t, nil, "", "audit", "verify", "--data", dst.cfg.DataDir)
		if !strings.HasPrefix(r.stdout, "audit log OK") {
			t.Errorf("audit verify without --keys after restore: %s", r)
		}
		checkRestored(t, dst, logins, want)
	})

	t.Run("into PostgreSQL", func(t *testing.T) {
		dst := newInstallation(t, storage.Postgres)
		dst.cfg.KeysFile = src.cfg.KeysFile
		// Flags may also come before the file.
		r := mustRun(t, nil, "", append(append([]string{"restore"}, dst.flags()...), file)...)
		if !strings.Contains(r.stdout, "restored backup of sqlite") || !strings.Contains(r.stdout, "audit log OK") {
			t.Errorf("restore: %s", r)
		}
		mustRun(t, nil, "", append([]string{"audit", "verify"}, dst.flags()...)...)
		checkRestored(t, dst, logins, want)
	})

	t.Run("into a non-empty data directory", func(t *testing.T) {
		r := run(t, nil, "", append([]string{"restore", file}, src.flags()...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "A backup can only be restored into an empty database.") {
			t.Errorf("restore into the source: %s", r)
		}
		if got := usernames(t, src.open(t)); !slices.Equal(got, want) {
			t.Errorf("source changed by the refused restore: %v", got)
		}
	})

	t.Run("without the key file", func(t *testing.T) {
		dst := t.TempDir()
		r := run(t, nil, "", "restore", file, "--data", dst)
		if r.code != 1 || !strings.Contains(r.stderr, "restore needs the key file") {
			t.Errorf("restore without keys: %s", r)
		}
	})

	t.Run("with another installation's keys", func(t *testing.T) {
		other := newInstallation(t, storage.SQLite)
		other.open(t) // creates its key file
		dst := newInstallation(t, storage.SQLite)
		r := run(t, nil, "", "restore", file, "--data", dst.cfg.DataDir, "--keys", other.cfg.KeysFile)
		if r.code != 1 || !strings.Contains(r.stderr, "The key this backup was made with is not in the key file.") {
			t.Errorf("restore with other keys: %s", r)
		}
	})

	t.Run("corrupted", func(t *testing.T) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []int{len(data) / 2, len(data) - 1, 40} {
			bad := slices.Clone(data)
			bad[at] ^= 0x01
			badFile := filepath.Join(t.TempDir(), "bad.backup")
			if err := os.WriteFile(badFile, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := newInstallation(t, storage.SQLite)
			r := run(t, nil, "", "restore", badFile, "--data", dst.cfg.DataDir, "--keys", src.cfg.KeysFile)
			if r.code != 1 || !strings.Contains(r.stderr, "The backup file cannot be read") {
				t.Errorf("byte %d of %d flipped: %s", at, len(data), r)
			}
			dst.cfg.KeysFile = src.cfg.KeysFile
			if got := usernames(t, dst.open(t)); len(got) != 0 {
				t.Errorf("byte %d flipped: a failed restore left users %v", at, got)
			}
		}
		truncated := filepath.Join(t.TempDir(), "truncated.backup")
		if err := os.WriteFile(truncated, data[:len(data)*2/3], 0o600); err != nil {
			t.Fatal(err)
		}
		r := run(t, nil, "", "restore", truncated, "--data", t.TempDir(), "--keys", src.cfg.KeysFile)
		if r.code != 1 || !strings.Contains(r.stderr, "The backup file cannot be read") {
			t.Errorf("truncated: %s", r)
		}
	})
}

// TestBackupPostgres backs up a PostgreSQL installation and restores it
// into SQLite.
func TestBackupPostgres(t *testing.T) {
	if !slices.Contains(storagetest.Engines(), storage.Postgres) {
		t.Skip("no PostgreSQL test server")
	}
	src := newInstallation(t, storage.Postgres)
	logins := src.seedDemo(t)
	want := usernames(t, src.open(t))
	file := filepath.Join(t.TempDir(), "waymark.backup")
	mustRun(t, nil, "", append([]string{"backup", file}, src.flags()...)...)
	dst := newInstallation(t, storage.SQLite)
	dst.cfg.KeysFile = src.cfg.KeysFile
	r := mustRun(t, nil, "", "restore", file, "--data", dst.cfg.DataDir, "--keys", src.cfg.KeysFile)
	if !strings.Contains(r.stdout, "restored backup of postgres") || !strings.Contains(r.stdout, "audit log OK") {
		t.Errorf("restore: %s", r)
	}
	checkRestored(t, dst, logins, want)
}
