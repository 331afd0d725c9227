package ui_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/api"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/ui"
)

var update = flag.Bool("update", false, "rewrite docs/permissions.md from the access policy")

// permissionsDoc is the path of the generated permission document.
var permissionsDoc = filepath.Join("..", "..", "docs", "permissions.md")

// TestPermissionsDocIsCurrent renders the permission matrix, the second
// factor and session rules and the route table from the code and compares
// them with docs/permissions.md. Run with -update to rewrite the file.
func TestPermissionsDocIsCurrent(t *testing.T) {
	want := renderPermissions()
	if *update {
		if err := os.MkdirAll(filepath.Dir(permissionsDoc), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(permissionsDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(permissionsDoc)
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./internal/ui -run TestPermissionsDocIsCurrent -update)", permissionsDoc, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the access policy or the route tables; run\n\tgo test ./internal/ui -run TestPermissionsDocIsCurrent -update", permissionsDoc)
	}
}

func reachText(r access.Reach) string {
	switch r {
	case access.OwnOrg:
		return "own organisation"
	case access.AllOrgs:
		return "all organisations"
	case access.OwnRecords:
		return "own records"
	}
	return "—"
}

func durationText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

var gateText = map[ui.Gate]string{
	ui.Public:   "anyone",
	ui.Partial:  "signed in, second factor may be outstanding",
	ui.SignedIn: "signed in completely",
	ui.Home:     "signed in completely; signed out: the public help page",
}

func renderPermissions() []byte {
	var b bytes.Buffer
	row := func(cells ...string) { fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | ")) }
	rule := func(n int) { row(strings.Split(strings.Repeat("---,", n), ",")[:n]...) }

	b.WriteString(`# Permissions

<!-- Generated from internal/access, internal/auth and the route tables by
TestPermissionsDocIsCurrent; do not edit. To regenerate:
go test ./internal/ui -run TestPermissionsDocIsCurrent -update -->

Every signed-in page and API route names one action, and the access policy
(internal/access) says for each role how far that action reaches: to the
records of the user's **own organisation** (and those shared with it), to
the records of **all organisations** of the local partnership, to the
user's **own records** only (those they made, in their own organisation:
` + "`AND ($2 = '*' OR created_by = $2)`" + ` joins the organisation filter), or not at
all (**—**). A route refuses an action the role does not have before its
handler runs (403, written to the audit log as "denied"). The reach then
becomes the organisation scope, and the scope is applied inside every SQL
query (` + "`WHERE ($1 = '*' OR org_id = $1)`" + `) rather than checked on
records already loaded: a record outside the scope is never read, and is
answered as not found (404), exactly like a record that does not exist.

## Permission matrix

`)
	head := []string{"action"}
	for _, r := range access.Roles {
		head = append(head, string(r))
	}
	row(head...)
	rule(len(head))
	for _, a := range access.Actions {
		cells := []string{"`" + string(a) + "`"}
		for _, r := range access.Roles {
			cells = append(cells, reachText(access.ReachOf(r, a)))
		}
		row(cells...)
	}

	b.WriteString(`
## Second factor and sessions

Roles that can see anyone's identifying data must sign in with a second
factor (an authenticator app, or a one-time recovery code) and get short
sessions. Revealing a person's name and contact details also needs a recent
step-up: the password and a code entered again.

`)
	row("role", "second factor", "idle timeout", "absolute lifetime", "step-up valid for")
	rule(5)
	for _, r := range access.Roles {
		mfa := "optional"
		if r.SeesPersonalData() {
			mfa = "required"
		}
		p := auth.PolicyFor(r)
		row(string(r), mfa, durationText(p.Idle), durationText(p.Absolute), durationText(p.StepUpValid))
	}

	b.WriteString("\n## Pages\n\n")
	row("route", "who may call it", "action")
	rule(3)
	for _, rt := range app.PageRoutes() {
		action := "—"
		if rt.Action != "" {
			action = "`" + string(rt.Action) + "`"
		}
		row("`"+rt.Pattern+"`", gateText[rt.Gate], action)
	}

	b.WriteString("\n## JSON API\n\nEvery API route needs a complete session.\n\n")
	row("route", "action")
	rule(2)
	for _, rt := range api.New(api.Deps{}).Routes() {
		row("`"+rt.Pattern+"`", "`"+string(rt.Action)+"`")
	}
	return b.Bytes()
}
