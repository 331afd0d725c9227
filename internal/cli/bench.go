package cli

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"waymark.city/waymark/internal/bench"
	"waymark.city/waymark/internal/config"
)

func benchCmd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "bench", "bench [--orgs N] [--users N] [--audit N] [--clients N] [--duration D] [--submissions N] [--flood N] [--flood-sources N] [--database URL]")
	cfg.Register(fs, io.Getenv)
	orgs := fs.Int("orgs", 20, "organisations to seed")
	users := fs.Int("users", 10, "users per organisation to seed")
	auditN := fs.Int("audit", 20000, "audit records to seed")
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 5*time.Second, "how long to drive each target")
	submissions := fs.Int("submissions", 100, "public reports for the sustained intake figure")
	flood := fs.Int("flood", 10000, "submissions in the flood")
	floodSources := fs.Int("flood-sources", 64, "loopback addresses the flood comes from")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" && cfg.DataDir == "data" {
		// Never seed synthetic data into the real data directory by default.
		dir, err := os.MkdirTemp("", "waymark-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
		cfg.KeysFile = filepath.Join(dir, "waymark.keys")
	}
	return bench.Run(ctx, bench.Options{Config: cfg, Organisations: *orgs, UsersPerOrg: *users, AuditRecords: *auditN,
		Clients: *clients, Duration: *duration, Submissions: *submissions, Flood: *flood, FloodSources: *floodSources, Out: io.Stdout})
}
