// Package config holds the settings of one Waymark process. Values come from
// command-line flags, falling back to WAYMARK_* environment variables, then to
// defaults. Nothing here is global: the cli package builds a Config and
// passes it on.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the configuration shared by the commands.
type Config struct {
	// Addr is the HTTP listen address (HOST:PORT).
	Addr string
	// DataDir holds the SQLite database and, by default, the key file.
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://…); empty means SQLite in DataDir.
	DatabaseURL string
	// KeysFile is the key file (master keys and the audit signing key).
	KeysFile string
	// Keys, when set, is the key file's content itself (for containers).
	Keys string
	// Demo seeds demo organisations and users on an empty database.
	Demo bool
	// PublicURL is the URL people reach Waymark at; its scheme decides
	// whether cookies are marked Secure.
	PublicURL string
	// LogFormat is text or json.
	LogFormat string
	// SessionIdle and SessionAbsolute bound sessions of roles that see personal data.
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	// SMTP is the mail server urgent-report notifications go through
	// (HOST:PORT); empty sends no mail.
	SMTPAddr     string
	SMTPFrom     string
	SMTPUsername string
	// SMTPPassword comes only from WAYMARK_SMTP_PASSWORD or the file named
	// by WAYMARK_SMTP_PASSWORD_FILE, never from a flag (flags show in the
	// process list).
	SMTPPassword     Secret
	smtpPasswordFile string
	// OnCall are the addresses told about urgent reports: a duty mailbox
	// or a distribution list, comma-separated in WAYMARK_ONCALL.
	OnCall []string
	// Retention is how long dismissed reports are kept before deletion.
	Retention time.Duration
	// ResponseDeadlines are the triage queue's first-response deadlines by
	// urgency (immediate_danger, child, soon, no_rush); missing ones keep
	// their defaults.
	ResponseDeadlines map[string]time.Duration
	responseDeadlines string // as given, parsed by Finish
	// ReflectionDays is the jurisdiction's reflection and recovery period
	// for presumed victims, in days (at least 30; default 90).
	ReflectionDays int
	// MetricsAddr is a listen address (HOST:PORT) of its own for /metrics,
	// e.g. on an internal interface; empty serves no such listener.
	MetricsAddr string
	// MetricsToken is the bearer token /metrics asks for. Without it the
	// public listener serves no /metrics at all. Only from
	// WAYMARK_METRICS_TOKEN, never a flag (flags show in the process list).
	MetricsToken Secret
	// CaseRetention is how long a closed case keeps identifying data before
	// it is anonymised (default five years).
	CaseRetention time.Duration
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose ForwardedHeader is believed when they connect; none by default.
	TrustedProxies  []netip.Prefix
	trustedProxies  string // as given, parsed by Finish
	ForwardedHeader string // "X-Forwarded-For" (default) or "Forwarded"
	// AuditCheckpoints is the append-only file the server publishes the
	// audit log's signed checkpoints to (default DATA/audit-checkpoints.log);
	// ship it elsewhere, it is what shows a rolled-back log.
	AuditCheckpoints string
	// AuditWitness, when set, is a URL each new checkpoint is POSTed to.
	AuditWitness string
	// MappingMinAnswers is k of the mapping's round comparison: a change
	// between two rounds is shown only where both have at least k answers
	// (default 5).
	MappingMinAnswers int
	// Basemap is a PMTiles file Waymark serves to signed-in users for maps,
	// from its own origin; empty serves none.
	Basemap string
	// Country is the reporting country (ISO 3166-1 alpha-2) of the
	// statistics: Eurostat's citizenship groups count its nationals apart
	// from other EU and non-EU citizens (default DE).
	Country string
	// SmallCounts is the threshold of the statistics' disclosure control:
	// counts from 1 to it are withheld from a release; a release may raise
	// it, nobody may lower it (default 10).
	SmallCounts int
}

// minMetricsToken is the shortest metrics token accepted: long enough not
// to be guessed over the network.
const minMetricsToken = 32

// Secret is a configuration value that must not appear in output: it
// prints as "[hidden]", also inside %v of the whole Config.
type Secret string

func (Secret) String() string   { return "[hidden]" }
func (Secret) GoString() string { return "[hidden]" }

// Getenv looks up an environment variable; tests pass a map-backed one.
type Getenv func(string) string

// Register defines the flags shared by commands that touch the database,
// with defaults taken from the environment.
func (c *Config) Register(fs *flag.FlagSet, env Getenv) {
	fs.StringVar(&c.DataDir, "data", or(env("WAYMARK_DATA"), "data"), "data directory for the SQLite database and key file (WAYMARK_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", env("WAYMARK_DATABASE"), "PostgreSQL URL postgres://…; empty uses SQLite in the data directory (WAYMARK_DATABASE)")
	fs.StringVar(&c.KeysFile, "keys", env("WAYMARK_KEYS_FILE"), "key file; default DATA/waymark.keys (WAYMARK_KEYS_FILE)")
	c.Keys = env("WAYMARK_KEYS")
	fs.StringVar(&c.LogFormat, "log", or(env("WAYMARK_LOG"), "text"), "log format: text or json (WAYMARK_LOG)")
	c.SessionIdle = 15 * time.Minute
	c.SessionAbsolute = 12 * time.Hour
}

// RegisterServe adds the flags of `waymark serve`.
func (c *Config) RegisterServe(fs *flag.FlagSet, env Getenv) {
	fs.StringVar(&c.Addr, "addr", or(env("WAYMARK_ADDR"), "localhost:8080"), "listen address HOST:PORT (WAYMARK_ADDR)")
	demo, _ := strconv.ParseBool(env("WAYMARK_DEMO"))
	fs.BoolVar(&c.Demo, "demo", demo, "seed demo organisations and users into an empty database (WAYMARK_DEMO)")
	fs.StringVar(&c.PublicURL, "public-url", env("WAYMARK_PUBLIC_URL"), "URL users reach Waymark at; https:// marks cookies Secure (WAYMARK_PUBLIC_URL)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", env("WAYMARK_SMTP_ADDR"), "SMTP server HOST:PORT for urgent-report mail; empty sends none (WAYMARK_SMTP_ADDR)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("WAYMARK_SMTP_FROM"), "sender address of Waymark's mail (WAYMARK_SMTP_FROM)")
	fs.StringVar(&c.SMTPUsername, "smtp-username", env("WAYMARK_SMTP_USERNAME"), "SMTP user name; the password only from WAYMARK_SMTP_PASSWORD or WAYMARK_SMTP_PASSWORD_FILE (WAYMARK_SMTP_USERNAME)")
	c.SMTPPassword = Secret(env("WAYMARK_SMTP_PASSWORD"))
	c.smtpPasswordFile = env("WAYMARK_SMTP_PASSWORD_FILE")
	fs.Func("oncall", "comma-separated addresses mailed about urgent reports (WAYMARK_ONCALL)", func(v string) error {
		c.OnCall = splitList(v)
		return nil
	})
	c.OnCall = splitList(env("WAYMARK_ONCALL"))
	days := 90
	if v := env("WAYMARK_RETENTION_DAYS"); v != "" {
		// An unparsable value is caught in Finish, not silently replaced.
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			n = -1
		}
		days = n
	}
	fs.Func("retention-days", "days a dismissed report is kept before it is deleted; default 90 (WAYMARK_RETENTION_DAYS)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errors.New("must be a whole number of days, at least 1")
		}
		c.Retention = time.Duration(n) * 24 * time.Hour
		return nil
	})
	c.Retention = time.Duration(days) * 24 * time.Hour
	c.ReflectionDays = envWhole(env, "WAYMARK_REFLECTION_DAYS", 90)
	c.SmallCounts = envWhole(env, "WAYMARK_SMALL_COUNTS", 10)
	fs.Func("small-counts", "statistics: counts from 1 to this are withheld from every release, at least 1; default 10 (WAYMARK_SMALL_COUNTS)", func(v string) error {
		c.SmallCounts = atoiOr(v, -1)
		return nil
	})
	fs.StringVar(&c.Country, "country", or(env("WAYMARK_COUNTRY"), "DE"),
		"reporting country of the statistics, ISO 3166-1 alpha-2 such as DE or AT (WAYMARK_COUNTRY)")
	fs.Func("reflection-days", "the jurisdiction's reflection and recovery period in days, at least 30; default 90 (WAYMARK_REFLECTION_DAYS)", func(v string) error {
		c.ReflectionDays = atoiOr(v, -1)
		return nil
	})
	caseDays := envWhole(env, "WAYMARK_CASE_RETENTION_DAYS", 5*365)
	fs.Func("case-retention-days", "days a closed case keeps identifying data before it is anonymised; default 1825 (WAYMARK_CASE_RETENTION_DAYS)", func(v string) error {
		caseDays = atoiOr(v, -1)
		c.CaseRetention = time.Duration(caseDays) * 24 * time.Hour
		return nil
	})
	c.CaseRetention = time.Duration(caseDays) * 24 * time.Hour
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("WAYMARK_TRUSTED_PROXIES"),
		"comma-separated addresses or CIDR ranges of reverse proxies whose forwarded header names the client; none by default (WAYMARK_TRUSTED_PROXIES)")
	fs.StringVar(&c.ForwardedHeader, "forwarded-header", or(env("WAYMARK_FORWARDED_HEADER"), "X-Forwarded-For"),
		"header the trusted proxies name the client in: X-Forwarded-For or Forwarded (WAYMARK_FORWARDED_HEADER)")
	fs.StringVar(&c.AuditCheckpoints, "audit-checkpoints", env("WAYMARK_AUDIT_CHECKPOINTS"),
		"append-only file the audit log's signed checkpoints are published to; default DATA/audit-checkpoints.log (WAYMARK_AUDIT_CHECKPOINTS)")
	fs.StringVar(&c.AuditWitness, "audit-witness", env("WAYMARK_AUDIT_WITNESS"),
		"http(s) URL each new signed audit checkpoint is POSTed to; empty sends none (WAYMARK_AUDIT_WITNESS)")
	fs.StringVar(&c.Basemap, "basemap", env("WAYMARK_BASEMAP"),
		"PMTiles file served to signed-in users as the maps' basemap; empty serves none (WAYMARK_BASEMAP)")
	c.MappingMinAnswers = envWhole(env, "WAYMARK_MAPPING_MIN_ANSWERS", 5)
	fs.Func("mapping-min-answers", "fewest answers both mapping rounds need before a change between them is shown; default 5 (WAYMARK_MAPPING_MIN_ANSWERS)", func(v string) error {
		c.MappingMinAnswers = atoiOr(v, -1)
		return nil
	})
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("WAYMARK_METRICS_ADDR"), "listen address HOST:PORT of its own for /metrics; empty serves none (WAYMARK_METRICS_ADDR)")
	c.MetricsToken = Secret(env("WAYMARK_METRICS_TOKEN"))
	fs.StringVar(&c.responseDeadlines, "response-deadlines", env("WAYMARK_RESPONSE_DEADLINES"),
		"first-response deadlines of the triage queue, e.g. immediate_danger=1h,child=4h,soon=24h,no_rush=72h (WAYMARK_RESPONSE_DEADLINES)")
}

// countryCode is an ISO 3166-1 alpha-2 code.
var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// urgencies are the urgency levels a response deadline can be set for.
var urgencies = []string{"immediate_danger", "child", "soon", "no_rush"}

// parseDeadlines reads "urgency=duration,…".
func parseDeadlines(v string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, part := range splitList(v) {
		name, dur, ok := strings.Cut(part, "=")
		d, err := time.ParseDuration(strings.TrimSpace(dur))
		if !ok || err != nil || d <= 0 || !slices.Contains(urgencies, strings.TrimSpace(name)) {
			return nil, fmt.Errorf("--response-deadlines: %q must be one of %v = a positive duration such as 4h", part, urgencies)
		}
		out[strings.TrimSpace(name)] = d
	}
	return out, nil
}

// parseProxies reads "address or CIDR,…"; an address is a range of one.
func parseProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range splitList(v) {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an address or CIDR range", part)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Finish fills derived defaults and checks the values.
func (c *Config) Finish() error {
	deadlines, err := parseDeadlines(c.responseDeadlines)
	if err != nil {
		return err
	}
	c.ResponseDeadlines = deadlines
	if c.TrustedProxies, err = parseProxies(c.trustedProxies); err != nil {
		return err
	}
	switch {
	case c.ForwardedHeader == "" || strings.EqualFold(c.ForwardedHeader, "X-Forwarded-For"):
		c.ForwardedHeader = "X-Forwarded-For"
	case strings.EqualFold(c.ForwardedHeader, "Forwarded"):
		c.ForwardedHeader = "Forwarded"
	default:
		return errors.New("--forwarded-header must be X-Forwarded-For or Forwarded")
	}
	if c.KeysFile == "" {
		c.KeysFile = filepath.Join(c.DataDir, "waymark.keys")
	}
	if c.AuditCheckpoints == "" {
		c.AuditCheckpoints = filepath.Join(c.DataDir, "audit-checkpoints.log")
	}
	if c.AuditWitness != "" {
		if u, err := url.Parse(c.AuditWitness); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("--audit-witness must be an http:// or https:// URL")
		}
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return errors.New("--addr must be HOST:PORT")
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return errors.New("--log must be text or json")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return errors.New("--metrics-addr must be HOST:PORT")
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minMetricsToken {
		return fmt.Errorf("WAYMARK_METRICS_TOKEN must be at least %d characters", minMetricsToken)
	}
	return c.finishMail()
}

// finishMail reads the SMTP password file and checks the mail settings.
// Messages name the setting, never a value.
func (c *Config) finishMail() error {
	if c.smtpPasswordFile != "" {
		if c.SMTPPassword != "" {
			return errors.New("set WAYMARK_SMTP_PASSWORD or WAYMARK_SMTP_PASSWORD_FILE, not both")
		}
		data, err := os.ReadFile(c.smtpPasswordFile)
		if err != nil {
			return fmt.Errorf("read WAYMARK_SMTP_PASSWORD_FILE: %w", err)
		}
		c.SMTPPassword = Secret(strings.TrimRight(string(data), "\r\n"))
	}
	if c.Retention < 0 {
		return errors.New("WAYMARK_RETENTION_DAYS must be a whole number of days, at least 1")
	}
	if c.Retention == 0 {
		c.Retention = 90 * 24 * time.Hour
	}
	if c.ReflectionDays == 0 {
		c.ReflectionDays = 90
	}
	if c.ReflectionDays < 30 {
		return errors.New("WAYMARK_REFLECTION_DAYS must be a whole number of days, at least 30")
	}
	if c.SmallCounts == 0 {
		c.SmallCounts = 10
	}
	if c.SmallCounts < 1 || c.SmallCounts > 1000 {
		return errors.New("WAYMARK_SMALL_COUNTS must be a whole number from 1 to 1000")
	}
	if c.Country != "" && !countryCode.MatchString(c.Country) {
		return errors.New("WAYMARK_COUNTRY must be a country code of two capital letters, such as DE")
	}
	if c.MappingMinAnswers == 0 {
		c.MappingMinAnswers = 5
	}
	if c.MappingMinAnswers < 1 {
		return errors.New("WAYMARK_MAPPING_MIN_ANSWERS must be a whole number, at least 1")
	}
	if c.CaseRetention == 0 {
		c.CaseRetention = 5 * 365 * 24 * time.Hour
	}
	if c.CaseRetention < 24*time.Hour {
		return errors.New("WAYMARK_CASE_RETENTION_DAYS must be a whole number of days, at least 1")
	}
	if c.SMTPAddr == "" {
		if len(c.OnCall) > 0 {
			return errors.New("--oncall needs --smtp-addr (WAYMARK_SMTP_ADDR)")
		}
		return nil
	}
	if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
		return errors.New("--smtp-addr must be HOST:PORT")
	}
	if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address != c.SMTPFrom {
		return errors.New("--smtp-from must be a plain e-mail address when --smtp-addr is set")
	}
	if c.SMTPPassword != "" && c.SMTPUsername == "" {
		return errors.New("an SMTP password needs --smtp-username")
	}
	for i, addr := range c.OnCall {
		if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
			return fmt.Errorf("--oncall: entry %d is not a plain e-mail address", i+1)
		}
	}
	return nil
}

// DatabaseTarget is what storage.Open takes: the PostgreSQL URL, or the
// SQLite file in the data directory.
func (c *Config) DatabaseTarget() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "waymark.db")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// envWhole reads a number of days from the environment; an unparsable value
// becomes -1 so that Finish reports it rather than silently using def.
func envWhole(env Getenv, name string, def int) int {
	if v := env(name); v != "" {
		return atoiOr(v, -1)
	}
	return def
}

// atoiOr parses a positive whole number, or returns bad.
func atoiOr(v string, bad int) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return bad
	}
	return n
}
