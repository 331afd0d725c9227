// Package apperrtest checks errors of the error vocabulary in tests.
package apperrtest

import (
	"testing"

	"waymark.city/waymark/internal/apperr"
)

// Want fails the test unless err carries code and, when field is not "",
// names field among its field errors. what says which call it was.
func Want(t testing.TB, what string, err error, code apperr.Code, field string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
	if field == "" {
		return
	}
	for _, fe := range apperr.As(err).Fields {
		if fe.Field == field {
			return
		}
	}
	t.Errorf("%s: no error on field %q in %v", what, field, apperr.As(err).Fields)
}
