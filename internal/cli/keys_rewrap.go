package cli

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/vault"
)

// keysRewrap moves every data key still wrapped by a retired master key to
// the active one: it finishes an interrupted rotation, or picks up data keys
// that servers with keys from WAYMARK_KEYS wrote under the old key until
// they were redeployed.
func keysRewrap(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "keys rewrap", "keys rewrap [--data DIR | --database URL] [--keys FILE]")
	cfg.Register(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := vault.Rewrap(ctx, a.DB, a.Keys, a.Log)
	active := a.Keys.ActiveKeyID()
	if err := recordCommand(ctx, a, audit.Entry{Action: "keys.rewrap", SubjectType: "master_key", SubjectID: active,
		Detail: fmt.Sprintf("rewrapped=%d", n)}, err); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "%d data keys rewrapped to %s; none is left under a retired master key\n", n, active)
	return nil
}
