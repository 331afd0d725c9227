package statistics

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/disclosure"
	"waymark.city/waymark/internal/storage"
)

// Releases (issue 14 items 5 and 6): a table leaves Waymark only as a
// release — a preset's tables for a period to a named recipient, protected
// by the release's rules, prepared by one person and approved by a second.
// What was published is kept in the release ledger, and a release that,
// compared with the earlier ones to the same recipient, would reveal a
// suppressed cell is refused when prepared and again when approved.

// ReleaseStatus is where a release is in its approval.
type ReleaseStatus string

const (
	ReleasePrepared ReleaseStatus = "prepared"
	ReleaseApproved ReleaseStatus = "approved"
	ReleaseRejected ReleaseStatus = "rejected"
)

// maxRecipient bounds the recipient's name and organisation.
const maxRecipient = 200

// maxReleaseYears bounds a release's period: the ledger keeps each of its
// days as a part of the period's one category.
const maxReleaseYears = 10

// ReleaseInput is what a person preparing a release chooses.
type ReleaseInput struct {
	Preset string
	Period Period
	// Recipient names who receives the tables ("National rapporteur");
	// Organisation optionally where.
	Recipient, Organisation string
	// Threshold: counts 1..Threshold are suppressed (0: the default, 10).
	Threshold int
	// Rounding is 0, 5 or 10.
	Rounding int
	// Sensitive categories are suppressed as a whole in every table that
	// has their dimension.
	Sensitive []disclosure.CategoryRef
}

// Release is a release with what it published.
type Release struct {
	ID                       string
	Preset                   string
	Period                   Period
	Recipient, Organisation  string
	Threshold, Rounding      int
	Sensitive                []disclosure.CategoryRef
	Status                   ReleaseStatus
	PreparedBy, PreparerName string
	PreparedAt               time.Time
	DecidedBy, DeciderName   string
	DecidedAt                time.Time
	Tables                   []ReleasedTable
}

// ReleasedTable is one table of a release as it was published: Published
// is its ledger entry, the preset table's dimensions followed by the
// release's period (one category covering the period's days).
type ReleasedTable struct {
	Preset    string
	Code      string
	Published disclosure.Release
}

// TitleKey is the message key of the table's title.
func (t ReleasedTable) TitleKey() string {
	return "statistics.preset." + t.Preset + "." + t.Code
}

// Dimensions are the table's own dimensions, without the period.
func (t ReleasedTable) Dimensions() []disclosure.Dimension {
	return t.Published.Dimensions[:len(t.Published.Dimensions)-1]
}

// Cell is the published cell at key (one index per dimension of
// Dimensions, disclosure.Total for a margin).
func (t ReleasedTable) Cell(key ...int) (disclosure.ReleasedCell, bool) {
	for _, c := range t.Published.Cells {
		if slices.Equal(c.Key[:len(c.Key)-1], key) {
			return c, true
		}
	}
	return disclosure.ReleasedCell{}, false
}

// Cells are the table's published cells in order, keys without the
// period.
func (t ReleasedTable) Cells() []disclosure.ReleasedCell {
	out := make([]disclosure.ReleasedCell, len(t.Published.Cells))
	for i, c := range t.Published.Cells {
		c.Key = c.Key[:len(c.Key)-1]
		out[i] = c
	}
	return out
}

// recipientKey is how two releases are known to go to the same
// recipient: name and organisation with case and spacing folded.
func recipientKey(name, org string) string {
	fold := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	return fold(name) + "\x1f" + fold(org)
}

// validate checks the input; allowed is the service's threshold rule.
func (in *ReleaseInput) validate(allowed func(int) bool) error {
	in.Recipient = strings.TrimSpace(in.Recipient)
	in.Organisation = strings.TrimSpace(in.Organisation)
	var f apperr.Fields
	if !slices.Contains(Presets(), in.Preset) {
		f.Add("preset", "statistics.error.preset")
	}
	if err := in.Period.validate(); err != nil {
		f.Add("to", apperr.As(err).Key)
	} else if day(in.Period.To).After(day(in.Period.From).AddDate(maxReleaseYears, 0, 0)) {
		f.Add("to", "statistics.error.release_period_long")
	}
	switch {
	case in.Recipient == "":
		f.Add("recipient", "statistics.error.release_recipient")
	case utf8.RuneCountInString(in.Recipient) > maxRecipient:
		f.Add("recipient", "statistics.error.release_recipient_long")
	}
	if utf8.RuneCountInString(in.Organisation) > maxRecipient {
		f.Add("organisation", "statistics.error.release_recipient_long")
	}
	if in.Threshold != 0 && !allowed(in.Threshold) {
		f.Add("threshold", "statistics.error.threshold")
	}
	if in.Rounding != 0 && in.Rounding != 5 && in.Rounding != 10 {
		f.Add("rounding", "statistics.error.rounding")
	}
	return f.Err()
}

// protect protects each preset table under the release's rules and
// describes what it publishes; a sensitive category no table has is a
// field error.
func (in ReleaseInput) protect(id string, tables []PresetTable) ([]ReleasedTable, error) {
	used := make([]bool, len(in.Sensitive))
	var out []ReleasedTable
	for _, pt := range tables {
		rules := disclosure.Rules{Threshold: in.Threshold, Rounding: in.Rounding}
		for i, ref := range in.Sensitive {
			if hasCategory(pt.Table.Dimensions(), ref) {
				rules.Categories = append(rules.Categories, ref)
				used[i] = true
			}
		}
		p, err := disclosure.Protect(pt.Table, rules)
		if err != nil {
			return nil, err
		}
		out = append(out, ReleasedTable{Preset: in.Preset, Code: pt.Code, Published: withPeriod(p.Release(id+"/"+pt.Code), in.Period)})
	}
	if slices.Contains(used, false) {
		return nil, apperr.Validation(apperr.FieldError{Field: "sensitive", Key: "statistics.error.unknown_category"})
	}
	return out, nil
}

func hasCategory(dims []disclosure.Dimension, ref disclosure.CategoryRef) bool {
	for _, d := range dims {
		if d.Code == ref.Dimension {
			return slices.ContainsFunc(d.Categories, func(c disclosure.Category) bool { return c.Code == ref.Category })
		}
	}
	return false
}

// Prepare protects the preset's tables for the period under the input's
// rules, checks them against every release approved to the same recipient
// and stores them as a prepared release; it returns the release's id. A
// release that would reveal a suppressed cell is refused with a conflict
// naming the cell, and nothing is stored.
func (s *Service) Prepare(ctx context.Context, actor access.Actor, in ReleaseInput) (string, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.PrepareRelease, "statistics_release", ""); err != nil {
		return "", err
	}
	if err := in.validate(s.ThresholdAllowed); err != nil {
		return "", err
	}
	if in.Threshold == 0 {
		in.Threshold = s.smallCounts
	}
	raw, err := s.Preset(ctx, actor, in.Preset, in.Period)
	if err != nil {
		return "", err
	}
	id := cases.NewID()
	tables, err := in.protect(id, raw)
	if err != nil {
		return "", err
	}
	harmonize(tables)
	key := recipientKey(in.Recipient, in.Organisation)
	sensitive, err := json.Marshal(in.Sensitive)
	if err != nil {
		return "", fmt.Errorf("encode sensitive categories: %w", err)
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.checkLedger(ctx, tx, key, id, tables); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stat_releases (id, preset, period_from, period_to, recipient, organisation,
				recipient_key, threshold, rounding, sensitive, status, prepared_by, prepared_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, in.Preset, day(in.Period.From).Format(time.DateOnly), day(in.Period.To).Format(time.DateOnly), in.Recipient,
			in.Organisation, key, in.Threshold, in.Rounding, string(sensitive), ReleasePrepared, actor.UserID, s.now().UTC()); err != nil {
			return fmt.Errorf("insert release: %w", err)
		}
		for i, t := range tables {
			pub, err := json.Marshal(t.Published)
			if err != nil {
				return fmt.Errorf("encode released table: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO stat_release_tables (release_id, position, code, published) VALUES ($1, $2, $3, $4)`,
				id, i, t.Code, string(pub)); err != nil {
				return fmt.Errorf("insert released table: %w", err)
			}
		}
		return s.gate.Record(ctx, tx, actor, string(access.PrepareRelease), "statistics_release", id, "", in.Preset+" "+in.Period.String())
	})
	if err != nil {
		return "", s.refused(ctx, actor, access.PrepareRelease, id, err)
	}
	return id, nil
}

// refused records a refusal the rules of releases made (a release that
// reveals a cell, approval by its preparer) and returns err; other errors
// pass unchanged.
func (s *Service) refused(ctx context.Context, actor access.Actor, action access.Action, id string, err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return s.gate.Refuse(ctx, actor, action, "statistics_release", id, err)
	}
	return err
}

// Approve approves a prepared release: by a second person (its preparer is
// refused), after checking it once more against every release approved to
// the same recipient. Refused, nothing changes.
func (s *Service) Approve(ctx context.Context, actor access.Actor, id string) error {
	return s.decide(ctx, actor, id, ReleaseApproved)
}

// Reject rejects a prepared release; it then never downloads.
func (s *Service) Reject(ctx context.Context, actor access.Actor, id string) error {
	return s.decide(ctx, actor, id, ReleaseRejected)
}

func (s *Service) decide(ctx context.Context, actor access.Actor, id string, to ReleaseStatus) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ApproveRelease, "statistics_release", id); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		r, err := s.release(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case r.Status != ReleasePrepared:
			return apperr.New(apperr.Conflict, "statistics.error.release_decided")
		case to == ReleaseApproved && r.PreparedBy == actor.UserID:
			return apperr.New(apperr.Conflict, "statistics.error.release_own")
		}
		if to == ReleaseApproved {
			// Approvals to one recipient are taken one after another:
			// touching every release of the recipient holds their rows
			// until this transaction ends (PostgreSQL; SQLite has one
			// writer).
			key := recipientKey(r.Recipient, r.Organisation)
			if _, err := tx.ExecContext(ctx, `UPDATE stat_releases SET recipient_key = recipient_key WHERE recipient_key = $1`, key); err != nil {
				return fmt.Errorf("hold recipient's releases: %w", err)
			}
			if err := s.checkLedger(ctx, tx, key, id, r.Tables); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE stat_releases SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = $5`,
			to, actor.UserID, s.now().UTC(), id, ReleasePrepared)
		if err != nil {
			return fmt.Errorf("decide release: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "statistics.error.release_decided")
		}
		action := "statistics.release.reject"
		if to == ReleaseApproved {
			action = string(access.ApproveRelease)
		}
		return s.gate.Record(ctx, tx, actor, action, "statistics_release", id, "", r.Preset+" "+r.Period.String())
	})
	if err != nil {
		return s.refused(ctx, actor, access.ApproveRelease, id, err)
	}
	return nil
}

// ReleaseSummary is a release in the list.
type ReleaseSummary struct {
	ID, Preset              string
	Period                  Period
	Recipient, Organisation string
	Status                  ReleaseStatus
	PreparerName            string
	PreparedAt              time.Time
}

// Releases lists the releases, newest first.
func (s *Service) Releases(ctx context.Context, actor access.Actor) ([]ReleaseSummary, error) {
	if err := s.authorize(ctx, actor, "releases"); err != nil {
		return nil, err
	}
	var out []ReleaseSummary
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.preset, r.period_from, r.period_to, r.recipient, r.organisation, r.status,
				u.username, r.prepared_at
			FROM stat_releases r JOIN users u ON u.id = r.prepared_by ORDER BY r.prepared_at DESC, r.id DESC`)
		if err != nil {
			return fmt.Errorf("list releases: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r ReleaseSummary
			var from, to string
			if err := rows.Scan(&r.ID, &r.Preset, &from, &to, &r.Recipient, &r.Organisation, &r.Status, &r.PreparerName, &r.PreparedAt); err != nil {
				return fmt.Errorf("scan release: %w", err)
			}
			r.Period = parseDays(from, to)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReleaseByID returns a release with its published tables.
func (s *Service) ReleaseByID(ctx context.Context, actor access.Actor, id string) (*Release, error) {
	if err := s.authorize(ctx, actor, "release"); err != nil {
		return nil, err
	}
	var r *Release
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		r, err = s.release(ctx, tx, id)
		return err
	})
	return r, err
}

// Published returns an approved release for download in format (csv,
// xlsx, sdmx, report, pdf) and audits the download. A release not (yet)
// approved is refused: nothing unapproved leaves Waymark.
func (s *Service) Published(ctx context.Context, actor access.Actor, id, format string) (*Release, error) {
	if err := s.authorize(ctx, actor, "release"); err != nil {
		return nil, err
	}
	var r *Release
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if r, err = s.release(ctx, tx, id); err != nil {
			return err
		}
		if r.Status != ReleaseApproved {
			return apperr.New(apperr.Conflict, "statistics.error.release_not_approved")
		}
		return s.gate.Record(ctx, tx, actor, "statistics.release.download", "statistics_release", id, "", format)
	})
	if err != nil {
		return nil, s.refused(ctx, actor, access.ViewStatistics, id, err)
	}
	return r, nil
}

// release reads release id with its tables.
func (s *Service) release(ctx context.Context, tx *storage.Tx, id string) (*Release, error) {
	r := &Release{ID: id}
	var from, to, sensitive string
	var decidedBy, decider sql.NullString
	var decidedAt *time.Time
	err := tx.QueryRowContext(ctx, `SELECT r.preset, r.period_from, r.period_to, r.recipient, r.organisation, r.threshold, r.rounding,
			r.sensitive, r.status, r.prepared_by, p.username, r.prepared_at, r.decided_by, d.username, r.decided_at
		FROM stat_releases r JOIN users p ON p.id = r.prepared_by LEFT JOIN users d ON d.id = r.decided_by
		WHERE r.id = $1`, id).Scan(&r.Preset, &from, &to, &r.Recipient, &r.Organisation, &r.Threshold, &r.Rounding, &sensitive,
		&r.Status, &r.PreparedBy, &r.PreparerName, &r.PreparedAt, &decidedBy, &decider, &decidedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("read release: %w", err)
	}
	r.Period = parseDays(from, to)
	r.DecidedBy, r.DeciderName = decidedBy.String, decider.String
	if decidedAt != nil {
		r.DecidedAt = *decidedAt
	}
	if err := json.Unmarshal([]byte(sensitive), &r.Sensitive); err != nil {
		return nil, fmt.Errorf("decode sensitive categories: %w", err)
	}
	r.Tables, err = releasedTables(ctx, tx, `WHERE release_id = $1`, id)
	return r, err
}

// releasedTables reads the ledger entries the condition selects (on
// stat_release_tables, joined to stat_releases as r), in release and
// table order.
func releasedTables(ctx context.Context, tx *storage.Tx, where string, args ...any) ([]ReleasedTable, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.preset, t.code, t.published FROM stat_release_tables t JOIN stat_releases r ON r.id = t.release_id `+
		where+` ORDER BY r.prepared_at, r.id, t.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read released tables: %w", err)
	}
	defer rows.Close()
	var out []ReleasedTable
	for rows.Next() {
		var t ReleasedTable
		var pub string
		if err := rows.Scan(&t.Preset, &t.Code, &pub); err != nil {
			return nil, fmt.Errorf("scan released table: %w", err)
		}
		if err := json.Unmarshal([]byte(pub), &t.Published); err != nil {
			return nil, fmt.Errorf("decode released table: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// parseDays reads a period stored as its first and last day.
func parseDays(from, to string) Period {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	return Period{From: f, To: t}
}

// ThresholdAllowed says whether a release may withhold counts up to n: at
// least the installation's threshold, so that whoever prepares a release
// (the analyst too) cannot lower it and read small counts in the preview,
// and at most disclosure.MaxThreshold.
func (s *Service) ThresholdAllowed(n int) bool {
	return n >= s.smallCounts && n <= disclosure.MaxThreshold
}

// SmallCounts is the installation's threshold, a release's default.
func (s *Service) SmallCounts() int { return s.smallCounts }
