package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"waymark.city/waymark/internal/apperr"

	"waymark.city/waymark/internal/dataprotection"
)

// writeDownload sends v as an indented JSON file to save.
func writeDownload(w http.ResponseWriter, name string, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// failDownload answers a refused download. A download is a POST (it is
// recorded on the timeline, so no link prefetch may trigger it), so after a
// step-up the user comes back to the data tab rather than to the POST.
func (h *Handler) failDownload(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.Is(err, apperr.StepUp) {
		http.Redirect(w, r, "/stepup?next="+url.QueryEscape("/cases/"+r.PathValue("id")+"/data"), http.StatusSeeOther)
		return
	}
	h.fail(w, r, err)
}

// exportCaseDataJSON is the person's data of a case as a JSON file (GDPR
// art. 15 and 20); it needs the case team and a step-up.
func (h *Handler) exportCaseDataJSON(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.dataprotection.ExportPersonalData(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.failDownload(w, r, err)
		return
	}
	writeDownload(w, d.Case.Code+"-personal-data.json", d)
}

// dataSectionView is one other capability's part of the export, shown as
// its JSON: the printout stays complete without a template per capability.
type dataSectionView struct {
	Name string
	JSON string
}

type dataExportPage struct {
	CaseID   string
	D        dataprotection.PersonalData
	Sections []dataSectionView
}

// exportCaseData is the person's data of a case as a page to read or
// print, in the reader's language.
func (h *Handler) exportCaseData(w http.ResponseWriter, r *http.Request) {
	d, err := h.dataprotection.ExportPersonalData(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.view(r, "data.export_title")
	page := dataExportPage{CaseID: r.PathValue("id"), D: d}
	for name, s := range d.Sections {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			h.fail(w, r, err)
			return
		}
		page.Sections = append(page.Sections, dataSectionView{Name: name, JSON: string(b)})
	}
	slices.SortFunc(page.Sections, func(a, b dataSectionView) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "data_export", v)
}

// exportCaseHTCDS is one case as an HTCDS document; variant=full adds the
// names and birth date (case team, step-up).
func (h *Handler) exportCaseHTCDS(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	doc, err := h.dataprotection.ExportHTCDS(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("variant"))
	if err != nil {
		h.failDownload(w, r, err)
		return
	}
	writeDownload(w, doc.Reference+"-htcds-"+doc.Variant+".json", doc)
}
