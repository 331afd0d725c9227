package cli_test

import (
	"os"
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("bench drives a server for a few seconds")
	}
	r := mustRun(t, nil, "", "bench", "--orgs", "2", "--users", "2", "--audit", "100", "--clients", "4", "--duration", "300ms",
		"--submissions", "3", "--flood", "200", "--flood-sources", "4")
	for _, want := range []string{
		"Waymark benchmark — ",
		"2 organisations × 2 users, 100 audit records, 4 clients",
		"seeded in ",
		"HTTP target", "req/s", "p50", "p99", "throughput×",
		"(× columns: ratio to the bare handler",
		"Per-record cost (own transaction each)", "× raw SQL",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, r.stdout)
		}
	}
	// No request of any HTTP target may fail.
	inTable := false
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "HTTP target"):
			inTable = true
		case strings.HasPrefix(line, "(") || line == "":
			inTable = false
		case inTable:
			f := strings.Fields(line)
			if len(f) < 7 || f[len(f)-6] != "0" {
				t.Errorf("target with errors: %q", line)
			}
		}
	}
	// A bench run without --data must not seed into ./data.
	if _, err := os.Stat("data"); err == nil {
		t.Error("bench created ./data")
	}
	t.Log("\n" + r.stdout)
}
