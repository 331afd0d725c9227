package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"waymark.city/waymark/internal/cli"
	"waymark.city/waymark/internal/demo"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServeDemo runs `serve --demo` until cancelled, then checks the
// seeded installation with `audit verify`.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", dir},
			cli.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	}()
	running := regexp.MustCompile(`Waymark is running at (http://\S+) \(database: sqlite\)`)
	var url string
	deadline := time.Now().Add(time.Minute)
	for url == "" {
		if m := running.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			continue
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early:\n%s\n%s", code, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	res, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("readyz: %s", res.Status)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after cancel:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}

	out := stdout.String()
	for _, want := range []string{"Demo logins", "USERNAME", "admin", "analyst"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve output lacks %q:\n%s", want, out)
		}
	}
	info, err := os.Stat(filepath.Join(dir, demo.LoginsFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", demo.LoginsFile, info.Mode().Perm())
	}
	r := mustRun(t, nil, "", "audit", "verify", "--data", dir)
	if !strings.HasPrefix(r.stdout, "audit log OK: ") {
		t.Errorf("audit verify: %s", r)
	}
}
