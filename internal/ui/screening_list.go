package ui

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/screening"
)

type screeningRow struct {
	ID        string
	Setting   string
	Draft     bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Outcome   string
	Summary   string
	Urgent    bool
}

type screeningsPage struct {
	Rows       []screeningRow
	Total      int
	Prev, Next string
}

const screeningsPageSize = 50

// listScreenings lists the screenings of the user's organisation, drafts
// and completed, newest change first, with each one's outcome in a line.
func (h *Handler) listScreenings(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.list_title")
	store := h.screenings
	lang := v.P.Lang()
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f := screening.ListFilter{Limit: screeningsPageSize, Offset: (page - 1) * screeningsPageSize}
	list, total, err := store.List(r.Context(), actor(r), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := screeningsPage{Total: total}
	for _, sc := range list {
		c := store.CatalogueOf(sc)
		row := screeningRow{ID: sc.ID, Setting: c.SettingName(sc.Setting, lang), Draft: sc.Status != screening.StatusCompleted,
			CreatedAt: sc.CreatedAt, UpdatedAt: sc.UpdatedAt}
		if _, res, err := store.Evaluate(sc); err == nil {
			row.Outcome, row.Summary = summary(c, res, lang)
			row.Urgent = res.Urgent
		}
		data.Rows = append(data.Rows, row)
	}
	if page > 1 {
		data.Prev = pageLink("/screenings", q, page-1)
	}
	if f.Offset+len(list) < total {
		data.Next = pageLink("/screenings", q, page+1)
	}
	v.Data = data
	h.shell.Render(w, r, http.StatusOK, "screenings", v)
}
