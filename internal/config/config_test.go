package config_test

import (
	"flag"
	"io"
	"path/filepath"
	"testing"
	"time"

	"waymark.city/waymark/internal/config"
)

func parse(t *testing.T, env map[string]string, args ...string) (config.Config, error) {
	t.Helper()
	var c config.Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	getenv := func(k string) string { return env[k] }
	c.Register(fs, getenv)
	c.RegisterServe(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Finish()
}

func TestFlagsOverrideEnvironmentOverrideDefaults(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Addr != "localhost:8080" || c.DataDir != "data" || c.KeysFile != filepath.Join("data", "waymark.keys") || c.Demo {
		t.Errorf("defaults = %+v, %v", c, err)
	}
	env := map[string]string{"WAYMARK_DATA": "/srv/w", "WAYMARK_ADDR": "127.0.0.1:9000", "WAYMARK_DEMO": "true", "WAYMARK_DATABASE": "postgres://db/w"}
	c, err = parse(t, env)
	if err != nil || c.DataDir != "/srv/w" || c.Addr != "127.0.0.1:9000" || !c.Demo || c.DatabaseTarget() != "postgres://db/w" {
		t.Errorf("from environment = %+v, %v", c, err)
	}
	c, err = parse(t, env, "--data", "/tmp/x", "--addr", "[::1]:1")
	if err != nil || c.DataDir != "/tmp/x" || c.Addr != "[::1]:1" || c.KeysFile != "/tmp/x/waymark.keys" {
		t.Errorf("flags = %+v, %v", c, err)
	}
}

func TestInvalidValues(t *testing.T) {
	for _, args := range [][]string{{"--addr", "no-port"}, {"--log", "xml"}} {
		if _, err := parse(t, nil, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestResponseDeadlines(t *testing.T) {
	c, err := parse(t, map[string]string{"WAYMARK_RESPONSE_DEADLINES": "child=2h, no_rush=96h"})
	if err != nil || c.ResponseDeadlines["child"] != 2*time.Hour || c.ResponseDeadlines["no_rush"] != 96*time.Hour || len(c.ResponseDeadlines) != 2 {
		t.Errorf("deadlines = %v, %v", c.ResponseDeadlines, err)
	}
	for _, bad := range []string{"child", "child=soon", "child=-1h", "adult=1h"} {
		if _, err := parse(t, nil, "--response-deadlines", bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReportingCountry(t *testing.T) {
	if c, err := parse(t, nil); err != nil || c.Country != "DE" {
		t.Errorf("default country = %q, %v", c.Country, err)
	}
	if c, err := parse(t, map[string]string{"WAYMARK_COUNTRY": "AT"}); err != nil || c.Country != "AT" {
		t.Errorf("country from the environment = %q, %v", c.Country, err)
	}
	for _, bad := range []string{"at", "AUT", "D"} {
		if _, err := parse(t, nil, "--country", bad); err == nil {
			t.Errorf("country %q accepted", bad)
		}
	}
}

func TestSmallCounts(t *testing.T) {
	if c, err := parse(t, nil); err != nil || c.SmallCounts != 10 {
		t.Errorf("default small counts = %d, %v", c.SmallCounts, err)
	}
	if c, err := parse(t, map[string]string{"WAYMARK_SMALL_COUNTS": "5"}); err != nil || c.SmallCounts != 5 {
		t.Errorf("small counts from the environment = %d, %v", c.SmallCounts, err)
	}
	for _, bad := range []string{"0", "-3", "ten", "1001"} {
		if _, err := parse(t, nil, "--small-counts", bad); err == nil {
			t.Errorf("small counts %q accepted", bad)
		}
	}
	// Commands other than serve (bench, statistics rebuild) register only
	// the shared flags; they get the default, not an error.
	var c config.Config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	c.Register(fs, func(string) string { return "" })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Finish(); err != nil || c.SmallCounts != 10 {
		t.Errorf("without serve's flags: small counts %d, %v", c.SmallCounts, err)
	}
}
