package public

import (
	"bytes"
	"mime/multipart"
	"testing"
)

// FuzzSubmitReport feeds the report form parser arbitrary bodies, content
// types and boundaries: it must never panic, and whatever it returns stays
// within the limits.
func FuzzSubmitReport(f *testing.F) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("details", "seen at the station")
	_ = mw.WriteField("signs", "core.threats_violence")
	_ = mw.WriteField("urgency", "soon")
	w, _ := mw.CreateFormFile("files", "a.png")
	_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
	_ = mw.Close()
	f.Add(mw.FormDataContentType(), buf.Bytes())
	f.Add("application/x-www-form-urlencoded", []byte("details=x&signs=a&signs=b&urgency=child&website="))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"details\"\r\n\r\nhi\r\n--x--\r\n"))
	f.Add("text/plain", []byte("details=x"))
	f.Add("multipart/form-data", []byte("--\r\n"))
	const maxFile, maxFiles = 1 << 10, 2
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		in, err := parseReport(contentType, bytes.NewReader(body), maxFile, maxFiles, func() bool { return len(body)%2 == 0 })
		if err != nil {
			if in != nil {
				t.Fatal("an error with a result")
			}
			return
		}
		if len(in.Files) > maxFiles {
			t.Fatalf("%d files", len(in.Files))
		}
		for _, data := range in.Files {
			if len(data) > maxFile {
				t.Fatalf("a file of %d bytes", len(data))
			}
		}
		for k, v := range in.Values {
			if !isTextField(k) || len(v) > maxTextPart {
				t.Fatalf("field %q of %d bytes", k, len(v))
			}
		}
		if len(in.Signs) > maxParts {
			t.Fatalf("%d signs", len(in.Signs))
		}
		sub, work := in.submission("en")
		_ = sub
		_ = work
	})
}
