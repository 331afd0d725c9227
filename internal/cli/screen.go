package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/screening"
)

// screen evaluates answers from a JSON file (or standard input) and prints
// the explained result as JSON — the same shape as the API's
// POST /api/v1/screenings/evaluate. It needs no database.
func screen(_ context.Context, io IO, args []string) error {
	fs := flags(io, "screen", "screen FILE|- [--lang en|de] | screen --stories")
	lang := fs.String("lang", "en", "language of the explanation text")
	stories := fs.Bool("stories", false, "evaluate the story suite and print each story's expected and actual outcome")
	if err := parseInterspersed(fs, args); err != nil {
		return flagError(err)
	}
	if *stories && fs.NArg() == 0 {
		return screenStories(io)
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

// screenStories prints the story suite as a table: each story's expected
// and actual overall outcome, then how many reach the expected outcome per
// expected outcome. It fails when any story differs.
func screenStories(io IO) error {
	cat, err := screening.LoadCatalogue()
	if err != nil {
		return err
	}
	stories, err := screening.Stories()
	if err != nil {
		return err
	}
	type tally struct{ pass, all int }
	per := map[string]*tally{}
	var order []string
	failed := 0
	w := tabwriter.NewWriter(io.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "STORY\tEXPECTED\tRESULT\tOK\tSOURCE")
	for _, s := range stories {
		ck := cat.CheckStory(s)
		ok := "yes"
		switch {
		case len(ck.Problems) > 0 && s.KnownDifference != "":
			ok = "known difference: " + s.KnownDifference
		case len(ck.Problems) > 0:
			ok, failed = "NO: "+strings.Join(ck.Problems, "; "), failed+1
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Expect.Overall, ck.Result.Outcome, ok, s.Source)
		t := per[s.Expect.Overall]
		if t == nil {
			t = &tally{}
			per[s.Expect.Overall] = t
			order = append(order, s.Expect.Overall)
		}
		t.all++
		if len(ck.Problems) == 0 {
			t.pass++
		}
	}
	fmt.Fprintln(w)
	slices.Sort(order)
	for _, o := range order {
		fmt.Fprintf(w, "%s\t%d of %d as expected\n", o, per[o].pass, per[o].all)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d stories differ from the expected outcome", failed, len(stories))
	}
	return nil
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
