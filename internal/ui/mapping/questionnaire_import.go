package mappingui

import (
	"net/http"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui/page"
)

// importForm asks for an XLSForm workbook.
func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.import_title")
	h.kit.Render(w, r, http.StatusOK, "mapping_import", v)
}

// importFile stores an uploaded XLSForm; a refused one is shown with every
// refusal at its sheet, row and column.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.import_title")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) {
			// The form's refusals name sheets, rows and columns of the one
			// file: shown, and linked, at the file field, once.
			v.Errors = nil
			v.FormErrorAt(err, "file")
			h.kit.Render(w, r, status, "mapping_import", v)
		})
	}
	// The workbook and the form's few fields.
	file, header, err := page.Upload(w, r, "file", forms.MaxFileSize+64<<10, "mapping.error.file_too_large", "mapping.error.not_xlsx")
	if err != nil {
		failed(err)
		return
	}
	defer file.Close()
	restricted := r.PostFormValue("restricted") == "on"
	if restricted {
		v.Form["restricted"] = "on"
	}
	q, err := h.mapping.ImportXLSForm(r.Context(), page.Actor(r), header.Filename, file, restricted)
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/mapping/questionnaires/"+q.ID+"?done=imported", http.StatusSeeOther)
}
