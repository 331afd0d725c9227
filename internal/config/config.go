// Package config holds the settings of one Waymark process. Values come from
// command-line flags, falling back to WAYMARK_* environment variables, then to
// defaults. Nothing here is global: the cli package builds a Config and
// passes it on.
package config

import (
	"errors"
	"flag"
	"net"
	"path/filepath"
	"strconv"
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
}

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
}

// Finish fills derived defaults and checks the values.
func (c *Config) Finish() error {
	if c.KeysFile == "" {
		c.KeysFile = filepath.Join(c.DataDir, "waymark.keys")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return errors.New("--addr must be HOST:PORT")
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return errors.New("--log must be text or json")
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
