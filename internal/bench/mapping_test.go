package bench

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestMappingTiny runs the local-mapping section alone with a small round
// on both engines: every response is stored through the service, free
// text is sealed and some accepted, the aggregation counts every
// response, and the report page answers every request.
func TestMappingTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a round and drives the report page for a few seconds")
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			cfg := config.Config{DataDir: dir, KeysFile: filepath.Join(dir, "waymark.keys")}
			if engine == storage.Postgres {
				cfg.DatabaseURL = storagetest.NewPostgresDatabase(t)
			}
			var out bytes.Buffer
			o := Options{Config: cfg, Clients: 4, Duration: 100 * time.Millisecond, Out: &out, Mapping: 60, MappingOnly: true}
			if _, err := run(context.Background(), o); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			t.Log("\n" + out.String())
			for _, want := range []string{"local mapping only", "seeded 60 responses", "mapping.Aggregate, after a new answer", "mapping.Aggregate, round unchanged",
				"raw SQL: read the round's rows (baseline)", "raw SQL: count the answers in JSON",
				"GET /mapping/rounds/{id}/report", "target: aggregating 60 responses × 60 questions", "target: report page p99"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if strings.Contains(out.String(), "first error") || strings.Contains(out.String(), "free texts sealed, 0 accepted") {
				t.Errorf("a run failed or no free text was accepted:\n%s", out.String())
			}
		})
	}
}

// TestMappingAnswersDecode checks the generated answers against the bench
// questionnaire itself: each decodes without an error, and a topic not
// seen has no follow-up answers left after relevance.
func TestMappingAnswersDecode(t *testing.T) {
	src, err := mappingWorkbook("test")
	if err != nil {
		t.Fatal(err)
	}
	form, err := forms.ParseXLSX(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("bench questionnaire: %v", err)
	}
	if n := len(form.Fields()); n != mappingQuestions {
		t.Errorf("%d questions, want %d", n, mappingQuestions)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for i := range 300 {
		ans, err := form.Decode(mappingAnswers(r), "en")
		if err != nil {
			t.Fatalf("answers %d: %v", i, err)
		}
		for _, topic := range mappingTopics {
			if ans.Values[topic+"_seen"] != "yes" && ans.Values[topic+"_count"] != "" {
				t.Fatalf("answers %d: %s not seen but counted %q", i, topic, ans.Values[topic+"_count"])
			}
		}
	}
}
