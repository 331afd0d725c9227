package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/files"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/vault"
)

// Config holds the limits of the public intake. Zero values take the
// defaults of DefaultConfig.
type Config struct {
	// ReceivingOrgID is the organisation new reports go to; empty means
	// the oldest active organisation of kind "hotline", if any.
	ReceivingOrgID string
	// MaxAttachments per report and MaxAttachmentSize per file (bytes).
	MaxAttachments    int
	MaxAttachmentSize int64
	// AttachmentQuota is the total size of all stored attachments (bytes).
	AttachmentQuota int64
	// Difficulty is the proof of work asked for (leading zero bits);
	// MinDifficulty the least a challenge may carry to count.
	Difficulty    int
	MinDifficulty int
	// ChallengeTTL is how long a form's challenge stays valid.
	ChallengeTTL time.Duration
	// Rate limits per hour: per client and for everyone together.
	SubmitsPerHour    int
	SubmitsPerHourAll int
	// SubmitsPerMinuteAll smooths a flood: without it the hourly allowance
	// could arrive in one burst of receipt hashing that starves staff pages.
	SubmitsPerMinuteAll int
	CodeTriesPerHour    int
	CodeTriesPerHourAll int
	// MaxHeld caps the reports waiting in the held queue; beyond it a
	// report without a valid proof of work is refused (one with a proof is
	// still taken), so a flood of scripted submissions cannot grow the
	// database without bound.
	MaxHeld int
	// MaxMessages caps a report's thread.
	MaxMessages int
	// Deadlines are the first-response deadlines of the triage queue per
	// urgency; zero fields take DefaultDeadlines (see triage.go).
	Deadlines Deadlines
}

// DefaultConfig is the production configuration.
var DefaultConfig = Config{
	MaxAttachments:      3,
	MaxAttachmentSize:   5 << 20,
	AttachmentQuota:     2 << 30,
	Difficulty:          17,
	MinDifficulty:       12,
	ChallengeTTL:        6 * time.Hour,
	SubmitsPerHour:      6,
	SubmitsPerHourAll:   3000,
	SubmitsPerMinuteAll: 50,
	CodeTriesPerHour:    10,
	CodeTriesPerHourAll: 2000,
	MaxHeld:             5000,
	MaxMessages:         200,
}

func (c Config) withDefaults() Config {
	d := DefaultConfig
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.MaxAttachments, d.MaxAttachments)
	set(&c.Difficulty, d.Difficulty)
	set(&c.MinDifficulty, d.MinDifficulty)
	set(&c.SubmitsPerHour, d.SubmitsPerHour)
	set(&c.SubmitsPerHourAll, d.SubmitsPerHourAll)
	set(&c.SubmitsPerMinuteAll, d.SubmitsPerMinuteAll)
	set(&c.CodeTriesPerHour, d.CodeTriesPerHour)
	set(&c.CodeTriesPerHourAll, d.CodeTriesPerHourAll)
	set(&c.MaxHeld, d.MaxHeld)
	set(&c.MaxMessages, d.MaxMessages)
	if c.MaxAttachmentSize == 0 {
		c.MaxAttachmentSize = d.MaxAttachmentSize
	}
	if c.AttachmentQuota == 0 {
		c.AttachmentQuota = d.AttachmentQuota
	}
	if c.ChallengeTTL == 0 {
		c.ChallengeTTL = d.ChallengeTTL
	}
	c.MinDifficulty = min(c.MinDifficulty, c.Difficulty)
	return c
}

// MaxBody is the largest request body a report form may send with its
// attachments: every file at its limit, plus room for the text fields and
// the multipart framing.
func (c Config) MaxBody() int64 {
	c = c.withDefaults()
	return int64(c.MaxAttachments)*c.MaxAttachmentSize + 1<<20
}

// Deps are what the Service needs.
type Deps struct {
	DB        *storage.DB
	Vault     *vault.Vault
	Audit     *audit.Log
	Hasher    *auth.Hasher
	Catalogue *screening.Catalogue
	Log       *slog.Logger
	Config    Config
	// Notifier, when set, mails on-call staff about urgent reports (see
	// notify.go); nil sends nothing.
	Notifier *notify.Notifier
	// Now is the clock; nil means storage.Now. Tests move it.
	Now func() time.Time
	// Codes looks up a campaign attribution code as typed and returns its
	// stored form, or "" when no material has it (campaigns.KnownCode);
	// nil keeps no code.
	Codes func(ctx context.Context, tx *storage.Tx, typed string) (string, error)
}

// Service takes reports and keeps their threads. It is safe for concurrent
// use; all shared state is in the database.
type Service struct {
	db        *storage.DB
	vault     *vault.Vault
	audit     *audit.Log
	hasher    *auth.Hasher
	catalogue *screening.Catalogue
	log       *slog.Logger
	cfg       Config
	clock     func() time.Time
	notifier  *notify.Notifier
	codes     func(ctx context.Context, tx *storage.Tx, typed string) (string, error)

	placeTypes []string // field-guide location ids, then ExtraPlaceTypes
	// publicPlaces are the place types the public form offers (see
	// PublicPlaceTypes).
	publicPlaces []string
	signs        []string // indicator ids the field guide names, in its order
	files        *files.Cleaner
	// full remembers the rate-limit windows this process already saw over
	// their limit, so a flood is refused without a database write each time.
	full fullWindows
}

// New returns a Service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, vault: d.Vault, audit: d.Audit, hasher: d.Hasher, catalogue: d.Catalogue, log: d.Log,
		cfg: d.Config.withDefaults(), clock: d.Now, notifier: d.Notifier, codes: d.Codes}
	s.files = files.NewCleaner(s.cfg.MaxAttachmentSize, 2)
	if s.clock == nil {
		s.clock = storage.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, loc := range d.Catalogue.FieldGuide {
		s.placeTypes = append(s.placeTypes, loc.ID)
		// A catalogue without kinds (version 1) lists places only.
		if loc.Kind == "" || loc.Kind == "place" || slices.Contains(settingPlaces, loc.ID) {
			s.publicPlaces = append(s.publicPlaces, loc.ID)
		}
		for _, id := range loc.Indicators {
			if !slices.Contains(s.signs, id) {
				s.signs = append(s.signs, id)
			}
		}
	}
	s.placeTypes = append(s.placeTypes, ExtraPlaceTypes...)
	s.publicPlaces = append(s.publicPlaces, ExtraPlaceTypes...)
	return s
}

// Config returns the limits in force.
func (s *Service) Config() Config { return s.cfg }

// PlaceTypes lists every place type staff classify with: the field
// guide's location ids (settings and places), then "online" and "other".
func (s *Service) PlaceTypes() []string { return slices.Clone(s.placeTypes) }

// PublicPlaceTypes lists the kinds of place the public report form offers
// and accepts: the field guide's places, the settings that are places
// too (settingPlaces), then "online" and "other". Staff classify with the
// whole of PlaceTypes, so every stored code stays valid.
func (s *Service) PublicPlaceTypes() []string { return slices.Clone(s.publicPlaces) }

// Signs lists the indicator ids the form offers as signs: every indicator
// the field guide names, in its order.
func (s *Service) Signs() []string { return slices.Clone(s.signs) }

func (s *Service) now() time.Time { return s.clock().UTC() }

// minute is the precision report times are kept at (see the package doc).
func minute(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }

// record is the vault record of a report: every encrypted field of the
// report, its thread and its attachments belongs to it.
func record(id string) string { return "reports/" + id }

// Submit stores a report and returns its receipt. The proof of work
// decides its status (StatusNew or StatusHeld). Validation errors are
// apperr field errors with "public.error.*" keys; the free text and
// attachments are encrypted before they reach the database.
func (s *Service) Submit(ctx context.Context, in Submission, w Work) (Receipt, error) {
	now := s.now()
	if err := s.validate(&in, now); err != nil {
		return Receipt{}, err
	}
	type file struct {
		mediaType string
		data      []byte
	}
	var files []file
	var total int64
	for _, a := range in.Attachments {
		mt, clean, err := s.cleanAttachment(a)
		if err != nil {
			return Receipt{}, err
		}
		files = append(files, file{mt, clean})
		total += int64(len(clean))
	}
	code, err := newCode()
	if err != nil {
		return Receipt{}, err
	}
	// Hashing takes a while and much memory: before the transaction.
	hash, err := s.hasher.Hash(s.codeSecret(code))
	if err != nil {
		return Receipt{}, fmt.Errorf("hash receipt code: %w", err)
	}
	signs, err := json.Marshal(in.Signs)
	if err != nil {
		return Receipt{}, fmt.Errorf("encode signs: %w", err)
	}
	if in.Signs == nil {
		signs = []byte("[]")
	}
	id := uuid.Must(uuid.NewRandom()).String()
	at := minute(now)
	status := StatusHeld
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		worked, err := s.checkWork(ctx, tx, w, now)
		if err != nil {
			return err
		}
		if worked {
			status = StatusNew
		} else if err := s.checkHeldRoom(ctx, tx); err != nil {
			return err
		}
		if total > 0 {
			var used int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM report_attachments`).Scan(&used); err != nil {
				return fmt.Errorf("attachment usage: %w", err)
			}
			if used+total > s.cfg.AttachmentQuota {
				return fileError("public.error.storage_full", nil)
			}
		}
		org, err := s.receivingOrg(ctx, tx)
		if err != nil {
			return err
		}
		rec := record(id)
		seal := func(field, text string) ([]byte, error) {
			return s.vault.Seal(ctx, tx, rec, field, []byte(text))
		}
		details, err := seal("details", in.Details)
		if err != nil {
			return err
		}
		area, err := seal("area", in.Area)
		if err != nil {
			return err
		}
		contact, err := seal("contact", in.Contact)
		if err != nil {
			return err
		}
		heard, err := s.attribution(ctx, tx, in.Code)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO reports (id, org_id, status, urgency, place_type, seen_on, time_of_day, people,
			age_group, gender, signs, language, catalogue_version, details, area, contact, receipt_lookup, receipt_hash, attribution_code,
			created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)`,
			id, storage.NullString(org), status, in.Urgency, in.PlaceType, in.SeenOn, in.TimeOfDay, in.People,
			in.AgeGroup, in.Gender, string(signs), in.Language, s.catalogue.Version, details, area, contact,
			s.codeLookup(code), hash, storage.NullString(heard), at)
		if err != nil {
			return fmt.Errorf("insert report %s: %w", id, err)
		}
		for i, f := range files {
			n := i + 1
			sealed, err := s.vault.Seal(ctx, tx, rec, "attachment/"+strconv.Itoa(n), f.data)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_attachments (report_id, n, media_type, size, content, created_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, n, f.mediaType, int64(len(f.data)), sealed, at); err != nil {
				return fmt.Errorf("insert attachment %d of report %s: %w", n, id, err)
			}
		}
		if _, err := s.audit.Append(ctx, tx, audit.Entry{Action: "reports.submit", Outcome: audit.Done,
			SubjectType: "report", SubjectID: id, SubjectOrgID: org, Detail: status}); err != nil {
			return err
		}
		return s.notifyUrgent(ctx, tx, id, in.Urgency, status, at)
	})
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{ReportID: id, Code: code, Held: status == StatusHeld}, nil
}

// attribution is the stored form of a campaign code as typed, or "" when
// it names no material. An unknown code is dropped without a word to the
// reporter: a report never fails over how they heard of us, and the form
// does not tell anyone which codes exist.
func (s *Service) attribution(ctx context.Context, tx *storage.Tx, typed string) (string, error) {
	if s.codes == nil || typed == "" {
		return "", nil
	}
	return s.codes(ctx, tx, typed)
}

// checkHeldRoom refuses a report for the held queue when that queue is full.
func (s *Service) checkHeldRoom(ctx context.Context, tx *storage.Tx) error {
	var held int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM reports WHERE status = $1`, StatusHeld).Scan(&held); err != nil {
		return fmt.Errorf("count held reports: %w", err)
	}
	if held >= s.cfg.MaxHeld {
		return apperr.New(apperr.TooMany, "public.error.busy")
	}
	return nil
}

// ReceivingOrg returns the organisation new reports go to: the configured
// one, else the oldest active organisation of kind "hotline", else ""
// (reports then wait for an all-organisations scope).
func (s *Service) ReceivingOrg(ctx context.Context) (string, error) {
	var org string
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		org, err = s.receivingOrg(ctx, tx)
		return err
	})
	return org, err
}

func (s *Service) receivingOrg(ctx context.Context, tx *storage.Tx) (string, error) {
	if s.cfg.ReceivingOrgID != "" {
		return s.cfg.ReceivingOrgID, nil
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE kind = 'hotline' AND disabled_at IS NULL
		ORDER BY created_at, id LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find receiving organisation: %w", err)
	}
	return id, nil
}
