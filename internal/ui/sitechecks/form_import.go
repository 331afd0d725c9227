package sitechecksui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
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
	r.Body = http.MaxBytesReader(w, r.Body, forms.MaxFileSize+64<<10)
	if err := r.ParseMultipartForm(forms.MaxFileSize + 64<<10); err != nil {
		failed(apperr.Wrap(apperr.TooLarge, "sitechecks.error.import.too_large", err))
		return
	}
	if err := page.ParseForm(r); err != nil {
		failed(err)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		failed(apperr.Validation(apperr.FieldError{Field: "file", Key: "forms.error.not_xlsx"}))
		return
	}
	defer file.Close()
	if _, err := h.checks.ImportForm(r.Context(), page.Actor(r), header.Filename, file); err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/check-forms?done=form_imported", http.StatusSeeOther)
}
