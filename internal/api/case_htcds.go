package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/web"
)

// getCaseHTCDS answers one case as an HTCDS 2.0 document; ?variant=full
// adds the names and birth date (case team, recent step-up).
func (h *Handler) getCaseHTCDS(w http.ResponseWriter, r *http.Request) error {
	doc, err := h.dataprot.ExportHTCDS(r.Context(), actor(r), r.PathValue("id"), r.URL.Query().Get("variant"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

// htcdsImportJSON is the answer to an import: the case it opened and the
// fields of the document that were not kept.
type htcdsImportJSON struct {
	ID       string             `json:"id"`
	Code     string             `json:"code"`
	Warnings []htcdsWarningJSON `json:"warnings"`
}

type htcdsWarningJSON struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// importCaseHTCDS opens a case from an HTCDS 2.0 document in the body.
// The document is checked by the data-protection service (strictly, with
// warnings for fields not kept), not by decode, which would refuse them.
func (h *Handler) importCaseHTCDS(w http.ResponseWriter, r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return apperr.New(apperr.Unsupported, "error.unsupported")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, dataprotection.MaxDocument+1))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return apperr.Wrap(apperr.TooLarge, "error.too_large", err)
		}
		return apperr.Wrap(apperr.Invalid, "error.bad_json", err)
	}
	if err := web.CheckJSONText(body); err != nil {
		return err
	}
	c, warnings, err := h.dataprot.ImportHTCDS(r.Context(), actor(r), body)
	if err != nil {
		return err
	}
	p := web.Printer(r)
	out := htcdsImportJSON{ID: c.ID, Code: c.Code, Warnings: []htcdsWarningJSON{}}
	for _, wn := range warnings {
		out.Warnings = append(out.Warnings, htcdsWarningJSON{Field: wn.Field, Message: p.T(wn.Key, "field", wn.Field)})
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
