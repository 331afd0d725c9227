package ui_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage"
)

// FuzzSubmitLogin posts arbitrary bodies to the public sign-in form: the
// answer is never a server error and never a session cookie.
func FuzzSubmitLogin(f *testing.F) {
	for _, seed := range []string{
		"username=coordinator&password=x",
		"username=%ff%fe&password=%00",
		"username=" + strings.Repeat("a", 5000),
		"next=//evil.example&username=a&password=b",
		"%zz",
		"a=1&a=2&a=3",
		"",
	} {
		f.Add([]byte(seed), "application/x-www-form-urlencoded")
	}
	f.Add([]byte(`{"username":"x"}`), "application/json")
	f.Add([]byte("--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n--b--\r\n"), "multipart/form-data; boundary=b")
	env := apptest.Start(f, storage.SQLite)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		if strings.ContainsFunc(contentType, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			t.Skip("not a header value a client can send")
		}
		res := env.Send(t, apptest.User{}, http.MethodPost, "/login", contentType, bytes.NewReader(body))
		if res.StatusCode >= 500 {
			t.Fatalf("status %d for %q (%s)", res.StatusCode, body, contentType)
		}
		for _, c := range res.Cookies() {
			if strings.Contains(c.Name, "waymark") && c.Value != "" {
				t.Fatalf("a session cookie for %q", body)
			}
		}
	})
}
