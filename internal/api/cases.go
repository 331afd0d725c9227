package api

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/cases"
)

// caseJSON is a case without identity: the person by case code and codes.
type caseJSON struct {
	ID              string     `json:"id"`
	Code            string     `json:"code"`
	Organisation    string     `json:"organisation_id"`
	Group           string     `json:"group_code,omitempty"`
	Origin          string     `json:"origin"`
	Stage           string     `json:"stage"`
	StageSince      time.Time  `json:"stage_since"`
	CloseReason     string     `json:"close_reason,omitempty"`
	Gender          string     `json:"gender"`
	AgeBand         string     `json:"age_band"`
	AgeEstimated    bool       `json:"age_estimated"`
	Child           bool       `json:"child"`
	Citizenships    []string   `json:"citizenships"`
	Languages       []string   `json:"languages"`
	Interpreter     bool       `json:"interpreter"`
	ContactMethod   string     `json:"contact_method"`
	Exploitation    []string   `json:"exploitation"`
	AreaCode        string     `json:"area_code,omitempty"`
	RiskLevel       string     `json:"risk_level,omitempty"`
	ReflectionStart string     `json:"reflection_start,omitempty"`
	ReflectionEnd   string     `json:"reflection_end,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	// Categories are the categories of data the caller's organisation sees.
	Categories []cases.Category `json:"categories,omitempty"`
	// Vulnerabilities are the codes of the person's vulnerability factors,
	// for a caller that sees the risk category (one case only).
	Vulnerabilities []string `json:"vulnerabilities,omitempty"`
}

func toCaseJSON(c cases.Case) caseJSON {
	return caseJSON{ID: c.ID, Code: c.Code, Organisation: c.OrgID, Group: c.GroupCode, Origin: c.Origin, Stage: string(c.Stage),
		StageSince: c.StageSince, CloseReason: c.CloseReason, Gender: c.Gender, AgeBand: c.AgeBand, AgeEstimated: c.AgeEstimated,
		Child: c.Child, Citizenships: c.Citizenships, Languages: c.Languages, Interpreter: c.Interpreter, ContactMethod: c.ContactMethod,
		Exploitation: c.Exploitation, AreaCode: c.AreaCode, RiskLevel: c.RiskLevel, ReflectionStart: c.ReflectionStart, ReflectionEnd: c.ReflectionEnd,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ClosedAt: c.ClosedAt}
}

// listCases answers the case list with the page's filters:
// ?stage=&risk=&exploitation=&deadline=&area=&q=&mine=1&limit=&after=.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := cases.FilterOf(q.Get)
	f.Cursor = q.Get("after")
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	page, err := h.cases.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	out := struct {
		Cases []caseJSON `json:"cases"`
		Next  string     `json:"next,omitempty"`
	}{Cases: []caseJSON{}, Next: page.Next}
	for _, c := range page.Cases {
		out.Cases = append(out.Cases, toCaseJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getCase answers one case (an audited read), without the identity.
func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	a, err := h.cases.Get(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := toCaseJSON(a.Case)
	out.Categories = a.Categories()
	if a.Sees(cases.Risk) {
		// A read of the risk category of its own, audited as such.
		_, vs, err := h.cases.Vulnerabilities(r.Context(), actor(r), a.Case.ID)
		if err != nil {
			return err
		}
		out.Vulnerabilities = []string{}
		for _, v := range vs {
			out.Vulnerabilities = append(out.Vulnerabilities, v.Factor)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type deadlineJSON struct {
	Kind     string `json:"kind"`
	Due      string `json:"due"`
	CaseID   string `json:"case_id"`
	CaseCode string `json:"case_code"`
	UserID   string `json:"user_id,omitempty"`
	// Held: a task given to the caller's organisation on a case it does
	// not own; the case itself may be out of its reach.
	Held bool `json:"held,omitempty"`
}

// listDeadlines answers the deadlines dashboard: ?days=14&mine=1.
func (h *Handler) listDeadlines(w http.ResponseWriter, r *http.Request) error {
	days, _ := strconv.Atoi(r.URL.Query().Get("days"))
	list, err := h.cases.Deadlines(r.Context(), actor(r), cases.DeadlineFilter{Days: days, Mine: r.URL.Query().Get("mine") != ""})
	if err != nil {
		return err
	}
	out := struct {
		Deadlines []deadlineJSON `json:"deadlines"`
	}{Deadlines: []deadlineJSON{}}
	for _, d := range list {
		out.Deadlines = append(out.Deadlines, deadlineJSON{Kind: d.Kind, Due: d.Due.Format(time.DateOnly), CaseID: d.CaseID, CaseCode: d.CaseCode, UserID: d.UserID, Held: d.Held})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
