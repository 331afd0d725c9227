package accounts

import "waymark.city/waymark/internal/apperr"

func denied() error { return apperr.New(apperr.Forbidden, "error.forbidden") }

// badCredentials is the one answer to a wrong username, password or code, so
// the answer does not tell which was wrong or whether an account exists.
func badCredentials() error { return apperr.New(apperr.Unauthorized, "login.failed") }
