package cli

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/config"
)

// statisticsRebuild derives the statistics' per-person facts from the
// records again, in one transaction (a running server keeps them current
// by itself; this is for after a restore or a change of how they are
// derived).
func statisticsRebuild(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "statistics rebuild", "statistics rebuild [--data DIR | --database URL]")
	cfg.Register(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	res, err := a.Statistics.Rebuild(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "statistics rebuilt: %d persons in %s (facts version %d)\n", res.Persons, time.Since(start).Round(time.Millisecond), res.Version)
	return nil
}
