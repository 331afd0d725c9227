package dataprotection

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/screening"
)

// TestEveryFormHasAnHTCDSValue: a case's form of exploitation is never
// dropped from an export, and every value of the HTCDS 2.0 picklist
// (vic_TypeOfExploitation) is one an import understands.
func TestEveryFormHasAnHTCDSValue(t *testing.T) {
	for _, form := range cases.ExploitationForms() {
		if toHTCDS(exploitationValues, form) == "" {
			t.Errorf("form %q has no vic_TypeOfExploitation value", form)
		}
	}
	picklist := []string{"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
		"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy", "Other"}
	for _, v := range picklist {
		code, ok := fromHTCDS(exploitationValues, v)
		if !ok {
			code = exploitationImported[v]
		}
		if !slices.Contains(cases.ExploitationForms(), code) {
			t.Errorf("HTCDS %q imports as %q, not a form of a case", v, code)
		}
	}
}

// TestHTCDSPicklists checks the picklists of methods of control and
// vulnerabilities against the standard's CSV when the shared standards
// folder is at hand, and that every protection need mapped to a
// vulnerability is one the screening catalogue has.
func TestHTCDSPicklists(t *testing.T) {
	cat, err := screening.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var needs []string
	for _, ind := range cat.Indicators {
		needs = append(needs, ind.Vulnerability)
	}
	for need, v := range protectionNeedValues {
		if !slices.Contains(needs, need) {
			t.Errorf("protection need %q is not in the catalogue", need)
		}
		if !slices.Contains(vulnerabilities, v) {
			t.Errorf("protection need %q maps to %q, not on the picklist", need, v)
		}
	}
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
	want := map[string][]string{"vic_MethodsOfControl": methodsOfControl, "vic_Vulnerabilities": vulnerabilities}
	for _, row := range rows {
		if len(row) > 9 && want[row[6]] != nil {
			if got := strings.Split(row[9], "\n"); !slices.Equal(got, want[row[6]]) {
				t.Errorf("%s picklist is %v, the standard's %v", row[6], want[row[6]], got)
			}
			delete(want, row[6])
		}
	}
	if len(want) > 0 {
		t.Errorf("fields not found in the standard: %v", want)
	}
}
