// Package cli is Waymark's command line. Main parses the arguments and runs
// one command; cmd/waymark only calls Main, so tests can run every command
// in-process with their own arguments, environment and output.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/config"
)

// IO is the outside world of one command run.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv config.Getenv
}

// OS returns the process's real IO.
func OS() IO { return IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io IO, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server", serve},
		{"org add", "add an organisation", orgAdd},
		{"user add", "add a user account (password read from standard input)", userAdd},
		{"audit verify", "check the audit log's hash tree and signed checkpoints", auditVerify},
		{"backup", "write an encrypted, consistent backup to FILE", backupCmd},
		{"restore", "restore a backup FILE into an empty database and verify it", restoreCmd},
		{"keys rotate", "rotate the master key, rewrapping every data key", keysRotate},
		{"keys rewrap", "move data keys still under a retired master key to the active one", keysRewrap},
		{"screen", "evaluate screening answers (JSON file or -) and print the explained result", screen},
		{"indicators", "print the indicator catalogue, rules and field guide as JSON", indicators},
		{"statistics rebuild", "derive the statistics' per-person facts from the records again", statisticsRebuild},
		{"bench", "seed synthetic data and measure throughput and latency", benchCmd},
		{"version", "print the version", version},
	}
}

// errUsage marks a wrong command line; the message has been printed already.
var errUsage = errors.New("usage")

// Main runs the command named by args and returns the process exit code.
func Main(ctx context.Context, args []string, io IO) int {
	cmd, rest, ok := find(args)
	if !ok {
		usage(io.Stderr)
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return 0
		}
		return 2
	}
	if err := cmd.run(ctx, io, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		fmt.Fprintf(io.Stderr, "waymark %s: %v\n", cmd.name, err)
		return 1
	}
	return 0
}

func find(args []string) (command, []string, bool) {
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Waymark — acting together against human trafficking.\n\nUsage: waymark COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'waymark COMMAND --help' for the flags of a command. Every flag can also be set with a WAYMARK_* environment variable.")
}

// flags returns a flag set for a command that prints its usage to stderr.
func flags(io IO, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(io.Stderr, "Usage: waymark %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags and completes the configuration.
func parse(fs *flag.FlagSet, cfg *config.Config, args []string) error {
	if err := parseInterspersed(fs, args); err != nil {
		return flagError(err)
	}
	if err := cfg.Finish(); err != nil {
		fmt.Fprintln(fs.Output(), err)
		return errUsage
	}
	return nil
}

// flagError passes a request for help through and turns any other flag
// error (already printed by the flag package) into a usage error.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

// parseInterspersed parses flags before and after positional arguments, as
// the synopses show them ("backup FILE --data DIR"); the flag package alone
// stops at the first positional one. After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional, rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	// Parse once more so fs.Args() holds exactly the positional arguments.
	return fs.Parse(append(append([]string{"--"}, positional...), rest...))
}

func logger(io IO, cfg config.Config) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(io.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Stderr, nil))
}

// open assembles the app for commands that work on the database, creating
// the installation if there is none (serve, org add, restore).
func open(ctx context.Context, io IO, cfg config.Config) (*app.App, error) {
	return app.Open(ctx, cfg, logger(io, cfg))
}

// openExisting assembles the app for commands that only make sense on an
// installation: a data directory or database without one is refused.
func openExisting(ctx context.Context, io IO, cfg config.Config) (*app.App, error) {
	return app.Open(ctx, cfg, logger(io, cfg), app.Existing())
}

// Version is set at build time with -ldflags "-X waymark.city/waymark/internal/cli.Version=…".
var Version = "dev"

func version(_ context.Context, io IO, args []string) error {
	// Parsed like every other command, so --help answers with its usage.
	fs := flags(io, "version", "version")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	fmt.Fprintln(io.Stdout, "waymark", Version)
	return nil
}
