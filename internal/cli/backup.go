package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/backup"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/vault"
)

// backupPurpose names the key derivation for backup files.
const backupPurpose = "backup"

func backupCmd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "backup", "backup FILE [--data DIR | --database URL]")
	cfg.Register(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	path := fs.Arg(0)
	m, err := writeBackup(ctx, a, path)
	var rows int64
	for _, n := range m.Rows {
		rows += n
	}
	if err := recordCommand(ctx, a, audit.Entry{Action: "backup.create",
		Detail: fmt.Sprintf("tables=%d rows=%d key=%s", len(m.Rows), rows, m.KeyID)}, err); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "backup written to %s: %d tables, %d rows, sealed with key %s (keep the key file: the backup needs it)\n", path, len(m.Rows), rows, m.KeyID)
	return nil
}

// writeBackup writes the backup to a temporary file and renames it to path,
// so a failed backup never leaves a file that looks complete.
func writeBackup(ctx context.Context, a *app.App, path string) (backup.Manifest, error) {
	keys := a.Vault.Keyring()
	key, err := keys.DerivedKey(keys.ActiveKeyID(), backupPurpose)
	if err != nil {
		return backup.Manifest{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".waymark-backup-*")
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(tmp.Name())
	m, err := backup.Backup(ctx, a.DB, backup.BackupKey{ID: keys.ActiveKeyID(), Key: key}, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("write backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return backup.Manifest{}, fmt.Errorf("finish backup file: %w", err)
	}
	return m, nil
}

func restoreCmd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "restore", "restore FILE [--data NEW_DIR | --database URL_OF_EMPTY_DB] [--keys FILE]")
	cfg.Register(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	keys, err := restoreKeys(cfg)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	a, err := open(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := backup.Restore(ctx, f, func(id string) ([]byte, error) { return keys.DerivedKey(id, backupPurpose) }, a.DB)
	if err != nil {
		return explain(a.Catalog, err)
	}
	// Only a restore that succeeded is audited: an entry in a target left
	// empty would make the next attempt refuse it as not empty.
	if err := recordCommand(ctx, a, audit.Entry{Action: "backup.restore",
		Detail: fmt.Sprintf("engine=%s created=%s key=%s", m.Engine, m.Created.UTC().Format(time.RFC3339), m.KeyID)}, nil); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "restored backup of %s made %s\n", m.Engine, m.Created.Local().Format("2006-01-02 15:04"))
	if err := keepKeysWithData(io, cfg, keys); err != nil {
		return err
	}
	return verifyAudit(ctx, io, a)
}

// restoreKeys loads the key file the backup was sealed with; it must exist
// before restoring, since the data inside is encrypted under it.
func restoreKeys(cfg config.Config) (*vault.Keyring, error) {
	if cfg.Keys != "" {
		return vault.ParseKeyring([]byte(cfg.Keys))
	}
	k, err := vault.LoadKeyring(cfg.KeysFile)
	if err != nil {
		return nil, fmt.Errorf("restore needs the key file of the installation that made the backup (--keys or WAYMARK_KEYS_FILE): %w", err)
	}
	return k, nil
}

// keepKeysWithData writes the key file into a restored SQLite data directory
// that has none, so later commands on that directory find it by default.
func keepKeysWithData(io IO, cfg config.Config, keys *vault.Keyring) error {
	if cfg.DatabaseURL != "" {
		return nil
	}
	dest := filepath.Join(cfg.DataDir, "waymark.keys")
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	if err := keys.Save(dest); err != nil {
		return fmt.Errorf("save key file into %s: %w", cfg.DataDir, err)
	}
	fmt.Fprintf(io.Stdout, "key file copied to %s\n", dest)
	return nil
}
