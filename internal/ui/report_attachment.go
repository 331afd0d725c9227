package ui

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
)

// showReportAttachment shows an attachment of a report, decrypted and
// audited, on a page of its own: an image inline, a PDF (kept as sent, so
// never shown by the browser on Waymark's origin) as a download. The file
// travels inside the page as a data URL, so no response ever carries a
// sender's bytes as a document of its own.
func (h *Handler) showReportAttachment(w http.ResponseWriter, r *http.Request) {
	svc := h.intake
	a := actor(r)
	scope, err := access.Authorize(a, access.ViewReports)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	id := r.PathValue("id")
	att, err := svc.Attachment(r.Context(), a, scope, id, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := attachmentPage{ReportID: id, Ref: intake.ShortID(id), N: n, Type: att.MediaType, KiB: (att.Size + 1023) / 1024,
		// The type is one intake recognised by content (JPEG, PNG or
		// PDF), never what the sender claimed, so the data URL is safe to
		// mark as such; images were re-encoded without metadata.
		URL:  template.URL("data:" + att.MediaType + ";base64," + base64.StdEncoding.EncodeToString(att.Data)),
		File: "report-" + intake.ShortID(id) + "-" + strconv.Itoa(n) + "." + strings.TrimPrefix(strings.TrimPrefix(att.MediaType, "image/"), "application/")}
	page.Image = strings.HasPrefix(att.MediaType, "image/")
	v := h.view(r, "report.attachment_title")
	v.Data = page
	w.Header().Set("Cache-Control", "no-store")
	h.shell.Render(w, r, http.StatusOK, "report_attachment", v)
}

type attachmentPage struct {
	ReportID, Ref string
	N             int
	Type          string
	KiB           int64
	Image         bool
	URL           template.URL
	File          string
}
