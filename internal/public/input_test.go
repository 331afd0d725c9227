package public_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestControlCharactersRefused sends the report form, as a browser with a
// solved proof of work would, with a NUL in each text field in turn
// (multipart and URL-encoded), and the follow-up forms with one: each is
// 422 with the translated message, and no report is stored.
func TestControlCharactersRefused(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		s := newSite(t, db, looseLimits)
		en := s.catalog.For("en").T("public.error.form")
		check := func(what string, res response) {
			t.Helper()
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, en) {
				t.Errorf("%s with a NUL: status %d, want 422 with %q", what, res.status, en)
			}
		}
		for _, field := range []string{"details", "area", "seen_on", "people", "contact", "signs"} {
			form := reportForm("A man keeps the workers' passports.")
			s.work(t, s.get(t, "/report").body, form)
			form.Set(field, form.Get(field)+"\x00")
			check("report (multipart) "+field, s.postReport(t, "/report", form))
			check("report (url-encoded) "+field, s.postForm(t, "/report", form))
		}
		check("follow-up code", s.postForm(t, "/report/follow-up", url.Values{"code": {"1234 1234 1234 1234\x00"}}))
		check("follow-up answer", s.postForm(t, "/report/follow-up/reply", url.Values{"code": {"1234 1234 1234 1234"}, "message": {"hello\x00"}}))
		var n int
		err := db.Read(context.Background(), func(tx *storage.Tx) error {
			return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM reports`).Scan(&n)
		})
		if err != nil || n != 0 {
			t.Errorf("reports stored: %d, %v", n, err)
		}
	})
}
