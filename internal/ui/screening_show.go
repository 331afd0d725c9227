package ui

import (
	"net/http"

	"waymark.city/waymark/internal/screening"
)

// showScreening shows the explained result of a screening; for a draft, the
// result on the answers so far, with the way back to the questions.
func (h *Handler) showScreening(w http.ResponseWriter, r *http.Request) {
	h.renderResult(w, r, "screening.result_title", "screening")
}

// printScreening is the printable summary: the result without links,
// names or exact age, laid out for paper by the print styles.
func (h *Handler) printScreening(w http.ResponseWriter, r *http.Request) {
	h.renderResult(w, r, "screening.print_title", "screening_print")
}

func (h *Handler) renderResult(w http.ResponseWriter, r *http.Request, titleKey, page string) {
	v := h.view(r, titleKey)
	lang := v.P.Lang()
	c, sc, res, plan, err := h.loadScreening(r, lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	view := explainResult(c, sc, res, plan, lang)
	// Immediate danger and any child: whom to call now, with phone and
	// hours from the partner directory, above everything else.
	if res.Urgent || res.Population == screening.Child {
		contacts, err := h.accounts.CallNow(r.Context(), actor(r), res.Population == screening.Child)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		var orgIDs []string
		for _, ct := range contacts {
			orgIDs = append(orgIDs, ct.OrgID)
		}
		persons, err := h.contactPersons(r, orgIDs)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, ct := range contacts {
			view.CallNow = append(view.CallNow, callContact{Name: ct.Name, Kind: v.P.T("orgkind." + string(ct.Kind)),
				Phone: ct.Phone, Hours: ct.Hours, Dial: ct.Dial(), Persons: persons[ct.OrgID]})
		}
	}
	if len(sc.LocalSigns) > 0 {
		local, err := h.fieldguide.Current(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		view.LocalVersion = sc.LocalVersion
		for _, id := range sc.LocalSigns {
			// A sign retired since is still named, by its id.
			label := guideText{Text: id}
			if s, ok := local.Sign(id); ok {
				label = localText(s.Label, v.P.Lang())
			}
			view.LocalNoted = append(view.LocalNoted, label)
		}
	}
	v.Data = view
	h.shell.Render(w, r, http.StatusOK, page, v)
}
