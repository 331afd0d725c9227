package areasui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// formOverhead is what the upload form adds to the file: two short
// property names and the multipart boundaries.
const formOverhead = 64 << 10

// maxProperty bounds a property name: GIS attribute names are short.
const maxProperty = 100

// uploadForm shows the upload form; the property names default to the
// usual ones.
func (h *Handler) uploadForm(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "areas.upload_title")
	v.Form["name_property"], v.Form["code_property"] = "name", "code"
	h.kit.Render(w, r, http.StatusOK, "areas_upload", v)
}

// upload replaces the areas with those of the uploaded file. A body
// declared larger than the limit is refused before any of it is read; one
// that turns out larger is cut off at the limit.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "areas.upload_title")
	res, err := h.readAndUpload(w, r, v)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.kit.Render(w, r, status, "areas_upload", v) })
		return
	}
	q := url.Values{}
	for k, n := range map[string]int{"added": res.Added, "changed": res.Changed, "retired": res.Retired, "unchanged": res.Unchanged} {
		q.Set(k, strconv.Itoa(n))
	}
	http.Redirect(w, r, "/areas?"+q.Encode(), http.StatusSeeOther)
}

func (h *Handler) readAndUpload(w http.ResponseWriter, r *http.Request, v *web.View) (geo.UploadResult, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return geo.UploadResult{}, apperr.New(apperr.Unsupported, "error.unsupported")
	}
	if geo.TooLarge(r.ContentLength - formOverhead) {
		return geo.UploadResult{}, geo.ErrTooLarge()
	}
	r.Body = http.MaxBytesReader(w, r.Body, geo.MaxUpload+formOverhead)
	// The whole form stays in memory: it is at most the limit above.
	if err := r.ParseMultipartForm(geo.MaxUpload + formOverhead); err != nil {
		if _, over := errors.AsType[*http.MaxBytesError](err); over {
			return geo.UploadResult{}, geo.ErrTooLarge()
		}
		return geo.UploadResult{}, apperr.Wrap(apperr.Invalid, "error.bad_form", err)
	}
	defer r.MultipartForm.RemoveAll()
	if err := web.CheckText(r.MultipartForm.Value); err != nil {
		return geo.UploadResult{}, err
	}
	props := geo.Properties{Name: strings.TrimSpace(r.FormValue("name_property")), Code: strings.TrimSpace(r.FormValue("code_property"))}
	v.Form["name_property"], v.Form["code_property"] = props.Name, props.Code
	var fields []apperr.FieldError
	for field, value := range map[string]string{"name_property": props.Name, "code_property": props.Code} {
		if !utf8.ValidString(value) || utf8.RuneCountInString(value) > maxProperty {
			fields = append(fields, apperr.FieldError{Field: field, Key: "error.geo.property", Args: map[string]any{"max": maxProperty}})
		}
	}
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		fields = append(fields, apperr.FieldError{Field: "file", Key: "error.geo.file_required"})
	} else if err != nil {
		return geo.UploadResult{}, fmt.Errorf("open uploaded areas: %w", err)
	}
	if len(fields) > 0 {
		return geo.UploadResult{}, apperr.Validation(fields...)
	}
	defer file.Close()
	return h.geo.Upload(r.Context(), page.Actor(r), file, props)
}
