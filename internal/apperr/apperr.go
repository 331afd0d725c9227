// Package apperr is Waymark's one error vocabulary. Every error a user can
// see carries a code (mapped to an HTTP status in one place, see
// internal/web and internal/api) and a message key looked up in the
// translation catalogues. The wrapped cause is for the log only.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller.
type Code string

const (
	Invalid      Code = "invalid"      // the input is wrong; the user can fix it
	NotFound     Code = "not_found"    // no such thing, or the actor may not know it exists
	Conflict     Code = "conflict"     // the change clashes with stored data
	Unauthorized Code = "unauthorized" // not signed in, or the session ended
	Forbidden    Code = "forbidden"    // signed in, but the role or organisation does not allow it
	StepUp       Code = "step_up"      // the action needs a fresh password and code
	TooMany      Code = "too_many"     // throttled; try again later
	TooLarge     Code = "too_large"    // the request body is over the limit
	Unsupported  Code = "unsupported"  // wrong content type or method
	Unavailable  Code = "unavailable"  // a dependency (database) is not reachable
	Internal     Code = "internal"     // a bug or an unexpected failure
)

// FieldError names one invalid form field and the message key explaining it.
type FieldError struct {
	Field string
	Key   string
	Args  map[string]any
}

// Error is an error with a code, a translatable message key and an optional
// cause. Key must be a catalogue key such as "error.not_found".
type Error struct {
	Code   Code
	Key    string
	Args   map[string]any
	Fields []FieldError
	Cause  error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s (%s): %v", e.Code, e.Key, e.Cause)
	}
	return fmt.Sprintf("%s (%s)", e.Code, e.Key)
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error with a code and a message key.
func New(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Wrap returns an error with a code and a message key that keeps cause for the log.
func Wrap(code Code, key string, cause error) *Error {
	return &Error{Code: code, Key: key, Cause: cause}
}

// Validation returns an Invalid error listing the fields at fault.
func Validation(fields ...FieldError) *Error {
	return &Error{Code: Invalid, Key: "error.invalid_form", Fields: fields}
}

// Fields collects a form's field errors as its checks find them.
type Fields []FieldError

// Add refuses field with the message key.
func (f *Fields) Add(field, key string) { *f = append(*f, FieldError{Field: field, Key: key}) }

// Err is the validation error of the fields refused, nil when none was.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Validation(f...)
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return Internal
}

// As returns the first *Error in err's chain; unknown errors become Internal
// with a generic message so no detail leaks to users.
func As(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	return &Error{Code: Internal, Key: "error.internal", Cause: err}
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
