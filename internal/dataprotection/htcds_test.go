package dataprotection_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares doc, without its reference (a case code), with a file in testdata.
func golden(t *testing.T, name string, doc dataprotection.Document) {
	t.Helper()
	doc.Reference = ""
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

func TestHTCDSRoundTrip(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.open(t)
			if _, err := f.cases.RecordConsent(ctx, f.worker.Actor, c.ID, cases.ConsentInput{Purposes: []string{cases.PurposeCaseManagement},
				Language: "ro", Method: "written", GivenBy: "person", GivenOn: time.Now().UTC().Format(time.DateOnly)}); err != nil {
				t.Fatalf("consent: %v", err)
			}
			for _, variant := range []string{dataprotection.Full, dataprotection.Pseudonymous} {
				t.Run(variant, func(t *testing.T) {
					doc, err := f.svc.ExportHTCDS(ctx, stepped(f.worker), c.ID, variant)
					if err != nil {
						t.Fatalf("export: %v", err)
					}
					if doc.Reference != c.Code {
						t.Errorf("reference %q, want the case code", doc.Reference)
					}
					golden(t, "htcds_"+variant+".json", doc)
					data, _ := json.Marshal(doc)
					imported, warnings, err := f.svc.ImportHTCDS(ctx, f.worker.Actor, data)
					if err != nil || len(warnings) != 0 {
						t.Fatalf("import: %v, warnings %v", err, warnings)
					}
					if imported.Origin != cases.Imported || imported.OriginID != c.Code || imported.ID == c.ID {
						t.Errorf("imported case: %+v", imported)
					}
					again, err := f.svc.ExportHTCDS(ctx, stepped(f.worker), imported.ID, variant)
					if err != nil {
						t.Fatalf("export the imported case: %v", err)
					}
					golden(t, "htcds_"+variant+".json", again)
				})
			}
			// The full variant needs a step-up and the case team.
			_, err := f.svc.ExportHTCDS(ctx, f.worker.Actor, c.ID, dataprotection.Full)
			wantCode(t, err, apperr.StepUp)
			_, err = f.svc.ExportHTCDS(ctx, stepped(f.coordinator), c.ID, dataprotection.Full)
			wantCode(t, err, apperr.Forbidden)
			if _, err := f.svc.ExportHTCDS(ctx, f.coordinator.Actor, c.ID, ""); err != nil {
				t.Errorf("pseudonymous export by the coordinator: %v", err)
			}
			_, err = f.svc.ExportHTCDS(ctx, f.other.Actor, c.ID, "")
			wantCode(t, err, apperr.NotFound)
			_, err = f.svc.ExportHTCDS(ctx, f.worker.Actor, c.ID, "everything")
			wantCode(t, err, apperr.Invalid)
		})
	}
}

func TestHTCDSImportRefusals(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	ctx := context.Background()
	valid := `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "record": {"prs_Gender": "Masculine", "cas_Status": "Active"}}`
	tests := []struct {
		name   string
		doc    string
		code   apperr.Code
		key    string
		fields []string
	}{
		{"malformed", `{"standard": "HTCDS",`, apperr.Invalid, "error.data.htcds_json", nil},
		{"not an object", `[1, 2]`, apperr.Invalid, "error.data.htcds_json", nil},
		{"trailing data", valid + `{}`, apperr.Invalid, "error.data.htcds_json", nil},
		{"too large", `{"x": "` + strings.Repeat("a", dataprotection.MaxDocument) + `"}`, apperr.TooLarge, "error.data.htcds_too_large", nil},
		{"bad encoding", "{\"standard\": \"\xff\"}", apperr.Invalid, "error.data.htcds_encoding", nil},
		{"duplicate", `{"standard": "HTCDS", "standard": "HTCDS"}`, apperr.Invalid, "", []string{"standard"}},
		{"envelope", `{"standard": "FHIR", "version": "1.0", "variant": "all", "record": {"cas_Status": "Active"}}`, apperr.Invalid, "",
			[]string{"standard", "version", "variant"}},
		{"no record", `{"standard": "HTCDS", "version": "2.0", "variant": "full"}`, apperr.Invalid, "", []string{"record"}},
		{"picklists", `{"standard": "HTCDS", "version": "2.0", "variant": "full", "record": {"prs_Gender": "Female", "cas_Status": "Open",
			"vic_TypeOfExploitation": ["ForcedLabour", "Smuggling"], "vic_TraffickingStatus": "Victim", "prs_Citizenship": ["XX"],
			"prs_PrimaryLanguage": "Romanian"}}`, apperr.Invalid, "",
			[]string{"prs_Gender", "cas_Status", "vic_TypeOfExploitation", "vic_TraffickingStatus", "prs_Citizenship", "prs_PrimaryLanguage"}},
		{"types", `{"standard": "HTCDS", "version": "2.0", "variant": "full", "record": {"prs_FirstName": 7, "con_Consent": "yes",
			"prs_Citizenship": "RO", "cas_Status": "Active"}}`, apperr.Invalid, "", []string{"prs_FirstName", "con_Consent", "prs_Citizenship"}},
		{"birth in the future", `{"standard": "HTCDS", "version": "2.0", "variant": "full", "record": {"prs_Birthdate": "2999-01-01", "cas_Status": "Active"}}`,
			apperr.Invalid, "", []string{"prs_Birthdate"}},
		{"closed case", `{"standard": "HTCDS", "version": "2.0", "variant": "full", "record": {"cas_Status": "Closed"}}`, apperr.Invalid, "",
			[]string{"cas_Status"}},
		{"age", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "teen", "child": true}, "record": {"cas_Status": "Active"}}`,
			apperr.Invalid, "", []string{"age"}},
		{"age with more", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "12-17", "child": true, "years": 15},
			"record": {"cas_Status": "Active"}}`, apperr.Invalid, "", []string{"age"}},
		{"child band not a child", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "12-17", "child": false},
			"record": {"cas_Status": "Active"}}`, apperr.Invalid, "", []string{"age"}},
		{"age and birth date", `{"standard": "HTCDS", "version": "2.0", "variant": "full", "age": {"band": "12-17", "child": true},
			"record": {"prs_Birthdate": "2011-05-01", "cas_Status": "Active"}}`, apperr.Invalid, "", []string{"age"}},
		{"trafficked older than the band", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "12-17", "child": true},
			"record": {"vic_AgeWhenTrafficked": 19, "cas_Status": "Active"}}`, apperr.Invalid, "", []string{"vic_AgeWhenTrafficked"}},
		{"history and referral", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "record": {"vic_AgeWhenTrafficked": 12.5,
			"vic_MethodsOfControl": ["RestrictsMovement"], "vic_Vulnerabilities": ["Smuggled"], "cas_IncomingReferralDate": "2999-01-01",
			"cas_ReferringOrganisation": 3, "cas_Status": "Active"}}`, apperr.Invalid, "",
			[]string{"vic_AgeWhenTrafficked", "vic_MethodsOfControl", "vic_Vulnerabilities", "cas_IncomingReferralDate", "cas_ReferringOrganisation"}},
		{"names in a pseudonymous document", `{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "record": {"prs_FirstName": "Ana", "cas_Status": "Active"}}`,
			apperr.Invalid, "", []string{"variant"}},
	}
	before := f.env.Fingerprint(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.svc.ImportHTCDS(ctx, f.worker.Actor, []byte(tt.doc))
			e := apperr.As(err)
			if e.Code != tt.code || (tt.key != "" && e.Key != tt.key) {
				t.Fatalf("error %v (%s %s), want %s %s", err, e.Code, e.Key, tt.code, tt.key)
			}
			var got []string
			for _, fe := range e.Fields {
				got = append(got, fe.Field)
			}
			for _, want := range tt.fields {
				if !slices.Contains(got, want) {
					t.Errorf("fields %v lack %s", got, want)
				}
			}
		})
	}
	_, _, err := f.svc.ImportHTCDS(ctx, f.screener.Actor, []byte(valid))
	wantCode(t, err, apperr.Forbidden)
	if f.env.Fingerprint(t) != before {
		t.Error("a refused import changed the database")
	}

	// Fields Waymark does not keep are warnings, and the case opens.
	c, warnings, err := f.svc.ImportHTCDS(ctx, f.worker.Actor, []byte(`{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous",
		"exported_by": "x", "record": {"prs_Gender": "Masculine", "cas_Status": "FollowUp", "prs_MaritalStatus": "Single", "favourite_colour": "blue",
		"vic_TypeOfExploitation": ["ChildLabour", "OrganRemoval", "Surrogacy", "Other"], "prs_Citizenship": null}}`))
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var fields []string
	for _, w := range warnings {
		fields = append(fields, w.Field+"="+w.Key)
	}
	want := []string{"exported_by=data.htcds_warning_unknown", "prs_MaritalStatus=data.htcds_warning_ignored", "favourite_colour=data.htcds_warning_unknown"}
	if !slices.Equal(fields, want) {
		t.Errorf("warnings %v, want %v", fields, want)
	}
	if c.Gender != "masculine" || !slices.Equal(c.Exploitation, []string{"labour", "organ_removal", "other_exploitation", "other"}) || c.AgeBand != "unknown" || c.Stage != cases.FirstContact {
		t.Errorf("imported case: %+v %s", c.Demographics, c.Stage)
	}
}

// TestHTCDSFieldNames checks every field name against the standard's CSV
// when the shared standards folder is at hand.
func TestHTCDSFieldNames(t *testing.T) {
	file, err := os.Open(filepath.Join("..", "..", "..", "shared", "standards", "htcds", "htcds-fields-field-standards.csv"))
	if err != nil {
		t.Skip("the HTCDS field standard is not at hand")
	}
	defer file.Close()
	r := csv.NewReader(file)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows {
		if len(row) > 6 && strings.Contains(row[6], "_") && row[6] != "Field Name including Prefix" {
			names = append(names, row[6])
		}
	}
	if !slices.Equal(names, dataprotection.HTCDSFields()) {
		t.Errorf("field names differ from the standard:\n got %v\nwant %v", dataprotection.HTCDSFields(), names)
	}
	var doc dataprotection.Document
	data, _ := json.Marshal(doc.Record)
	var keys map[string]any
	_ = json.Unmarshal(data, &keys)
	for k := range keys {
		if !slices.Contains(names, k) {
			t.Errorf("record field %s is not HTCDS", k)
		}
	}
}

func FuzzImportHTCDS(f *testing.F) {
	for _, seed := range []string{
		`{"standard": "HTCDS", "version": "2.0", "variant": "full", "record": {"prs_FirstName": "Ana", "prs_Birthdate": "1990-01-02",
			"prs_Gender": "Feminine", "prs_Citizenship": ["RO"], "prs_PrimaryLanguage": "ro", "vic_TypeOfExploitation": ["ForcedLabour"],
			"cas_Status": "Active", "con_Consent": true}}`,
		`{"standard": "HTCDS", "record": {"a": 1, "a": 2}}`,
		`{"standard": "HTCDS", "version": "2.0", "variant": "pseudonymous", "age": {"band": "18-24", "child": true}, "record": {
			"vic_AgeWhenTrafficked": 16, "vic_MethodsOfControl": ["DebtBondage"], "vic_Vulnerabilities": ["Migration"],
			"cas_ReferringOrganisation": "Youth Welfare Office", "cas_IncomingReferralDate": "2026-03-02", "cas_Status": "Active"}}`,
		`[]`, `{`, `null`, `{"record": {"prs_Citizenship": [1]}}`, `{"age": {"band": "12-17", "child": false}}`,
	} {
		f.Add([]byte(seed))
	}
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := dataprotection.ParseHTCDS(data, today)
		if err != nil {
			if e := apperr.As(err); e.Code != apperr.Invalid && e.Code != apperr.TooLarge {
				t.Fatalf("unexpected error class %s: %v", e.Code, err)
			}
			return
		}
		// A document that parses opens a valid case form and exports again.
		p.Person.Normalise()
		d, err := p.Person.Demographics(today)
		if err != nil {
			t.Fatalf("parsed document gives an invalid case: %v", err)
		}
		// A document that says the person is a child opens a child's case.
		if p.Document.Age != nil && p.Document.Age.Child && !d.Child {
			t.Fatalf("a child's document opens an adult's case: %+v", d)
		}
		if _, err := json.Marshal(p.Document); err != nil {
			t.Fatal(err)
		}
	})
}
