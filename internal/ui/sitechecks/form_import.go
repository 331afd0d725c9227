package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui/page"
)

// importForm stores an uploaded XLSForm as a site-check questionnaire; a
// refused one is shown with every refusal at its row, and nothing is
// stored.
func (h *Handler) importForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "sitechecks.forms_title")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) {
			// The refusals name rows of the one file: shown at its field.
			v.Errors = nil
			v.FormErrorAt(err, "file")
			h.renderForms(w, r, status, v)
		})
	}
	file, header, err := page.Upload(w, r, "file", forms.MaxFileSize+64<<10, "sitechecks.error.import.too_large", "forms.error.not_xlsx")
	if err != nil {
		failed(err)
		return
	}
	defer file.Close()
	if _, err := h.checks.ImportForm(r.Context(), page.Actor(r), header.Filename, file); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/check-forms?done=form_imported", http.StatusSeeOther)
}
