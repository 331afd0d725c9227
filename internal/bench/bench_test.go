package bench

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/config"
)

// TestRunTiny runs the whole benchmark with tiny sizes: every section
// prints, the sustained submissions are all stored, and the flood stays
// within the per-address limit (6 an hour) of its 4 addresses.
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("drives servers for a few seconds")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	o := Options{
		Config:        config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")},
		Organisations: 2, UsersPerOrg: 2, AuditRecords: 50, Clients: 4, Duration: 200 * time.Millisecond, Out: &out,
		Submissions: 4, Flood: 300, FloodSources: 4, FloodClients: 8, ProbeClients: 2,
	}
	r, err := run(context.Background(), o)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"Public report form (loopback HTTP)", "POST /report with proof of work (stored)",
		"one argon2id receipt hash", "flood of 300:", "Staff page during the flood", "GET /api/v1/me, during the flood"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if r.Sustained.Requests != 4 || r.Sustained.PerSec <= 0 || r.Hash <= 0 {
		t.Errorf("sustained = %+v, hash %s", r.Sustained, r.Hash)
	}
	if r.Accepted+r.Refused+r.Failed != 300 || r.Failed != 0 {
		t.Errorf("flood answers: %d accepted, %d refused, %d other", r.Accepted, r.Refused, r.Failed)
	}
	// 6 an hour from each of 4 addresses; twice that if the run crosses
	// the start of an hour (fixed windows).
	if r.Accepted > 2*4*6 || int64(r.Stored) != r.Accepted {
		t.Errorf("flood stored %d (accepted %d), at most 48 may be", r.Stored, r.Accepted)
	}
	if r.Calm.Requests == 0 || r.During.Requests == 0 {
		t.Errorf("staff probe: calm %+v, during %+v", r.Calm, r.During)
	}
}
