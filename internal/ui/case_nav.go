package ui

import (
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/web"
)

// caseNav is the header every case page starts with: the case code, its
// stage and risk, and the tabs of the categories the reader may see.
type caseNav struct {
	V    *web.View
	Case cases.Case
	// Owner is false for a case shared with the reader's organisation.
	Owner bool
	Tabs  []web.NavItem
}

// caseTabs are the tabs of a case page, each with the category it shows.
var caseTabs = []struct {
	path, key string
	category  cases.Category
}{
	{"", "case.tab_overview", cases.Profile},
	{"/consent", "case.tab_consent", cases.Consent},
	{"/risk", "case.tab_risk", cases.Risk},
	{"/plan", "case.tab_assistance", cases.Assistance},
	{"/interpreters", "case.tab_interpreters", cases.Assistance},
	{"/legal", "case.tab_legal", cases.Legal},
	{"/child", "case.tab_child", cases.Children},
	{"/return", "case.tab_return", cases.Assistance},
	{"/conferences", "case.tab_crisis_unit", cases.CrisisUnit},
	{"/timeline", "case.tab_timeline", cases.Profile},
	{"/sharing", "case.tab_sharing", cases.Profile},
	{"/data", "case.tab_data", cases.Profile},
}

// caseNavFor builds the header of a case page; current is the tab's path
// suffix ("" for the overview, "/risk", …).
func caseNavFor(v *web.View, a cases.Access, current string) caseNav {
	n := caseNav{V: v, Case: a.Case, Owner: a.Owner}
	for _, t := range caseTabs {
		if !a.Sees(t.category) || (t.path == "/child" && !a.Case.Child) || ((t.path == "/sharing" || t.path == "/data") && !a.Owner) ||
			(t.path == "/return" && !returns.Reachable(a.Case)) {
			continue
		}
		n.Tabs = append(n.Tabs, web.NavItem{Href: "/cases/" + a.Case.ID + t.path, Key: t.key, Current: t.path == current})
	}
	return n
}
