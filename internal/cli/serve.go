package cli

import (
	"context"
	"fmt"
	"net"
	"text/tabwriter"

	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/geo"
)

func serve(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "serve", "serve --addr HOST:PORT --data DIR [--demo] [--database URL]")
	cfg.Register(fs, io.Getenv)
	cfg.RegisterServe(fs, io.Getenv)
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	// Print the address people can open: the host asked for, the port we got.
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	url := "http://" + net.JoinHostPort(host, port)
	if cfg.PublicURL == "" {
		cfg.PublicURL = url
	}
	a, err := open(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// Refuse a log older than the checkpoints this server published.
	if err := a.Checkpoints.Check(ctx); err != nil {
		return err
	}
	var logins []demo.Login
	if cfg.Demo {
		if logins, err = demo.Seed(ctx, demo.Deps{Accounts: a.Accounts, Identification: a.Identification, Cases: a.Cases, Risk: a.Risk,
			Assistance: a.Assistance, Interpreters: a.Interpreters, Legal: a.SeedDemoLegal, Geo: a.Geo, Plan: a.Plan, Agreements: a.Agreements,
			Workgroup: a.Workgroup, Training: a.Training, Mapping: a.Mapping, Campaigns: a.Campaigns, Intake: a.Intake, Procurement: a.Procurement,
			SiteChecks: a.SiteChecks, Prevention: demo.Prevention{Outreach: a.Outreach, Businesses: a.Businesses, Inspections: a.Inspections,
				Intelligence: a.Intelligence}, CasesAsOf: a.CasesAsOf, Screenings: a.Screenings,
			Statistics: a.Statistics}, cfg.DataDir); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	fmt.Fprintf(io.Stdout, "Waymark is running at %s (database: %s)\n", url, a.DB.Engine)
	if a.Basemap != nil {
		b := a.Basemap.Info()
		fmt.Fprintf(io.Stdout, "Basemap %s: %s tiles, zoom %d to %d, longitude %g to %g, latitude %g to %g, served to signed-in users at %s\n",
			cfg.Basemap, b.TileType, b.MinZoom, b.MaxZoom, b.Bound.Min[0], b.Bound.Max[0], b.Bound.Min[1], b.Bound.Max[1], geo.BasemapPath)
	}
	printLogins(io, logins)
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
		defer mln.Close()
		fmt.Fprintf(io.Stdout, "Metrics at http://%s/metrics\n", mln.Addr())
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			if err := a.ServeMetrics(ctx, mln); err != nil {
				a.Log.Error("metrics listener stopped", "err", err)
			}
		}()
	}
	return a.Serve(ctx, ln)
}

func printLogins(io IO, logins []demo.Login) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintln(io.Stdout, "Demo logins (also in the data directory's "+demo.LoginsFile+"). On first sign-in you set up an authenticator app:")
	tw := tabwriter.NewWriter(io.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tROLE\tORGANISATION")
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Username, l.Password, l.Role, l.Org)
	}
	tw.Flush()
}
