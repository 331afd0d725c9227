package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFormFailureLogged: an internal error on a posted form (here a table
// gone from under the service) answers 500 with the form again, and the
// log names the route and the cause, never what was posted (a name, a
// phone number).
func TestFormFailureLogged(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			var logs lockedBuffer
			env := apptest.StartLogging(t, apptest.Config(t, engine), slog.New(slog.NewTextHandler(&logs, nil)))
			org := env.Org("Riverton Social Services", accounts.SocialServices)
			coord := env.User("coord", access.Coordinator, org)
			drop := `DROP TABLE interpreters`
			if engine == storage.Postgres {
				drop += ` CASCADE`
			}
			if err := env.App.DB.Exec(context.Background(), drop); err != nil {
				t.Fatal(err)
			}
			res, _ := env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/interpreters", Cookie: env.Session(t, coord.ID, true),
				Form: url.Values{"name": {"Ion Rusu"}, "contact": {"+40 700 000 001"}, "languages": {"ro"}, "kind": {"mediator"}, "active": {"1"}}})
			if res.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500", res.StatusCode)
			}
			out := logs.String()
			if !strings.Contains(out, "request failed") || !strings.Contains(out, "POST /interpreters") || !strings.Contains(out, "interpreters") {
				t.Errorf("the log does not name the failed route and its cause:\n%s", out)
			}
			if strings.Contains(out, "Rusu") || strings.Contains(out, "+40") {
				t.Errorf("the log holds the posted text:\n%s", out)
			}
		})
	}
}
