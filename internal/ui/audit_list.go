package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
)

type auditPage struct {
	Entries  []audit.Entry
	Total    int
	Page     int
	Prev     string
	Next     string
	Outcomes []string
	// Filtered opens the filter box when a filter is set.
	Filtered bool
	// Names maps user ids in the entries to usernames.
	Names map[string]string
}

const auditPageSize = 50

// listAudit lets administrators browse and filter the audit log.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "audit.title")
	scope, err := access.Authorize(actor(r), access.ViewAudit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := audit.Filter{ActorUserID: q.Get("actor"), Action: q.Get("action"), Outcome: q.Get("outcome"),
		SubjectType: q.Get("subject_type"), SubjectID: q.Get("subject"), Limit: auditPageSize}
	filtered := false
	for _, k := range []string{"actor", "action", "outcome", "subject_type", "subject", "from", "to"} {
		v.Form[k] = q.Get(k)
		filtered = filtered || v.Form[k] != ""
	}
	var fieldErrs []apperr.FieldError
	for _, d := range []struct {
		name string
		dst  *time.Time
		add  time.Duration
	}{{"from", &f.From, 0}, {"to", &f.To, 24 * time.Hour}} {
		if s := q.Get(d.name); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, time.Local)
			if err != nil {
				fieldErrs = append(fieldErrs, apperr.FieldError{Field: d.name, Key: "error.date_invalid"})
				continue
			}
			*d.dst = t.Add(d.add)
		}
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Offset = (page - 1) * auditPageSize
	status := http.StatusOK
	data := auditPage{Page: page, Outcomes: []string{audit.Allowed, audit.Denied, audit.Failed, audit.Done}, Filtered: filtered}
	if len(fieldErrs) > 0 {
		err := apperr.Validation(fieldErrs...)
		v.FormError(err)
		status = statusOf(err)
	} else {
		entries, total, err := h.audit.List(r.Context(), h.db, scope, f)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data.Entries, data.Total = entries, total
		var ids []string
		for _, e := range entries {
			ids = append(ids, e.ActorUserID)
			if e.SubjectType == "user" {
				ids = append(ids, e.SubjectID)
			}
		}
		if data.Names, err = h.accounts.Usernames(r.Context(), actor(r), slices.Compact(slices.Sorted(slices.Values(ids)))); err != nil {
			h.fail(w, r, err)
			return
		}
		if page > 1 {
			data.Prev = pageLink("/audit", q, page-1)
		}
		if f.Offset+len(entries) < total {
			data.Next = pageLink("/audit", q, page+1)
		}
	}
	v.Data = data
	h.shell.Render(w, r, status, "audit", v)
}

// pageLink is path with the current query and another page number.
func pageLink(path string, q url.Values, page int) string {
	c := url.Values{}
	for k, vs := range q {
		c[k] = vs
	}
	c.Set("page", strconv.Itoa(page))
	return path + "?" + c.Encode()
}
