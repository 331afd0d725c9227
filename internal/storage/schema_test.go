package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage"
)

// schemaOf describes a database's schema as sorted facts, one a line, in a
// form that is the same for SQLite and PostgreSQL when the two migration
// folders agree: tables, columns (type class, NOT NULL), primary keys, unique
// constraints, foreign keys and named indexes.
func schemaOf(t *testing.T, db *storage.DB) []string {
	t.Helper()
	var facts []string
	err := db.Read(t.Context(), func(tx *storage.Tx) error {
		var err error
		if db.Engine == storage.SQLite {
			facts, err = sqliteSchema(t.Context(), tx)
		} else {
			facts, err = postgresSchema(t.Context(), tx)
		}
		return err
	})
	if err != nil {
		t.Fatalf("read %s schema: %v", db.Engine, err)
	}
	slices.Sort(facts)
	return facts
}

// diffSchemas lists the facts only in a (prefixed -) or only in b (+).
func diffSchemas(a, b []string) string {
	var out []string
	for _, f := range a {
		if !slices.Contains(b, f) {
			out = append(out, "- "+f)
		}
	}
	for _, f := range b {
		if !slices.Contains(a, f) {
			out = append(out, "+ "+f)
		}
	}
	return strings.Join(out, "\n")
}

func queryStrings(ctx context.Context, tx *storage.Tx, q string, args ...any) ([][]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case []byte:
				row[i] = string(v)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// typeClass maps a declared column type of either engine to the kind of
// value it holds, so BLOB and BYTEA, TIMESTAMP and TIMESTAMPTZ compare equal.
func typeClass(declared string) string {
	d := strings.ToLower(declared)
	switch {
	case d == "timestamp" || d == "timestamp with time zone" || d == "datetime":
		return "time"
	case strings.Contains(d, "int"):
		return "int"
	case d == "text" || strings.Contains(d, "char"):
		return "text"
	case d == "blob" || d == "bytea":
		return "bytes"
	case strings.HasPrefix(d, "bool"):
		return "bool"
	case d == "real" || d == "double precision" || d == "float":
		return "float"
	}
	return d // anything else must be spelled the same on both engines
}

func sqliteSchema(ctx context.Context, tx *storage.Tx) ([]string, error) {
	tables, err := queryStrings(ctx, tx,
		`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var facts []string
	for _, tr := range tables {
		table := tr[0]
		facts = append(facts, "table "+table)
		cols, err := queryStrings(ctx, tx, `SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY pk, cid`, table)
		if err != nil {
			return nil, err
		}
		var pk []string
		for _, c := range cols {
			// SQLite lets a non-INTEGER primary key column hold NULL unless it
			// says NOT NULL; PostgreSQL never does. Waymark never stores NULL
			// keys, so count primary key columns as NOT NULL on both.
			notNull := c[2] == "1" || c[3] != "0"
			facts = append(facts, fmt.Sprintf("column %s.%s %s notnull=%v", table, c[0], typeClass(c[1]), notNull))
			if c[3] != "0" {
				pk = append(pk, c[0])
			}
		}
		if len(pk) > 0 {
			facts = append(facts, fmt.Sprintf("primary key %s (%s)", table, strings.Join(pk, ", ")))
		}
		idx, err := queryStrings(ctx, tx, `SELECT name, "unique", origin FROM pragma_index_list($1)`, table)
		if err != nil {
			return nil, err
		}
		for _, ix := range idx {
			switch ix[2] {
			case "c":
				facts = append(facts, fmt.Sprintf("index %s.%s unique=%v", table, ix[0], ix[1] == "1"))
			case "u":
				cols, err := queryStrings(ctx, tx, `SELECT name FROM pragma_index_info($1) ORDER BY seqno`, ix[0])
				if err != nil {
					return nil, err
				}
				facts = append(facts, fmt.Sprintf("unique %s (%s)", table, joinFirst(cols)))
			}
		}
		fks, err := queryStrings(ctx, tx,
			`SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq`, table)
		if err != nil {
			return nil, err
		}
		facts = append(facts, sqliteForeignKeys(table, fks)...)
	}
	return facts, nil
}

// sqliteForeignKeys spells SQLite's foreign keys the way PostgreSQL's
// pg_get_constraintdef does.
func sqliteForeignKeys(table string, fks [][]string) []string {
	type fk struct {
		parent, onUpdate, onDelete string
		from, to                   []string
	}
	var order []string
	byID := map[string]*fk{}
	for _, r := range fks {
		f, ok := byID[r[0]]
		if !ok {
			f = &fk{parent: r[1], onUpdate: r[4], onDelete: r[5]}
			byID[r[0]] = f
			order = append(order, r[0])
		}
		f.from = append(f.from, r[2])
		f.to = append(f.to, r[3])
	}
	var out []string
	for _, id := range order {
		f := byID[id]
		def := fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s(%s)", strings.Join(f.from, ", "), f.parent, strings.Join(f.to, ", "))
		if f.onUpdate != "NO ACTION" {
			def += " ON UPDATE " + f.onUpdate
		}
		if f.onDelete != "NO ACTION" {
			def += " ON DELETE " + f.onDelete
		}
		out = append(out, fmt.Sprintf("foreign key %s %s", table, def))
	}
	return out
}

func joinFirst(rows [][]string) string {
	var s []string
	for _, r := range rows {
		s = append(s, r[0])
	}
	return strings.Join(s, ", ")
}

func postgresSchema(ctx context.Context, tx *storage.Tx) ([]string, error) {
	var facts []string
	tables, err := queryStrings(ctx, tx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		return nil, err
	}
	for _, tr := range tables {
		facts = append(facts, "table "+tr[0])
	}
	cols, err := queryStrings(ctx, tx, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		facts = append(facts, fmt.Sprintf("column %s.%s %s notnull=%v", c[0], c[1], typeClass(c[2]), c[3] == "NO"))
	}
	// Primary key and unique constraints with their columns in key order.
	cons, err := queryStrings(ctx, tx, `SELECT cl.relname, c.contype,
			string_agg(a.attname, ', ' ORDER BY k.ord)
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
		WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u')
		GROUP BY cl.relname, c.oid, c.contype`)
	if err != nil {
		return nil, err
	}
	for _, c := range cons {
		kind := "primary key"
		if c[1] == "u" {
			kind = "unique"
		}
		facts = append(facts, fmt.Sprintf("%s %s (%s)", kind, c[0], c[2]))
	}
	fks, err := queryStrings(ctx, tx, `SELECT cl.relname, pg_get_constraintdef(c.oid)
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE n.nspname = current_schema() AND c.contype = 'f'`)
	if err != nil {
		return nil, err
	}
	for _, f := range fks {
		facts = append(facts, fmt.Sprintf("foreign key %s %s", f[0], f[1]))
	}
	// Indexes made by CREATE INDEX, not those backing a constraint.
	idx, err := queryStrings(ctx, tx, `SELECT t.relname, i.relname, ix.indisunique
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema()
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)`)
	if err != nil {
		return nil, err
	}
	for _, ix := range idx {
		facts = append(facts, fmt.Sprintf("index %s.%s unique=%v", ix[0], ix[1], ix[2] == "true"))
	}
	return facts, nil
}
