package cli

import (
	"context"
	"errors"
	"fmt"

	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// recordCommand appends the audit entry of an operator's command (key
// rotation, rewrap, backup, restore) in a transaction of its own, Done when
// runErr is nil and Failed otherwise, and returns runErr together with any
// failure to audit. The command line acts as the system: no user.
func recordCommand(ctx context.Context, a *app.App, e audit.Entry, runErr error) error {
	e.Outcome = audit.Done
	if runErr != nil {
		e.Outcome = audit.Failed
	}
	err := a.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := a.Audit.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		err = fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return errors.Join(runErr, err)
}
