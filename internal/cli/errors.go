package cli

import (
	"errors"
	"strings"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/apperr"
)

// explain turns an application error into English text for the terminal,
// naming each field at fault.
func explain(a *app.App, err error) error {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		return err
	}
	p := a.Catalog.For("en")
	msgs := []string{p.Error(err)}
	for _, f := range e.Fields {
		msgs = append(msgs, f.Field+": "+p.T(f.Key))
	}
	return errors.New(strings.Join(msgs, "\n  "))
}
