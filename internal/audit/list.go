package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Page sizes for List.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter narrows List. Empty fields do not filter.
type Filter struct {
	ActorUserID string
	// Action matches exactly, or as a prefix when it ends in "*"
	// ("users.*" matches "users.manage" and "users.view").
	Action      string
	Outcome     string
	SubjectType string
	SubjectID   string
	From        time.Time // inclusive
	To          time.Time // exclusive
	Limit       int       // DefaultLimit when zero or less, at most MaxLimit
	Offset      int
}

// List returns one page of entries within scope, newest first, and the
// number of entries matching the filter. An entry is in scope when its
// actor's or its subject's organisation is.
func (l *Log) List(ctx context.Context, db *storage.DB, scope access.Scope, f Filter) ([]Entry, int, error) {
	if f.Outcome != "" && !validOutcome(f.Outcome) {
		return nil, 0, apperr.Validation(apperr.FieldError{Field: "outcome", Key: "error.audit.outcome"})
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, 0, apperr.Validation(apperr.FieldError{Field: "to", Key: "error.audit.range"})
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(f.Offset, 0)

	where, args := filterSQL(scope, f)
	var (
		total   int
		entries []Entry
	)
	err := db.Read(ctx, func(tx *storage.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE `+where, args...).Scan(&total); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, actor_user_id, actor_org_id, action, outcome,
			subject_type, subject_id, subject_org_id, detail
			FROM audit_log WHERE `+where+` ORDER BY seq DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
			append(args, limit, offset)...)
		if err != nil {
			return fmt.Errorf("query: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	return entries, total, nil
}

// filterSQL builds the WHERE clause of List; the scope is always its first
// condition.
func filterSQL(scope access.Scope, f Filter) (string, []any) {
	conds := []string{`($1 = '*' OR actor_org_id = $1 OR subject_org_id = $1)`}
	args := []any{scope.Org()}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.ActorUserID != "" {
		add(`actor_user_id = ?`, f.ActorUserID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		if prefix != "" {
			add(`action LIKE ? ESCAPE '\'`, likeEscaper.Replace(prefix)+"%")
		}
	} else if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if f.Outcome != "" {
		add(`outcome = ?`, f.Outcome)
	}
	if f.SubjectType != "" {
		add(`subject_type = ?`, f.SubjectType)
	}
	if f.SubjectID != "" {
		add(`subject_id = ?`, f.SubjectID)
	}
	if !f.From.IsZero() {
		add(`at >= ?`, f.From.UTC())
	}
	if !f.To.IsZero() {
		add(`at < ?`, f.To.UTC())
	}
	return strings.Join(conds, " AND "), args
}

// likeEscaper makes a LIKE pattern match its text literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// rowScanner is what scanEntry needs from *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanEntry(r rowScanner) (Entry, error) {
	var e Entry
	if err := r.Scan(&e.Seq, &e.At, &e.ActorUserID, &e.ActorOrgID, &e.Action, &e.Outcome,
		&e.SubjectType, &e.SubjectID, &e.SubjectOrgID, &e.Detail); err != nil {
		return Entry{}, fmt.Errorf("scan audit entry: %w", err)
	}
	e.At = e.At.UTC()
	return e, nil
}
