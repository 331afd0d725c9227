package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/screening"
)

// screen evaluates answers from a JSON file (or standard input) and prints
// the explained result as JSON — the same shape as the API's
// POST /api/v1/screenings/evaluate. It needs no database.
func screen(_ context.Context, io IO, args []string) error {
	fs := flags(io, "screen", "screen FILE|- [--lang en|de]")
	lang := fs.String("lang", "en", "language of the explanation text")
	if err := parseInterspersed(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	data, err := readInput(io, fs.Arg(0))
	if err != nil {
		return err
	}
	cat, err := screening.LoadCatalogue()
	if err != nil {
		return err
	}
	var in screening.Input
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("read answers: %w", err)
	}
	ev, err := cat.EvaluateExplained(in, *lang)
	if err != nil {
		texts, lerr := i18n.Load()
		if lerr != nil {
			return err
		}
		return explain(texts, err)
	}
	return printJSON(io, ev)
}

// indicators prints the indicator catalogue, rules, field guide and texts.
func indicators(_ context.Context, io IO, args []string) error {
	fs := flags(io, "indicators", "indicators")
	if err := parseInterspersed(fs, args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	cat, err := screening.LoadCatalogue()
	if err != nil {
		return err
	}
	return printJSON(io, cat)
}

func readInput(io IO, name string) ([]byte, error) {
	if name == "-" {
		return readAll(io.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

// readAll reads at most 1 MiB, the API's body limit.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err == nil && len(data) > 1<<20 {
		err = fmt.Errorf("input is larger than 1 MiB")
	}
	return data, err
}

func printJSON(io IO, v any) error {
	enc := json.NewEncoder(io.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
