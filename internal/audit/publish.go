package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"waymark.city/waymark/internal/storage"
)

// Checkpoints kept only in the database cannot show a rollback: whoever
// cuts the log back to an earlier signed checkpoint removes the later ones
// with it (see the package documentation). A Publisher therefore copies the
// latest checkpoint out of the database — into an append-only file the
// operator ships elsewhere, and to a witness URL if one is set — and a server
// refuses to start on a log older than the file's newest checkpoint.
//
// The file has one line per checkpoint:
//
//	<RFC 3339 time> <entries> <signed note, standard base64>
//
// so it can be read with ordinary tools and checked with
// `waymark audit verify --against FILE`.

// ReadPublished reads a checkpoint file, checking every line's signature
// with verifier. A final line without its newline is a write cut short by a
// crash and is skipped; any other malformed or unsigned line is an error
// naming its line number.
func ReadPublished(path string, verifier note.Verifier) ([]Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read published checkpoints: %w", err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		data = data[:i+1]
	}
	var out []Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<10)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		c, err := parsePublished(sc.Text(), verifier)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}

func parsePublished(line string, verifier note.Verifier) (Checkpoint, error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return Checkpoint{}, errors.New("not a published checkpoint (time, entries, signed note)")
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Checkpoint{}, errors.New("the number of entries is not a number")
	}
	signed, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil {
		return Checkpoint{}, errors.New("the signed note is not base64")
	}
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the checkpoint has no valid signature by the audit key: %w", err)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil || tree.N != size {
		return Checkpoint{}, errors.New("the checkpoint is malformed or labelled with the wrong number of entries")
	}
	return Checkpoint{Size: tree.N, Root: tree.Hash, Signed: string(signed)}, nil
}

// newest is the checkpoint covering the most entries; a zero Checkpoint
// when there is none.
func newest(cps []Checkpoint) Checkpoint {
	var c Checkpoint
	for _, p := range cps {
		if p.Size > c.Size {
			c = p
		}
	}
	return c
}

// CheckPublished reports whether the log still holds the tree of published
// checkpoint c: at least c.Size entries whose stored tree hashes give c's
// root. It reads about log₂ n stored hashes, cheap enough for every server
// start; `audit verify --against` checks the rows themselves.
func (l *Log) CheckPublished(ctx context.Context, db *storage.DB, c Checkpoint) error {
	if c.Size == 0 {
		return nil
	}
	size, _, err := l.Head(ctx, db)
	if err != nil {
		return err
	}
	if size < c.Size {
		return fmt.Errorf("the audit log has %d entries but a published checkpoint covers %d: the database was rolled back or restored from an older backup, and %d audit entries are gone",
			size, c.Size, c.Size-size)
	}
	var root tlog.Hash
	err = db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		root, err = tlog.TreeHash(c.Size, txHashReader(ctx, tx))
		return err
	})
	if err != nil {
		return fmt.Errorf("compute the audit tree at %d entries: %w", c.Size, err)
	}
	if root != c.Root {
		return fmt.Errorf("the first %d audit entries differ from the published checkpoint for them: the log was rewritten or rolled back and written again", c.Size)
	}
	return nil
}

// Publisher copies the log's latest checkpoint out of the database. It is
// safe for concurrent use.
type Publisher struct {
	log     *Log
	db      *storage.DB
	path    string
	witness string
	client  *http.Client
	logger  *slog.Logger

	mu        sync.Mutex
	published int64 // entries covered by the newest checkpoint in the file
	witnessed int64 // entries covered by the newest checkpoint the witness took
}

// NewPublisher returns a Publisher appending to the file at path and, when
// witness is not empty, posting each new checkpoint to that URL.
func NewPublisher(l *Log, db *storage.DB, path, witness string, logger *slog.Logger) *Publisher {
	return &Publisher{log: l, db: db, path: path, witness: witness, logger: logger,
		client: &http.Client{Timeout: 10 * time.Second}}
}

// Path is the checkpoint file.
func (p *Publisher) Path() string { return p.path }

// Check refuses a log older than, or inconsistent with, the newest
// checkpoint in the file (a missing file is a new installation: nothing was
// published yet). Call it before serving.
func (p *Publisher) Check(ctx context.Context) error {
	cps, err := ReadPublished(p.path, p.log.verifier)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	c := newest(cps)
	if err := p.log.CheckPublished(ctx, p.db, c); err != nil {
		return fmt.Errorf("%w. Waymark will not run on this log: find out what happened (compare the backups, run `waymark audit verify --against %s`); if an older backup was restored on purpose, move %s aside, keeping it as evidence, and start again", err, p.path, p.path)
	}
	p.mu.Lock()
	p.published = max(p.published, c.Size)
	p.mu.Unlock()
	return nil
}

// Publish appends the latest checkpoint to the file and sends it to the
// witness, each unless it has taken that checkpoint or a newer one already.
func (p *Publisher) Publish(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.log.Latest(ctx, p.db)
	if err != nil || c.Size == 0 {
		return err
	}
	if c.Size > p.published {
		if err := appendPublished(p.path, c); err != nil {
			return err
		}
		p.published = c.Size
	}
	if p.witness != "" && c.Size > p.witnessed {
		if err := p.send(ctx, c); err != nil {
			return err
		}
		p.witnessed = c.Size
	}
	return nil
}

// send posts the signed note to the witness.
func (p *Publisher) send(ctx context.Context, c Checkpoint) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.witness, strings.NewReader(c.Signed))
	if err != nil {
		return fmt.Errorf("send audit checkpoint to witness: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	res, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("send audit checkpoint to witness: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("send audit checkpoint to witness: %s", res.Status)
	}
	return nil
}

// appendPublished appends c's line to the file and syncs it. A last line
// cut short by a crash is dropped first, so the file never holds a torn line
// in its middle.
func appendPublished(path string, c Checkpoint) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("publish audit checkpoint: %w", err)
	}
	defer f.Close()
	if err := dropTornLine(f); err != nil {
		return fmt.Errorf("publish audit checkpoint: %w", err)
	}
	line := fmt.Appendf(nil, "%s %d %s\n", storage.Now().Format(time.RFC3339), c.Size, base64.StdEncoding.EncodeToString([]byte(c.Signed)))
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("publish audit checkpoint: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("publish audit checkpoint: %w", err)
	}
	return nil
}

// dropTornLine truncates f after its last newline. A line is a few hundred
// bytes, so the tail read is enough to find it.
func dropTornLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	tail := make([]byte, min(fi.Size(), 64<<10))
	start := fi.Size() - int64(len(tail))
	if _, err := f.ReadAt(tail, start); err != nil {
		return err
	}
	if tail[len(tail)-1] == '\n' {
		return nil
	}
	return f.Truncate(start + int64(bytes.LastIndexByte(tail, '\n')+1))
}

// Run publishes at once, then every interval until ctx ends, then once
// more, so a server that stops leaves its last checkpoint published.
// Failures are logged and retried on the next round.
func (p *Publisher) Run(ctx context.Context, every time.Duration) {
	if err := p.Publish(ctx); err != nil && ctx.Err() == nil {
		p.logger.Warn("audit checkpoint not published", "err", err)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := p.Publish(ctx); err != nil && ctx.Err() == nil {
				p.logger.Warn("audit checkpoint not published", "err", err)
			}
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := p.Publish(final); err != nil {
				p.logger.Warn("audit checkpoint not published", "err", err)
			}
			return
		}
	}
}
