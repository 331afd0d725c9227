// Package jobs runs background work from a table in the database, so that
// several Waymark processes behind a load balancer share one schedule: a
// process claims a due job by taking a lease on its row, runs it, and
// schedules the next run. A process that dies mid-job loses its lease and
// another one picks the job up.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"waymark.city/waymark/internal/storage"
)

// Func is the work of one job kind. It gets the database and returns an
// error to retry later.
type Func func(ctx context.Context, db *storage.DB) error

// Periodic is a job that runs every Every.
type Periodic struct {
	Kind  string
	Every time.Duration
	Run   Func
}

// Runner claims and runs due jobs.
type Runner struct {
	db    *storage.DB
	log   *slog.Logger
	jobs  map[string]Periodic
	lease time.Duration
	now   func() time.Time
}

// New returns a runner for the given periodic jobs.
func New(db *storage.DB, log *slog.Logger, periodic ...Periodic) *Runner {
	r := &Runner{db: db, log: log, jobs: map[string]Periodic{}, lease: 5 * time.Minute, now: storage.Now}
	for _, p := range periodic {
		r.jobs[p.Kind] = p
	}
	return r
}

// Schedule makes sure every periodic job has a row; existing rows (and their
// next run time) are kept, so restarts do not reset the schedule.
func (r *Runner) Schedule(ctx context.Context) error {
	return r.db.Write(ctx, func(tx *storage.Tx) error {
		for kind := range r.jobs {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO jobs (id, kind, run_at) VALUES ($1, $1, $2)
				ON CONFLICT (id) DO NOTHING`, kind, r.now()); err != nil {
				return fmt.Errorf("schedule job %s: %w", kind, err)
			}
		}
		return nil
	})
}

// RunDue claims and runs every job that is due now and returns how many ran.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	ran := 0
	for {
		kind, ok, err := r.claim(ctx)
		if err != nil || !ok {
			return ran, err
		}
		r.finish(ctx, kind, r.jobs[kind].Run(ctx, r.db))
		ran++
	}
}

// claim takes the lease on one due job of a known kind.
func (r *Runner) claim(ctx context.Context) (string, bool, error) {
	var kind string
	err := r.db.Write(ctx, func(tx *storage.Tx) error {
		now := r.now()
		rows, err := tx.QueryContext(ctx, `
			SELECT kind FROM jobs
			WHERE run_at <= $1 AND (locked_until IS NULL OR locked_until < $1)
			ORDER BY run_at`+tx.ForUpdate(), now)
		if err != nil {
			return fmt.Errorf("find due jobs: %w", err)
		}
		var due []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			due = append(due, k)
		}
		rows.Close()
		for _, k := range due {
			if _, known := r.jobs[k]; known {
				kind = k
				_, err := tx.ExecContext(ctx, `UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id = $2`, now.Add(r.lease), k)
				return err
			}
		}
		return nil
	})
	return kind, kind != "", err
}

// finish records the outcome and schedules the next run.
func (r *Runner) finish(ctx context.Context, kind string, runErr error) {
	p := r.jobs[kind]
	next := r.now().Add(p.Every)
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
		next = r.now().Add(min(p.Every, time.Minute))
		r.log.Error("job failed", "job", kind, "err", runErr)
	}
	err := r.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET run_at = $1, locked_until = NULL, last_error = $2 WHERE id = $3`, next, msg, kind)
		return err
	})
	if err != nil {
		r.log.Error("finish job", "job", kind, "err", err)
	}
}

// Loop runs due jobs every interval until ctx ends.
func (r *Runner) Loop(ctx context.Context, interval time.Duration) {
	if err := r.Schedule(ctx); err != nil {
		r.log.Error("schedule jobs", "err", err)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.RunDue(ctx); err != nil && !errors.Is(err, context.Canceled) {
			r.log.Error("run jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
