package ui

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/web"
)

// choice is one checkbox of a group.
type choice struct {
	Value   string
	Label   string
	Key     string // a message key, when Label is empty
	Checked bool
}

// taskView is a task as a row of a table.
type taskView struct {
	crisisunit.Task
	Overdue  bool
	CanClose bool
}

// outcomeRows are the numbered rows of the decision and task parts of a
// conference form.
type outcomeRows struct {
	V         *web.View
	Decisions []int
	Tasks     []int
	Codes     []web.Option
	Orgs      []web.Option
	Users     []web.Option
	Needs     []web.Option
	Today     string
}

// choiceGroup is a fieldset of checkboxes named Name.
type choiceGroup struct {
	V         *web.View
	Name      string
	LegendKey string
	Required  bool
	Choices   []choice
}

type conferencesPage struct {
	Nav         caseNav
	CanEdit     bool
	Conferences []crisisunit.Conference
	Tasks       []taskView
	// Groups are the participants and the agenda of the new conference.
	Groups  []choiceGroup
	Outcome outcomeRows
}

// canEditUnit reports whether the actor may change the crisis-unit records
// of the case as the gate would allow: the role, a case still open.
func canEditUnit(a access.Actor, acc cases.Access) bool {
	return acc.MayChange(a, access.ManageCrisisUnit, cases.CrisisUnit)
}

func taskViews(a access.Actor, acc cases.Access, tasks []crisisunit.Task, edit bool) []taskView {
	now := time.Now()
	out := make([]taskView, len(tasks))
	for i, t := range tasks {
		out[i] = taskView{Task: t, Overdue: t.Overdue(now),
			CanClose: edit && t.Status == crisisunit.TaskOpen && (acc.Owner || t.OwnerOrg == a.OrgID)}
	}
	return out
}

// outcomeRowsFor fills the options of the decision and task rows; orgs are
// the organisations a task may go to.
func (h *Handler) outcomeRowsFor(ctx context.Context, v *web.View, a access.Actor, orgs []web.Option) outcomeRows {
	o := outcomeRows{V: v, Today: time.Now().Format(time.DateOnly)}
	for i := 1; i <= decisionRows; i++ {
		o.Decisions = append(o.Decisions, i)
	}
	for i := 1; i <= taskRows; i++ {
		o.Tasks = append(o.Tasks, i)
	}
	o.Codes = []web.Option{{Value: "", LabelKey: "crisisunit.choose"}}
	for _, c := range crisisunit.DecisionCodes() {
		o.Codes = append(o.Codes, web.Option{Value: c, LabelKey: "crisisunit.decision." + c})
	}
	o.Orgs = append([]web.Option{{Value: "", LabelKey: "crisisunit.choose"}}, orgs...)
	o.Needs = []web.Option{{Value: "", LabelKey: "crisisunit.needs_nothing"}}
	for _, c := range cases.Shareable() {
		o.Needs = append(o.Needs, web.Option{Value: string(c), LabelKey: "category." + string(c)})
	}
	o.Users = []web.Option{{Value: "", LabelKey: "crisisunit.nobody"}}
	for _, u := range h.ownUsers(ctx, a) {
		o.Users = append(o.Users, web.Option{Value: u.Value, Label: u.Label})
	}
	return o
}

// ownUsers lists the active accounts of the actor's organisation, for
// naming participants and task owners; empty for a role that may not list
// them (the service accepts any active member of the task's organisation).
func (h *Handler) ownUsers(ctx context.Context, a access.Actor) []web.Option {
	if !access.Can(a, access.ViewUsers) {
		return nil
	}
	users, err := h.accounts.ListUsers(ctx, a, accounts.UserFilter{OrgID: a.OrgID, Limit: 500})
	if err != nil {
		return nil
	}
	var out []web.Option
	for _, u := range users {
		out = append(out, web.Option{Value: u.ID, Label: u.Username})
	}
	return out
}

// renderConferences shows the crisis-unit tab of a case: its conferences,
// its tasks and the form for a new conference.
func (h *Handler) renderConferences(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	unit, err := h.crisisunit.Conferences(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	edit := canEditUnit(a, unit.Access)
	page := conferencesPage{Nav: caseNavFor(v, unit.Access, "/conferences"), CanEdit: edit, Conferences: unit.Conferences,
		Tasks: taskViews(a, unit.Access, unit.Tasks, edit)}
	if edit {
		posted := v.Form["at"] != "" || len(v.Errors) > 0
		checked := func(name, value string) bool { return slices.Contains(strings.Split(v.Form[name], "\x00"), value) }
		orgs, err := h.accounts.ListOrganisations(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var taskOrgs []web.Option
		orgGroup := choiceGroup{V: v, Name: "orgs", LegendKey: "crisisunit.orgs_legend", Required: true}
		userGroup := choiceGroup{V: v, Name: "users", LegendKey: "crisisunit.users_legend"}
		agendaGroup := choiceGroup{V: v, Name: "agenda", LegendKey: "crisisunit.agenda_legend"}
		for _, o := range orgs {
			if o.DisabledAt != nil {
				continue
			}
			on := checked("orgs", o.ID) || (!posted && o.ID == unit.Access.Case.OrgID)
			orgGroup.Choices = append(orgGroup.Choices, choice{Value: o.ID, Label: o.Name + " (" + v.P.T("orgkind."+string(o.Kind)) + ")", Checked: on})
			taskOrgs = append(taskOrgs, web.Option{Value: o.ID, Label: o.Name})
		}
		for _, u := range h.ownUsers(r.Context(), a) {
			userGroup.Choices = append(userGroup.Choices, choice{Value: u.Value, Label: u.Label, Checked: checked("users", u.Value)})
		}
		for _, c := range crisisunit.AgendaCodes() {
			agendaGroup.Choices = append(agendaGroup.Choices, choice{Value: c, Key: "crisisunit.agenda." + c, Checked: checked("agenda", c)})
		}
		page.Groups = append(page.Groups, orgGroup)
		if len(userGroup.Choices) > 0 {
			page.Groups = append(page.Groups, userGroup)
		}
		page.Groups = append(page.Groups, agendaGroup)
		page.Outcome = h.outcomeRowsFor(r.Context(), v, a, taskOrgs)
		if v.Form["at"] == "" && !posted {
			v.Form["at"] = time.Now().Truncate(time.Minute).Format("2006-01-02T15:04")
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "conference_list", v)
}

// showConferences is the crisis-unit tab of a case.
func (h *Handler) showConferences(w http.ResponseWriter, r *http.Request) {
	h.renderConferences(w, r, http.StatusOK, h.view(r, "crisisunit.conferences_title"))
}

// conferenceNumber reads a per-case number from the path; a malformed one
// names no record.
func conferenceNumber(r *http.Request, name string) int {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < 1 {
		return 0
	}
	return n
}
