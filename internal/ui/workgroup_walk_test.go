package ui_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/workgroup"
)

// The working group's routes (ui/workgroup) in the route walk. Organisation
// A is a member of the group on every meeting's date, organisation B never.
func init() {
	pageCases["GET /workgroup"] = pageCase{}
	pageCases["GET /workgroup/members/new"] = pageCase{}
	pageCases["POST /workgroup/members/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"org": {f.orgA}, "name": {f.unique("Mira Novak")}, "function": {"Outreach"}, "joined_on": {localToday()}}
	}}
	pageCases["POST /workgroup/members/{id}"] = pageCase{id: walkMember, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"left_on": {localToday()}}
	}}
	pageCases["GET /workgroup/meetings/new"] = pageCase{}
	pageCases["POST /workgroup/meetings/new"] = pageCase{form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"starts_at": {time.Now().AddDate(0, 0, 7).Format(workgroup.LocalMinute)}, "place": {"City Hall"}, "agenda": {"Mapping\nTraining"}}
	}}
	pageCases["GET /workgroup/meetings/{id}"] = pageCase{id: walkMeeting}
	pageCases["POST /workgroup/meetings/{id}"] = pageCase{id: walkMeeting, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"minutes": {"Two cases reported."}, "decisions": {"Adopt the plan."}, "action_what": {"Train hotel staff"},
			"action_owner": {f.orgA}, "action_due": {time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}}
	}}
	pageCases["POST /workgroup/actions/{id}/measure"] = pageCase{id: walkAction, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }}
	pageCases["GET /workgroup/practices"] = pageCase{}
	pageCases["GET /workgroup/practices/new"] = pageCase{}
	pageCases["POST /workgroup/practices/new"] = pageCase{form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"title": {f.unique("Standing group")}, "what": {"A human rights office convenes the partners."}, "city": {"Vienna"},
			"country": {"AT"}, "source": {"Danube round table 2017"}, "transfer": {"yes"}, "transfer_why": {"We have such an office."}, "tags": {"coordination"}}
	}}
	pageCases["GET /workgroup/practices/{id}"] = pageCase{id: walkPractice}
}

func localToday() string { return time.Now().Format(time.DateOnly) }

// walkMember adds a named person of organisation A who joined a year ago.
func walkMember(t *testing.T, f *fixture) string {
	t.Helper()
	m, err := f.env.App.Workgroup.AddMember(context.Background(), f.staff[access.Coordinator].Actor, workgroup.MemberInput{
		OrgID: f.orgA, Name: f.unique("Mira Novak"), JoinedOn: time.Now().AddDate(-1, 0, 0).Format(time.DateOnly)})
	if err != nil {
		t.Fatalf("add member: %v", err)
	}
	return m.ID
}

// walkMeeting holds a meeting a week ago, organisation A a member then.
func walkMeeting(t *testing.T, f *fixture) string {
	t.Helper()
	walkMember(t, f)
	m, err := f.env.App.Workgroup.CreateMeeting(context.Background(), f.staff[access.Coordinator].Actor, workgroup.MeetingInput{
		StartsAt: time.Now().AddDate(0, 0, -7).Format(workgroup.LocalMinute), Place: "City Hall"})
	if err != nil {
		t.Fatalf("create meeting: %v", err)
	}
	return m.ID
}

// walkAction records an open action item of organisation A at a meeting.
func walkAction(t *testing.T, f *fixture) string {
	t.Helper()
	m, err := f.env.App.Workgroup.RecordMeeting(context.Background(), f.staff[access.Coordinator].Actor, walkMeeting(t, f), workgroup.Record{
		New: []workgroup.ActionInput{{What: f.unique("Train hotel staff"), OwnerOrgID: f.orgA, DueOn: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}}})
	if err != nil {
		t.Fatalf("record action item: %v", err)
	}
	return m.Actions[0].ID
}

// walkPractice adds a practice to the library of a group organisation A
// belongs to.
func walkPractice(t *testing.T, f *fixture) string {
	t.Helper()
	walkMember(t, f)
	p, err := f.env.App.Workgroup.CreatePractice(context.Background(), f.staff[access.Coordinator].Actor, workgroup.PracticeInput{
		Title: f.unique("Standing group"), What: "Partners meet monthly.", Source: "Danube round table 2017", Transfer: "unknown"})
	if err != nil {
		t.Fatalf("create practice: %v", err)
	}
	return p.ID
}
