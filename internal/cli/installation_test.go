package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestCommandsNeedAnInstallation points the commands that work on an
// installation at a data directory or database without one, as a typo in
// --data would: each refuses with a clear error and creates nothing.
func TestCommandsNeedAnInstallation(t *testing.T) {
	commands := func(where []string, backupFile string) [][]string {
		return [][]string{
			append([]string{"audit", "verify"}, where...),
			append([]string{"backup", backupFile}, where...),
			append([]string{"keys", "rotate"}, where...),
			append([]string{"user", "add", "--org", "City", "--username", "j.novak", "--name", "Jana Novak"}, where...),
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		parent := t.TempDir()
		for _, dir := range []string{filepath.Join(parent, "typo"), parent} {
			for _, args := range commands([]string{"--data", dir}, filepath.Join(parent, "backup.wmb")) {
				r := run(t, nil, "a long passphrase of several words\n", args...)
				if r.code != 1 || !strings.Contains(r.stderr, "no Waymark installation") || !strings.Contains(r.stderr, "--data") {
					t.Errorf("waymark %s: %s", strings.Join(args, " "), r)
				}
			}
		}
		if left, _ := os.ReadDir(parent); len(left) != 0 {
			t.Errorf("the commands left %v behind", left)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := storagetest.NewPostgresDatabase(t)
		data := t.TempDir()
		for _, args := range commands([]string{"--database", url, "--data", data}, filepath.Join(data, "backup.wmb")) {
			r := run(t, nil, "a long passphrase of several words\n", args...)
			if r.code != 1 || !strings.Contains(r.stderr, "no Waymark installation") || !strings.Contains(r.stderr, "--database") {
				t.Errorf("waymark %s: %s", strings.Join(args, " "), r)
			}
		}
		db, err := storage.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if ok, err := db.Installed(context.Background()); err != nil || ok {
			t.Errorf("the empty database was migrated: %v, %v", ok, err)
		}
		if left, _ := os.ReadDir(data); len(left) != 0 {
			t.Errorf("the commands left %v behind", left)
		}
	})
}

// TestInstallationFilesPrivate creates an installation the documented way
// under umask 0 in a directory anyone may write: the database, its WAL and
// shared-memory files and the key file are the owner's alone.
func TestInstallationFilesPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	mustRun(t, nil, "", "org", "add", "--data", dir, "--name", "City Human Rights Office", "--kind", "municipality")
	mustRun(t, nil, "a long passphrase of several words\n", "user", "add", "--data", dir,
		"--org", "City Human Rights Office", "--username", "j.novak", "--role", "administrator", "--name", "Jana Novak")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		fi, err := f.Info()
		if err != nil {
			t.Fatal(err)
		}
		seen[f.Name()] = true
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", f.Name(), mode)
		}
	}
	for _, name := range []string{storage.SQLiteFile, "waymark.keys"} {
		if !seen[name] {
			t.Errorf("no %s in the data directory: %v", name, files)
		}
	}
}
