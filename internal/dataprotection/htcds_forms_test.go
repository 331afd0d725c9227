package dataprotection

import (
	"slices"
	"testing"

	"waymark.city/waymark/internal/cases"
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
