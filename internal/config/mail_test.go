package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMailAndRetention(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Retention != 90*24*time.Hour || c.SMTPAddr != "" || c.OnCall != nil {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"WAYMARK_SMTP_ADDR": "mail.city.example:587", "WAYMARK_SMTP_FROM": "waymark@city.example",
		"WAYMARK_SMTP_USERNAME": "waymark", "WAYMARK_SMTP_PASSWORD": "pa55word",
		"WAYMARK_ONCALL": "duty@hotline.example, lead@hotline.example", "WAYMARK_RETENTION_DAYS": "30",
	}
	c, err = parse(t, env)
	if err != nil || c.SMTPAddr != "mail.city.example:587" || string(c.SMTPPassword) != "pa55word" ||
		!slices.Equal(c.OnCall, []string{"duty@hotline.example", "lead@hotline.example"}) || c.Retention != 30*24*time.Hour {
		t.Fatalf("from environment = %+v, %v", c, err)
	}
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, "pa55word") {
		t.Errorf("the password shows in %s", s)
	}
	c, err = parse(t, env, "--oncall", "night@hotline.example", "--retention-days", "7")
	if err != nil || !slices.Equal(c.OnCall, []string{"night@hotline.example"}) || c.Retention != 7*24*time.Hour {
		t.Errorf("flags = %+v, %v", c, err)
	}
	fileEnv := map[string]string{"WAYMARK_SMTP_ADDR": "localhost:25", "WAYMARK_SMTP_FROM": "w@x.example",
		"WAYMARK_SMTP_USERNAME": "u", "WAYMARK_SMTP_PASSWORD_FILE": pwFile}
	if c, err := parse(t, fileEnv); err != nil || string(c.SMTPPassword) != "from-file" {
		t.Errorf("password file: %q, %v", string(c.SMTPPassword), err)
	}

	bad := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"oncall without smtp", map[string]string{"WAYMARK_ONCALL": "a@b.example"}, nil},
		{"smtp without port", map[string]string{"WAYMARK_SMTP_ADDR": "mail", "WAYMARK_SMTP_FROM": "w@x.example"}, nil},
		{"smtp without from", map[string]string{"WAYMARK_SMTP_ADDR": "mail:25"}, nil},
		{"bad oncall", map[string]string{"WAYMARK_SMTP_ADDR": "mail:25", "WAYMARK_SMTP_FROM": "w@x.example", "WAYMARK_ONCALL": "Duty <d@x.example>"}, nil},
		{"password twice", map[string]string{"WAYMARK_SMTP_ADDR": "mail:25", "WAYMARK_SMTP_FROM": "w@x.example", "WAYMARK_SMTP_USERNAME": "u",
			"WAYMARK_SMTP_PASSWORD": "x", "WAYMARK_SMTP_PASSWORD_FILE": pwFile}, nil},
		{"password without user", map[string]string{"WAYMARK_SMTP_ADDR": "mail:25", "WAYMARK_SMTP_FROM": "w@x.example", "WAYMARK_SMTP_PASSWORD": "x"}, nil},
		{"retention zero", map[string]string{"WAYMARK_RETENTION_DAYS": "0"}, nil},
		{"retention words", map[string]string{"WAYMARK_RETENTION_DAYS": "ninety"}, nil},
		{"retention flag", nil, []string{"--retention-days", "-3"}},
	}
	for _, tt := range bad {
		if c, err := parse(t, tt.env, tt.args...); err == nil {
			t.Errorf("%s accepted: %+v", tt.name, c)
		} else if strings.Contains(err.Error(), "pa55word") || strings.Contains(err.Error(), "d@x.example") {
			t.Errorf("%s: error shows a value: %v", tt.name, err)
		}
	}
}
