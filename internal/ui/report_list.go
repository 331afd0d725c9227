package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// spanText writes a duration for people: "2 d 3 h", "3 h 20 min", "12 min".
// Whole minutes are cut off, not rounded: a clock never shows more time
// left than there is.
func spanText(p *i18n.Printer, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return p.T("triage.span_days", "d", days, "h", hours)
	case hours > 0:
		return p.T("triage.span_hours", "h", hours, "m", mins)
	}
	return p.T("triage.span_minutes", "m", mins)
}

// clockView is the 24-hour clock of a missing child.
type clockView struct {
	Ends time.Time
	Text string
	Over bool
}

// missingClock describes the clock ending at ends, nil when ends is zero.
func missingClock(p *i18n.Printer, ends, now time.Time) *clockView {
	if ends.IsZero() {
		return nil
	}
	c := &clockView{Ends: ends, Over: !now.Before(ends)}
	if c.Over {
		c.Text = p.T("triage.clock_over", "span", spanText(p, now.Sub(ends)))
	} else {
		c.Text = p.T("triage.clock_left", "span", spanText(p, ends.Sub(now)))
	}
	return c
}

// placeLabel names a place type: the field guide's location, or one of
// the form's own choices.
func (h *Handler) placeLabel(p *i18n.Printer, id string) string {
	switch id {
	case "", intake.Unknown:
		return p.T("report.unknown")
	case "online", "other":
		return p.T("public.place." + id)
	}
	if h.screenings != nil {
		c := h.screenings.Catalogue()
		for _, l := range c.FieldGuide {
			if l.ID == id {
				return l.Name[c.Lang(p.Lang())]
			}
		}
	}
	return id
}

// placeOptions are the place types as select options, first a blank one
// with the label key first.
func (h *Handler) placeOptions(p *i18n.Printer, svc *intake.Service, first string) []web.Option {
	opts := []web.Option{{Value: "", LabelKey: first}}
	for _, id := range svc.PlaceTypes() {
		opts = append(opts, web.Option{Value: id, Label: h.placeLabel(p, id)})
	}
	return opts
}

// codeOptions are codes as select options labelled by prefix+code, after a
// blank option labelled first.
// exploitationText names a report's forms of exploitation, "" for none.
func exploitationText(p *i18n.Printer, forms []string) string {
	names := make([]string, len(forms))
	for i, f := range forms {
		names[i] = p.T("report.exploitation." + f)
	}
	return strings.Join(names, ", ")
}

func codeOptions(first, prefix string, codes []string) []web.Option {
	opts := []web.Option{{Value: "", LabelKey: first}}
	for _, c := range codes {
		opts = append(opts, web.Option{Value: c, LabelKey: prefix + c})
	}
	return opts
}

// queueRow is one report of the triage queue in words.
type queueRow struct {
	ID, Ref      string
	Urgency      string // code, for the badge class
	UrgencyLabel string
	Status       string
	Source       string
	Age          string
	CreatedAt    time.Time
	Due          time.Time
	DueText      string
	Overdue      bool
	Responded    bool
	Exploitation string
	Place        string
	Assigned     string
	Waiting      bool // the reporter answered last
	Handover     bool
	Clock        *clockView
	Attachments  int
}

type queuePage struct {
	Rows     []queueRow
	Filtered bool
	Statuses []web.Option
	Urgency  []web.Option
	Exploit  []web.Option
	Places   []web.Option
	Overdue  int
	Exports  listExports
}

// queueRowOf puts a queue item into words.
func (h *Handler) queueRowOf(p *i18n.Printer, q intake.QueueItem, now time.Time) queueRow {
	row := queueRow{ID: q.ID, Ref: intake.ShortID(q.ID), Urgency: q.Urgency, UrgencyLabel: p.T("report.urgency." + q.Urgency),
		Status: p.T("report.status." + q.Status), Source: p.T("report.source." + q.Source), Age: spanText(p, q.Age),
		CreatedAt: q.CreatedAt, Due: q.Due, Overdue: q.Overdue, Responded: q.FirstResponse != nil,
		Place: h.placeLabel(p, q.PlaceType), Assigned: q.AssignedName, Waiting: q.Answered, Handover: q.Handover,
		Clock: missingClock(p, q.ClockEnds(), now), Attachments: q.Attachments}
	row.Exploitation = exploitationText(p, q.Exploitation)
	switch {
	case q.FirstResponse != nil:
		row.DueText = p.T("triage.responded", "span", spanText(p, q.FirstResponse.Sub(q.CreatedAt)))
	case q.Overdue:
		row.DueText = p.T("triage.overdue_by", "span", spanText(p, now.Sub(q.Due)))
	case intake.IsOpen(q.Status):
		row.DueText = p.T("triage.due_in", "span", spanText(p, q.Due.Sub(now)))
	}
	return row
}

// listReports is the triage queue of the user's organisation: open
// reports most urgent first, then oldest first, with their age and
// first-response deadline; filters narrow it.
func (h *Handler) listReports(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "triage.title")
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.ViewReports)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := reportFilter(q)
	filters := url.Values{}
	for k, val := range map[string]string{"status": f.Status, "urgency": f.Urgency, "exploitation": f.Exploitation, "place_type": f.PlaceType} {
		v.Form[k] = val
		filters.Set(k, val)
	}
	page := queuePage{Filtered: f.Urgency != "" || f.Exploitation != "" || f.PlaceType != "" || (f.Status != "" && f.Status != intake.StatusOpen),
		Urgency: codeOptions("triage.any", "report.urgency.", intake.Urgencies),
		Exploit: codeOptions("triage.any", "report.exploitation.", intake.Exploitations),
		Places:  h.placeOptions(v.P, svc, "triage.any"),
		Exports: exportsOf(v.P, "report-export", "/reports", filters, intake.MaxExportRows, "lists.export_words")}
	for _, s := range intake.QueueStatuses {
		page.Statuses = append(page.Statuses, web.Option{Value: s, LabelKey: "report.status." + s})
	}
	status := http.StatusOK
	items, err := svc.Queue(r.Context(), a, scope, f)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		status = statusOf(err)
	}
	if q.Get("forwarded") == "1" {
		v.Notice = v.P.T("report.done.forwarded")
	}
	now := svc.Now()
	for _, it := range items {
		row := h.queueRowOf(v.P, it, now)
		if row.Overdue {
			page.Overdue++
		}
		page.Rows = append(page.Rows, row)
	}
	v.Data = page
	h.shell.Render(w, r, status, "reports", v)
}

// reportFilter reads the triage queue's filters from a query.
func reportFilter(q url.Values) intake.QueueFilter {
	return intake.QueueFilter{Status: q.Get("status"), Urgency: q.Get("urgency"), Exploitation: q.Get("exploitation"), PlaceType: q.Get("place_type")}
}

// exportReportsCSV downloads the triage queue under its filters as CSV:
// every report they find, not one page; with personal=1 the reporters'
// own words.
func (h *Handler) exportReportsCSV(w http.ResponseWriter, r *http.Request) {
	h.exportReports(w, r, "csv")
}

// exportReportsXLSX downloads the same as an Excel workbook.
func (h *Handler) exportReportsXLSX(w http.ResponseWriter, r *http.Request) {
	h.exportReports(w, r, "xlsx")
}

func (h *Handler) exportReports(w http.ResponseWriter, r *http.Request, ext string) {
	q := r.URL.Query()
	e, err := h.intake.ExportQueue(r.Context(), actor(r), reportFilter(q), q.Get("personal") == "1")
	e.PlaceLabel, e.Zone = h.placeLabel, h.shell.Zone()
	name := "reports"
	if e.Personal {
		name = "reports-personal"
	}
	h.download(w, r, h.fileName(name), ext, e, err)
}
