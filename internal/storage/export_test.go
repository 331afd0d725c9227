package storage

import (
	"context"
	"fmt"
)

// MigrateThrough applies the migrations up to and including the file last,
// so a test can write rows as an older release did and then see what the
// next migration makes of them.
func (db *DB) MigrateThrough(ctx context.Context, last string) error {
	if err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := MigrationNames(db.Engine)
	if err != nil {
		return err
	}
	for _, name := range names {
		if name > last {
			break
		}
		if err := db.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}
