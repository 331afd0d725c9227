package app_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// Several processes on one database behave as one installation: a session
// made on one is valid on the other, sign-in throttling counts across both,
// and disabling an account on one ends its session on the other.
func TestProcessesShareOneDatabase(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			cfg := apptest.Config(t, engine)
			a := apptest.StartWith(t, cfg)
			b := apptest.StartWith(t, cfg)
			org := a.Org("Riverton Social Services", accounts.SocialServices)
			admin := a.User("admin", access.Administrator, org)
			worker := a.User("worker", access.CaseWorker, org)

			if res := b.Do(worker, http.MethodGet, "/api/v1/me", "", nil); res.StatusCode != http.StatusOK {
				t.Fatalf("session from process A on process B: status %d", res.StatusCode)
			}

			ctx := context.Background()
			for range 5 {
				if _, err := a.App.Accounts.SignIn(ctx, "worker", "wrong password!", "client-1"); !apperr.Is(err, apperr.Unauthorized) {
					t.Fatalf("wrong password on A: %v", err)
				}
			}
			if _, err := b.App.Accounts.SignIn(ctx, "worker", apptest.Password, "client-1"); !apperr.Is(err, apperr.TooMany) {
				t.Fatalf("after five failures on A, sign-in on B = %v; want too_many", err)
			}

			if err := a.App.Accounts.SetDisabled(ctx, admin.Actor, worker.ID, true); err != nil {
				t.Fatal(err)
			}
			if res := b.Do(worker, http.MethodGet, "/api/v1/me", "", nil); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("disabled on A, session on B: status %d; want 401", res.StatusCode)
			}
		})
	}
}
