package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Summary is one row of the queue of new reports: no free text.
type Summary struct {
	ID          string
	OrgID       string // receiving organisation; "" when none was set up
	Status      string
	Urgency     string
	PlaceType   string
	Signs       int
	Attachments int
	// Open is true when the last thread message is the reporter's, or
	// there are none yet: the ball is with staff.
	Open      bool
	CreatedAt time.Time
	// Age is how long ago the report came in, at the time of the query.
	Age time.Duration
}

// ListFilter selects the queue.
type ListFilter struct {
	// Status is StatusNew (the default) or StatusHeld.
	Status string
	// Limit caps the rows; 0 means 200.
	Limit int
}

// List returns the reports of one queue that scope covers — for a
// receiving organisation its own reports — most urgent first, then oldest
// first. scope comes from access.Authorize for the caller's action on
// reports.
func (s *Service) List(ctx context.Context, actor access.Actor, scope access.Scope, f ListFilter) ([]Summary, error) {
	if f.Status == "" {
		f.Status = StatusNew
	}
	if f.Status != StatusNew && f.Status != StatusHeld {
		return nil, apperr.New(apperr.Invalid, "error.invalid_form")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	now := s.now()
	var out []Summary
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, COALESCE(r.org_id, ''), r.status, r.urgency, r.place_type, r.signs, r.created_at,
				(SELECT count(*) FROM report_attachments a WHERE a.report_id = r.id),
				COALESCE((SELECT m.author FROM report_messages m WHERE m.report_id = r.id ORDER BY m.n DESC LIMIT 1), '')
			FROM reports r
			WHERE r.status = $1 AND ($2 = '*' OR r.org_id = $2)
			ORDER BY CASE r.urgency WHEN $3 THEN 0 WHEN $4 THEN 1 WHEN $5 THEN 2 ELSE 3 END, r.created_at, r.id
			LIMIT $6`, f.Status, scope.Org(), Urgencies[0], Urgencies[1], Urgencies[2], f.Limit)
		if err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Summary
			var signs, last string
			if err := rows.Scan(&r.ID, &r.OrgID, &r.Status, &r.Urgency, &r.PlaceType, &signs, &r.CreatedAt, &r.Attachments, &last); err != nil {
				return fmt.Errorf("list reports: %w", err)
			}
			var ids []string
			if err := json.Unmarshal([]byte(signs), &ids); err != nil {
				return fmt.Errorf("signs of report %s: %w", r.ID, err)
			}
			r.Signs = len(ids)
			r.CreatedAt = r.CreatedAt.UTC()
			r.Age = now.Sub(r.CreatedAt)
			r.Open = last != AuthorStaff
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// The SQL already orders; this keeps the order stable if urgency codes
	// are ever added without updating the CASE.
	slices.SortStableFunc(out, func(a, b Summary) int { return urgencyRank(a.Urgency) - urgencyRank(b.Urgency) })
	return out, nil
}

// Report is a report decrypted for staff.
type Report struct {
	ID               string
	OrgID            string
	Status           string
	Urgency          string
	PlaceType        string
	Area             string
	SeenOn           string
	TimeOfDay        string
	People           string
	AgeGroup         string
	Gender           string
	Signs            []string
	Details          string
	Contact          string
	Language         string
	CatalogueVersion string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Attachments      []AttachmentInfo
	Messages         []Message
}

// AttachmentInfo describes an attachment without its content.
type AttachmentInfo struct {
	N         int
	MediaType string
	Size      int64
}

// Attachment is an attachment's decrypted content.
type Attachment struct {
	AttachmentInfo
	Data []byte
}

// Get decrypts report id for staff and records the reading in the audit
// log, in the same transaction. A report outside scope is NotFound.
func (s *Service) Get(ctx context.Context, actor access.Actor, scope access.Scope, id string) (*Report, error) {
	var r *Report
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		r, err = s.load(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.view",
			Outcome: audit.Allowed, SubjectType: "report", SubjectID: id, SubjectOrgID: r.OrgID})
		return err
	})
	return r, err
}

// GetAttachment decrypts attachment n of report id, with an audit entry.
func (s *Service) GetAttachment(ctx context.Context, actor access.Actor, scope access.Scope, id string, n int) (*Attachment, error) {
	var a Attachment
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.inScope(ctx, tx, scope, id); err != nil {
			return err
		}
		var sealed []byte
		err := tx.QueryRowContext(ctx, `SELECT n, media_type, size, content FROM report_attachments WHERE report_id = $1 AND n = $2`, id, n).
			Scan(&a.N, &a.MediaType, &a.Size, &sealed)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return fmt.Errorf("load attachment %d of report %s: %w", n, id, err)
		}
		if a.Data, err = s.vault.Open(ctx, tx, record(id), "attachment/"+strconv.Itoa(n), sealed); err != nil {
			return err
		}
		var org sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT org_id FROM reports WHERE id = $1`, id).Scan(&org); err != nil {
			return fmt.Errorf("load report %s: %w", id, err)
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "reports.attachment",
			Outcome: audit.Allowed, SubjectType: "report", SubjectID: id, SubjectOrgID: org.String, Detail: strconv.Itoa(n)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// inScope returns NotFound unless report id exists within scope.
func (s *Service) inScope(ctx context.Context, tx *storage.Tx, scope access.Scope, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM reports WHERE id = $1 AND ($2 = '*' OR org_id = $2)`, id, scope.Org()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return fmt.Errorf("load report %s: %w", id, err)
	}
	return nil
}

func (s *Service) load(ctx context.Context, tx *storage.Tx, scope access.Scope, id string) (*Report, error) {
	r := &Report{ID: id}
	var org sql.NullString
	var signs string
	var details, area, contact []byte
	err := tx.QueryRowContext(ctx, `SELECT org_id, status, urgency, place_type, seen_on, time_of_day, people, age_group, gender,
			signs, language, catalogue_version, details, area, contact, created_at, updated_at
		FROM reports WHERE id = $1 AND ($2 = '*' OR org_id = $2)`, id, scope.Org()).
		Scan(&org, &r.Status, &r.Urgency, &r.PlaceType, &r.SeenOn, &r.TimeOfDay, &r.People, &r.AgeGroup, &r.Gender,
			&signs, &r.Language, &r.CatalogueVersion, &details, &area, &contact, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("load report %s: %w", id, err)
	}
	r.OrgID = org.String
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(signs), &r.Signs); err != nil {
		return nil, fmt.Errorf("signs of report %s: %w", id, err)
	}
	rec := record(id)
	for _, f := range []struct {
		name string
		in   []byte
		out  *string
	}{{"details", details, &r.Details}, {"area", area, &r.Area}, {"contact", contact, &r.Contact}} {
		plain, err := s.vault.Open(ctx, tx, rec, f.name, f.in)
		if err != nil {
			return nil, err
		}
		*f.out = string(plain)
	}
	rows, err := tx.QueryContext(ctx, `SELECT n, media_type, size FROM report_attachments WHERE report_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("list attachments of report %s: %w", id, err)
	}
	for rows.Next() {
		var a AttachmentInfo
		if err := rows.Scan(&a.N, &a.MediaType, &a.Size); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list attachments of report %s: %w", id, err)
		}
		r.Attachments = append(r.Attachments, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list attachments of report %s: %w", id, err)
	}
	if r.Messages, err = s.messages(ctx, tx, id); err != nil {
		return nil, err
	}
	return r, nil
}

// AttachmentUsage returns the bytes all stored attachments take and the
// quota, for a status page or a metric.
func (s *Service) AttachmentUsage(ctx context.Context) (used, quota int64, err error) {
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM report_attachments`).Scan(&used)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("attachment usage: %w", err)
	}
	return used, s.cfg.AttachmentQuota, nil
}

// Sweep deletes spent proof-of-work challenges that have expired and the
// intake's rate-limit windows older than two days. Run it periodically
// (the jobs runner); it returns the rows removed.
func (s *Service) Sweep(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pow_spent WHERE expires_at < $1`, now.UTC())
		if err != nil {
			return fmt.Errorf("sweep challenges: %w", err)
		}
		n1, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE bucket LIKE $1 AND window_start < $2`,
			bucketPrefix+"%", now.UTC().Add(-sweepAfter))
		if err != nil {
			return fmt.Errorf("sweep rate limits: %w", err)
		}
		n2, _ := res.RowsAffected()
		total = n1 + n2
		return nil
	})
	return total, err
}
