package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/web"
)

type caseInterpretersPage struct {
	Nav      caseNav
	Bookings []interpreters.Booking
	CanEdit  bool
	// Form choices: active interpreters with their languages, booking
	// kinds, and the case's conferences and hearings.
	Interpreters []web.Option
	Kinds        []web.Option
	Refs         []web.Option
}

// showCaseInterpreters is the interpreter tab of a case: its bookings and
// the booking form.
func (h *Handler) showCaseInterpreters(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.case_title")
	switch r.URL.Query().Get("done") {
	case "booked":
		v.Notice = v.P.T("interpreters.booked")
	case "cancelled":
		v.Notice = v.P.T("interpreters.cancelled")
	}
	v.Form["minutes"] = "60"
	h.renderCaseInterpreters(w, r, http.StatusOK, v)
}

func (h *Handler) renderCaseInterpreters(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	a := actor(r)
	cb, err := h.interpreters.ForCase(r.Context(), a, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := caseInterpretersPage{Nav: caseNavFor(v, cb.Access, "/interpreters"), Bookings: cb.Bookings,
		CanEdit: cb.Access.MayChange(a, access.ManageCases, cases.Assistance) && access.Can(a, access.ViewInterpreters)}
	if page.CanEdit {
		list, err := h.interpreters.List(r.Context(), a, interpreters.Filter{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Interpreters = []web.Option{{Value: "", LabelKey: "plan.choose"}}
		for _, it := range list {
			page.Interpreters = append(page.Interpreters, web.Option{Value: it.ID, Label: it.Name + " (" + strings.Join(it.Languages, ", ") + ")"})
		}
		for _, k := range interpreters.BookingKinds() {
			page.Kinds = append(page.Kinds, web.Option{Value: k, LabelKey: "interpreters.booking_kind." + k})
		}
		page.Refs = []web.Option{{Value: "", LabelKey: "interpreters.ref_none"}}
		for _, ref := range cb.Refs {
			page.Refs = append(page.Refs, web.Option{Value: ref.ID,
				Label: v.P.T("interpreters.booking_kind."+ref.Kind) + " · " + v.P.Date(ref.Day, time.UTC)})
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "case_interpreters", v)
}

// bookInterpreter books an interpreter for the case.
func (h *Handler) bookInterpreter(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "interpreters.case_title")
	fail := func(err error) {
		h.formFailed(w, r, v, err, func(status int) { h.renderCaseInterpreters(w, r, status, v) })
	}
	if err := parseForm(r); err != nil {
		fail(err)
		return
	}
	for _, k := range []string{"interpreter", "kind", "ref", "language", "start", "minutes"} {
		v.Form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	// An unreadable time or length reaches the service as zero, which it
	// refuses at the field.
	start, _ := time.ParseInLocation("2006-01-02T15:04", v.Form["start"], time.Local)
	minutes, _ := strconv.Atoi(v.Form["minutes"])
	in := interpreters.BookingInput{InterpreterID: v.Form["interpreter"], Kind: v.Form["kind"], RefID: v.Form["ref"],
		Language: v.Form["language"], Start: start, Minutes: minutes}
	if _, err := h.interpreters.Book(r.Context(), actor(r), r.PathValue("id"), in); err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/interpreters?done=booked", http.StatusSeeOther)
}

// cancelInterpreterBooking cancels a booking of the case.
func (h *Handler) cancelInterpreterBooking(w http.ResponseWriter, r *http.Request) {
	if err := h.interpreters.Cancel(r.Context(), actor(r), r.PathValue("id"), r.PathValue("booking")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/interpreters?done=cancelled", http.StatusSeeOther)
}
