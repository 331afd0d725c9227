package public

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// threadPage is what thread.html receives.
type threadPage struct {
	Thread *intake.Thread
	// Code is the receipt code as typed, for the answer form; it is never
	// put into a URL.
	Code    string
	Message string
	// Work is the proof of work the code came with; the answer form sends
	// it again, so the answer spends the same budget.
	Work intake.Work
}

// followUpPage is what followup.html receives: a fresh proof-of-work
// challenge for the script.
type followUpPage struct {
	Challenge  string
	Difficulty int
}

// followUpForm asks for the receipt code.
func (h *Handler) followUpForm(w http.ResponseWriter, r *http.Request) {
	h.renderFollowUp(w, r, http.StatusOK, h.newView(r, "public.followup.title"))
}

func (h *Handler) renderFollowUp(w http.ResponseWriter, r *http.Request, status int, v *view) {
	page := followUpPage{}
	page.Challenge, page.Difficulty = h.intake.Challenge()
	v.Data, v.Script, v.TitleKey = page, true, "public.followup.title"
	h.render(w, r, status, "followup", v)
}

// visitor is whose budget a follow-up request spends: its solved proof of
// work, else the client's address (intake.Service.Visitor).
func (h *Handler) visitor(r *http.Request) (string, intake.Work) {
	work := intake.Work{Challenge: r.PostFormValue("challenge"), Nonce: r.PostFormValue("nonce")}
	return h.intake.Visitor(h.clientKey(r), work), work
}

// followUpOpen shows the thread of a receipt code.
func (h *Handler) followUpOpen(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "public.followup.title")
	if err := parseForm(r); err != nil {
		h.renderFollowUp(w, r, h.fail(v, r, err), v)
		return
	}
	code := r.PostFormValue("code")
	visitor, work := h.visitor(r)
	th, err := h.intake.OpenThread(r.Context(), visitor, code)
	if err != nil {
		status := h.fail(v, r, err)
		if apperr.Is(err, apperr.NotFound) {
			v.FieldErrors["code"] = v.Errors[0].Message
			v.Errors[0].Field = "code"
		}
		h.renderFollowUp(w, r, status, v)
		return
	}
	v.TitleKey = "public.thread.title"
	v.Data = threadPage{Thread: th, Code: intake.FormatCode(intake.NormaliseCode(code)), Work: work}
	h.render(w, r, http.StatusOK, "thread", v)
}

// followUpReply adds the reporter's answer and shows the thread again.
func (h *Handler) followUpReply(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "public.thread.title")
	if err := parseForm(r); err != nil {
		h.renderFollowUp(w, r, h.fail(v, r, err), v)
		return
	}
	code, text := r.PostFormValue("code"), r.PostFormValue("message")
	visitor, work := h.visitor(r)
	th, err := h.intake.Reply(r.Context(), visitor, code, text)
	if err == nil {
		v.Notice = v.P.T("public.thread.sent")
		v.Data = threadPage{Thread: th, Code: intake.FormatCode(intake.NormaliseCode(code)), Work: work}
		h.render(w, r, http.StatusOK, "thread", v)
		return
	}
	status := h.fail(v, r, err)
	if !apperr.Is(err, apperr.Invalid) {
		// The code no longer opens anything (or too many tries): back to
		// the code form.
		h.renderFollowUp(w, r, status, v)
		return
	}
	// An empty or too long answer: show the thread again with the text.
	th, err = h.intake.OpenThread(r.Context(), visitor, code)
	if err != nil {
		v = h.newView(r, "public.followup.title")
		status = h.fail(v, r, err)
		h.renderFollowUp(w, r, status, v)
		return
	}
	v.Data = threadPage{Thread: th, Code: intake.FormatCode(intake.NormaliseCode(code)), Message: text, Work: work}
	h.render(w, r, status, "thread", v)
}

// parseForm reads a posted follow-up form and refuses text holding a
// control character (see web.ControlFree) before any budget is spent.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return bodyError(err)
	}
	return web.CheckText(r.PostForm)
}

// fakeCode is a receipt code that opens nothing, for the honeypot's answer.
func fakeCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e16))
	if err != nil {
		return "0000000000000000"
	}
	return fmt.Sprintf("%016d", n)
}
