package access_test

import (
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
)

func TestAuthorizeScopes(t *testing.T) {
	tests := []struct {
		role      access.Role
		action    access.Action
		wantOrg   string // scope value bound in SQL; "" when refused
		includesB bool   // whether a record of org-b is in scope
	}{
		{access.Coordinator, access.ViewUsers, "*", true},
		{access.CaseWorker, access.ViewUsers, "org-a", false},
		{access.CaseWorker, access.ManageUsers, "", false},
		{access.Analyst, access.RevealContact, "", false},
		{access.Administrator, access.ViewAudit, "*", true},
		{access.Role("intruder"), access.ViewDashboard, "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+" "+string(tt.action), func(t *testing.T) {
			scope, err := access.Authorize(access.Actor{UserID: "u", OrgID: "org-a", Role: tt.role}, tt.action)
			if tt.wantOrg == "" {
				if !apperr.Is(err, apperr.Forbidden) {
					t.Fatalf("err = %v, want forbidden", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if scope.Org() != tt.wantOrg || scope.Includes("org-b") != tt.includesB || !scope.Includes("org-a") {
				t.Errorf("scope %q includes org-b %v", scope.Org(), scope.Includes("org-b"))
			}
		})
	}
}

// A refused scope never matches a record: its zero value binds no
// organisation and is never the all-organisations wildcard.
func TestZeroScopeIncludesNothing(t *testing.T) {
	var s access.Scope
	if s.Includes("org-a") || s.Org() == "*" {
		t.Errorf("zero scope %q includes org-a", s.Org())
	}
}

func TestEveryRoleHasAMatrixRowAndOnlyAnalystsWorkWithoutSecondFactor(t *testing.T) {
	for _, r := range access.Roles {
		if !access.Can(access.Actor{Role: r}, access.ManageOwnAccount) {
			t.Errorf("%s cannot manage its own account", r)
		}
		if r.SeesPersonalData() == (r == access.Analyst) {
			t.Errorf("%s: SeesPersonalData = %v", r, r.SeesPersonalData())
		}
	}
	if access.Role("").Valid() || access.Role("root").SeesPersonalData() {
		t.Error("unknown roles must be invalid")
	}
}
