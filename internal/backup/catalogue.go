package backup

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"waymark.city/waymark/internal/storage"
)

// table is one table of the schema with its stored (not generated) columns
// in declaration order.
type table struct {
	Name    string
	Columns []string
}

// migrationsTable records applied migrations; a backup names them in its
// manifest instead of copying the table.
const migrationsTable = "schema_migrations"

// catalogue lists the database's tables, read from the engine's own
// catalogue so that tables added by any migration are included, in an order
// where every table comes after the tables its foreign keys point to (where
// cycles allow).
func catalogue(ctx context.Context, tx *storage.Tx) ([]table, error) {
	var (
		names   []string
		parents map[string][]string
		err     error
	)
	if tx.Engine == storage.Postgres {
		names, parents, err = postgresTables(ctx, tx)
	} else {
		names, parents, err = sqliteTables(ctx, tx)
	}
	if err != nil {
		return nil, err
	}
	var tables []table
	for _, name := range fkOrder(names, parents) {
		cols, err := columns(ctx, tx, name)
		if err != nil {
			return nil, err
		}
		tables = append(tables, table{Name: name, Columns: cols})
	}
	return tables, nil
}

func sqliteTables(ctx context.Context, tx *storage.Tx) ([]string, map[string][]string, error) {
	// pragma_table_list leaves out views, virtual tables and their shadow tables.
	names, err := queryStrings(ctx, tx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> $1 ORDER BY name`, migrationsTable)
	if err != nil {
		return nil, nil, err
	}
	parents := map[string][]string{}
	for _, n := range names {
		ps, err := queryStrings(ctx, tx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`, n)
		if err != nil {
			return nil, nil, err
		}
		parents[n] = ps
	}
	return names, parents, nil
}

func postgresTables(ctx context.Context, tx *storage.Tx) ([]string, map[string][]string, error) {
	names, err := queryStrings(ctx, tx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1 ORDER BY table_name`, migrationsTable)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.relname, p.relname
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class p ON p.oid = k.confrelid
		WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, nil, fmt.Errorf("list foreign keys: %w", err)
	}
	defer rows.Close()
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, nil, fmt.Errorf("list foreign keys: %w", err)
		}
		parents[child] = append(parents[child], parent)
	}
	return names, parents, rows.Err()
}

func columns(ctx context.Context, tx *storage.Tx, name string) ([]string, error) {
	if tx.Engine == storage.Postgres {
		return queryStrings(ctx, tx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'
			ORDER BY ordinal_position`, name)
	}
	// hidden = 0: neither generated nor a virtual table's hidden column.
	return queryStrings(ctx, tx, `SELECT name FROM pragma_table_xinfo($1) WHERE hidden = 0 ORDER BY cid`, name)
}

// fkOrder sorts names so parents come before children; ties and whatever a
// cycle leaves over keep alphabetical order. Self-references are ignored.
func fkOrder(names []string, parents map[string][]string) []string {
	names = slices.Sorted(slices.Values(names))
	placed := map[string]bool{}
	var out []string
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if placed[n] {
				continue
			}
			ready := true
			for _, p := range parents[n] {
				if p != n && !placed[p] && slices.Contains(names, p) {
					ready = false
					break
				}
			}
			if ready {
				placed[n] = true
				out = append(out, n)
				progress = true
			}
		}
		if !progress { // a cycle: take the rest as they are
			for _, n := range names {
				if !placed[n] {
					placed[n] = true
					out = append(out, n)
				}
			}
		}
	}
	return out
}

func queryStrings(ctx context.Context, tx *storage.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("read catalogue: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// quote makes an identifier safe to splice into SQL on both engines.
func quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}
