package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/crisisunit"
)

// Rows of the conference forms: without JavaScript a form cannot add rows,
// so it offers a few; blank ones are skipped.
const (
	decisionRows = 3
	taskRows     = 4
)

// outcomeForm is the parsed outcome part of a conference form, with the
// form row each decision and task came from, so that the service's field
// errors (numbered by position) point at the right row.
type outcomeForm struct {
	outcome      crisisunit.Outcome
	decisionRows []int
	taskRows     []int
	parseErrors  []apperr.FieldError
}

// parseOutcome reads minutes, decision rows and task rows, keeping the
// submitted values in v.Form to show them again.
func parseOutcome(r *http.Request, v formValues) outcomeForm {
	var f outcomeForm
	f.outcome.Minutes = v.keep(r, "minutes")
	for i := 1; i <= decisionRows; i++ {
		n := "decision." + strconv.Itoa(i)
		code, text := v.keep(r, n+".code"), v.keep(r, n+".text")
		if code == "" && strings.TrimSpace(text) == "" {
			continue
		}
		f.outcome.Decisions = append(f.outcome.Decisions, crisisunit.NewDecision{Code: code, Text: text})
		f.decisionRows = append(f.decisionRows, i)
	}
	for i := 1; i <= taskRows; i++ {
		n := "task." + strconv.Itoa(i)
		title, org, user, due := v.keep(r, n+".title"), v.keep(r, n+".org"), v.keep(r, n+".user"), v.keep(r, n+".due")
		needs := v.keep(r, n+".needs")
		if strings.TrimSpace(title) == "" && org == "" && user == "" && due == "" {
			continue
		}
		t := crisisunit.NewTask{Title: title, OwnerOrg: org, OwnerUser: user}
		if needs != "" {
			t.Needs = []cases.Category{cases.Category(needs)}
		}
		if due != "" {
			d, err := time.Parse(time.DateOnly, due)
			if err != nil {
				f.parseErrors = append(f.parseErrors, apperr.FieldError{Field: n + ".due", Key: "crisisunit.error.bad_date"})
			}
			t.Due = d
		}
		f.outcome.Tasks = append(f.outcome.Tasks, t)
		f.taskRows = append(f.taskRows, i)
	}
	return f
}

// formValues keeps submitted values to show them again.
type formValues map[string]string

func (v formValues) keep(r *http.Request, name string) string {
	val := r.PostFormValue(name)
	v[name] = val
	return val
}

// remap renumbers the service's "decision.K.x" and "task.K.x" field errors
// to the form rows they came from.
func (f outcomeForm) remap(err error) error {
	return remapRows(remapRows(err, "decision.", f.decisionRows), "task.", f.taskRows)
}

// remapRows renumbers field errors named prefix+"K.x", K counting the
// submitted non-blank rows from 1, to the form row rows[K-1].
func remapRows(err error, prefix string, rows []int) error {
	e := apperr.As(err)
	if len(e.Fields) == 0 {
		return err
	}
	out := *e
	out.Fields = make([]apperr.FieldError, len(e.Fields))
	for i, fe := range e.Fields {
		if rest, ok := strings.CutPrefix(fe.Field, prefix); ok {
			k, name, _ := strings.Cut(rest, ".")
			if n, err := strconv.Atoi(k); err == nil && n >= 1 && n <= len(rows) {
				fe.Field = prefix + strconv.Itoa(rows[n-1]) + "." + name
			}
		}
		out.Fields[i] = fe
	}
	return &out
}

// createConference records or schedules a case conference.
func (h *Handler) createConference(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "crisisunit.conferences_title")
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderConferences(w, r, statusOf(err), v)
		return
	}
	form := formValues(v.Form)
	in := crisisunit.NewConference{Orgs: r.PostForm["orgs"], Users: r.PostForm["users"], Agenda: r.PostForm["agenda"]}
	for _, name := range []string{"orgs", "users", "agenda"} {
		form[name] = strings.Join(r.PostForm[name], "\x00")
	}
	out := parseOutcome(r, form)
	in.Outcome = out.outcome
	errs := out.parseErrors
	if at := form.keep(r, "at"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, time.Local)
		if err != nil {
			errs = append(errs, apperr.FieldError{Field: "at", Key: "crisisunit.error.bad_datetime"})
		}
		in.At = t
	}
	var err error
	if len(errs) > 0 {
		err = apperr.Validation(errs...)
	} else {
		_, err = h.crisisunit.CreateConference(r.Context(), actor(r), r.PathValue("id"), in)
	}
	switch {
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden):
		h.fail(w, r, err)
	case err != nil:
		v.FormError(out.remap(err))
		h.renderConferences(w, r, statusOf(err), v)
	default:
		http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/conferences", http.StatusSeeOther)
	}
}
