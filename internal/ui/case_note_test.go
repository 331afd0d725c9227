package ui_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// multipartNote builds the note form with a file.
func multipartNote(t *testing.T, note, name string, data []byte) (body, ctype string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if err := w.WriteField("note", note); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

// TestNoteWithFile adds a note with a file through the page: the file is
// offered as a download only, from the audited notes view; a file of the
// wrong kind or too large is refused and nothing is stored.
func TestNoteWithFile(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			id := freshCase(t, f)
			cookie := f.env.Session(t, f.staff[access.CaseWorker].ID, true)
			post := func(note, name string, data []byte) (*http.Response, string) {
				body, ctype := multipartNote(t, note, name, data)
				return f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/cases/" + id + "/notes", Cookie: cookie, Body: body, CType: ctype})
			}
			before := f.env.Fingerprint(t)
			for _, bad := range []struct {
				name string
				data []byte
			}{
				{"page.html", []byte("<html><script>alert(1)</script></html>")},
				{"big.pdf", append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 11<<20)...)},
			} {
				res, body := post("Bad file.", bad.name, bad.data)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-file-error"`) {
					t.Errorf("%s: status %d, want 422 with the error at the file field", bad.name, res.StatusCode)
				}
			}
			if after := f.env.Fingerprint(t); after != before {
				t.Error("a refused file changed the database")
			}
			pdf := []byte("%PDF-1.4\n% MARKER-CONTRACT\n%%EOF\n")
			res, _ := post("Signed contract, scanned.", `..\evil/"contract".pdf`, pdf)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("note with file: status %d", res.StatusCode)
			}
			_, page := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/cases/" + id + "/notes", Cookie: cookie})
			if !strings.Contains(page, `href="/cases/`+id+`/files/1"`) {
				t.Fatal("the notes view does not offer the file")
			}
			res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/cases/" + id + "/files/1", Cookie: cookie})
			cd := res.Header.Get("Content-Disposition")
			if res.StatusCode != http.StatusOK || body != string(pdf) || res.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, "/") || strings.Contains(cd, `\`) {
				t.Errorf("download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), cd)
			}
			res, _ = f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/cases/" + id + "/files/2", Cookie: cookie})
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("a second file that does not exist: %d", res.StatusCode)
			}
			other := f.env.Session(t, f.outsider.ID, true)
			if res, _ := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/cases/" + id + "/files/1", Cookie: other}); res.StatusCode != http.StatusNotFound {
				t.Errorf("another organisation: %d", res.StatusCode)
			}
		})
	}
}
