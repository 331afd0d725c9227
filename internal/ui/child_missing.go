package ui

import (
	"net/http"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/web"
)

// missingForm reads the missing child form: its text fields into v.Form,
// its times (datetime-local, in the installation's zone) into in. A time
// that is not one is a field error.
func missingForm(v *web.View, r *http.Request) (children.MissingInput, error) {
	for _, k := range []string{"since", "police_at", "police_to", "police_ref", "hotline_at", "hotline_by", "found_at"} {
		v.Form[k] = r.PostFormValue(k)
	}
	in := children.MissingInput{PoliceTo: v.Form["police_to"], PoliceRef: v.Form["police_ref"], HotlineBy: v.Form["hotline_by"]}
	var bad []apperr.FieldError
	for field, dst := range map[string]*time.Time{"since": &in.Since, "police_at": &in.PoliceAt, "hotline_at": &in.HotlineAt, "found_at": &in.FoundAt} {
		s := strings.TrimSpace(v.Form[field])
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", s, time.Local)
		if err != nil {
			bad = append(bad, apperr.FieldError{Field: field, Key: "error.child.datetime"})
		}
		*dst = t
	}
	if len(bad) > 0 {
		return in, apperr.Validation(bad...)
	}
	return in, nil
}

// reportMissing records that the child went missing, with any steps taken.
func (h *Handler) reportMissing(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "child.title")
	err := parseForm(r)
	if err == nil {
		var in children.MissingInput
		if in, err = missingForm(v, r); err == nil {
			_, err = h.children.ReportMissing(r.Context(), actor(r), r.PathValue("id"), in)
		}
	}
	h.afterMissing(w, r, v, err)
}

// recordMissingSteps records the police hand-over, the call to 116 000 or
// the child found, on a report of the child missing.
func (h *Handler) recordMissingSteps(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "child.title")
	err := parseForm(r)
	if err == nil {
		var in children.MissingInput
		if in, err = missingForm(v, r); err == nil {
			err = h.children.RecordMissingSteps(r.Context(), actor(r), r.PathValue("id"), r.PathValue("missing"), in)
		}
		// The step forms are one per report; the errors show at its fields.
		v.Form["missing"] = r.PathValue("missing")
	}
	h.afterMissing(w, r, v, err)
}

func (h *Handler) afterMissing(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	if err != nil {
		h.childFail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/child?done=missing#missing", http.StatusSeeOther)
}

// childMissingView is a time the child went missing, in words, with the
// inputs of the steps still to record.
type childMissingView struct {
	children.Missing
	// ClockRunning is true within the first 24 hours of an open report.
	ClockRunning bool
	Steps        []missingGroup
}

// missingGroup is a group of inputs of a missing child form, a fieldset
// when it has a legend. The texts are translated, so that one partial
// renders the report form and each report's steps with unique ids.
type missingGroup struct {
	Legend      string
	ErrorPrefix string
	Inputs      []missingInput
}

type missingInput struct {
	ID, Name, Type, Label, Value, Error string
}

// childMissing fills the missing child part of the child tab. The errors
// of a posted form show in the form that was posted: a report's steps
// (v.Form["missing"] names it) or the report form.
func fillMissing(page *childPage, v *web.View, list []children.Missing, child bool) {
	hotline := v.P.T("child.missing_hotline", "number", children.Hotline116)
	page.HotlineLabel = hotline
	page.MissingReportHint = v.P.T("child.missing_report_hint", "number", children.Hotline116)
	posted := v.Form["missing"]
	group := func(legend, formID string, mine bool, fields ...[3]string) missingGroup {
		g := missingGroup{Legend: legend, ErrorPrefix: v.P.T("shell.error_prefix")}
		for _, f := range fields {
			in := missingInput{ID: "f-" + formID + f[0], Name: f[0], Type: f[1], Label: v.P.T(f[2])}
			if mine {
				in.Value, in.Error = v.Form[f[0]], v.FieldErrors[f[0]]
			}
			g.Inputs = append(g.Inputs, in)
		}
		return g
	}
	police := func(formID string, mine bool) missingGroup {
		return group(v.P.T("child.missing_police"), formID, mine, [3]string{"police_at", "datetime-local", "child.missing_at"},
			[3]string{"police_to", "text", "child.missing_police_to"}, [3]string{"police_ref", "text", "child.missing_police_ref"})
	}
	call := func(formID string, mine bool) missingGroup {
		return group(hotline, formID, mine, [3]string{"hotline_at", "datetime-local", "child.missing_at"},
			[3]string{"hotline_by", "text", "child.missing_hotline_by"})
	}
	now := time.Now()
	open := false
	for _, m := range list {
		mv := childMissingView{Missing: m, ClockRunning: m.FoundAt == nil && now.Before(m.ClockEnds())}
		open = open || m.FoundAt == nil
		if page.CanEdit {
			id, mine := m.ID+"-", posted == m.ID
			if m.PoliceAt == nil {
				mv.Steps = append(mv.Steps, police(id, mine))
			}
			if m.HotlineAt == nil {
				mv.Steps = append(mv.Steps, call(id, mine))
			}
			if m.FoundAt == nil {
				mv.Steps = append(mv.Steps, group("", id, mine, [3]string{"found_at", "datetime-local", "child.missing_found"}))
			}
		}
		page.Missing = append(page.Missing, mv)
	}
	if page.CanEdit && child && !open {
		mine := posted == ""
		page.MissingReport = []missingGroup{
			group("", "", mine, [3]string{"since", "datetime-local", "child.missing_since_label"}),
			police("", mine), call("", mine),
		}
	}
}
