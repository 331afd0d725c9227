// Package app assembles one Waymark process from its configuration: the
// database, keys, services, page and API route tables and the middleware
// around them. The cli package calls it; tests call it to run the whole
// program in-process.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/api"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/children"
	"waymark.city/waymark/internal/config"
	"waymark.city/waymark/internal/crisisunit"
	"waymark.city/waymark/internal/dataprotection"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/inspections"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intelligence"
	"waymark.city/waymark/internal/interpreters"
	"waymark.city/waymark/internal/jobs"
	"waymark.city/waymark/internal/legalstatus"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/plan"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/public"
	"waymark.city/waymark/internal/returns"
	"waymark.city/waymark/internal/risk"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/sitechecks"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/training"
	"waymark.city/waymark/internal/ui"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/vault"
	"waymark.city/waymark/internal/web"
	"waymark.city/waymark/internal/workgroup"
)

// App is an assembled Waymark.
type App struct {
	Config   config.Config
	DB       *storage.DB
	Keys     *vault.Keyring
	Vault    *vault.Vault
	Audit    *audit.Log
	Accounts *accounts.Service
	Catalog  *i18n.Catalog
	// Screening is the indicator catalogue and screening engine.
	Screening *screening.Catalogue
	// Screenings keeps saved screenings.
	Screenings *screening.Store
	// FieldGuide is the local adaptation of the field guide: local places,
	// signs and relevance marks, versioned beside the catalogue.
	FieldGuide *fieldguide.Service
	// Identification is referrals and the decisions on victim status.
	Identification *identification.Service
	// Intake takes public reports and their follow-up threads.
	Intake *intake.Service
	// Cases is case management: the gate to every case and its core records.
	Cases *cases.Service
	// The capabilities built on cases.
	Risk           *risk.Service
	Children       *children.Service
	Assistance     *assistance.Service
	LegalStatus    *legalstatus.Service
	CrisisUnit     *crisisunit.Service
	DataProtection *dataprotection.Service
	// Returns is the safe voluntary return of a case's person and the
	// notes on countries of origin.
	Returns *returns.Service
	// Interpreters is the register of interpreters and cultural mediators
	// and their bookings for cases.
	Interpreters *interpreters.Service
	// Workgroup is the working group: members, meetings, minutes, action
	// items and the library of good practices.
	Workgroup *workgroup.Service
	// Training is training needs, sessions, attendance, trained contact
	// points and the coverage of the identifying actors.
	Training *training.Service
	// Statistics is the dimensional model derived from the records and the
	// dashboards of the analyst and the coordinator.
	Statistics *statistics.Service
	// Campaigns is awareness campaigns, their attribution codes, funnels
	// and harm logs.
	Campaigns *campaigns.Service
	// Agreements is the partnership's memoranda of cooperation and the
	// named contact persons of its organisations.
	Agreements *agreements.Service
	// Mapping is the local mapping: questionnaires, rounds, responses and
	// their aggregated results.
	Mapping *mapping.Service
	// Plan is the action plan: findings, measures, progress and re-checks.
	Plan *plan.Service
	// Geo is the city's areas that maps are drawn on.
	Geo *geo.Service
	// Procurement is the municipality's contracts with their risk
	// ratings, suppliers, subcontractor chains, sites and risk lists.
	Procurement *procurement.Service
	// SiteChecks is the checks of the contracts' sites, their findings,
	// corrective actions and the screenings they start.
	SiteChecks *sitechecks.Service
	// Outreach, Businesses, Inspections and Intelligence are prevention
	// work (issue 13): outreach sessions, businesses engaged, joint
	// inspections and the intelligence channel to the police.
	Outreach     *outreach.Service
	Businesses   *businesses.Service
	Inspections  *inspections.Service
	Intelligence *intelligence.Service
	// Basemap is the operator's PMTiles file (Config.Basemap), checked at
	// start; nil when none is configured.
	Basemap *geo.Basemap
	// Checkpoints publishes the audit log's signed checkpoints outside the
	// database (Config.AuditCheckpoints, Config.AuditWitness).
	Checkpoints *audit.Publisher
	// Notifier mails on-call staff about urgent reports; nil when no SMTP
	// server or on-call address is configured.
	Notifier *notify.Notifier
	Metrics  *web.Metrics
	Log      *slog.Logger

	passwordParams auth.Params
	throttle       *auth.Throttle
	// existing refuses to create an installation (see Existing).
	existing bool
}

// MaxBody is the largest request body accepted by default.
const MaxBody = 1 << 20

// Option adjusts how Open assembles the app.
type Option func(*App)

// WithPasswordParams sets the argon2id cost; tests use auth.TestParams so
// that creating many accounts stays fast.
func WithPasswordParams(p auth.Params) Option { return func(a *App) { a.passwordParams = p } }

// Existing makes Open refuse a data directory, database or key file that
// holds no installation yet, instead of creating one: commands that work on
// an installation (audit verify, backup, keys rotate, user add) must not
// report success on a new empty one a typo in --data pointed them at.
func Existing() Option { return func(a *App) { a.existing = true } }

// Open connects to the database, migrates it, loads (or, for a new
// installation, creates) the key file and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*App, error) {
	a := &App{Config: cfg, Log: log, Metrics: web.NewMetrics(), passwordParams: auth.DefaultParams}
	for _, o := range opts {
		o(a)
	}
	db, err := openDB(ctx, cfg, a.existing)
	if err != nil {
		return nil, err
	}
	a.DB = db
	if err := a.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func openDB(ctx context.Context, cfg config.Config, existing bool) (*storage.DB, error) {
	var db *storage.DB
	var err error
	if cfg.DatabaseURL != "" {
		db, err = storage.Open(ctx, cfg.DatabaseURL)
	} else {
		if existing {
			if _, err := os.Stat(filepath.Join(cfg.DataDir, storage.SQLiteFile)); err != nil {
				return nil, fmt.Errorf("no Waymark installation in %s (no %s): check --data (WAYMARK_DATA), or create one with 'waymark org add' or 'waymark serve'", cfg.DataDir, storage.SQLiteFile)
			}
		}
		db, err = storage.OpenDataDir(ctx, cfg.DataDir)
	}
	if err != nil {
		return nil, err
	}
	if existing {
		if err := installed(ctx, db, cfg); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// installed refuses a database that was never migrated. The message names
// the setting, never the URL, which may hold a password.
func installed(ctx context.Context, db *storage.DB, cfg config.Config) error {
	ok, err := db.Installed(ctx)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	if db.Engine == storage.Postgres {
		return errors.New("no Waymark installation in the database: check --database (WAYMARK_DATABASE), or create one with 'waymark org add' or 'waymark serve'")
	}
	return fmt.Errorf("no Waymark installation in %s: check --data (WAYMARK_DATA), or create one with 'waymark org add' or 'waymark serve'", cfg.DataDir)
}

func (a *App) init(ctx context.Context) error {
	keys, err := a.loadKeys(ctx)
	if err != nil {
		return err
	}
	a.Keys = keys
	keysPath := a.Config.KeysFile
	if a.Config.Keys != "" {
		// Keys from the environment are never reloaded from a file.
		keysPath = ""
	}
	a.Vault = vault.New(keys, keysPath)
	signer, err := keys.AuditSigner()
	if err != nil {
		return err
	}
	verifier, err := keys.AuditVerifier()
	if err != nil {
		return err
	}
	a.Audit = audit.New(signer, verifier)
	a.Checkpoints = audit.NewPublisher(a.Audit, a.DB, a.Config.AuditCheckpoints, a.Config.AuditWitness, a.Log)
	a.Catalog, err = i18n.Load()
	if err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	if a.Screening, err = screening.LoadCatalogue(); err != nil {
		return fmt.Errorf("load indicator catalogue: %w", err)
	}
	a.Notifier = a.newNotifier()
	a.Intake = intake.New(intake.Deps{
		DB: a.DB, Vault: a.Vault, Audit: a.Audit,
		Hasher:    ReceiptHasher(a.passwordParams),
		Catalogue: a.Screening, Log: a.Log, Notifier: a.Notifier, Codes: campaigns.KnownCode,
		Config: intake.Config{Deadlines: intake.Deadlines{
			ImmediateDanger: a.Config.ResponseDeadlines["immediate_danger"], Child: a.Config.ResponseDeadlines["child"],
			Soon: a.Config.ResponseDeadlines["soon"], NoRush: a.Config.ResponseDeadlines["no_rush"],
		}},
	})
	a.Screenings = screening.NewStore(a.DB, a.Audit, a.Screening)
	a.FieldGuide = fieldguide.New(fieldguide.Deps{DB: a.DB, Audit: a.Audit, Catalogue: a.Screening})
	// The areas are read when a case's area is set; geo is made below.
	a.Cases = cases.New(cases.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, ReflectionDays: a.Config.ReflectionDays,
		Areas: func(ctx context.Context) ([]geo.Area, error) { return a.Geo.Current(ctx) }})
	a.Identification = identification.New(identification.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit,
		Screenings: a.Screenings, OnAccept: a.openCaseFromReferral, OnDecision: a.caseFollowsDecision, Consented: a.referralConsented})
	a.Risk = risk.New(a.Cases)
	a.Children = children.New(a.Cases)
	a.Returns = returns.New(a.Cases)
	a.Assistance = assistance.New(a.Cases)
	a.LegalStatus = legalstatus.New(a.Cases)
	a.CrisisUnit = crisisunit.New(a.Cases)
	a.Interpreters = interpreters.New(a.Cases)
	a.DataProtection = dataprotection.New(a.Cases,
		dataprotection.Config{Retention: a.Config.CaseRetention, Referral: a.caseReferral}, a.exportSections()...)
	a.throttle = auth.NewThrottle(a.Vault.BlindIndex("login-throttle", nil))
	a.Accounts = accounts.New(accounts.Deps{
		DB: a.DB, Vault: a.Vault, Audit: a.Audit,
		Hasher:   auth.NewHasher(a.passwordParams, 4),
		Throttle: a.throttle,
		Log:      a.Log,
		// An account's owner, never its creator, receives the activation link.
		SendActivation: a.activationMailer(),
	})
	a.Agreements = agreements.New(agreements.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, Accounts: a.Accounts})
	a.Geo = geo.New(geo.Deps{DB: a.DB, Audit: a.Audit})
	if a.Config.Basemap != "" {
		if a.Basemap, err = geo.OpenBasemap(a.Config.Basemap); err != nil {
			return err
		}
	}
	a.Mapping = mapping.New(mapping.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, MinAnswers: a.Config.MappingMinAnswers, Areas: a.mappingAreas})
	a.Plan = plan.New(plan.Deps{DB: a.DB, Audit: a.Audit})
	a.Workgroup = workgroup.New(workgroup.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, Plans: a.Plan})
	a.Training = training.New(training.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit})
	a.Statistics = statistics.New(statistics.Deps{DB: a.DB, Audit: a.Audit, Country: a.Config.Country, SmallCounts: a.Config.SmallCounts})
	a.Procurement = procurement.New(procurement.Deps{DB: a.DB, Audit: a.Audit})
	a.SiteChecks = sitechecks.New(sitechecks.Deps{DB: a.DB, Audit: a.Audit, Procurement: a.Procurement, Screenings: a.Screenings})
	a.Campaigns = campaigns.New(a.Cases, a.Catalog.LanguagesFor(public.Area), a.Config.PublicURL)
	if err := a.Campaigns.SealHarmDescriptions(ctx); err != nil {
		return err
	}
	a.Outreach = outreach.New(outreach.Deps{DB: a.DB, Audit: a.Audit, Areas: a.Geo.Current})
	a.Businesses = businesses.New(businesses.Deps{DB: a.DB, Audit: a.Audit})
	a.Inspections = inspections.New(inspections.Deps{DB: a.DB, Audit: a.Audit, Screenings: a.Screenings, Areas: a.Geo.Current})
	a.Intelligence = intelligence.New(intelligence.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit, Areas: a.Geo.Current})
	a.Metrics.Gauge("waymark_database_up", "1 when the database answers, else 0.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if a.DB.Ping(ctx) != nil {
			return 0
		}
		return 1
	})
	return nil
}

// newNotifier builds the urgent-report notifier from the SMTP settings, or
// returns nil (and says so in the log) when they are incomplete.
func (a *App) newNotifier() *notify.Notifier {
	c := a.Config
	if c.SMTPAddr == "" || len(c.OnCall) == 0 {
		if c.SMTPAddr != "" {
			a.Log.Warn("urgent reports are not mailed: WAYMARK_ONCALL is empty")
		}
		return nil
	}
	return notify.New(notify.Deps{DB: a.DB, Log: a.Log, Config: notify.Config{
		Mailer:     notify.Mailer{Addr: c.SMTPAddr, From: c.SMTPFrom, Username: c.SMTPUsername, Password: string(c.SMTPPassword)},
		Recipients: c.OnCall, PublicURL: c.PublicURL, Zone: time.Local,
	}})
}

// loadKeys reads the key file. A new installation (no encrypted data yet)
// gets a new key file; a database holding encrypted data without its key
// file is refused rather than silently given new keys.
func (a *App) loadKeys(ctx context.Context) (*vault.Keyring, error) {
	if a.Config.Keys != "" {
		return vault.ParseKeyring([]byte(a.Config.Keys))
	}
	if _, err := os.Stat(a.Config.KeysFile); err == nil || a.existing {
		return vault.LoadKeyring(a.Config.KeysFile)
	}
	var n int
	err := a.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM data_keys`).Scan(&n)
	})
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("key file %s is missing but the database holds encrypted data: restore the key file or set WAYMARK_KEYS", a.Config.KeysFile)
	}
	keys, _, err := vault.LoadOrCreateKeyring(a.Config.KeysFile)
	return keys, err
}

// Close releases the database.
func (a *App) Close() error {
	if a.Basemap != nil {
		a.Basemap.Close()
	}
	return a.DB.Close()
}

// Handler is the whole HTTP surface: pages, API, health and metrics, behind
// the common middleware.
func (a *App) Handler() (http.Handler, error) {
	secure := strings.HasPrefix(a.Config.PublicURL, "https://")
	shell, err := web.NewShell(a.Catalog, time.Local, a.Log, append([]fs.FS{ui.Pages()}, areaPages()...)...)
	if err != nil {
		return nil, err
	}
	kit := page.NewKit(shell, a.Log)
	mux := http.NewServeMux()
	pub, err := public.New(public.Deps{Intake: a.Intake, Catalog: a.Catalog, Catalogue: a.Screening, Log: a.Log,
		Hotlines: a.Accounts.PublicHotlines, Zone: time.Local})
	if err != nil {
		return nil, err
	}
	pages := ui.New(ui.Deps{Kit: kit, Areas: a.areas(kit), Accounts: a.Accounts, Audit: a.Audit, DB: a.DB, Log: a.Log, Secure: secure, ClientKey: a.clientKey,
		PublicURL: a.Config.PublicURL, SignedOut: http.HandlerFunc(pub.Help), Screenings: a.Screenings, FieldGuide: a.FieldGuide, Identification: a.Identification, Intake: a.Intake,
		Cases: a.Cases, Risk: a.Risk, Children: a.Children, Assistance: a.Assistance, LegalStatus: a.LegalStatus,
		CrisisUnit: a.CrisisUnit, DataProtection: a.DataProtection, Interpreters: a.Interpreters, Returns: a.Returns, Plan: a.Plan, Agreements: a.Agreements, Mapping: a.Mapping,
		Campaigns: a.Campaigns, Procurement: a.Procurement})
	pages.Mount(mux)
	api.New(api.Deps{Accounts: a.Accounts, Audit: a.Audit, DB: a.DB, Catalog: a.Catalog, Screening: a.Screening, FieldGuide: a.FieldGuide,
		Identification: a.Identification, Secure: secure, Log: a.Log, Cases: a.Cases, DataProtection: a.DataProtection}).Mount(mux)
	pub.Mount(mux)
	mux.Handle("GET /healthz", web.Named(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})))
	mux.Handle("GET /readyz", web.Named(http.HandlerFunc(a.ready)))
	if a.Config.MetricsToken != "" {
		mux.Handle("GET /metrics", web.Named(a.Metrics.Handler(string(a.Config.MetricsToken))))
	}
	return web.Chain(mux,
		web.ClientAddress(web.NewProxies(a.Config.TrustedProxies, a.Config.ForwardedHeader)),
		web.Observe(a.Log, a.Metrics),
		web.SecurityHeaders(secure),
		web.CrossOrigin(a.refuse(apperr.New(apperr.Forbidden, "error.cross_origin"))),
		web.QueryText(a.refuse(web.ErrControl)),
		// Uploads (the public report form, case notes, areas' uploads) set their own limits.
		web.LimitBody(MaxBody, public.TakesFiles, pages.TakesFiles),
	), nil
}

// refuse answers a request refused before any route runs, in the browser's
// language: JSON under /api/, plain text elsewhere.
func (a *App) refuse(e *apperr.Error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := a.Catalog.For(a.Catalog.Match("", r.Header.Get("Accept-Language")))
		msg, status := p.Error(e), web.StatusOf(e.Code)
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": e.Code, "message": msg}})
			return
		}
		http.Error(w, msg, status)
	})
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		a.Log.Warn("not ready", "err", err)
		w.WriteHeader(web.StatusOf(apperr.Unavailable))
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	if err := a.DB.Heartbeat(ctx); err != nil {
		a.Log.Warn("not ready: the database takes no writes", "err", err)
		w.WriteHeader(web.StatusOf(apperr.Unavailable))
		_, _ = w.Write([]byte("database takes no writes\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// clientKey is a keyed hash of the client address and the day: enough to
// throttle guessing, useless to identify anyone, and different tomorrow.
func (a *App) clientKey(addr string, day time.Time) string {
	return fmt.Sprintf("%x", a.Vault.BlindIndex("client", []byte(day.Format("2006-01-02")+"|"+addr)))
}

// MetricsHandler is what the metrics listener (--metrics-addr) serves:
// /metrics alone, asking for the token when one is configured.
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler(string(a.Config.MetricsToken)))
	return mux
}

// ServeMetrics answers the metrics listener ln until ctx ends.
func (a *App) ServeMetrics(ctx context.Context, ln net.Listener) error {
	return a.serve(ctx, ln, a.MetricsHandler())
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h, err := a.Handler()
	if err != nil {
		return err
	}
	go a.Jobs().Loop(ctx, time.Minute)
	serving, stop := context.WithCancel(ctx)
	defer stop()
	published := make(chan struct{})
	go func() {
		a.Checkpoints.Run(serving, checkpointEvery)
		close(published)
	}()
	// The statistics' facts follow the records within a second.
	kept := make(chan struct{})
	go func() {
		a.Statistics.Keep(serving, time.Second, func(err error) { a.Log.Error("refresh the statistics", "err", err) })
		close(kept)
	}()
	err = a.serve(serving, ln, h)
	// The last checkpoint is published before the database closes.
	stop()
	<-published
	<-kept
	return err
}

// checkpointEvery is how often a server publishes the audit log's latest
// checkpoint: what a rollback could hide undetected is at most this much
// activity.
const checkpointEvery = 10 * time.Second

// serve answers h on ln until ctx ends, then shuts down gracefully.
func (a *App) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Jobs is the background work every process offers to run; the jobs table
// makes sure only one process runs each job at a time.
func (a *App) Jobs() *jobs.Runner {
	inTx := func(f func(ctx context.Context, tx *storage.Tx, now time.Time) error) jobs.Func {
		return func(ctx context.Context, db *storage.DB) error {
			return db.Write(ctx, func(tx *storage.Tx) error { return f(ctx, tx, storage.Now()) })
		}
	}
	// Reminders by e-mail (crisis-unit deadlines, agreement renewals); the
	// address is opened by accounts as the system (an audited read),
	// nothing without SMTP settings.
	reminders := notify.Reminders{
		Mailer:    notify.Mailer{Addr: a.Config.SMTPAddr, From: a.Config.SMTPFrom, Username: a.Config.SMTPUsername, Password: string(a.Config.SMTPPassword)},
		PublicURL: a.Config.PublicURL, Catalog: a.Catalog,
		Address: func(ctx context.Context, userID string) (string, error) {
			p, err := a.Accounts.RevealProfile(ctx, accounts.System, userID)
			return p.Email, err
		},
	}
	periodic := []jobs.Periodic{
		jobs.Periodic{Kind: "sessions.expire", Every: 10 * time.Minute, Run: inTx(func(ctx context.Context, tx *storage.Tx, now time.Time) error {
			_, err := auth.DeleteExpiredSessions(ctx, tx, now)
			return err
		})},
		// Counted audit events (throttled sign-ins) become one entry each
		// once their window has passed.
		jobs.Periodic{Kind: "audit.flush_counts", Every: time.Minute, Run: func(ctx context.Context, db *storage.DB) error {
			return a.Audit.FlushCounts(ctx, db, storage.Now())
		}},
		jobs.Periodic{Kind: "throttle.sweep", Every: time.Hour, Run: inTx(func(ctx context.Context, tx *storage.Tx, now time.Time) error {
			_, err := a.throttle.Sweep(ctx, tx, now.Add(-24*time.Hour))
			return err
		})},
		jobs.Periodic{Kind: "intake.sweep", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Intake.Sweep(ctx, storage.Now())
			return err
		}},
		jobs.Periodic{Kind: "passkey_challenges.expire", Every: 10 * time.Minute, Run: inTx(func(ctx context.Context, tx *storage.Tx, now time.Time) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM passkey_challenges WHERE expires_at < $1`, now)
			return err
		})},
		// SQLite has no autovacuum to keep planner statistics current; without
		// them the case list's plans degrade as a database grows. optimize
		// analyses only the tables that need it, each within a row limit.
		jobs.Periodic{Kind: "sqlite.optimize", Every: 24 * time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			if db.Engine != storage.SQLite {
				return nil
			}
			if err := db.Exec(ctx, "PRAGMA analysis_limit = 2000"); err != nil {
				return err
			}
			return db.Exec(ctx, "PRAGMA optimize = 0x10002")
		}},
		jobs.Periodic{Kind: "reports.purge", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Intake.PurgeDismissed(ctx, a.Config.Retention)
			return err
		}},
		jobs.Periodic{Kind: "cases.retention", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.DataProtection.Retain(ctx)
			return err
		}},
		jobs.Periodic{Kind: "crisisunit.remind", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.CrisisUnit.SendReminders(ctx, reminders)
			return err
		}},
		jobs.Periodic{Kind: "agreements.remind", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Agreements.SendReminders(ctx, reminders)
			return err
		}},
		jobs.Periodic{Kind: "procurement.remind", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Procurement.SendReminders(ctx, reminders)
			return err
		}},
		jobs.Periodic{Kind: "businesses.remind", Every: time.Hour, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Businesses.SendReminders(ctx, reminders)
			return err
		}},
	}
	if a.Notifier != nil {
		// Every run of the job loop: an urgent report should not wait.
		periodic = append(periodic, jobs.Periodic{Kind: "notify.send", Every: 15 * time.Second, Run: func(ctx context.Context, db *storage.DB) error {
			_, err := a.Notifier.Send(ctx)
			return err
		}})
	}
	return jobs.New(a.DB, a.Log, periodic...)
}

// ReceiptHasher hashes the receipt codes of public reports: one code at a
// time on one thread, at most at the OWASP minimum cost for argon2id
// (19 MiB, 2 passes), so a flood of reports neither queues staff sign-ins
// nor takes both cores. The receipt code's strength lies in its keyed
// lookup (see package intake), not in a costly hash; p only lowers it further
// (tests pass cheap costs).
func ReceiptHasher(p auth.Params) *auth.Hasher {
	p.Memory = min(p.Memory, 19*1024)
	p.Time = min(p.Time, 2)
	p.Threads = 1
	return auth.NewHasher(p, 1)
}
