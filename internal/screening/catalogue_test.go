package screening

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// realFS copies the embedded version 1 catalogue into a MapFS that a test
// may break.
func realFS(t testing.TB) fstest.MapFS { return realFSOf(t, "v1") }

// realFSOf copies an embedded catalogue version into a MapFS.
func realFSOf(t testing.TB, version string) fstest.MapFS {
	t.Helper()
	sub, err := fs.Sub(embedded, "catalogue/"+version)
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit decodes a file to generic JSON, lets fn change it, and writes it back.
func edit(t *testing.T, m fstest.MapFS, name string, fn func(doc map[string]any)) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(m[name].Data, &doc); err != nil {
		t.Fatal(err)
	}
	fn(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	m[name] = &fstest.MapFile{Data: b}
}

func indicator(doc map[string]any, i int) map[string]any {
	return doc["indicators"].([]any)[i].(map[string]any)
}

func TestLoadCatalogue(t *testing.T) {
	c := mustV1(t)
	if n := len(c.Indicators); n < 60 || n > 80 {
		t.Errorf("%d indicators, want 60-80", n)
	}
	if len(c.Hash) != 16 || c.Version != "v1" {
		t.Errorf("version %q hash %q", c.Version, c.Hash)
	}
	// Every dimension must be measurable for every purpose and population,
	// or the combination rule could never be met.
	for p, purpose := range c.compiled.purposes {
		for pop := range 2 {
			for d, dimension := range c.compiled.dims {
				if len(c.compiled.byDim[p][pop][d]) == 0 && !(pop == 1 && dimension != "exploitative_conditions") {
					t.Errorf("%s/%s: no indicator for %s", purpose, knownPopulations[pop], dimension)
				}
			}
		}
	}
	for _, ind := range c.Indicators {
		if ind.Verification == "ilo_delphi_verified" {
			t.Errorf("%s claims primary verification; none was checked against WCMS_105023", ind.ID)
		}
	}
	if len(c.FieldGuide) < 10 {
		t.Errorf("field guide has %d locations", len(c.FieldGuide))
	}
	if _, err := LoadCatalogueFS(realFS(t)); err != nil {
		t.Fatalf("copy of the embedded catalogue: %v", err)
	}
}

func TestCatalogueValidation(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, m fstest.MapFS)
		want   []string
	}{
		{"unknown dimension", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "labour.json", func(d map[string]any) { indicator(d, 0)["dimension"] = "exploitation" })
		}, []string{"labour.json", `"lab.excessive_hours"`, `unknown dimension "exploitation"`}},
		{"unknown element", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "sexual.json", func(d map[string]any) { indicator(d, 0)["element"] = "goal" })
		}, []string{"sexual.json", `"sex.excessive_clients"`, `unknown element "goal"`}},
		{"unknown purpose", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "labour.json", func(d map[string]any) {
				indicator(d, 0)["strength"] = map[string]any{"organ_removal": map[string]any{"adult": "strong"}}
			})
		}, []string{"labour.json", `"lab.excessive_hours"`, `unknown purpose "organ_removal"`}},
		{"unknown strength", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "labour.json", func(d map[string]any) {
				indicator(d, 1)["strength"] = map[string]any{"labour": map[string]any{"adult": "very strong"}}
			})
		}, []string{"labour.json", `"lab.low_or_no_pay"`, `unknown strength "very strong"`}},
		{"unknown setting", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "child.json", func(d map[string]any) { indicator(d, 0)["settings"] = []any{"church"} })
		}, []string{"child.json", `"chi.not_in_school"`, `unknown setting "church"`}},
		{"unknown verification", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "child.json", func(d map[string]any) { indicator(d, 0)["verification"] = "primary" })
		}, []string{"child.json", `unknown verification "primary"`}},
		{"duplicate id", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "labour.json", func(d map[string]any) { indicator(d, 2)["id"] = "lab.excessive_hours" })
		}, []string{"labour.json", `"lab.excessive_hours": duplicate id`}},
		{"missing German question", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "domestic_servitude.json", func(d map[string]any) {
				delete(indicator(d, 0)["question"].(map[string]any), "de")
			})
		}, []string{"domestic_servitude.json", `"dom.on_call_day_and_night"`, `missing "de" question`}},
		{"missing English help", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "general.json", func(d map[string]any) { indicator(d, 0)["help"].(map[string]any)["en"] = " " })
		}, []string{"general.json", `"gen.deceived_job_nature"`, `missing "en" help`}},
		{"missing translation of a text", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "texts.json", func(d map[string]any) { delete(d["disclaimer"].(map[string]any), "de") })
		}, []string{"texts.json", "disclaimer", `missing "de"`}},
		{"missing text key", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "texts.json", func(d map[string]any) { delete(d, "clause.three_medium") })
		}, []string{"texts.json", `missing key "clause.three_medium"`}},
		{"rule refers to unknown dimension", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				cb := d["combinations"].(map[string]any)["adult_trafficking"].(map[string]any)
				cb["expr"].(map[string]any)["all"].([]any)[1].(map[string]any)["dimension"] = "exploitation"
			})
		}, []string{"rules.json", `combination "adult_trafficking": unknown dimension "exploitation"`}},
		{"rule clause without minimum", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["dimension_rule"].(map[string]any)["clauses"] = []any{map[string]any{"id": "any", "text_key": "clause.two_strong"}}
			})
		}, []string{"rules.json", `clause "any"`}},
		{"override that suppresses referral", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) {
				d["overrides"].([]any)[0].(map[string]any)["outcome"] = "no_indicators"
			})
		}, []string{"rules.json", "outcome must be"}},
		{"purpose without rule", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "rules.json", func(d map[string]any) { delete(d["purpose_rules"].(map[string]any), "sexual") })
		}, []string{"rules.json", `missing purpose "sexual"`}},
		{"field guide names unknown indicator", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "fieldguide.json", func(d map[string]any) {
				d["locations"].([]any)[0].(map[string]any)["indicators"] = []any{"lab.gone"}
			})
		}, []string{"fieldguide.json", `"construction_site"`, `unknown question "lab.gone"`}},
		{"group file missing", func(t *testing.T, m fstest.MapFS) { delete(m, "child.json") }, []string{"child.json", "file missing"}},
		{"unlisted file", func(t *testing.T, m fstest.MapFS) {
			m["organs.json"] = &fstest.MapFile{Data: []byte(`{}`)}
		}, []string{"organs.json", "not listed"}},
		{"misspelt field", func(t *testing.T, m fstest.MapFS) {
			edit(t, m, "labour.json", func(d map[string]any) { indicator(d, 0)["strenght"] = "x" })
		}, []string{"labour.json", `unknown field "strenght"`}},
		{"broken JSON", func(t *testing.T, m fstest.MapFS) { m["rules.json"] = &fstest.MapFile{Data: []byte(`{`)} }, []string{"rules.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := realFS(t)
			tc.damage(t, m)
			_, err := LoadCatalogueFS(m)
			if err == nil {
				t.Fatal("broken catalogue loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func FuzzEvaluate(f *testing.F) {
	c := mustV1(f)
	f.Add([]byte{1, 2, 3, 4, 0, 1}, 30, false, false)
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 15, true, true)
	f.Add([]byte{}, -1, true, true)
	answers := []Answer{"", Yes, No, Unknown, Declined}
	f.Fuzz(func(t *testing.T, data []byte, years int, estimated, child bool) {
		in := Input{Age: Age{Estimated: estimated, ReasonsToBelieveChild: child}, Answers: map[string]Answer{}}
		if years >= 0 && years <= 130 {
			in.Age.Years = &years
		}
		for i, b := range data {
			if a := answers[int(b)%len(answers)]; a != "" {
				in.Answers[c.Indicators[i%len(c.Indicators)].ID] = a
			}
		}
		r, err := c.Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Purposes) != len(knownPurposes) {
			t.Fatalf("%d purposes", len(r.Purposes))
		}
		// Monotonicity: answering one more open question "yes" never takes
		// away reasonable grounds.
		var open string
		for _, ind := range c.Indicators {
			if in.Answers[ind.ID].open() {
				open = ind.ID
				break
			}
		}
		if open == "" {
			return
		}
		more := map[string]Answer{open: Yes}
		for k, v := range in.Answers {
			if k != open {
				more[k] = v
			}
		}
		in.Answers = more
		r2, err := c.Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range r.Purposes {
			if p.Outcome == OutcomeReasonableGrounds && r2.Purposes[i].Outcome != OutcomeReasonableGrounds {
				t.Fatalf("%s: yes on %s removed reasonable grounds", p.Purpose, open)
			}
			if p.Outcome == OutcomeFurtherAssessment && p.Reason == ReasonOpenQuestions && len(p.FurtherQuestions) == 0 {
				t.Fatalf("%s: further assessment without questions", p.Purpose)
			}
		}
	})
}

func BenchmarkEvaluate(b *testing.B) {
	c := mustV1(b)
	in := loadStories(b)["01_construction_debt_bondage"].Input
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadCatalogue(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadCatalogue(); err != nil {
			b.Fatal(err)
		}
	}
}

// fullAnswersV2 answers every version 2 question yes for a child (every
// question opens), the most work one evaluation can be.
func fullAnswersV2(c *Catalogue) Input {
	fifteen := 15
	in := Input{Setting: "street", Age: Age{Years: &fifteen}, Answers: map[string]Answer{}}
	for _, ind := range c.Indicators {
		in.Answers[ind.ID] = Yes
	}
	return in
}

// BenchmarkEvaluateV2Typical evaluates a completed screening of an adult:
// every question answered, one in three yes.
func BenchmarkEvaluateV2Typical(b *testing.B) {
	c, err := LoadCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	thirty := 30
	in := Input{Setting: "farm", Age: Age{Years: &thirty}, Answers: map[string]Answer{}}
	for i, ind := range c.Indicators {
		in.Answers[ind.ID] = []Answer{Yes, No, No}[i%3]
	}
	for b.Loop() {
		if _, err := c.Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluateV2(b *testing.B) {
	c, err := LoadCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	in := fullAnswersV2(c)
	for b.Loop() {
		if _, err := c.Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanV2(b *testing.B) {
	c, err := LoadCatalogue()
	if err != nil {
		b.Fatal(err)
	}
	in := fullAnswersV2(c)
	for b.Loop() {
		if _, err := c.Plan(in, "de"); err != nil {
			b.Fatal(err)
		}
	}
}
