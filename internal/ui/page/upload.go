package page

import (
	"mime/multipart"
	"net/http"

	"waymark.city/waymark/internal/apperr"
)

// Upload reads a form of at most limit bytes carrying one file in field.
// A form too large is refused with tooLargeKey, a form without the file
// with missingKey (a field error at field); the caller closes the file.
func Upload(w http.ResponseWriter, r *http.Request, field string, limit int64, tooLargeKey, missingKey string) (multipart.File, *multipart.FileHeader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(limit); err != nil {
		return nil, nil, apperr.Wrap(apperr.TooLarge, tooLargeKey, err)
	}
	if err := ParseForm(r); err != nil {
		return nil, nil, err
	}
	file, header, err := r.FormFile(field)
	if err != nil {
		return nil, nil, apperr.Validation(apperr.FieldError{Field: field, Key: missingKey})
	}
	return file, header, nil
}
