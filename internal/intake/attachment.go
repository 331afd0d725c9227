package intake

import (
	"errors"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/files"
)

// Media types accepted as attachments.
const (
	TypeJPEG = files.TypeJPEG
	TypePNG  = files.TypePNG
	TypePDF  = files.TypePDF
)

// cleanAttachment makes an uploaded file safe to keep (see package files);
// refusals are field errors of the "files" field.
func (s *Service) cleanAttachment(data []byte) (mediaType string, clean []byte, err error) {
	mediaType, clean, err = s.files.Clean(data)
	switch {
	case errors.Is(err, files.ErrType):
		return "", nil, fileError("public.error.file_type", nil)
	case errors.Is(err, files.ErrTooLarge):
		return "", nil, fileError("public.error.file_too_large", map[string]any{"n": s.cfg.MaxAttachmentSize >> 20})
	case errors.Is(err, files.ErrDamaged):
		return "", nil, fileError("public.error.file_damaged", nil)
	case errors.Is(err, files.ErrImageTooLarge):
		return "", nil, fileError("public.error.image_too_large", nil)
	}
	return mediaType, clean, err
}

func fileError(key string, args map[string]any) error {
	return apperr.Validation(apperr.FieldError{Field: "files", Key: key, Args: args})
}
