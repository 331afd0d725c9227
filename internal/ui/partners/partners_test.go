package partnersui

import (
	"net/http/httptest"
	"testing"
)

// TestTakesFiles: only the document upload escapes the site-wide body
// limit.
func TestTakesFiles(t *testing.T) {
	h := &Handler{}
	for _, tc := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/agreements/01a2-x/document", true},
		{"GET", "/agreements/01a2-x/document", false},
		{"POST", "/agreements/document", false},
		{"POST", "/agreements//document", false},
		{"POST", "/agreements/01a2-x", false},
		{"POST", "/agreements/a/b/document", false},
		{"POST", "/partners/contacts/new", false},
	} {
		if got := h.TakesFiles(httptest.NewRequest(tc.method, tc.path, nil)); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}
