package partnersui

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
)

// formRoom is what the upload form may carry besides the document.
const formRoom = 64 << 10

// upload stores the signed document of an agreement (a PDF).
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "agreements.show_title")
	a, ok := h.load(w, r)
	if !ok {
		return
	}
	p := &agreementPage{Agreement: a, Action: "/agreements/" + a.ID, Chosen: fill(v, a)}
	data, err := readDocument(w, r)
	if err == nil {
		_, err = h.agreements.SetDocument(r.Context(), page.Actor(r), a.ID, data)
	}
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.render(w, r, status, v, "agreement_show", p) })
		return
	}
	http.Redirect(w, r, "/agreements/"+a.ID+"?done=document", http.StatusSeeOther)
}

// readDocument reads the multipart upload form's file, at most
// agreements.MaxDocument bytes.
func readDocument(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := apperr.Validation(apperr.FieldError{Field: "document", Key: "agreements.error.document_size",
		Args: map[string]any{"n": agreements.MaxDocument >> 20}})
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, apperr.New(apperr.Unsupported, "error.unsupported")
	}
	r.Body = http.MaxBytesReader(w, r.Body, agreements.MaxDocument+formRoom)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		return nil, apperr.Wrap(apperr.Invalid, "error.bad_form", err)
	}
	defer r.MultipartForm.RemoveAll()
	fh := r.MultipartForm.File["document"]
	if len(fh) == 0 {
		return nil, apperr.Validation(apperr.FieldError{Field: "document", Key: "agreements.error.document_type"})
	}
	f, err := fh[0].Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded document: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, agreements.MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("read uploaded document: %w", err)
	}
	return data, nil
}

// download sends the signed document as an attachment, never shown inline
// (a PDF opened by the browser on Waymark's origin could run its scripts).
func (h *Handler) download(w http.ResponseWriter, r *http.Request) {
	title, pdf, err := h.agreements.Document(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fileName(title) + ".pdf"}))
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	_, _ = w.Write(pdf)
}

// fileName makes a title a file name: letters and digits kept, runs of
// anything else one hyphen.
func fileName(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range title {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimSuffix(b.String(), "-")
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	if name == "" {
		return "agreement"
	}
	return name
}
