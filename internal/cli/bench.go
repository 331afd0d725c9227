package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"waymark.city/waymark/internal/bench"
	"waymark.city/waymark/internal/config"
)

func benchCmd(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "bench", "bench [--orgs N] [--users N] [--audit N] [--clients N] [--duration D] [--submissions N] [--flood N] [--flood-sources N] [--cases N | --cases-reuse] [--cases-only] [--cases-explain] [--mapping N] [--mapping-only] [--procurement N] [--procurement-only] [--statistics-only] [--cpuprofile FILE] [--database URL]")
	cfg.Register(fs, io.Getenv)
	orgs := fs.Int("orgs", 20, "organisations to seed")
	users := fs.Int("users", 10, "users per organisation to seed")
	auditN := fs.Int("audit", 20000, "audit records to seed")
	clients := fs.Int("clients", 64, "concurrent clients")
	duration := fs.Duration("duration", 5*time.Second, "how long to drive each target")
	submissions := fs.Int("submissions", 100, "public reports for the sustained intake figure")
	flood := fs.Int("flood", 10000, "submissions in the flood")
	floodSources := fs.Int("flood-sources", 64, "loopback addresses the flood comes from")
	casesN := fs.Int("cases", 0, "cases to seed for the case-management section (0 skips it; e.g. 1000000)")
	casesOnly := fs.Bool("cases-only", false, "run only the case-management section")
	casesReuse := fs.Bool("cases-reuse", false, "measure the cases an earlier --cases run seeded into the same --data or --database")
	casesExplain := fs.Bool("cases-explain", false, "print the query plans of the case queries")
	mappingN := fs.Int("mapping", 0, "responses to seed into one mapping round of 60 questions (0 skips it; the issue's size is 2000)")
	mappingOnly := fs.Bool("mapping-only", false, "run only the local-mapping section (with --mapping 2000 unless --mapping is given)")
	procurementN := fs.Int("procurement", 0, "sites to seed into one contract, each with a site check of ten findings (0 skips it; the issue's size is 500)")
	procurementOnly := fs.Bool("procurement-only", false, "run only the procurement section (with --procurement 500 unless --procurement is given)")
	statisticsOnly := fs.Bool("statistics-only", false, "run only the statistics section over the --cases seeded (100000 unless --cases or --cases-reuse is given)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (for go tool pprof)")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	if *mappingOnly && *mappingN == 0 {
		*mappingN = 2000
	}
	if *procurementOnly && *procurementN == 0 {
		*procurementN = 500
	}
	if *statisticsOnly && *casesN == 0 && !*casesReuse {
		*casesN = 100000
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
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return bench.Run(ctx, bench.Options{Config: cfg, Organisations: *orgs, UsersPerOrg: *users, AuditRecords: *auditN,
		Clients: *clients, Duration: *duration, Submissions: *submissions, Flood: *flood, FloodSources: *floodSources,
		Cases: *casesN, CasesOnly: *casesOnly, CasesReuse: *casesReuse, CasesExplain: *casesExplain,
		Mapping: *mappingN, MappingOnly: *mappingOnly, Procurement: *procurementN, ProcurementOnly: *procurementOnly,
		StatisticsOnly: *statisticsOnly, Out: io.Stdout})
}
