package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/storage/storagetest"
)

// conferenceCase opens a new case of organisation A with conference 1,
// which gives organisation A task 1; for routes naming a conference or a
// task.
func conferenceCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := freshCase(t, f)
	_, err := f.env.App.CrisisUnit.CreateConference(context.Background(), f.staff[access.CaseWorker].Actor, id, crisisunit.NewConference{
		At: time.Now().Add(-time.Hour), Orgs: []string{f.orgA},
		Outcome: crisisunit.Outcome{Minutes: "First evaluation.", Tasks: []crisisunit.NewTask{
			{Title: "Find a bed", OwnerOrg: f.orgA, Due: time.Now().AddDate(0, 0, 2)}}},
	})
	if err != nil {
		t.Fatalf("create conference: %v", err)
	}
	return id
}

// calendarFeed makes a new feed token of A's case worker and returns the
// feed's last path segment.
func calendarFeed(t *testing.T, f *fixture) string {
	t.Helper()
	token, err := f.env.App.CrisisUnit.NewFeedToken(context.Background(), f.staff[access.CaseWorker].Actor)
	if err != nil {
		t.Fatalf("new feed token: %v", err)
	}
	return token + ".ics"
}

// TestConferenceFlow walks the crisis unit: a conference with a decision
// and tasks, bad input shown translated and changing nothing, a task
// marked done, my tasks, the protocol page and the calendar feed.
func TestConferenceFlow(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			env := f.env
			worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
			id := newCase(t, f, false).ID
			page := "/cases/" + id + "/conferences"
			send := func(method, path, cookie string, form url.Values, want int) string {
				t.Helper()
				res, body := env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: cookie, Form: form})
				if res.StatusCode != want {
					t.Fatalf("%s %s: status %d, want %d\n%s", method, path, res.StatusCode, want, body)
				}
				return body
			}
			if body := send(http.MethodGet, page, worker, nil, http.StatusOK); !strings.Contains(body, `id="no-conferences"`) ||
				!strings.Contains(body, `id="f-orgs-`+f.orgA+`"`) {
				t.Fatal("the tab should say there is no conference and offer the form")
			}
			tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
			good := url.Values{"at": {time.Now().Format("2006-01-02T15:04")}, "orgs": {f.orgA, f.orgB}, "agenda": {"evaluation"},
				"minutes": {"Ana is afraid to go back."}, "decision.1.code": {"safe_accommodation"}, "decision.1.text": {"Ana stays in the shelter."},
				"task.2.title": {"Find a bed for Ana"}, "task.2.org": {f.orgA}, "task.2.due": {tomorrow},
				"task.3.title": {"Check the papers"}, "task.3.org": {f.orgB}, "task.3.due": {tomorrow}}
			en := env.App.Catalog.For("en")
			for _, tc := range []struct {
				edit  func(url.Values)
				field string
				key   string
			}{
				{func(v url.Values) { v.Del("orgs"); v.Del("task.2.org"); v.Del("task.3.org") }, "orgs", "crisisunit.error.no_participants"},
				{func(v url.Values) { v.Set("task.3.due", "2001-01-01") }, "task.3.due", "crisisunit.error.due_past"},
				{func(v url.Values) { v.Set("task.2.org", f.orgC) }, "task.2.org", "crisisunit.error.owner_not_participant"},
				{func(v url.Values) { v.Set("task.2.user", f.outsider.ID) }, "task.2.user", "crisisunit.error.owner_user"},
				{func(v url.Values) { v.Set("at", "tomorrow") }, "at", "crisisunit.error.bad_datetime"},
			} {
				form := url.Values{}
				for k, v := range good {
					form[k] = append([]string(nil), v...)
				}
				tc.edit(form)
				body := send(http.MethodPost, page, worker, form, http.StatusUnprocessableEntity)
				if !strings.Contains(body, `href="#f-`+tc.field+`"`) || !strings.Contains(body, html.EscapeString(en.T(tc.key))) {
					t.Errorf("error for %s not shown with its message", tc.field)
				}
				if strings.Contains(body, `id="conference-1"`) {
					t.Errorf("bad input (%s) created a conference", tc.field)
				}
			}
			send(http.MethodPost, page, worker, good, http.StatusSeeOther)
			body := send(http.MethodGet, page, worker, nil, http.StatusOK)
			for _, want := range []string{`id="conference-1"`, `id="task-1"`, `id="task-2"`, "Find a bed for Ana", `id="task-1-done"`} {
				if !strings.Contains(body, want) {
					t.Errorf("crisis-unit tab lacks %s", want)
				}
			}
			conf := send(http.MethodGet, page+"/1", worker, nil, http.StatusOK)
			if !strings.Contains(conf, "Ana is afraid to go back.") || !strings.Contains(conf, "Ana stays in the shelter.") {
				t.Error("conference page lacks minutes or decision")
			}
			// The tasks page lists the org's open tasks with their titles.
			mine := send(http.MethodGet, "/tasks", worker, nil, http.StatusOK)
			if !strings.Contains(mine, `id="my-task-table"`) || !strings.Contains(mine, "Find a bed") {
				t.Error("/tasks should list the task with its title")
			}
			send(http.MethodPost, "/cases/"+id+"/tasks/1", worker, url.Values{"status": {"done"}, "back": {"/tasks"}}, http.StatusSeeOther)
			send(http.MethodPost, "/cases/"+id+"/tasks/1", worker, url.Values{"status": {"done"}}, http.StatusConflict)
			// B's worker, who was never shared the case, closes the task
			// given to B and no other.
			outsider := env.Session(t, f.outsider.ID, true)
			theirs := send(http.MethodGet, "/tasks", outsider, nil, http.StatusOK)
			if !strings.Contains(theirs, "Check the papers") || strings.Contains(theirs, `href="/cases/`+id) {
				t.Error("B's /tasks should list B's task without a link into the case")
			}
			send(http.MethodPost, "/cases/"+id+"/tasks/1", outsider, url.Values{"status": {"done"}}, http.StatusNotFound)
			send(http.MethodGet, "/cases/"+id, outsider, nil, http.StatusNotFound)

			// The protocol of collaboration, for the coordinator.
			coord := env.Session(t, f.staff[access.Coordinator].ID, true)
			if body := send(http.MethodGet, "/collaboration", coord, nil, http.StatusOK); !strings.Contains(body, `name="step.1.template"`) {
				t.Error("protocol page shows no steps")
			}
			bad := url.Values{"step.1.stage": {"crisis_intervention"}, "step.1.kind": {"police"}, "step.1.template": {"risk_assessment"}, "step.1.days": {"400"},
				"step.2.stage": {""}, "step.2.kind": {""}, "step.2.template": {""}, "step.2.days": {""}}
			if body := send(http.MethodPost, "/collaboration", coord, bad, http.StatusUnprocessableEntity); !strings.Contains(body, `href="#f-step.1.days"`) {
				t.Error("protocol error not shown at its row")
			}
			bad.Set("step.1.days", "2")
			send(http.MethodPost, "/collaboration", coord, bad, http.StatusSeeOther)

			// The calendar feed: shown once, then served without a session.
			// B's holds B's task, linking to B's task list.
			cal := send(http.MethodPost, "/calendar", outsider, url.Values{}, http.StatusOK)
			i := strings.Index(cal, "/calendar/")
			j := strings.Index(cal[i:], ".ics")
			if i < 0 || j < 0 {
				t.Fatal("no feed address shown")
			}
			feedPath := cal[i : i+j+len(".ics")]
			res, feed := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: feedPath})
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") ||
				!strings.HasPrefix(feed, "BEGIN:VCALENDAR\r\n") || !strings.Contains(feed, "BEGIN:VEVENT\r\n") || strings.Contains(feed, "Ana") ||
				!strings.Contains(feed, "/tasks\r\n") {
				t.Errorf("feed: status %d, %q", res.StatusCode, feed)
			}
			send(http.MethodPost, "/cases/"+id+"/tasks/2", outsider, url.Values{"status": {"done"}, "back": {"/tasks"}}, http.StatusSeeOther)
			if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/calendar/not-a-token.ics"}); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown token: status %d, want 404", res.StatusCode)
			}
		})
	}
}
