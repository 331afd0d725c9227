package ui

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/procurement"
)

type dashboardPage struct {
	Organisations int
	Users         int
	CanManage     bool
	// Cases is shown to those who work on cases: their deadlines due within
	// a week and the overdue ones, risk reviews among them.
	Cases     bool
	Deadlines []cases.Deadline
	Today     string
	// Plan is shown to those who report on the action plan: its measures
	// in their reach that are overdue or due for review.
	Plan     bool
	Measures []plan.Measure
	// Renewals is shown to those who keep the agreements: the signed ones
	// whose renewal reminder has come.
	Renewals   bool
	Agreements []agreements.Agreement
	// Questionnaires are the mapping questionnaires of open rounds the
	// user's organisation or role is invited to answer.
	Questionnaires []mapping.Assignment
	// Reviews is shown to those who keep procurement: the contracts whose
	// review reminder has come.
	Reviews   bool
	Contracts []procurement.Contract
	// Restricted links the restricted mapping results for those who read
	// them but not the mapping's other results (police contact points),
	// whom no other page leads there.
	Restricted bool
}

func (h *Handler) showDashboard(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "dashboard.title")
	a := actor(r)
	var page dashboardPage
	if orgs, err := h.accounts.ListOrganisations(r.Context(), a); err == nil {
		page.Organisations = len(orgs)
	}
	if access.Can(a, access.ViewUsers) {
		n, err := h.accounts.CountUsers(r.Context(), a, accounts.UserFilter{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Users = n
	}
	page.CanManage = access.Can(a, access.ManageUsers)
	if access.Can(a, access.ViewCases) {
		list, err := h.cases.Deadlines(r.Context(), a, cases.DeadlineFilter{Mine: true, Days: 7, Limit: 10})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Cases, page.Deadlines, page.Today = true, list, time.Now().UTC().Format(time.DateOnly)
	}
	if access.Can(a, access.ReportPlanProgress) {
		list, err := h.plan.Overdue(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Plan, page.Measures = true, list[:min(len(list), 10)]
	}
	if access.Can(a, access.ManageAgreements) {
		list, err := h.agreements.Due(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Renewals, page.Agreements, page.Today = true, list[:min(len(list), 10)], h.agreements.Today()
	}
	if access.Can(a, access.RespondMapping) && h.mapping != nil {
		list, err := h.mapping.Assigned(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Questionnaires = list[:min(len(list), 10)]
	}
	if access.Can(a, access.ManageProcurement) && h.procurement != nil {
		list, err := h.procurement.DueReviews(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Reviews, page.Contracts = true, list[:min(len(list), 10)]
	}
	page.Restricted = access.Can(a, access.ViewMappingRestricted) && !access.Can(a, access.ViewMappingReport)
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "dashboard", v)
}
