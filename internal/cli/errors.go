package cli

import (
	"errors"
	"strings"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
)

// explain turns an application error into English text for the terminal,
// naming each field at fault.
func explain(cat *i18n.Catalog, err error) error {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		return err
	}
	p := cat.For("en")
	msgs := []string{p.Error(err)}
	for _, f := range e.Fields {
		msgs = append(msgs, f.Field+": "+p.Field(f))
	}
	return errors.New(strings.Join(msgs, "\n  "))
}
