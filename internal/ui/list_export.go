package ui

import (
	"net/http"
	"net/url"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/ui/page"
)

// listExports are a staff list's downloads, shown under its filters by
// the "list_export" partial.
type listExports struct {
	P *i18n.Printer
	// ID is the list's element id of the links.
	ID    string
	Max   int
	Links []exportLink
}

// exportLink is one download of a list.
type exportLink struct{ Href, LabelKey string }

// exportsOf links the CSV and XLSX files of the list at path under its
// filters q (without a page cursor); personal, when not "", labels the
// files with personal data (personal+"_csv", personal+"_xlsx"), for a
// reader who may have them.
func exportsOf(p *i18n.Printer, id, path string, q url.Values, max int, personal string) listExports {
	q = cloneValues(q)
	q.Del("after")
	out := listExports{P: p, ID: id, Max: max}
	for _, ext := range []string{"csv", "xlsx"} {
		out.Links = append(out.Links, exportLink{Href: path + "." + ext + "?" + q.Encode(), LabelKey: "lists.export_" + ext})
	}
	if personal != "" {
		q.Set("personal", "1")
		for _, ext := range []string{"csv", "xlsx"} {
			out.Links = append(out.Links, exportLink{Href: path + "." + ext + "?" + q.Encode(), LabelKey: personal + "_" + ext})
		}
	}
	return out
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if len(v) > 0 && v[0] != "" {
			out[k] = []string{v[0]}
		}
	}
	return out
}

// download sends a list export; a personal export that needs a step-up
// sends the reader to it and back to the file.
func (h *Handler) download(w http.ResponseWriter, r *http.Request, name, ext string, sheet page.Sheet, err error) {
	switch {
	case apperr.Is(err, apperr.StepUp):
		http.Redirect(w, r, "/stepup?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	case err != nil:
		h.fail(w, r, err)
	default:
		h.kit.Download(w, r, name, ext, sheet)
	}
}

// fileName names a list's file by the day in the installation's time zone.
func (h *Handler) fileName(list string) string {
	return list + "-" + time.Now().In(h.shell.Zone()).Format(time.DateOnly)
}
