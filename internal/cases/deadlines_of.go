package cases

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/storage"
)

// DeadlinesOf lists the deadlines of one case of the given kinds, soonest
// first, in the caller's transaction (inside View or Change). Capabilities
// that refer to another's dated records (a booking for a conference or a
// hearing) find them here without reading the other's tables.
func (s *Service) DeadlinesOf(ctx context.Context, tx *storage.Tx, caseID string, kinds ...string) ([]Deadline, error) {
	ph, args := storage.InList(2, kinds)
	rows, err := tx.QueryContext(ctx, `SELECT `+deadlineColumns+` FROM case_deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.case_id = $1 AND d.kind IN (`+ph+`) ORDER BY d.due_on, d.ref_id`, append([]any{caseID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list deadlines of case %s: %w", caseID, err)
	}
	return scanDeadlines(rows)
}
