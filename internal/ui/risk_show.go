package ui

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/web"
)

// riskFactorView is one checkbox of the risk factor checklist.
type riskFactorView struct {
	risk.Factor
	Checked bool
}

// riskGroupView is one group of the checklist, a fieldset of its own.
type riskGroupView struct {
	Group   string
	Factors []riskFactorView
}

// riskAssessmentView is an assessment with its dates as days to show.
type riskAssessmentView struct {
	risk.Assessment
	Review  time.Time
	Overdue bool
}

// riskIncidentView is an incident with its date as a day to show.
type riskIncidentView struct {
	risk.Incident
	Occurred time.Time
}

// vulnerabilityView is one checkbox of the vulnerability form.
type vulnerabilityView struct {
	Code    string
	Checked bool
}

type riskPage struct {
	Nav     caseNav
	CanEdit bool
	// Vulnerabilities are the person's recorded factors; the case team
	// (CanRecordVulnerability) gets the form with every factor.
	Vulnerabilities        []cases.Vulnerability
	CanRecordVulnerability bool
	VulnerabilityFactors   []vulnerabilityView
	NeedsReview            bool
	Current                *riskAssessmentView
	History                []riskAssessmentView
	Incidents              []riskIncidentView
	// The forms: the checklist, the levels and the incident kinds.
	Groups []riskGroupView
	Levels []web.Option
	Kinds  []web.Option
	Today  string
}

func riskDay(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// renderRisk shows the risk tab of a case: the current assessment, its
// history, the incidents and, for the owning organisation, the forms.
func (h *Handler) renderRisk(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	rec, err := h.risk.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	page := riskPage{Nav: caseNavFor(v, rec.Access, "/risk"), NeedsReview: rec.NeedsReview, Today: today,
		CanEdit: rec.Access.MayChange(a, access.ManageCases, cases.Risk), Vulnerabilities: rec.Vulnerabilities}
	page.CanRecordVulnerability = page.CanEdit && rec.Access.Member
	if page.CanRecordVulnerability {
		checked := strings.Fields(v.Form["vulnerabilities"])
		if _, posted := v.Form["vulnerabilities"]; !posted {
			for _, vu := range rec.Vulnerabilities {
				checked = append(checked, vu.Factor)
				if vu.Factor == cases.VulnerabilityOther {
					v.Form["vulnerability_note"] = vu.Note
				}
			}
		}
		for _, f := range cases.VulnerabilityFactors() {
			page.VulnerabilityFactors = append(page.VulnerabilityFactors, vulnerabilityView{Code: f, Checked: slices.Contains(checked, f)})
		}
	}
	view := func(as risk.Assessment) riskAssessmentView {
		return riskAssessmentView{Assessment: as, Review: riskDay(as.ReviewOn), Overdue: as.ReviewOn < today}
	}
	if rec.Current != nil {
		cur := view(*rec.Current)
		page.Current = &cur
	}
	for _, as := range rec.History {
		page.History = append(page.History, view(as))
	}
	for _, inc := range rec.Incidents {
		page.Incidents = append(page.Incidents, riskIncidentView{Incident: inc, Occurred: riskDay(inc.OccurredOn)})
	}
	if page.CanEdit {
		checked := strings.Fields(v.Form["factors"])
		if _, posted := v.Form["factors"]; !posted && rec.Current != nil {
			// A reassessment starts from the factors found last time.
			checked = rec.Current.Factors
		}
		for _, g := range risk.Groups() {
			gv := riskGroupView{Group: g}
			for _, f := range risk.Factors() {
				if f.Group == g {
					gv.Factors = append(gv.Factors, riskFactorView{Factor: f, Checked: slices.Contains(checked, f.Code)})
				}
			}
			page.Groups = append(page.Groups, gv)
		}
		page.Levels = []web.Option{{Value: "", LabelKey: "form.choose"}}
		for _, l := range cases.RiskLevels() {
			page.Levels = append(page.Levels, web.Option{Value: l, LabelKey: "risk.level." + l})
		}
		page.Kinds = []web.Option{{Value: "", LabelKey: "form.choose"}}
		for _, k := range risk.IncidentKinds() {
			page.Kinds = append(page.Kinds, web.Option{Value: k, LabelKey: "risk.incident." + k})
		}
		if v.Form["occurred_on"] == "" {
			v.Form["occurred_on"] = today
		}
	}
	switch r.URL.Query().Get("done") {
	case "assessed":
		v.Notice = v.P.T("risk.assessed")
	case "incident":
		v.Notice = v.P.T("risk.incident_recorded")
	case "vulnerability":
		v.Notice = v.P.T("vulnerability.saved")
	}
	v.Data = page
	h.shell.Render(w, r, status, "risk_show", v)
}

// showRisk is the risk tab of a case; reading it is an audited view of the
// case's risk category.
func (h *Handler) showRisk(w http.ResponseWriter, r *http.Request) {
	h.renderRisk(w, r, http.StatusOK, h.view(r, "risk.title"))
}
