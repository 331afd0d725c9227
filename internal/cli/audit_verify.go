package cli

import (
	"context"
	"errors"
	"fmt"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/config"
)

func auditVerify(ctx context.Context, io IO, args []string) error {
	var cfg config.Config
	fs := flags(io, "audit verify", "audit verify [--data DIR | --database URL] [--against FILE]")
	cfg.Register(fs, io.Getenv)
	against := fs.String("against", "", "a file of published checkpoints (the server's audit-checkpoints.log); the log must hold every one of them")
	if err := parse(fs, &cfg, args); err != nil {
		return err
	}
	a, err := openExisting(ctx, io, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *against != "" {
		return verifyAuditAgainst(ctx, io, a, *against)
	}
	return verifyAudit(ctx, io, a)
}

// verifyAuditAgainst checks the audit log and that it holds every
// checkpoint published to file: a log rolled back to an earlier signed
// checkpoint fails here though its own checkpoints agree with it.
func verifyAuditAgainst(ctx context.Context, io IO, a *app.App, file string) error {
	verifier, err := a.Keys.AuditVerifier()
	if err != nil {
		return err
	}
	published, err := audit.ReadPublished(file, verifier)
	if err != nil {
		return err
	}
	if len(published) == 0 {
		return fmt.Errorf("%s holds no published checkpoint to verify against", file)
	}
	rep, err := audit.VerifyAgainst(ctx, a.DB, verifier, published)
	if err != nil {
		return err
	}
	if err := report(io, rep); err != nil {
		return err
	}
	fmt.Fprintf(io.Stdout, "the log holds all %d checkpoints published to %s\n", len(published), file)
	return nil
}

// verifyAudit checks the audit chain with the installation's verifier key
// and reports the outcome.
func verifyAudit(ctx context.Context, io IO, a *app.App) error {
	verifier, err := a.Keys.AuditVerifier()
	if err != nil {
		return err
	}
	rep, err := audit.Verify(ctx, a.DB, verifier)
	if err != nil {
		return err
	}
	return report(io, rep)
}

// report prints a verification report; a broken chain is an error, so the
// exit code is non-zero.
func report(io IO, rep audit.Report) error {
	if !rep.OK {
		return errors.New("audit log verification FAILED: first bad entry " + fmt.Sprint(rep.FirstBad) + ": " + rep.Problem)
	}
	fmt.Fprintf(io.Stdout, "audit log OK: %d entries, %d signed checkpoints", rep.Entries, rep.Checkpoints)
	if rep.Problem != "" {
		fmt.Fprintf(io.Stdout, " (%s)", rep.Problem)
	}
	fmt.Fprintln(io.Stdout)
	return nil
}
