// Package backup writes and restores encrypted, engine-independent logical
// backups of a Waymark database: a backup taken from SQLite restores into
// PostgreSQL and back.
//
// A backup is one consistent snapshot of every table, written as JSON lines
// (a start line, then per table a column header and its rows, then the
// manifest), gzipped, and sealed with AES-256-GCM in 64 KiB chunks whose
// additional data binds the file header, the chunk index and a final-chunk
// flag, so damage, reordering and truncation are all detected.
package backup

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// formatVersion is the version of the JSON-lines content.
const formatVersion = 1

// BackupKey is the AES-256 key a backup is sealed with and the id under
// which Restore will look it up again.
type BackupKey struct {
	ID  string
	Key []byte // 32 bytes
}

// KeyLookup returns the key with the given id, for Restore.
type KeyLookup func(id string) ([]byte, error)

// Manifest describes a backup. It travels, authenticated, at the end of the
// backup itself; callers may also keep a copy next to the file.
type Manifest struct {
	Format     int              `json:"format"`
	Created    time.Time        `json:"created"`
	Engine     storage.Engine   `json:"engine"`
	KeyID      string           `json:"key_id"`
	Migrations []string         `json:"migrations"`
	Rows       map[string]int64 `json:"rows"`   // every table, including empty ones
	SHA256     string           `json:"sha256"` // hex SHA-256 of the JSON lines before the manifest line
}

// start is the first line of the content.
type start struct {
	Format     int            `json:"format"`
	Created    time.Time      `json:"created"`
	Engine     storage.Engine `json:"engine"`
	Migrations []string       `json:"migrations"`
}

// line is any line of the content: exactly one of Start, C (a table's
// column header, with T), R (a row of table T) or Manifest is set.
type line struct {
	Start    *start            `json:"start,omitempty"`
	T        string            `json:"t,omitempty"`
	C        []string          `json:"c,omitempty"`
	R        []json.RawMessage `json:"r,omitempty"`
	Manifest *Manifest         `json:"manifest,omitempty"`
}

// Backup writes an encrypted backup of db to w and returns its manifest. It
// reads inside one snapshot transaction, so writers carry on meanwhile and
// the backup shows the database at one instant.
func Backup(ctx context.Context, db *storage.DB, key BackupKey, w io.Writer) (Manifest, error) {
	enc, err := newEncrypter(w, key)
	if err != nil {
		return Manifest{}, err
	}
	gz := gzip.NewWriter(enc)
	out := bufio.NewWriterSize(gz, chunkSize)
	sum := sha256.New()
	// emit writes a content line and adds it to the checksum.
	emit := func(b []byte) error {
		sum.Write(b)
		if _, err := out.Write(b); err != nil {
			return fmt.Errorf("write backup: %w", err)
		}
		return nil
	}

	m := Manifest{Format: formatVersion, Created: storage.Now(), Engine: db.Engine, KeyID: key.ID, Rows: map[string]int64{}}
	err = db.Snapshot(ctx, func(tx *storage.Tx) error {
		if m.Migrations, err = appliedMigrations(ctx, tx); err != nil {
			return err
		}
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		first, err := json.Marshal(line{Start: &start{Format: m.Format, Created: m.Created, Engine: m.Engine, Migrations: m.Migrations}})
		if err != nil {
			return fmt.Errorf("encode backup start: %w", err)
		}
		if err := emit(append(first, '\n')); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := backupTable(ctx, tx, t, emit)
			if err != nil {
				return err
			}
			m.Rows[t.Name] = n
		}
		return nil
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("back up %s database: %w", db.Engine, err)
	}
	m.SHA256 = hex.EncodeToString(sum.Sum(nil))
	last, err := json.Marshal(line{Manifest: &m})
	if err != nil {
		return Manifest{}, fmt.Errorf("encode backup manifest: %w", err)
	}
	if _, err := out.Write(append(last, '\n')); err != nil {
		return Manifest{}, fmt.Errorf("write backup: %w", err)
	}
	if err := out.Flush(); err != nil {
		return Manifest{}, fmt.Errorf("write backup: %w", err)
	}
	if err := gz.Close(); err != nil {
		return Manifest{}, fmt.Errorf("write backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func appliedMigrations(ctx context.Context, tx *storage.Tx) ([]string, error) {
	names, err := queryStrings(ctx, tx, `SELECT name FROM `+migrationsTable+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	return names, nil
}

// backupTable writes t's column header and rows, returning the row count.
func backupTable(ctx context.Context, tx *storage.Tx, t table, emit func([]byte) error) (int64, error) {
	head, err := json.Marshal(line{T: t.Name, C: t.Columns})
	if err != nil {
		return 0, fmt.Errorf("encode header of %s: %w", t.Name, err)
	}
	if err := emit(append(head, '\n')); err != nil {
		return 0, err
	}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote(c)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quote(t.Name))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	prefix := appendJSONString([]byte(`{"t":`), t.Name)
	prefix = append(prefix, `,"r":[`...)
	var n int64
	buf := make([]byte, 0, 1024)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("read %s: %w", t.Name, err)
		}
		buf = append(buf[:0], prefix...)
		for i, v := range vals {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, err = appendValue(buf, v); err != nil {
				return 0, fmt.Errorf("encode %s.%s: %w", t.Name, t.Columns[i], err)
			}
		}
		buf = append(buf, "]}\n"...)
		if err := emit(buf); err != nil {
			return 0, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", t.Name, err)
	}
	return n, nil
}

// contentReader reads the content lines of a backup and keeps the checksum.
type contentReader struct {
	r   *bufio.Reader
	sum hash.Hash
}

// next returns the next line. The manifest line is not part of the checksum.
func (c *contentReader) next() (line, error) {
	b, err := c.r.ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return line{}, unreadable("backup ends before its manifest")
		}
		return line{}, readError(err)
	}
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return line{}, unreadable("bad backup line: %w", err)
	}
	if l.Manifest == nil {
		c.sum.Write(b)
	}
	return l, nil
}

// readError keeps the decrypter's apperr errors and calls anything else in
// the stream (gzip, framing) unreadable.
func readError(err error) error {
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	return unreadable("read backup: %w", err)
}

// Restore reads a backup from r, decrypting it with the key keys returns for
// the id in its header, and loads it into target, which must be freshly
// migrated to the same migrations and hold no data. Everything happens in
// one transaction: on any error target is left as it was. Restore checks the
// checksum, the row counts and the database's integrity before it commits,
// and returns the backup's manifest.
func Restore(ctx context.Context, r io.Reader, keys KeyLookup, target *storage.DB) (Manifest, error) {
	dec, err := newDecrypter(r, keys)
	if err != nil {
		return Manifest{}, err
	}
	gz, err := gzip.NewReader(dec)
	if err != nil {
		return Manifest{}, readError(err)
	}
	gz.Multistream(false)
	content := &contentReader{r: bufio.NewReaderSize(gz, chunkSize), sum: sha256.New()}
	first, err := content.next()
	if err != nil {
		return Manifest{}, err
	}
	if first.Start == nil {
		return Manifest{}, unreadable("backup does not begin with a start line")
	}
	if first.Start.Format != formatVersion {
		return Manifest{}, apperr.Wrap(apperr.Invalid, "error.backup_unsupported", fmt.Errorf("backup content format %d", first.Start.Format))
	}
	seeds, err := seedRows(ctx, target)
	if err != nil {
		return Manifest{}, err
	}

	var m Manifest
	err = target.Write(ctx, func(tx *storage.Tx) error {
		r := &restorer{tx: tx, content: content, inserted: map[string]int64{}}
		var err error
		m, err = r.run(ctx, first.Start, seeds)
		return err
	})
	if err != nil {
		return Manifest{}, fmt.Errorf("restore into %s database: %w", target.Engine, err)
	}
	m.KeyID = dec.keyID
	return m, nil
}

// seedRows counts the rows the migrations themselves insert (such as
// singleton rows), per table, by migrating a scratch SQLite database: a
// freshly migrated target holds exactly these and still counts as empty.
func seedRows(ctx context.Context, target *storage.DB) (map[string]int64, error) {
	// Only needed when the target has rows at all.
	var nonEmpty bool
	err := target.Read(ctx, func(tx *storage.Tx) error {
		counts, err := countRows(ctx, tx)
		for _, n := range counts {
			nonEmpty = nonEmpty || n > 0
		}
		return err
	})
	if err != nil || !nonEmpty {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "waymark-restore-")
	if err != nil {
		return nil, fmt.Errorf("create scratch database: %w", err)
	}
	defer os.RemoveAll(dir)
	scratch, err := storage.OpenDataDir(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("open scratch database: %w", err)
	}
	defer scratch.Close()
	if err := scratch.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate scratch database: %w", err)
	}
	var seeds map[string]int64
	err = scratch.Read(ctx, func(tx *storage.Tx) error {
		var err error
		seeds, err = countRows(ctx, tx)
		return err
	})
	return seeds, err
}

func countRows(ctx context.Context, tx *storage.Tx) (map[string]int64, error) {
	tables, err := catalogue(ctx, tx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quote(t.Name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.Name, err)
		}
		counts[t.Name] = n
	}
	return counts, nil
}

// restorer loads one backup inside the target's transaction.
type restorer struct {
	tx       *storage.Tx
	content  *contentReader
	tables   map[string]table
	inserted map[string]int64
}

func (r *restorer) run(ctx context.Context, st *start, seeds map[string]int64) (Manifest, error) {
	tx := r.tx
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return Manifest{}, err
	}
	if !slices.Equal(applied, st.Migrations) {
		return Manifest{}, apperr.Wrap(apperr.Conflict, "error.backup_schema_mismatch",
			fmt.Errorf("backup has migrations %v, target has %v", st.Migrations, applied))
	}
	tables, err := catalogue(ctx, tx)
	if err != nil {
		return Manifest{}, err
	}
	r.tables = map[string]table{}
	for _, t := range tables {
		r.tables[t.Name] = t
	}
	if err := r.clearSeeds(ctx, seeds); err != nil {
		return Manifest{}, err
	}
	fks, err := r.suspendForeignKeys(ctx)
	if err != nil {
		return Manifest{}, err
	}

	var (
		m   *Manifest
		cur *insert
	)
	defer func() { cur.close() }()
	for m == nil {
		l, err := r.content.next()
		if err != nil {
			return Manifest{}, err
		}
		switch {
		case l.Manifest != nil:
			m = l.Manifest
		case l.T != "" && l.C != nil:
			cur.close()
			if cur, err = r.startTable(ctx, l); err != nil {
				return Manifest{}, err
			}
		case l.T != "" && l.R != nil && cur != nil && l.T == cur.table:
			if err := cur.row(ctx, l.R); err != nil {
				return Manifest{}, err
			}
			r.inserted[cur.table]++
		default:
			return Manifest{}, unreadable("unexpected backup line")
		}
	}
	// The manifest must be the last thing, and the stream must end properly
	// (which is when the final chunk is authenticated).
	if _, err := r.content.r.ReadByte(); err != io.EOF {
		if err == nil {
			return Manifest{}, unreadable("data after the backup manifest")
		}
		return Manifest{}, readError(err)
	}
	if err := r.verify(ctx, st, m); err != nil {
		return Manifest{}, err
	}
	if err := r.resumeForeignKeys(ctx, fks); err != nil {
		return Manifest{}, err
	}
	if err := r.checkIntegrity(ctx); err != nil {
		return Manifest{}, err
	}
	return *m, nil
}

// clearSeeds refuses a target holding data and removes the rows its own
// migrations inserted: the backup brings its own copies of them.
func (r *restorer) clearSeeds(ctx context.Context, seeds map[string]int64) error {
	counts, err := countRows(ctx, r.tx)
	if err != nil {
		return err
	}
	for name, n := range counts {
		if n > 0 && n != seeds[name] {
			return apperr.Wrap(apperr.Conflict, "error.backup_target_not_empty",
				fmt.Errorf("table %s has %d rows", name, n))
		}
	}
	for name, n := range counts {
		if n > 0 {
			if _, err := r.tx.ExecContext(ctx, `DELETE FROM `+quote(name)); err != nil {
				return fmt.Errorf("clear seeded rows of %s: %w", name, err)
			}
		}
	}
	return nil
}

// foreignKey is a PostgreSQL foreign key constraint, kept to re-create it.
type foreignKey struct{ table, name, def string }

// suspendForeignKeys lets rows arrive in any order. SQLite defers its checks
// to commit; PostgreSQL's constraints are not deferrable, so they are dropped
// and re-created (which validates every row) at the end of the same
// transaction.
func (r *restorer) suspendForeignKeys(ctx context.Context) ([]foreignKey, error) {
	if r.tx.Engine != storage.Postgres {
		if _, err := r.tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return nil, fmt.Errorf("defer foreign keys: %w", err)
		}
		return nil, nil
	}
	rows, err := r.tx.QueryContext(ctx, `SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
		FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
		WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace
		ORDER BY c.relname, k.conname`)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.table, &fk.name, &fk.def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list foreign keys: %w", err)
		}
		fks = append(fks, fk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	for _, fk := range fks {
		if _, err := r.tx.ExecContext(ctx, `ALTER TABLE `+quote(fk.table)+` DROP CONSTRAINT `+quote(fk.name)); err != nil {
			return nil, fmt.Errorf("suspend foreign key %s: %w", fk.name, err)
		}
	}
	return fks, nil
}

func (r *restorer) resumeForeignKeys(ctx context.Context, fks []foreignKey) error {
	for _, fk := range fks {
		if _, err := r.tx.ExecContext(ctx, `ALTER TABLE `+quote(fk.table)+` ADD CONSTRAINT `+quote(fk.name)+` `+fk.def); err != nil {
			return fmt.Errorf("restore foreign key %s: %w", fk.name, err)
		}
	}
	return nil
}

// insert adds rows to one table with a prepared statement.
type insert struct {
	table   string
	columns []string
	stmt    *sql.Stmt
	args    []any
}

func (in *insert) row(ctx context.Context, values []json.RawMessage) error {
	if len(values) != len(in.args) {
		return unreadable("row of %s has %d values, want %d", in.table, len(values), len(in.args))
	}
	var err error
	for i, raw := range values {
		if in.args[i], err = parseValue(raw); err != nil {
			return unreadable("bad value in %s.%s: %w", in.table, in.columns[i], err)
		}
	}
	if _, err := in.stmt.ExecContext(ctx, in.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", in.table, err)
	}
	return nil
}

func (in *insert) close() {
	if in != nil {
		in.stmt.Close()
	}
}

// startTable checks a table's column header against the target and prepares
// the insert for its rows.
func (r *restorer) startTable(ctx context.Context, head line) (*insert, error) {
	t, ok := r.tables[head.T]
	if !ok {
		return nil, apperr.Wrap(apperr.Conflict, "error.backup_schema_mismatch", fmt.Errorf("target has no table %s", head.T))
	}
	if _, seen := r.inserted[t.Name]; seen {
		return nil, unreadable("table %s appears twice", t.Name)
	}
	r.inserted[t.Name] = 0
	if !slices.Equal(slices.Sorted(slices.Values(head.C)), slices.Sorted(slices.Values(t.Columns))) {
		return nil, apperr.Wrap(apperr.Conflict, "error.backup_schema_mismatch",
			fmt.Errorf("table %s has columns %v in the backup, %v in the target", t.Name, head.C, t.Columns))
	}
	cols := make([]string, len(head.C))
	params := make([]string, len(head.C))
	for i, c := range head.C {
		cols[i] = quote(c)
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	q := `INSERT INTO ` + quote(t.Name) + ` (` + strings.Join(cols, ", ") + `)`
	if r.tx.Engine == storage.Postgres {
		q += ` OVERRIDING SYSTEM VALUE` // keep identity column values as backed up
	}
	q += ` VALUES (` + strings.Join(params, ", ") + `)`
	stmt, err := r.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare insert into %s: %w", t.Name, err)
	}
	return &insert{table: t.Name, columns: head.C, stmt: stmt, args: make([]any, len(head.C))}, nil
}

// verify compares what was restored with the manifest.
func (r *restorer) verify(ctx context.Context, st *start, m *Manifest) error {
	if got := hex.EncodeToString(r.content.sum.Sum(nil)); got != m.SHA256 {
		return unreadable("checksum %s does not match manifest %s", got, m.SHA256)
	}
	if m.Engine != st.Engine || !m.Created.Equal(st.Created) || !slices.Equal(m.Migrations, st.Migrations) {
		return unreadable("manifest does not match the start of the backup")
	}
	counts, err := countRows(ctx, r.tx)
	if err != nil {
		return err
	}
	for name, n := range counts {
		want, ok := m.Rows[name]
		if !ok {
			return apperr.Wrap(apperr.Conflict, "error.backup_schema_mismatch", fmt.Errorf("backup has no table %s", name))
		}
		if n != want || r.inserted[name] != want {
			return unreadable("table %s: %d rows restored, %d in the manifest", name, n, want)
		}
	}
	for name := range m.Rows {
		if _, ok := counts[name]; !ok {
			return apperr.Wrap(apperr.Conflict, "error.backup_schema_mismatch", fmt.Errorf("target has no table %s", name))
		}
	}
	return r.resetSequences(ctx)
}

// resetSequences moves PostgreSQL sequences behind serial or identity columns
// past the restored values, so the next insert does not collide. SQLite's
// AUTOINCREMENT bookkeeping follows inserted rows by itself.
func (r *restorer) resetSequences(ctx context.Context) error {
	if r.tx.Engine != storage.Postgres {
		return nil
	}
	rows, err := r.tx.QueryContext(ctx, `SELECT table_name, column_name, seq FROM (
			SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
			FROM information_schema.columns WHERE table_schema = current_schema()) s
		WHERE seq IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	type seq struct{ table, column, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.table, &s.column, &s.name); err != nil {
			rows.Close()
			return fmt.Errorf("list sequences: %w", err)
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	for _, s := range seqs {
		q := `SELECT setval($1, COALESCE((SELECT max(` + quote(s.column) + `) FROM ` + quote(s.table) + `), 0) + 1, false)`
		if _, err := r.tx.ExecContext(ctx, q, s.name); err != nil {
			return fmt.Errorf("reset sequence %s: %w", s.name, err)
		}
	}
	return nil
}

// checkIntegrity runs SQLite's own consistency checks; PostgreSQL has
// validated every foreign key when they were re-created.
func (r *restorer) checkIntegrity(ctx context.Context) error {
	if r.tx.Engine != storage.SQLite {
		return nil
	}
	var bad int
	if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&bad); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	if bad > 0 {
		return apperr.Wrap(apperr.Invalid, "error.backup_inconsistent", fmt.Errorf("%d rows with dangling foreign keys", bad))
	}
	res, err := queryStrings(ctx, r.tx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(res) != 1 || res[0] != "ok" {
		return apperr.Wrap(apperr.Internal, "error.backup_inconsistent", fmt.Errorf("integrity check: %d problems", len(res)))
	}
	return nil
}
