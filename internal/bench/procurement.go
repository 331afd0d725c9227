package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/storage"
)

// contractTarget is the target for the contract page (issue 13).
const contractTarget = 200 * time.Millisecond

// ProcurementResult are the figures of the procurement section.
type ProcurementResult struct {
	Sites, Findings int
	Seed            time.Duration
	// Contract is GET /procurement/contracts/{id} and Checks the
	// contract's checks with their findings counted, at Options.Clients;
	// ContractSQL and ChecksSQL the raw SQL reading the same rows at as
	// many clients (the baselines).
	Contract, ContractSQL, Checks, ChecksSQL Result
	ContractBytes, ChecksBytes               int64
	Err                                      error
}

// contractRows read what the contract page shows: the contract with its
// ratings, and its first page of sites with their number.
var contractRows = []string{
	`SELECT c.*, r.* FROM procurement_contracts c LEFT JOIN procurement_ratings r ON r.contract_id = c.id WHERE c.id = $1`,
	`SELECT * FROM procurement_sites WHERE contract_id = $1 ORDER BY name, id LIMIT 50`,
	`SELECT count(*) FROM procurement_sites WHERE contract_id = $1`,
}

// checkRows read what the contract's checks page shows: the newest page
// of checks with their findings counted, and the findings of all of them
// counted.
var checkRows = []string{
	`SELECT k.id, k.site_id, k.checked_on, k.organisation, count(f.id) FROM site_checks k LEFT JOIN site_check_findings f ON f.check_id = k.id
	WHERE k.id IN (SELECT id FROM site_checks WHERE contract_id = $1 ORDER BY checked_on DESC, created_at DESC, id LIMIT 50)
	GROUP BY k.id, k.site_id, k.checked_on, k.organisation`,
	`SELECT count(*) FROM site_check_findings WHERE contract_id = $1`,
}

func measureProcurement(ctx context.Context, a *app.App, o Options, site string, bare Result) (ProcurementResult, error) {
	res := ProcurementResult{Sites: o.Procurement}
	tag, _ := newRunTag()
	fmt.Fprintf(o.Out, "\nProcurement — seeding a contract with %d sites, a site check with ten findings on each, through the services\n", o.Procurement)
	start := time.Now()
	b, err := SeedProcurementBench(ctx, a, o.Procurement, tag)
	if err != nil {
		return res, fmt.Errorf("seed: %w", err)
	}
	if err := settle(ctx, a.DB); err != nil {
		return res, err
	}
	res.Seed = time.Since(start)
	if err := a.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM site_check_findings f JOIN site_checks k ON k.id = f.check_id
			WHERE k.contract_id = $1`, b.ContractID).Scan(&res.Findings)
	}); err != nil {
		return res, err
	}
	fmt.Fprintf(o.Out, "seeded %d sites and %d findings in %s\n", len(b.SiteIDs), res.Findings, res.Seed.Round(time.Millisecond))

	read := func(queries []string) func(ctx context.Context, _ int) error {
		return func(ctx context.Context, _ int) error {
			return a.DB.Read(ctx, func(tx *storage.Tx) error {
				for _, q := range queries {
					rows, err := tx.QueryContext(ctx, q, b.ContractID)
					if err != nil {
						return err
					}
					if err := drain(rows); err != nil {
						return err
					}
				}
				return nil
			})
		}
	}
	cookie, err := signIn(site, b.Username, b.Password)
	if err != nil {
		return res, fmt.Errorf("sign in as the bench procurement officer: %w", err)
	}
	contract := "/procurement/contracts/" + b.ContractID
	if res.ContractBytes, err = pageSize(ctx, site+contract, cookie); err != nil {
		return res, err
	}
	if res.ChecksBytes, err = pageSize(ctx, site+contract+"/checks", cookie); err != nil {
		return res, err
	}
	res.Contract = load(ctx, "GET /procurement/contracts/{id}", site+contract, cookie, o)
	if res.ContractSQL, err = drive(ctx, "raw SQL: the contract and a page of sites", o.Clients, o.Duration, read(contractRows)); err != nil {
		res.Err = err
	}
	res.Checks = load(ctx, "GET /procurement/contracts/{id}/checks", site+contract+"/checks", cookie, o)
	if res.ChecksSQL, err = drive(ctx, "raw SQL: a page of checks, findings counted", o.Clients, o.Duration, read(checkRows)); err != nil && res.Err == nil {
		res.Err = err
	}
	printProcurement(o.Out, o, res, bare)
	return res, nil
}

func printProcurement(w io.Writer, o Options, r ProcurementResult, bare Result) {
	fmt.Fprintf(w, "\n%-44s %9s %7s %9s %9s │ %7s %6s %6s │ %7s %6s %6s\n", fmt.Sprintf("Procurement, %d clients", o.Clients),
		"req/s", "errors", "p50", "p99", "thr×", "p50×", "p99×", "thr×", "p50×", "p99×")
	fmt.Fprintf(w, "%-44s %9s %7s %9s %9s │ %-21s │ %-21s\n", "", "", "", "", "", "vs bare handler", "vs raw SQL")
	for _, pair := range [][2]Result{{bare, bare}, {r.Contract, r.ContractSQL}, {r.ContractSQL, r.ContractSQL}, {r.Checks, r.ChecksSQL}, {r.ChecksSQL, r.ChecksSQL}} {
		x, base := pair[0], pair[1]
		fmt.Fprintf(w, "%-44s %9.1f %7d %9s %9s │ %7.3f %6.1f %6.1f │ %7.3f %6.1f %6.1f\n", x.Name, x.PerSec, x.Errors,
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond),
			x.PerSec/bare.PerSec, ratio(x.P50, bare.P50), ratio(x.P99, bare.P99),
			x.PerSec/base.PerSec, ratio(x.P50, base.P50), ratio(x.P99, base.P99))
	}
	fmt.Fprintf(w, "(the contract page is %s and its checks page %s; each page against the raw SQL of the rows it shows, with as many clients.)\n",
		kib(r.ContractBytes), kib(r.ChecksBytes))
	for _, x := range []Result{r.Contract, r.Checks} {
		fmt.Fprintf(w, "target: %s with %d sites and %d findings, p99 under %s at %d clients: p99 %s, %s\n", x.Name, r.Sites, r.Findings,
			contractTarget, o.Clients, x.P99.Round(time.Millisecond), verdict(x.P99, contractTarget))
	}
	if r.Err != nil {
		fmt.Fprintf(w, "procurement: first error: %v\n", r.Err)
	}
}
