package accounts

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
)

// Keepers lists the active users of active organisations whose role may
// perform action, with the language they read: whom a capability's
// reminders go to (the agreements' keepers are those allowed
// access.ManageAgreements).
func Keepers(ctx context.Context, tx *storage.Tx, action access.Action) ([]notify.Recipient, error) {
	var roles []string
	for _, r := range access.Roles {
		if access.Can(access.Actor{Role: r}, action) {
			roles = append(roles, string(r))
		}
	}
	if len(roles) == 0 {
		return nil, nil
	}
	in, args := storage.InList(1, roles)
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.language FROM users u JOIN organisations o ON o.id = u.org_id
		WHERE u.role IN (`+in+`) AND u.disabled_at IS NULL AND o.disabled_at IS NULL ORDER BY u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list the keepers of %s: %w", action, err)
	}
	defer rows.Close()
	var out []notify.Recipient
	for rows.Next() {
		var u notify.Recipient
		if err := rows.Scan(&u.UserID, &u.Language); err != nil {
			return nil, fmt.Errorf("scan keeper: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
