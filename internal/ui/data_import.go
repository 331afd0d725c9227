package ui

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/web"
)

type dataImportPage struct {
	// Imported is the case the document opened; Warnings what was not kept.
	Imported *cases.Case
	CanView  bool
	Warnings []dataprotection.Warning
}

// showImport is the form to open a case from an HTCDS document.
func (h *Handler) showImport(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "data.import_title")
	v.Data = dataImportPage{}
	h.shell.Render(w, r, http.StatusOK, "data_import", v)
}

// importDocument reads the posted document: an uploaded file, or the text
// pasted into the form.
func importDocument(r *http.Request) ([]byte, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(dataprotection.MaxDocument + 64<<10); err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, apperr.Wrap(apperr.TooLarge, "error.too_large", err)
			}
			return nil, apperr.Wrap(apperr.Invalid, "error.bad_form", err)
		}
		if err := web.CheckText(r.MultipartForm.Value); err != nil {
			return nil, err
		}
		if file, _, err := r.FormFile("file"); err == nil {
			defer file.Close()
			data, err := io.ReadAll(io.LimitReader(file, dataprotection.MaxDocument+1))
			if err != nil {
				return nil, apperr.Wrap(apperr.Invalid, "error.bad_form", err)
			}
			if len(data) > 0 {
				return data, nil
			}
		}
		return []byte(r.PostFormValue("document")), nil
	}
	if err := parseForm(r); err != nil {
		return nil, err
	}
	return []byte(r.PostFormValue("document")), nil
}

// importCase opens a case from an HTCDS document and shows what was not kept.
func (h *Handler) importCase(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "data.import_title")
	data, err := importDocument(r)
	if err == nil && strings.TrimSpace(string(data)) == "" {
		err = apperr.Validation(apperr.FieldError{Field: "document", Key: "error.data.htcds_empty"})
	}
	if err == nil {
		err = web.CheckJSONText(data)
	}
	var c cases.Case
	var warnings []dataprotection.Warning
	if err == nil {
		c, warnings, err = h.dataprotection.ImportHTCDS(r.Context(), actor(r), data)
	}
	if err != nil {
		if len(data) <= dataprotection.MaxDocument {
			v.Form["document"] = string(data)
		}
		v.FormErrorAt(err, "document")
		v.Data = dataImportPage{}
		h.shell.Render(w, r, statusOf(err), "data_import", v)
		return
	}
	v.Notice = v.P.T("data.imported", "code", c.Code)
	v.Data = dataImportPage{Imported: &c, CanView: access.Can(actor(r), access.ViewCases), Warnings: warnings}
	h.shell.Render(w, r, http.StatusOK, "data_import", v)
}
