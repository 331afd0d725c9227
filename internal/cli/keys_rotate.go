package cli

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/vault"
)

// keysRotate rotates the master key while servers keep running: they reload
// the key file when they meet a key id they do not know.
func keysRotate(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "keys rotate", "keys rotate [--data DIR | --database URL] [--keys FILE]")
	cfg.Register(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if cfg.Keys != "" {
		return fmt.Errorf("keys given in WAYMARK_KEYS cannot be rotated in place; rotate a key file and redeploy it")
	}
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := vault.Rotate(ctx, a.DB, cfg.KeysFile, a.Log)
	if err := recordCommand(ctx, a, audit.Entry{Action: "keys.rotate", SubjectType: "master_key", SubjectID: res.NewKeyID,
		Detail: fmt.Sprintf("rewrapped=%d", res.Rewrapped)}, err); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "master key rotated: new key %s, %d data keys rewrapped\n", res.NewKeyID, res.Rewrapped)
	return nil
}
