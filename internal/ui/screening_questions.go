package ui

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// answerChoices are the four answers every question offers, in the order
// shown. "Don't know" is never read as no.
var answerChoices = []screening.Answer{screening.Yes, screening.No, screening.Unknown, screening.Declined}

type questionView struct {
	ID     string
	Field  string // form field name, also the id the error summary links to
	Text   string
	Help   string
	Answer string
	Urgent bool
	// LocalSigns are the city's local signs that count through this
	// question: what to look for here, in local words.
	LocalSigns []guideSign
	// Prefill says where a pre-filled answer not yet confirmed with the
	// person came from ("" for none); Confirmed ticks its confirmation
	// when the page is shown again.
	Prefill   string
	Confirmed bool
}

// localCheck is a local sign without a catalogue question, offered on the
// first page to be noted: recorded with the screening, never counted.
type localCheck struct {
	ID      string
	Sign    guideSign
	Checked bool
}

type questionGroup struct {
	Title     string
	Questions []questionView
}

type questionsPage struct {
	ID        string
	Setting   string
	Number    int
	Total     int
	Further   bool // the page asks questions less usual in the setting
	Completed bool
	Last      bool
	// Core: the first page of a version 2 screening, the questions asked of
	// everyone; the answers decide which follow-ups come next.
	Core bool
	// Adaptive: a version 2 screening, whose follow-ups the answers open.
	Adaptive bool
	// UnseenPrefills: "Finish now" brought the screener here because this
	// page holds pre-filled answers not yet confirmed (unseenPrefillPage).
	UnseenPrefills bool
	// GroundsReached: the answers so far already give reasonable grounds.
	GroundsReached bool
	Groups         []questionGroup
	// LocalChecks and LocalVersion: the local signs to note on the first
	// page, and the local field guide version they come from.
	LocalChecks  []localCheck
	LocalVersion int
	Choices      []screening.Answer
}

// loadScreening fetches a screening with its catalogue, the engine's view
// of it and its page plan.
// A screening is asked and explained by the catalogue version it was
// started under, so a draft begun under an older one goes on unchanged.
func (h *Handler) loadScreening(r *http.Request, lang string) (*screening.Catalogue, screening.Screening, screening.Result, screening.Plan, error) {
	store := h.screenings
	sc, err := store.Get(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return nil, screening.Screening{}, screening.Result{}, screening.Plan{}, err
	}
	c, res, err := store.Evaluate(sc)
	if err != nil {
		return nil, screening.Screening{}, screening.Result{}, screening.Plan{}, err
	}
	plan, err := c.Plan(sc.Input(c), lang)
	return c, sc, res, plan, err
}

// prefillNote says where a pre-filled answer came from and asks to
// confirm it with the person.
func prefillNote(v *web.View, p screening.Prefill) string {
	date := p.On
	if t, err := time.Parse(time.DateOnly, p.On); err == nil {
		date = v.P.Date(t, time.UTC)
	}
	return v.P.T("screening.prefill.note", "source", v.P.T("screening.prefill.source."+p.Kind), "date", date)
}

// pageNumber reads a page number, clamped to the plan.
func pageNumber(s string, plan screening.Plan) int {
	n, _ := strconv.Atoi(s)
	return min(max(n, 1), max(len(plan.Pages), 1))
}

// renderQuestions shows page number of the plan; res is the screening's
// result on its saved answers, already evaluated by loadScreening.
func (h *Handler) renderQuestions(w http.ResponseWriter, r *http.Request, status int, v *web.View, c *screening.Catalogue, sc screening.Screening,
	res screening.Result, plan screening.Plan, number int) {
	lang := v.P.Lang()
	page := questionsPage{ID: sc.ID, Setting: c.SettingName(sc.Setting, lang), Number: number, Total: len(plan.Pages),
		Further: plan.Optional > 0 && number >= plan.Optional, Completed: sc.Status == screening.StatusCompleted,
		Last: number >= len(plan.Pages), Choices: answerChoices, Adaptive: c.Version != "v1",
		UnseenPrefills: r.URL.Query().Get("prefills") == "unseen"}
	page.Core = page.Adaptive && number == 1
	// Which follow-ups come is known only once the first page is saved,
	// so the first page always offers to go on as well as to finish.
	page.Last = page.Last && !page.Core
	if number > 1 {
		page.GroundsReached = res.Outcome == screening.OutcomeReasonableGrounds
	}
	local, err := h.fieldguide.Current(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if page.Core {
		page.LocalVersion = local.Version
		for _, s := range local.SignsAt(sc.Setting, nil) {
			if s.QuestionID == "" {
				page.LocalChecks = append(page.LocalChecks, localCheck{ID: s.ID, Sign: localSign(v, c, s), Checked: slices.Contains(sc.LocalSigns, s.ID)})
			}
		}
		for _, s := range local.Signs {
			if s.QuestionID == "" && s.PlaceID == "" {
				page.LocalChecks = append(page.LocalChecks, localCheck{ID: s.ID, Sign: localSign(v, c, s), Checked: slices.Contains(sc.LocalSigns, s.ID)})
			}
		}
	}
	if number <= len(plan.Pages) {
		titles := map[string]string{}
		for _, g := range c.Groups {
			titles[g.ID] = g.Title[c.Lang(lang)]
		}
		for _, q := range plan.Pages[number-1] {
			if len(page.Groups) == 0 || page.Groups[len(page.Groups)-1].Title != titles[q.Group] {
				page.Groups = append(page.Groups, questionGroup{Title: titles[q.Group]})
			}
			field := "answers." + q.ID
			answer := string(sc.Answers[q.ID])
			if posted, ok := v.Form[field]; ok {
				answer = posted
			}
			g := &page.Groups[len(page.Groups)-1]
			qv := questionView{ID: q.ID, Field: field, Text: q.Text, Help: q.Help, Answer: answer, Urgent: len(q.Triggers) > 0}
			if p, ok := sc.Prefilled(q.ID); ok {
				qv.Prefill = prefillNote(v, p)
				qv.Confirmed = v.Form["confirm."+q.ID] != ""
			}
			for _, s := range local.Signs {
				if s.Counts && s.QuestionID == q.ID {
					qv.LocalSigns = append(qv.LocalSigns, localSign(v, c, s))
				}
			}
			g.Questions = append(g.Questions, qv)
		}
	}
	v.Data = page
	h.shell.Render(w, r, status, "screening_questions", v)
}

func (h *Handler) showScreeningQuestions(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.questions_title")
	c, sc, res, plan, err := h.loadScreening(r, v.P.Lang())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderQuestions(w, r, http.StatusOK, v, c, sc, res, plan, pageNumber(r.URL.Query().Get("page"), plan))
}

// saveScreeningQuestions saves the answers of one page as the draft, then
// goes on, back, or finishes: a worker can stop at any page, and what is
// not answered counts as unknown.
func (h *Handler) saveScreeningQuestions(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.questions_title")
	c, sc, res, plan, err := h.loadScreening(r, v.P.Lang())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	number := pageNumber(r.PostFormValue("page"), plan)
	answers := map[string]screening.Answer{}
	// Only the questions of this page are confirmed from it.
	var confirmed []string
	if number <= len(plan.Pages) {
		for _, q := range plan.Pages[number-1] {
			field := "answers." + q.ID
			if a := r.PostFormValue(field); a != "" {
				answers[q.ID] = screening.Answer(a)
				v.Form[field] = a
			}
			if slices.Contains(r.PostForm["confirm"], q.ID) {
				confirmed = append(confirmed, q.ID)
				v.Form["confirm."+q.ID] = q.ID
			}
		}
	}
	store := h.screenings
	// The first page offers the local signs without a question; what was
	// ticked is recorded (only signs of the current local set count as
	// such), with the local version the page was shown from.
	if r.PostFormValue("local_shown") != "" {
		local, err := h.fieldguide.Current(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var noted []string
		for _, id := range r.PostForm["local_sign"] {
			if s, ok := local.Sign(id); ok && s.QuestionID == "" {
				noted = append(noted, id)
			}
		}
		if sc, err = store.NoteLocalSigns(r.Context(), actor(r), sc.ID, local.Version, noted); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if len(answers) > 0 || len(confirmed) > 0 {
		saved, err := store.SaveConfirmed(r.Context(), actor(r), sc.ID, answers, confirmed)
		if err != nil {
			v.FormError(err)
			h.renderQuestions(w, r, statusOf(err), v, c, sc, res, plan, number)
			return
		}
		sc = saved
		// The first page's answers open the follow-ups: the pages after
		// it follow from what was just saved.
		if plan, err = c.Plan(saved.Input(c), v.P.Lang()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	// Without a known button (Enter in a field submits "next"), go on: only
	// an explicit finish or the end of the questions completes.
	switch next := r.PostFormValue("go"); {
	case next == "back":
		http.Redirect(w, r, questionsPath(sc.ID, max(number-1, 1)), http.StatusSeeOther)
		return
	case next == "finish" && unseenPrefillPage(sc, plan, number) > 0:
		http.Redirect(w, r, questionsPath(sc.ID, unseenPrefillPage(sc, plan, number))+"&prefills=unseen", http.StatusSeeOther)
		return
	case next != "finish" && number < len(plan.Pages):
		http.Redirect(w, r, questionsPath(sc.ID, number+1), http.StatusSeeOther)
		return
	}
	if _, err := store.Complete(r.Context(), actor(r), sc.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/screenings/"+sc.ID, http.StatusSeeOther)
}

// unseenPrefillPage is the first page after number holding a pre-filled
// answer not yet confirmed that the screening still asks; 0 when none.
// "Finish now" goes there instead of finishing: a pre-filled answer counts
// in the result as the person's own, and a screener who finishes early
// would otherwise never see it beside its question (the result page's list
// is easy to pass over). Pages before number were seen, so they do not
// hold the screener back; on the page shown, "Finish now" moves on to the
// next such page, and finishes once none is left.
func unseenPrefillPage(sc screening.Screening, plan screening.Plan, number int) int {
	first := 0
	for _, p := range sc.UnconfirmedAsked(plan) {
		if page := plan.PageOf[p.Question]; page > number && (first == 0 || page < first) {
			first = page
		}
	}
	return first
}
