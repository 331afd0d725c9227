package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/storage"
)

// newInterpreter adds an interpreter of ro, bg and en to the register.
func newInterpreter(t *testing.T, f *fixture) string {
	t.Helper()
	it, err := f.env.App.Interpreters.Create(context.Background(), f.staff[access.Coordinator].Actor, interpreters.Input{
		Name: f.unique("Elena Popescu"), Contact: "+40 712 345 678", Languages: []string{"ro", "bg", "en"}, Kind: "interpreter", Active: true})
	if err != nil {
		t.Fatalf("create interpreter: %v", err)
	}
	return it.ID
}

// walkInterpreter is the id function of the register's routes.
func walkInterpreter(t *testing.T, f *fixture) string {
	t.Helper()
	f.params["interpreter"] = newInterpreter(t, f)
	return f.params["interpreter"]
}

// bookingForm books a new interpreter for a screening interview tomorrow.
func bookingForm(t *testing.T, f *fixture, _ *apptest.User) url.Values {
	t.Helper()
	return url.Values{"interpreter": {newInterpreter(t, f)}, "kind": {"screening"}, "language": {"ro"},
		"start": {time.Now().Add(24 * time.Hour).Format("2006-01-02T15:04")}, "minutes": {"60"}}
}

// bookedCase opens a case of organisation A with an interpreter booked.
func bookedCase(t *testing.T, f *fixture) string {
	t.Helper()
	id := freshCase(t, f)
	b, err := f.env.App.Interpreters.Book(context.Background(), f.staff[access.CaseWorker].Actor, id, interpreters.BookingInput{
		InterpreterID: newInterpreter(t, f), Kind: "screening", Language: "bg", Start: time.Now().Add(48 * time.Hour), Minutes: 30})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	f.params["booking"] = b.ID
	return id
}

// endedReferralCase opens a case of organisation A with a referral to the
// walk's provider that was accepted by phone and has ended.
func endedReferralCase(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	id := pendingReferralCase(t, f)
	w := f.staff[access.CaseWorker].Actor
	if _, err := f.env.App.Assistance.AnswerReferral(ctx, w, id, f.params["ref"], assistance.Answer{Accept: true}); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, err := f.env.App.Assistance.EndReferral(ctx, w, id, f.params["ref"], "completed"); err != nil {
		t.Fatalf("end: %v", err)
	}
	return id
}

// walkStandard gives the walk's provider a standard to remove.
func walkStandard(t *testing.T, f *fixture) string {
	t.Helper()
	id := walkProviderPath(t, f)
	st, err := f.env.App.Assistance.AddStandard(context.Background(), f.staff[access.Coordinator].Actor, id,
		assistance.StandardInput{Name: f.unique("Quality mark"), Issuer: "Ministry"})
	if err != nil {
		t.Fatalf("add standard: %v", err)
	}
	f.params["standard"] = st.ID
	return id
}

// TestInterpreterBookingFlow: A's case worker books an interpreter for a
// case through the page, is refused a second booking at the same time and
// one for a language the interpreter lacks (nothing stored), and finds the
// booking on the case's tab and the interpreter's entry; a hotline
// operator of an organisation without cases sees neither name nor contact.
func TestInterpreterBookingFlow(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	ctx := context.Background()
	worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
	caseID := freshCase(t, f)
	itID := newInterpreter(t, f)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	post := func(form url.Values) (*http.Response, string) {
		return env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases/" + caseID + "/interpreters", Cookie: worker, Form: form})
	}
	form := url.Values{"interpreter": {itID}, "kind": {"screening"}, "language": {"ro"},
		"start": {start.Format("2006-01-02T15:04")}, "minutes": {"90"}}
	if res, body := post(form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("book: status %d\n%s", res.StatusCode, body)
	}
	en := env.App.Catalog.For("en")
	form.Set("start", start.Add(30*time.Minute).Format("2006-01-02T15:04"))
	res, body := post(form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, en.T("interpreters.error.double_booked")) {
		t.Fatalf("double booking: status %d", res.StatusCode)
	}
	form.Set("start", start.Add(5*time.Hour).Format("2006-01-02T15:04"))
	form.Set("language", "uk")
	res, body = post(form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, en.T("interpreters.error.language_not_spoken")) {
		t.Fatalf("unknown language: status %d", res.StatusCode)
	}
	cb, err := env.App.Interpreters.ForCase(ctx, f.staff[access.CaseWorker].Actor, caseID)
	if err != nil || len(cb.Bookings) != 1 {
		t.Fatalf("bookings after refusals = %+v, %v", cb.Bookings, err)
	}
	_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/cases/" + caseID + "/interpreters", Cookie: worker})
	if !strings.Contains(body, `id="booking-`+cb.Bookings[0].ID+`"`) {
		t.Error("the case's tab does not list the booking")
	}
	_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/interpreters/" + itID, Cookie: worker})
	if !strings.Contains(body, "Elena Popescu") || !strings.Contains(body, "/cases/"+caseID+"/interpreters") {
		t.Error("the interpreter's entry does not show the name and the booking's case")
	}

	helpline := env.Org("Helpline", accounts.NGO)
	op := env.User("helpline-operator", access.HotlineOperator, helpline)
	opSession := env.Session(t, op.ID, true)
	_, body = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/interpreters/" + itID, Cookie: opSession})
	if strings.Contains(body, "Elena Popescu") || strings.Contains(body, "712 345") || strings.Contains(body, "/contact") {
		t.Error("an organisation without cases sees the interpreter's name or contact")
	}
	stepped := op.Actor
	stepped.SteppedUp = true
	if _, err := env.App.Interpreters.Contact(ctx, stepped, itID); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("contact for an organisation without cases: %v", err)
	}
}

// TestReferralFeedbackPage: feedback on an ended referral through the
// plan, shown counted on the provider's page without the comment.
func TestReferralFeedbackPage(t *testing.T) {
	f := newFixture(t, storage.SQLite)
	env := f.env
	worker := env.Session(t, f.staff[access.CaseWorker].ID, true)
	caseID := pendingReferralCase(t, f)
	ref := f.params["ref"]
	path := "/cases/" + caseID + "/plan/referrals/" + ref + "/feedback"
	form := url.Values{"delivered": {"full"}, "timeliness": {"on_time"}, "satisfaction": {"satisfied"}, "comment": {"Helpful staff"}}
	if res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: worker, Form: form}); res.StatusCode != http.StatusConflict {
		t.Fatalf("feedback on a pending referral: status %d", res.StatusCode)
	}
	endedID := endedReferralCase(t, f)
	path = "/cases/" + endedID + "/plan/referrals/" + f.params["ref"] + "/feedback"
	if res, body := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: path, Cookie: worker, Form: form}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("feedback: status %d\n%s", res.StatusCode, body)
	}
	_, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/providers/" + walkProvider(t, f), Cookie: worker})
	if !strings.Contains(body, `id="feedback-counts"`) || strings.Contains(body, "Helpful staff") {
		t.Error("the provider page does not count the feedback, or shows its comment")
	}
}
